#!/bin/bash
# smclat compare and smclat regress on constructed results with known answers.
. "$(dirname "$0")/report-lib.sh"

make_results "$T/a" base 600 1000        # 1..600 us
make_results "$T/a2" same 600 1000       # the same distribution
make_results "$T/b" slower 600 1500      # everything 1.5 times slower
make_results "$T/s" small 4 150000       # 150..600 us: too few calls to say anything

expect_rc 0 "$SMCLAT" compare "$T/a" "$T/a2" "$T/b" --json
expect_grep '"median": "no significant difference"' "$T/out" "equal distributions: no difference"
expect_eq "$(grep -c '"median": "slower"' "$T/out")" 1 "shifted distribution: slower"
expect_eq "$(grep -c '"p99": "slower"' "$T/out")" 1 "shifted distribution: p99 slower"
expect_rc 0 "$SMCLAT" compare "$T/b" "$T/a"
expect_grep '^\| base \| 600 \| 300\.5 \| 594\.0 \| -33\.3% .* \| faster \| faster \|$' "$T/out" "the table, the other way round"
expect_rc 0 "$SMCLAT" compare "$T/a" "$T/s" --json
expect_grep '"median": "no significant difference"' "$T/out" "4 calls: not significant"
expect_grep '"p99": "too few calls"' "$T/out" "4 calls: no p99 verdict"
expect_rc 0 "$SMCLAT" compare "$T/a" "$T/b" -o "$T/cmp"
expect_grep '^slower,600,' "$T/cmp/compare.csv" "compare.csv row"
command -v gnuplot > /dev/null && { [ -s "$T/cmp/cdf.png" ] && [ -s "$T/cmp/cdf.svg" ] && ok "compare plot" || fail "compare plot missing"; }
# the Xen each configuration ran on (metadata.json): a comparison across builds is said
printf '{"xen": {"version": "4.17.7", "build": "debian"}}' > "$T/a/metadata.json"
printf '{"xen": {"version": "4.17.7", "build": "debian"}}' > "$T/a2/metadata.json"
printf '{"xen": {"version": "4.17.5+72-g01140da4e8-1", "build": "source"}}' > "$T/b/metadata.json"
expect_rc 0 "$SMCLAT" compare "$T/a" "$T/a2" --json
expect_grep '"mixed_xen_builds": false' "$T/out" "same Xen build: not mixed"
expect_eq "$(grep -c 'mixes Xen builds' "$T/err")" 0 "same Xen build: no warning"
expect_rc 0 "$SMCLAT" compare "$T/a" "$T/a2" "$T/b"
expect_grep '^warning: slower ran on Xen source 4.17.5.*, the baseline base on Xen debian 4.17.7: the comparison mixes Xen builds$' "$T/err" "different Xen builds: a warning naming both"
expect_grep '^warning: these configurations ran on different Xen builds' "$T/out" "different Xen builds: said above the table"
expect_rc 0 "$SMCLAT" compare "$T/a" "$T/b" --json
expect_grep '"mixed_xen_builds": true' "$T/out" "different Xen builds: mixed in the JSON"
expect_grep '"build": "source"' "$T/out" "each configuration's Xen build in the JSON"
# the mediator kind (topology.mediator, metadata.json's mediator_kind; absent: linux)
printf '{"xen": {"version": "4.17.7", "build": "debian"}, "mediator_kind": "stub"}' > "$T/b/metadata.json"
printf '{"xen": {"version": "4.17.7", "build": "debian"}, "mediator_kind": "linux"}' > "$T/a/metadata.json"
expect_rc 0 "$SMCLAT" compare "$T/a" "$T/a2" "$T/b" --json
expect_eq "$(jq -c '[.configurations[].mediator_kind]' "$T/out")" '["linux","linux","stub"]' "each configuration's mediator kind in the JSON"
expect_rc 0 "$SMCLAT" compare "$T/a" "$T/b"
expect_grep '^mediator: base linux, slower stub ' "$T/out" "different mediator kinds: said above the table"
expect_rc 0 "$SMCLAT" compare "$T/a" "$T/a2"
expect_eq "$(grep -c '^mediator:' "$T/out")" 0 "same mediator kind: nothing said"
rm -f "$T/a/metadata.json" "$T/a2/metadata.json" "$T/b/metadata.json"
# the host each ran on (run.json host): an smp-mode run beside other work is said
printf '{"mode": "smp", "host": {"cpus": 2, "other_share": 0.05}}' > "$T/a/run.json"
printf '{"mode": "smp", "host": {"cpus": 2, "other_share": 0.59}}' > "$T/b/run.json"
printf '{"mode": "deterministic", "host": {"cpus": 2, "other_share": 0.9}}' > "$T/a2/run.json"
expect_rc 0 "$SMCLAT" compare "$T/a" "$T/a2" "$T/b"
expect_grep '^warning: slower: other work took 59% of the host.s CPUs during its smp-mode boot' "$T/err" \
    "an smp run beside other work: a warning naming it"
expect_eq "$(grep -c 'other work took' "$T/err")" 1 "a quiet smp run and a deterministic one: no warning"
expect_grep '^warning: some smp-mode runs shared their host with other work' "$T/out" "a loaded host: said above the table"
expect_rc 0 "$SMCLAT" compare "$T/a" "$T/b" --json
expect_eq "$(jq -c '[.loaded_host, [.configurations[].host_other_share]]' "$T/out")" '[true,[0.05,0.59]]' \
    "a loaded host in the JSON"
rm -f "$T/a/run.json" "$T/a2/run.json" "$T/b/run.json"
expect_rc 0 "$SMCLAT" compare "$T/a" "$T/b" --json
expect_eq "$(jq -c '[.loaded_host, [.configurations[].host_other_share]]' "$T/out")" '[false,[null,null]]' \
    "no run.json: nothing said of the host"
expect_rc 2 "$SMCLAT" compare "$T/a"
expect_rc 2 "$SMCLAT" compare "$T/a" "$T/b" --metric nope

# regress: a history of runs
H=$T/history.jsonl
expect_rc 0 "$SMCLAT" regress --history "$H" "$T/a" --commit c1 --date 2026-11-26
expect_grep 'no earlier run' "$T/out" "first run: nothing to compare"
expect_rc 0 "$SMCLAT" regress --history "$H" "$T/a2" --commit c2
mkdir -p "$T/runs" && cp -r "$T/b" "$T/runs/b" && sed -i 's/= slower/= base/' "$T/runs/b/scenario.ini"
cp -r "$T/a2" "$T/runs/a2" && sed -i 's/= same/= base/' "$T/runs/a2/scenario.ini"
sed -i 's/= same/= base/' "$T/a2/scenario.ini"
expect_rc 0 "$SMCLAT" regress --history "$H" "$T/a2" --commit c3
expect_grep '^\| base \| e2e_p50_ns \| c1 \| 300\.5 \| 300\.5 \| \+0\.0% .* \| same \|$' "$T/out" "same run: same"
expect_rc 1 "$SMCLAT" regress --history "$H" "$T/runs/b" --commit c4 -p "$T/trend"
expect_grep '^\| base \| e2e_p50_ns \| c3 \| 300\.5 \| 450\.8 \| \+50\.0% .* \| regression \|$' "$T/out" "50% slower: regression"
expect_grep 'regress: c4: 3 regressions' "$T/err" "three gated metrics regressed"
expect_rc 0 "$SMCLAT" regress --history "$H" "$T/runs/b" --commit c5 --threshold 60
expect_grep '\| c3 \| .* \| same \|$' "$T/out" "beyond the threshold only: not a regression; c4 (regressed) is no baseline"
expect_rc 0 "$SMCLAT" regress --history "$H" "$T/runs/a2" --commit c6 -n
expect_eq "$(wc -l < "$H")" 5 "history lines (--no-append leaves it)"
expect_grep '"commit":"c4".*"regressed":true' "$H" "the regressed run is marked"
if command -v gnuplot > /dev/null; then
    [ -s "$T/trend/trend-base-e2e_p50_ns.png" ] && [ -s "$T/trend/trend-base-e2e_p50_ns.svg" ] && ok "trend plots" || fail "trend plots missing"
fi
expect_eq "$(grep -vc "^#" "$T/trend/trend-base-e2e_p50_ns.dat")" 3 "trend rows (c1, c3, c4: c2 was another config)"
expect_grep '^4 c4 450\.75$' "$T/trend/trend-base-e2e_p50_ns.dat" "trend row of c4 (us)"
echo '{"commit": "x"' >> "$H"
expect_rc 2 "$SMCLAT" regress --history "$H" "$T/a"
expect_grep "^smclat: $H:6: column" "$T/err" "bad history line named"
expect_rc 2 "$SMCLAT" regress "$T/a"
finish
