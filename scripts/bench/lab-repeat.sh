#!/bin/bash
# make bench section: the lab's deterministic mode run after run. The demo suite's
# 24fps-opt.credit2.busy-noise scenario (24 calls/s optimized for 5 s over event channels, a
# busy noise DomU, credit2, one pCPU) booted three times from scratch (scripts/lab/repeat-diff.sh):
# trace.bin and calls.csv byte for byte, and per call e2e, mediator wake and switches the same
# as in the first run (`smclat compare`). Prints a markdown section on stdout; progress on stderr.
set -u
top=${SMCLAT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${SMCLAT_BIN:-$top/build/bin}
n=${LAB_REPEAT_N:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$top/scripts/lab/prepare.sh" --no-kmod > /dev/null 2>&1 || { echo "lab-repeat bench: prepare failed" >&2; exit 1; }
cat > "$tmp/s.env" << 'P'
NAME=24fps-opt.credit2.busy-noise
MODE=deterministic
XEN_SCHED=credit2
NOISE_DOMAINS=1
NOISE_LOAD=busy
TRANSPORT=xen
GEN_ARGS="--flow optimized --fps 24 --duration 5"
TRACE_SECONDS=7
TIMEOUT_S=300
P
"$top/scripts/lab/repeat-diff.sh" -n "$n" "$tmp/s.env" "$tmp/r" > "$tmp/diff.txt" 2> "$tmp/diff.err"
rc=$?
cat << EOF2

## Deterministic mode, run after run (scripts/bench/lab-repeat.sh)

The demo suite's 24fps-opt.credit2.busy-noise scenario booted $n times from scratch
(\`scripts/lab/repeat-diff.sh -n $n PARAMS OUT\`; \`smclat compare OUT/run1 OUT/runN --json\` after
\`smclat analyze\` of each): the share of calls whose figure equals the first run's, and
whether the files are byte for byte the same (docs/lab.md, "Deterministic mode").

| run | calls | e2e p50 / p99 / max us | same e2e | same mediator wake | same switches | trace.bin | calls.csv | compare says |
|---|---|---|---|---|---|---|---|---|
EOF2
[ $rc = 2 ] && { echo "| failed: $(tail -1 "$tmp/diff.err") | | | | | | | | |"; exit 0; }
for i in $(seq "$n"); do
    d=$tmp/r/run$i
    "$bin/smclat" analyze "$d" --json --calls-csv "$d/calls-trace.csv" > "$d/analysis.json" 2> /dev/null
done
for i in $(seq "$n"); do
    d=$tmp/r/run$i
    "$bin/smclat" compare "$tmp/r/run1" "$d" --json > "$tmp/c.json" 2> /dev/null
    c=$(jq -c '.configurations[1]' "$tmp/c.json")
    q=$(jq -r '.calls.e2e_ns | "\(.p50 / 1000 * 10 | round / 10) / \(.p99 / 1000 * 10 | round / 10) / \(.max / 1000 * 10 | round / 10)"' "$d/analysis.json")
    same() { echo "$c" | jq -r --arg k "$1" '.same_calls[$k] * 1000 | round / 10 | tostring + "%"'; }
    tb=$(cmp -s "$tmp/r/run1/trace.bin" "$d/trace.bin" && echo identical || echo differs)
    cb=$(cmp -s "$tmp/r/run1/calls.csv" "$d/calls.csv" && echo identical || echo differs)
    if [ "$i" = 1 ]; then
        echo "| 1 | $(echo "$c" | jq .n) | $q | (reference) | | | | | |"
    else
        echo "| $i | $(echo "$c" | jq .n) | $q | $(same e2e) | $(same mediator_wake) | $(same switches) | $tb | $cb | $(echo "$c" | jq -r 'if .identical then "identical" else .median end') |"
    fi
done
echo
echo "Wall time of the $n boots: $(jq -rs 'map(.wall_s) | map(tostring) | join(", ")' "$tmp"/r/run*/run.json) s."
