#!/bin/bash
# Real lab runs for the regress end-to-end test (tests/e2e/report-regress-lab.sh), done once and
# kept under build/lab-regress/: the same short deterministic scenario (24 calls/s, optimized
# flow, 2 s of load in a 4 s trace) under Xen's credit2 scheduler twice and credit twice, each
# analyzed into its folder (analysis.json, calls-trace.csv) as `smclat suite` does. Each boot
# takes the lab lock (/tmp/smclat-lab.lock) so it never overlaps another lab run.
# Usage: lab-regress-runs.sh CACHE_DIR   (env SMCLAT_BIN, SMCLAT_TOP). Exit 0 when every run is
# in CACHE_DIR (already or now), 1 when a run failed.
set -u
top=${SMCLAT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
cache=$1
mkdir -p "$cache"
runs="credit2-a:credit2 credit2-b:credit2 credit-a:credit credit-b:credit"
need=0
for r in $runs; do [ -s "$cache/${r%%:*}/trace.bin" ] || need=1; done
[ $need = 0 ] && exit 0
"$top/scripts/lab/prepare.sh" --no-kmod || { echo "lab-regress-runs: prepare failed" >&2; exit 1; }
i=0
for r in $runs; do
    i=$((i + 1))
    name=${r%%:*} sched=${r#*:} d=$cache/${r%%:*}
    [ -s "$d/trace.bin" ] && continue
    rm -rf "$d" "$d.tmp"
    cat > "$cache/$name.env" << P
NAME=regress-$sched
MODE=deterministic
XEN_SCHED=$sched
TRANSPORT=xen
GEN_ARGS="--flow optimized --fps 24 --duration 2"
TRACE_SECONDS=4
TIMEOUT_S=240
P
    echo "lab-regress-runs: run $i of 4: $name (sched=$sched)" >&2
    flock /tmp/smclat-lab.lock "$top/scripts/lab/run.sh" "$cache/$name.env" "$d.tmp" ||
        { echo "lab-regress-runs: $name: run.sh failed" >&2; exit 1; }
    printf '[scenario]\nname = regress-det\n' > "$d.tmp/scenario.ini"
    mv "$d.tmp" "$d"
done
