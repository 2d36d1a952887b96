#!/bin/bash
# make bench section: `smclat analyze` against `xenalyze -s` on the same 1 GB synthetic
# scheduler trace (smclat-synth: two pCPUs, credit2 records, a client/mediator ping-pong).
# Prints markdown. Env: SMCLAT_BIN (folder of smclat and smclat-synth), BENCH_TRACE_SIZE (1G),
# BENCH_RUNS (3).
set -euo pipefail
BIN=${SMCLAT_BIN:?}
SIZE=${BENCH_TRACE_SIZE:-1G}
RUNS=${BENCH_RUNS:-3}
tmp=$(mktemp -d /tmp/smclat-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trace=$tmp/synth.bin
echo "bench analyze: writing a $SIZE synthetic trace" >&2
"$BIN/smclat-synth" --size "$SIZE" --truth "$tmp/truth.json" "$trace"
bytes=$(stat -c %s "$trace")
records=$(sed -n 's/.*"records": \([0-9]*\).*/\1/p' "$tmp/truth.json")
cat "$trace" > /dev/null # into the page cache: both tools read it warm

# run_timed LABEL CMD...: runs RUNS times; prints "median_wall_s max_rss_kib"
run_timed() {
    local label=$1; shift
    local walls=() rss=0
    for i in $(seq "$RUNS"); do
        echo "bench analyze: $label run $i/$RUNS" >&2
        /usr/bin/time -f '%e %M' -o "$tmp/time" "$@" > "$tmp/out.$label" 2> "$tmp/err.$label" || {
            echo "bench analyze: $label failed:" >&2; tail -5 "$tmp/err.$label" >&2; return 1; }
        read -r w m < "$tmp/time"
        walls+=("$w"); [ "$m" -gt "$rss" ] && rss=$m
    done
    printf '%s\n' "${walls[@]}" | sort -n | awk -v rss="$rss" '{a[NR]=$1} END {printf "%s %s\n", a[int((NR+1)/2)], rss}'
}
read -r s_wall s_rss < <(run_timed smclat "$BIN/smclat" analyze --cpu-hz 62.5M --client 2 --mediator 1 --json "$trace")
read -r r_wall r_rss < <(run_timed reader "$BIN/smclat" dump --summary "$trace")
read -r x_wall x_rss < <(run_timed xenalyze xenalyze --cpu-hz=62.5M -s "$trace")
# the floor: reading the file from the page cache and nothing else
read -r c_wall c_rss < <(run_timed cat cat "$trace")
calls=$(grep -o '"complete": *[0-9]*' "$tmp/out.smclat" | head -1 | grep -o '[0-9]*$' || echo '?')
truth_calls=$(sed -n 's/.*"calls": \([0-9]*\).*/\1/p' "$tmp/truth.json")
awk -v b="$bytes" -v n="$records" -v sw="$s_wall" -v sr="$s_rss" -v rw="$r_wall" -v rr="$r_rss" \
    -v xw="$x_wall" -v xr="$x_rss" -v runs="$RUNS" -v size="$SIZE" -v calls="$calls" \
    -v tcalls="$truth_calls" -v cw="$c_wall" 'BEGIN {
    gb = b / 1e9
    printf "\n## Analyzer throughput and memory (issue 10)\n\n"
    printf "A %.2f GB synthetic credit2 trace (%d records, 2 pCPUs; `smclat synth --size %s`), read\n", gb, n, size
    printf "from the page cache; median wall time of %d runs, peak resident memory (`/usr/bin/time -f %%M`).\n\n", runs
    printf "| command | wall (s) | GB/s | records/s (M) | peak RSS (MiB) |\n|---|---|---|---|---|\n"
    printf "| `smclat analyze --cpu-hz 62.5M --client 2 --mediator 1 --json` | %.2f | %.2f | %.1f | %.1f |\n", sw, gb/sw, n/sw/1e6, sr/1024
    printf "| `smclat dump --summary` (reader and decoder only) | %.2f | %.2f | %.1f | %.1f |\n", rw, gb/rw, n/rw/1e6, rr/1024
    printf "| `xenalyze --cpu-hz=62.5M -s` | %.2f | %.2f | %.1f | %.1f |\n", xw, gb/xw, n/xw/1e6, xr/1024
    printf "| `cat` to /dev/null (the floor: the page-cache copy alone) | %.2f | %.2f | | |\n\n", cw, gb/cw
    printf "smclat analyze: %.1f times xenalyze'"'"'s throughput (goal: at least 10), %.2f GB/s (goal: at least 1),\n", xw/sw, gb/sw
    printf "%.1f MiB peak (goal: at most 64, not growing with the trace). Calls found: %s of %s generated.\n", sr/1024, calls, tcalls
    printf "Ten times xenalyze here would be %.2f s for the file, %.1f times what reading it from the\n", xw/10, (xw/10)/cw
    printf "page cache alone takes (`cat`, %.2f s): the analyzer spends %.1f times that floor.\n\n", cw, sw/cw
}'
