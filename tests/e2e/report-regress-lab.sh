#!/bin/bash
# smclat regress on real lab runs: four short deterministic runs of one scenario (24 calls/s,
# optimized flow, 2 s of load in a 4 s trace), two under Xen's credit scheduler then two under
# credit2 (tests/e2e/lab-regress-runs.sh boots them once and keeps them in build/lab-regress;
# delete that folder to boot again), analyzed again by the smclat under test. As a history of commits c1..c4 the scheduler change at c3
# must be the one change point, in the median's path length, and the JUnit file must name it.
# Env: SMCLAT_BIN, SMCLAT_TOP, SMCLAT_LAB_REGRESS (the cache folder).
. "$(dirname "$0")/report-lib.sh"
L=${SMCLAT_LAB_REGRESS:-$TOP/build/lab-regress}
bash "$TOP/tests/e2e/lab-regress-runs.sh" "$L" || { fail "the lab runs"; finish; }
# analyzed now, by the smclat under test, into copies (as `smclat suite` does)
for r in credit-a credit-b credit2-a credit2-b; do
    cp -r "$L/$r" "$T/$r"
    "$SMCLAT" analyze "$T/$r" --json --calls-csv "$T/$r/calls-trace.csv" > "$T/$r/analysis.json" 2> "$T/analyze.err" ||
        fail "smclat analyze $r: $(head -3 "$T/analyze.err")"
done

# the runs are what they claim: deterministic, ok, the scheduler asked for
for r in credit-a:credit credit-b:credit credit2-a:credit2 credit2-b:credit2; do
    d=$T/${r%%:*}
    expect_eq "$(jq -r '[.status, .mode] | join(" ")' "$d/run.json")" "ok deterministic" "${r%%:*}: run.json"
    expect_eq "$(jq -r .xen.scheduler "$d/metadata.json")" "${r#*:}" "${r%%:*}: Xen's scheduler"
    # every generator call joined; on one pCPU a pair of timer ticks can look exactly like a
    # call (docs/calls.md): such trace-only calls are bounded, not forbidden
    expect_eq "$(jq '.calls.complete > 40 and .join.matched == .join.log_calls and .join.log_only == 0 and .join.trace_only_in_log * 20 <= .join.log_calls' "$d/analysis.json")" true "${r%%:*}: complete calls, all generator calls joined, few trace-only"
done

H=$T/history.jsonl
i=0
for r in credit-a credit-b credit2-a credit2-b; do
    i=$((i + 1))
    "$SMCLAT" regress --history "$H" "$T/$r" --commit "c$i" --date "2026-12-0${i}T00:00:00Z" \
        --json --junit "$T/junit.xml" --summary-md "$T/summary.md" -p "$T/trend" > "$T/out.$i" 2> "$T/err.$i"
    echo "c$i ($r): exit $?"
done
# a deterministic run repeats its median (within 1%), the scheduler change does not
p50() { jq ".configs[\"regress-det\"].metrics.e2e_p50_ns" "$H" | sed -n "$1p"; }
echo "e2e p50 ns: credit $(p50 1) $(p50 2), credit2 $(p50 3) $(p50 4)"
expect_eq "$(awk -v a="$(p50 1)" -v b="$(p50 2)" -v c="$(p50 3)" -v d="$(p50 4)" 'BEGIN {
    r1 = (b > a ? b - a : a - b) / a; r2 = (d > c ? d - c : c - d) / c; s = c / b - 1
    print (r1 < 0.01 && r2 < 0.01 && (s > 0.10 || s < -0.10)) ? "yes" : "no" }')" yes "repeat runs within 1% of each other, credit2 against credit beyond 10%"
J=$T/out.4
expect_eq "$(jq -r '[.change_points[] | .commit + ":" + .metric + ":" + .method] | join(",")' "$J")" c3:e2e_p50_ns:deterministic "the one change point: c3, e2e p50, deterministic runs"
expect_eq "$(jq '.change_points[0] | .runs_before == 2 and .runs_after == 2 and .p_value == null and .previous_commit == "c2"' "$J")" true "change point: two runs each side, c2 before it"
expect_eq "$(jq --argjson b "$(p50 2)" --argjson a "$(p50 3)" '.change_points[0] | .before == $b and .after == $a' "$J")" true "change point: before and after are the medians of the runs beside it (c2, c3)"
expect_eq "$(jq -r '[.series[] | select(.metric != "e2e_p50_ns") | .verdict] | unique | join(",")' "$J")" "no change" "tails, switches, incomplete: no change in 4 runs (they do not repeat exactly: statistics)"
expect_grep 'regress: 1 change point over 4 runs' "$T/err.4" "progress line"
if jq -e '.change_points[0].change > 0' "$J" > /dev/null; then
    expect_eq "$(jq .change_point_regressions "$J")" 1 "credit2 slower: the gate fails"
    expect_grep '<failure type="change point" message="e2e_p50_ns: [0-9.]+ us -&gt; [0-9.]+ us \(\+[0-9.]+%\); change point at commit c3 ' "$T/junit.xml" "JUnit names commit c3"
    expect_grep '^\| regress-det \| e2e_p50_ns \| c3 \|' "$T/summary.md" "summary: the change point row"
else
    fail "credit2 was expected slower than credit (docs/reports.md: +9.5% in the demo)"
fi
expect_grep '^3 c3$' "$T/trend/trend-regress-det-e2e_p50_ns.cp.dat" "trend: change point at run 3"
if xmllint --noout "$T/junit.xml"; then ok "JUnit is well-formed XML (xmllint)"; else fail "JUnit is not well-formed XML"; fi
command -v gnuplot > /dev/null && { [ -s "$T/trend/trend-regress-det-e2e_p50_ns.png" ] && ok "trend plot" || fail "no trend plot"; }
finish
