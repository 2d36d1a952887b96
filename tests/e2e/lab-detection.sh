#!/bin/bash
# One scenario of the detection matrix (workloads/detection.suite, docs/calls.md) on the lab in
# smp mode, run through `smclat suite run` and checked against the generator's own log: two
# pCPUs, a busy 2-vCPU noise domain on the client's pCPU, the mediator hard-pinned to the other,
# credit, 24 calls/s (530 calls). Checks: with the log every logged call inside the trace is
# matched (at most one at each edge), the detector's misses rebuilt (join.recovered); the
# trace-only detector misses at most 5% of the logged calls inside the trace and finds at most
# 5% false calls (join.trace_only_in_log, which includes those found twice); the clock offset
# lies within 0.5 ms of the client's creation time and is known to 1 ms; every call has a
# certainty. Issue 13 asks 1.5% both ways: quiet runs of this scenario met it (0-1 missed, 1-2
# false of 530), runs beside other QEMUs did not (5-18 missed, 9-11 false), so this test holds
# the detector to what it does on any run, and make bench tracks the target on the whole matrix
# (scripts/bench/detection.sh, docs/performance.md).
# Env: SMCLAT_BIN (build/bin: the host smclat), SMCLAT_TOP, SMCLAT_CACHE.
set -u
top=${SMCLAT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/e2e/lab-lib.sh"
lab_prepare --no-kmod

name=24cps.credit-pinned.busy-noise
t1=$(date +%s)
"$bin/smclat" suite run "$top/workloads/detection.suite" --only "$name" -o "$tmp/suite" \
    --lab "$top/scripts/lab/run.sh"
rc=$?
echo "suite: $(($(date +%s) - t1)) s, exit $rc"
d=$tmp/suite/$name
[ "$rc" = 0 ] && [ -s "$d/analysis.json" ] ||
    { bad "suite run exit $rc: $(jq -r '.scenarios[0].reason' "$tmp/suite/suite.json" 2> /dev/null)"; exit 1; }
a=$d/analysis.json
jq -e '.join' "$a" > /dev/null || { bad "not joined: $(jq -c .warnings "$a")"; exit 1; }
read -r in_trace missed false unmatched rec < <(jq -r '.join | [
    (.matched + .log_only_in_trace + .inconsistent),
    (.recovered + .log_only_in_trace + .inconsistent),
    .trace_only_in_log,
    (.log_only_in_trace + .inconsistent), .recovered] | @tsv' "$a")
tol=$((in_trace * 5 / 100)); [ "$tol" -lt 3 ] && tol=3
echo "logged calls in the trace $in_trace: trace-only missed $missed (recovered $rec), false $false," \
    "unmatched with the log $unmatched (at most $tol, $tol, 2)"
echo "  recovered by shape: $(jq -c '.join.recovered_by_shape' "$a"), unrecorded: $(jq '.join.recovered_unrecorded' "$a")"
echo "  false by shape: $(jq -c '.join.trace_only_in_log_by_shape' "$a")"
[ "$in_trace" -ge 500 ] || bad "only $in_trace logged calls inside the trace (500 or more wanted)"
[ "$missed" -le "$tol" ] || bad "the detector missed $missed of $in_trace calls (at most $tol)"
[ "$false" -le "$tol" ] || bad "the detector found $false false calls (at most $tol)"
[ "$unmatched" -le 2 ] || bad "$unmatched logged calls inside the trace not matched even with the log"
created=$(jq '.domains[] | select(.role == "client") | .created_ticks' "$d/metadata.json")
read -r off lo hi < <(jq -r '.join | [.offset_ticks, .offset_range_ticks[0], .offset_range_ticks[1]] | @tsv' "$a")
echo "offset $off ticks (range $lo..$hi), client created at $created"
dist=$((off > created ? off - created : created - off))
[ "$dist" -le 31250 ] || bad "offset $off is $dist ticks from the client's creation $created (at most 0.5 ms)"
[ $((hi - lo)) -le 62500 ] || bad "offset range $lo..$hi wider than 1 ms"
jq -e '.calls | (.by_certainty.certain + .by_certainty.likely + .by_certainty.inferred) ==
    (.complete + .incomplete)' "$a" > /dev/null || bad "calls.by_certainty does not add up to the calls"
echo "lab-detection: $(($(date +%s) - t0)) s in all"
[ "$fails" = 0 ] && echo "lab-detection: ok"
[ "$fails" = 0 ]
