#!/bin/bash
# smclat regress over a whole history: change points (a step found at its commit, flat noise
# none), the gate and --since, JUnit and the markdown summary, the trend page, deterministic
# runs, and bad histories (another schema version, commits out of order, a configuration that
# appears or disappears, one run).
. "$(dirname "$0")/report-lib.sh"

# run_regress H COMMIT SCALE [NAME] [regress options]: one run of NAME (base) whose calls are
# SCALE * (1..600) ns, checked against and appended to H
run_regress() {
    local h=$1 c=$2 s=$3 name=${4:-base}; shift 4
    rm -rf "$T/r" && make_results "$T/r" "$name" 600 "$s"
    [ -n "${MODE:-}" ] && printf '{"smclat_run": 1, "status": "ok", "mode": "%s"}\n' "$MODE" > "$T/r/run.json"
    "$SMCLAT" regress --history "$h" "$T/r" --commit "$c" --date 2026-12-01T00:00:00Z "$@" > "$T/out" 2> "$T/err"
}

# a step: 8 runs about 300 us p50, then 4 about 20% slower (commits s1..s12)
H=$T/step.jsonl
i=0
for s in 1000 1010 995 1005 1000 990 1008 1002 1200 1210 1195 1205; do
    i=$((i + 1))
    run_regress "$H" "s$i" "$s" base
done
expect_rc 1 "$SMCLAT" regress --history "$H" "$T/r" --commit s13 -n --json --junit "$T/junit.xml" --summary-md "$T/summary.md" -p "$T/trend"
cp "$T/out" "$T/step.json"
expect_eq "$(jq -r '[.change_points[] | select(.metric == "e2e_p50_ns") | .commit] | join(",")' "$T/step.json")" s9 "the step's change point in e2e p50"
expect_eq "$(jq -r '[.change_points[] | .metric] | sort | join(",")' "$T/step.json")" e2e_p50_ns,e2e_p99_ns "figures with a change point (mediator wake from analysis.json is flat)"
expect_eq "$(jq '.change_points[0] | (.p_value <= 0.01) and (.before > 299000 and .before < 303000) and (.after > 359000 and .after < 364000) and .runs_before == 8 and .runs_after == 5' "$T/step.json")" true "change point: p-value, the two sides' medians and runs"
expect_eq "$(jq -r '.change_points[0] | [.configuration, .method, .previous_commit] | join(" ")' "$T/step.json")" "base e-divisive s8" "change point: configuration, method, commit before"
expect_eq "$(jq .change_point_regressions "$T/step.json")" 2 "figures worse since the newest change point"
expect_eq "$(jq -r '.series[] | select(.metric == "switches_mean") | .verdict' "$T/step.json")" "no change" "a flat figure"
expect_grep '<testsuites name="smclat regress" tests="5" failures="3" skipped="0">' "$T/junit.xml" "JUnit: five test cases, three failing"
expect_grep '<testcase classname="base" name="e2e_p50_ns"' "$T/junit.xml" "JUnit: a test case per configuration and metric"
expect_grep '<failure type="change point" message="e2e_p50_ns: 300.8 us -&gt; 362.1 us \(\+20.4%\); change point at commit s9' "$T/junit.xml" "JUnit: the failure names the commit and carries the numbers"
if xmllint --noout "$T/junit.xml"; then ok "JUnit is well-formed XML (xmllint)"; else fail "JUnit is not well-formed XML"; fi
expect_grep '^## smclat regress: s13 — \*\*FAIL\*\*' "$T/summary.md" "summary: the verdict"
expect_grep '^\| base \| e2e_p50_ns \| s9 \| 300.8 us \| 362.1 us \| \+20.4% \| 0.0' "$T/summary.md" "summary: the change point row"
expect_grep '^9 s9$' "$T/trend/trend-base-e2e_p50_ns.cp.dat" "trend: the change point's run and commit"
expect_eq "$(awk '/segments/ {s = 1; next} s && NF == 3' "$T/trend/trend-base-e2e_p50_ns.cp.dat" | wc -l)" 2 "trend: two segments"
expect_grep 'trend-base-e2e_p50_ns.png' "$T/trend/index.html" "trend page shows the plots"
expect_grep '<tr class="regression"><td>base</td><td>e2e_p50_ns' "$T/trend/index.html" "trend page: the verdict row"
expect_eq "$(jq '.change_points | length' "$T/trend/regress.json")" 2 "trend folder: regress.json"
if command -v gnuplot > /dev/null; then
    [ -s "$T/trend/trend-base-e2e_p50_ns.png" ] && [ -s "$T/trend/trend-base-e2e_p50_ns.svg" ] && ok "trend plots" || fail "trend plots missing"
    grep -q '>s9<' "$T/trend/trend-base-e2e_p50_ns.svg" && ok "the change point's commit on the plot" || fail "no s9 on the plot"
fi

# the trend page beside smclat report's, linked both ways
expect_rc 0 "$SMCLAT" report "$T/r" -o "$T/rep" --no-plots -q
expect_rc 1 "$SMCLAT" regress --history "$H" "$T/r" --commit s13 -n -p "$T/rep/trends"
expect_grep 'href="../index.html"' "$T/rep/trends/index.html" "trend page links the report"
expect_rc 0 "$SMCLAT" report "$T/r" -o "$T/rep" --no-plots -q
expect_grep 'href="trends/index.html"' "$T/rep/index.html" "report links the trend page"

# --since: the step is before s9's run, so not "since s9"; since s5 it is
expect_rc 1 "$SMCLAT" regress --history "$H" "$T/r" --commit s13 -n --json --since s9
expect_eq "$(jq '[(.change_points | length), .change_point_regressions] | join(",")' -r "$T/out")" 0,0 "--since s9: no change point after it"
expect_rc 1 "$SMCLAT" regress --history "$H" "$T/r" --commit s13 -n --json --since s5
expect_eq "$(jq -r '.series[] | select(.metric == "e2e_p50_ns") | [.verdict, .reference_commit] | join(",")' "$T/out")" regression,s8 "--since s5: worse than s5's segment (its last run s8)"
expect_rc 2 "$SMCLAT" regress --history "$H" "$T/r" --commit s13 -n --since nosuch
expect_grep "^smclat: --since nosuch: no run of that commit in $H$" "$T/err" "--since an unknown commit"

# flat noise: no change point, exit 0
H=$T/flat.jsonl
i=0
for s in 1000 1010 995 1005 1000 990 1008 1002 1003 997 1006 999; do
    i=$((i + 1))
    run_regress "$H" "f$i" "$s" base --json
done
expect_rc 0 "$SMCLAT" regress --history "$H" "$T/r" --commit f13 -n --json
expect_eq "$(jq '.change_points | length' "$T/out")" 0 "flat noise: no change point"

# deterministic runs (run.json mode): the median compared run to run, beyond 1%
H=$T/det.jsonl
MODE=deterministic run_regress "$H" d1 1000 base
MODE=deterministic run_regress "$H" d2 1000 base
MODE=deterministic run_regress "$H" d3 1050 base --json
expect_eq "$(jq -r '[.change_points[] | select(.metric == "e2e_p50_ns") | .commit, .method, (.p_value | tostring)] | join(",")' "$T/out")" d3,deterministic,null "deterministic: +5% at d3 is a change point (no p-value)"
expect_eq "$(jq .change_point_regressions "$T/out")" 0 "deterministic: +5% is under the 10% threshold"
grep -q '"mode":"deterministic"' "$H" && ok "the history line carries the mode" || fail "no mode in the history"
MODE=deterministic run_regress "$H" d4 1053 base --json
expect_eq "$(jq '[.change_points[] | select(.metric == "e2e_p50_ns")] | length' "$T/out")" 1 "deterministic: +0.3% is not a change"
MODE=deterministic run_regress "$H" d5 1110 base --json
expect_eq "$(jq -r '[.change_points[] | select(.metric == "e2e_p50_ns") | .commit] | join(",")' "$T/out")" d3,d5 "deterministic: a second +5% step at d5"
expect_eq "$(jq -r '.series[] | select(.metric == "e2e_p50_ns") | [.verdict, .reference_commit, (.change * 1000 | round)] | join(",")' "$T/out")" regression,d2,110 "a drift: two steps each under the threshold, +11% against d2, fail the gate"
MODE=deterministic run_regress "$H" d6 1000 base --json
expect_eq "$(jq -r '.series[] | select(.metric == "e2e_p50_ns") | [.verdict, .reference_commit] | join(",")' "$T/out")" improvement,d5 "back to 1000 at d6: an improvement against d5"

# bad histories
H=$T/bad.jsonl
run_regress "$H" b1 1000 base --junit "$T/j1.xml"
expect_grep 'no earlier run' "$T/out" "one run: nothing to compare"
expect_grep '<testsuites name="smclat regress" tests="5" failures="0" skipped="0">' "$T/j1.xml" "one run: JUnit, nothing failing"
expect_grep 'too few runs' "$T/j1.xml" "one run: too few runs, said"
run_regress "$H" b2 1000 base
run_regress "$H" b3 1000 base
run_regress "$H" b2 1000 base
expect_eq "$(grep -c '' "$H")" 3 "a commit out of order is not appended"
expect_grep "^smclat: $H: commit b2: already at line 2 with other commits after it: expected a new commit" "$T/err" "a commit seen before, with others after it"
run_regress "$H" b3 1000 base
expect_grep '^warning: commit b3: this run repeats the history' "$T/err" "the same commit again: a warning"
cp "$H" "$T/dup.jsonl" && sed -n 2p "$H" >> "$T/dup.jsonl"
expect_rc 2 "$SMCLAT" regress --history "$T/dup.jsonl" "$T/r" --commit b9 -n
expect_grep "^smclat: $T/dup.jsonl: line 5: commit b2 already at line 2 with other commits between" "$T/err" "history out of order: named by line"
# another configuration appears, and base disappears
rm -rf "$T/n" && make_results "$T/n" newcfg 600 1000
expect_rc 0 "$SMCLAT" regress --history "$H" "$T/n" --commit b4 -n --json --junit "$T/j2.xml"
expect_grep '^warning: configuration base: in the history but not in this run' "$T/err" "a configuration gone: a warning"
expect_grep '^warning: configuration newcfg: new in this run' "$T/err" "a new configuration: a warning"
expect_eq "$(jq -r '[.series[] | select(.metric == "e2e_p50_ns") | .configuration + ":" + .verdict] | join(",")' "$T/out")" "newcfg:too few runs,base:not in this run" "verdicts of a new and a gone configuration"
expect_grep '<testsuites name="smclat regress" tests="10" failures="0" skipped="5">' "$T/j2.xml" "JUnit: the gone configuration skipped"
expect_grep '<skipped message="the configuration is in the history but not in the newest run"/>' "$T/j2.xml" "JUnit: why skipped"
# two folders of one configuration in one run
rm -rf "$T/two" && mkdir -p "$T/two" && make_results "$T/two/x" base 600 1000 && make_results "$T/two/y" base 600 1000
expect_rc 2 "$SMCLAT" regress --history "$H" "$T/two" --commit b5 -n
expect_grep 'both are configuration base' "$T/err" "one configuration twice in a run"
# a line of another schema version
echo '{"smclat_regress": 2, "commit": "x", "configs": {}}' >> "$H"
expect_rc 2 "$SMCLAT" regress --history "$H" "$T/r" --commit b6 -n
expect_grep "^smclat: $H:5: smclat_regress: expected schema 1, found 2" "$T/err" "another schema version: named"
expect_rc 2 "$SMCLAT" regress --history "$H" "$T/r" --commit b6 --permutations 5
finish
