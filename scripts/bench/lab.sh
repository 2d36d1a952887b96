#!/bin/bash
# make bench section: the emulated lab end to end with a warm cache: a 10 s trace scenario
# (client at 24 calls/s to the mediator over event channels) in deterministic mode and in
# smp mode (2 pCPUs), wall time and its phases. Goal: at most 60 s per scenario.
# Prints a markdown section on stdout; progress on stderr.
set -u
top=${SMCLAT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${SMCLAT_BIN:-$top/build/bin}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$top/scripts/lab/prepare.sh" --no-kmod > /dev/null 2>&1 || { echo "lab bench: prepare failed" >&2; exit 1; }
t0=$(date +%s.%N)
"$top/scripts/lab/prepare.sh" --no-kmod > /dev/null 2>&1
warm_prepare=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')

# phase MARK FILE: host seconds of the first console line with MARK
phase() { sed -n "s/^\[ *\([0-9.]*\)\] SMCLAT-[A-Z0-9]*: $1.*/\1/p" "$2" | head -1; }

cat << EOF2

## The emulated lab end to end (scripts/bench/lab.sh)

A scenario with a 10 s trace: Xen 4.17 arm64 and Dom0 boot under QEMU, the mediator and
client DomUs start, \`smclat record apply\` sets and checks the configuration, the client
makes 24 calls/s for 8 s while xentrace records 10 s, then metadata, shutdown and the results
folder. Warm cache (\`scripts/lab/prepare.sh --no-kmod\` again takes ${warm_prepare} s).
Times are host wall-clock seconds from QEMU's start, read from the console's time stamps
(\`console.log\`); goal: at most 60 s per scenario.

| mode | wall s | Xen tools up | domains ready | trace done | finished | calls (generator / complete in trace) | lost records | mediator wake p50 / p99 us |
|---|---|---|---|---|---|---|---|---|
EOF2
for mode in deterministic smp; do
    cat > "$tmp/$mode.env" << P
NAME=bench-$mode
MODE=$mode
TRANSPORT=xen
GEN_ARGS="--flow optimized --fps 24 --duration 8"
TRACE_SECONDS=10
TIMEOUT_S=300
P
    out=$tmp/$mode
    echo "lab bench: $mode" >&2
    s=$(date +%s.%N)
    "$top/scripts/lab/run.sh" "$tmp/$mode.env" "$out" > /dev/null 2> "$tmp/$mode.err"
    rc=$?
    wall=$(awk -v a="$s" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
    if [ $rc != 0 ]; then
        echo "| $mode | $wall | failed: $(jq -r '.reason_kind + ": " + .reason' "$out/run.json" 2> /dev/null) | | | | | | |"
        continue
    fi
    c=$out/console.log
    gen=$(jq .calls.total "$out/gen-summary.json")
    a=$("$bin/smclat" analyze "$out" --json 2> /dev/null)
    complete=$(echo "$a" | jq .calls.complete 2> /dev/null)
    wake=$(echo "$a" | jq -r '.calls.mediator_wake_ns | "\(.p50 / 1000 | floor) / \(.p99 / 1000 | floor)"' 2> /dev/null)
    echo "| $mode | $wall | $(phase "tools up" "$c") | $(phase "domains ready" "$c") | $(phase "trace done" "$c") | $(phase "finished" "$c") | $gen / ${complete:-?} | $(jq .trace.lost_records "$out/metadata.json") | ${wake:-?} |"
done
cat << EOF2

Command: \`scripts/lab/run.sh PARAMS OUT\` with \`MODE=deterministic\` (then \`MODE=smp\`,
2 pCPUs), \`TRANSPORT=xen\`, \`GEN_ARGS="--flow optimized --fps 24 --duration 8"\`,
\`TRACE_SECONDS=10\`; figures from \`smclat analyze OUT --json\`.
EOF2
