#!/bin/bash
# A stand-in for `smclat analyze DIR --json --calls-csv FILE` in the suite runner's tests:
# copies the generator's latencies into calls-trace.csv and prints a minimal analysis.json.
set -eu
dir=$1; csv=
while [ $# -gt 0 ]; do
    case $1 in --calls-csv) csv=$2; shift ;; esac
    shift
done
[ -f "$dir/trace.bin" ] || { echo "smclat: $dir/trace.bin: missing" >&2; exit 2; }
awk -F, 'NR == 1 { print "seq,start_ns,e2e_ns,switches,mediator_wake_ns"; next }
         { printf "%d,%.0f,%.0f,%d,%.0f\n", $1, $5, $6 - $5, 4, ($6 - $5) / 3 }' "$dir/calls.csv" > "$csv"
n=$(($(wc -l < "$csv") - 1))
printf '{"smclat_analyze": 1, "file": "%s/trace.bin", "partial": false, "calls": {"complete": %d, "incomplete": 0}}\n' "$dir" "$n"
