#!/bin/bash
# Runs one scenario N times on the lab, each from a fresh boot, and says how far the runs agree:
# trace.bin and calls.csv byte for byte, then the traces record by record (`smclat dump`): the
# first record that differs from run 1's tells where a source of difference enters
# (docs/lab.md, "Deterministic mode"). Then the per-call figures (`smclat compare`).
# usage: repeat-diff.sh [-n N] PARAMS_FILE OUTDIR      (N: 2)
#        repeat-diff.sh --diff RUN_A RUN_B              (two results folders already made)
# env: SMCLAT_BIN (build/bin), SMCLAT_LAB_LOCK (/tmp/smclat-lab.lock: each boot holds it;
#      empty: no lock, for a caller that holds it already)
# exit: 0 every run is identical to the first, 1 some differ, 2 usage or a run failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
bin=${SMCLAT_BIN:-$top/build/bin}
lock=${SMCLAT_LAB_LOCK-/tmp/smclat-lab.lock}
usage() { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# first_diff A B: 0 when trace.bin and calls.csv are the same; else prints where they part
first_diff() {
    local a=$1 b=$2 differs=0 f line
    for f in trace.bin calls.csv; do
        [ -e "$a/$f" ] || [ -e "$b/$f" ] || continue
        if cmp -s "$a/$f" "$b/$f"; then
            echo "  $f: identical ($(stat -c %s "$a/$f") bytes)"
        else
            differs=1
            echo "  $f: differs ($(stat -c %s "$a/$f" 2> /dev/null || echo 0) / $(stat -c %s "$b/$f" 2> /dev/null || echo 0) bytes)"
        fi
    done
    if ! cmp -s "$a/trace.bin" "$b/trace.bin"; then
        "$bin/smclat" dump --cpu-hz 62500000 "$a/trace.bin" > "$a/.dump" 2> /dev/null
        "$bin/smclat" dump --cpu-hz 62500000 "$b/trace.bin" > "$b/.dump" 2> /dev/null
        line=$(cmp "$a/.dump" "$b/.dump" 2> /dev/null | sed -n 's/.* line \([0-9]*\)$/\1/p')
        if [ -n "$line" ]; then
            echo "  first differing record: #$line of $(wc -l < "$a/.dump") / $(wc -l < "$b/.dump")"
            [ "$line" -gt 1 ] &&
                sed -n "$((line > 2 ? line - 2 : 1)),$((line - 1))p" "$a/.dump" | sed 's/^/      same /'
            sed -n "${line}p" "$a/.dump" | sed 's/^/    A /'
            sed -n "${line}p" "$b/.dump" | sed 's/^/    B /'
        fi
        rm -f "$a/.dump" "$b/.dump"
    fi
    return $differs
}

if [ $# = 3 ] && [ "$1" = --diff ]; then
    echo "$2 vs $3:"
    first_diff "$2" "$3"
    exit $?
fi
n=2
[ $# -ge 1 ] && [ "$1" = -n ] && { n=$2; shift 2; }
[ $# = 2 ] || usage
[ "$n" -ge 2 ] 2> /dev/null || usage
params=$1 out=$2
mkdir -p "$out" || exit 2
rc=0
for i in $(seq "$n"); do
    d=$out/run$i
    echo "repeat-diff: run $i of $n -> $d" >&2
    if [ -n "$lock" ]; then
        flock "$lock" "$here/run.sh" "$params" "$d" 2> "$out/run$i.log"
    else
        "$here/run.sh" "$params" "$d" 2> "$out/run$i.log"
    fi || { echo "repeat-diff: run $i failed: $(tail -1 "$out/run$i.log")" >&2; exit 2; }
    [ "$i" = 1 ] && continue
    echo "run1 vs run$i:"
    first_diff "$out/run1" "$d" || rc=1
    "$bin/smclat" compare "$out/run1" "$d" 2> /dev/null | grep -i "identical" | sed 's/^/  /'
done
exit $rc
