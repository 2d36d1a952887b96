#!/bin/bash
# Runs each benchmark script (it prints a markdown section) and writes them, with the machine
# they ran on, into OUT (docs/performance.md). usage: run-bench.sh OUT SCRIPT...
set -u
out=$1; shift
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
rc=0; n=0
for s in "$@"; do
    n=$((n + 1))
    echo "bench [$n/$#] $s" >&2
    if bash "$top/$s" > "$tmp/$n.md"; then :; else
        echo "bench: $s failed (exit $?)" >&2; rc=1
        printf '\n## %s\n\nFAILED on this run.\n' "$s" > "$tmp/$n.md"
    fi
done
{
    echo "# smclat performance"
    echo
    echo "Written by \`make bench\` on $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores,"
    echo "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), commit $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)."
    echo "Every figure below comes with the command that produced it; run \`make bench\` to redo them all."
    for i in $(seq 1 $n); do cat "$tmp/$i.md"; done
} > "$out"
cat "$out"
exit $rc
