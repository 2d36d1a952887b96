#!/bin/bash
# make bench section: what the join (`smclat analyze --calls-log`, docs/join.md) costs on a long
# run. A synthetic trace (smclat-synth, BENCH_JOIN_CALLS ping-pong calls, 100k by default: 165 MB),
# the calls smclat finds in it, and a guest log made from them with a known clock offset; then
# `smclat analyze` with and without the log, BENCH_RUNS times each (median wall, peak RSS).
# Prints markdown. Env: SMCLAT_BIN (folder of smclat and smclat-synth).
set -euo pipefail
BIN=${SMCLAT_BIN:?}
CALLS=${BENCH_JOIN_CALLS:-100000}
RUNS=${BENCH_RUNS:-3}
OFF=987654
tmp=$(mktemp -d /tmp/smclat-bench-join.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
echo "bench join: writing a synthetic trace of $CALLS calls" >&2
"$BIN/smclat-synth" --calls "$CALLS" "$tmp/t.bin" > /dev/null
A=("$BIN/smclat" analyze --cpu-hz 62.5M --client 2 --mediator 1)
"${A[@]}" --calls-csv "$tmp/trace-calls.csv" "$tmp/t.bin" > /dev/null
awk -F, -v off=$OFF 'BEGIN { srand(11); print "seq,start_cntvct,end_cntvct" }
    FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $(c["t_notify"]) != "" && $(c["t_client_run"]) != "" {
        printf "%d,%.0f,%.0f\n", $(c["index"]), $(c["t_notify"]) - off - 50 - int(rand() * 2000),
            $(c["t_client_run"]) - off + 50 + int(rand() * 2000)
    }' "$tmp/trace-calls.csv" > "$tmp/log.csv"
cat "$tmp/t.bin" > /dev/null # into the page cache

# run_timed LABEL CMD...: prints "median_wall_s max_rss_kib"
run_timed() {
    local label=$1
    shift
    local walls=() rss=0 w m
    for i in $(seq "$RUNS"); do
        echo "bench join: $label run $i/$RUNS" >&2
        /usr/bin/time -f '%e %M' -o "$tmp/time" "$@" > "$tmp/out.$label" 2> "$tmp/err.$label" || {
            echo "bench join: $label failed:" >&2
            tail -5 "$tmp/err.$label" >&2
            return 1
        }
        read -r w m < "$tmp/time"
        walls+=("$w")
        [ "$m" -gt "$rss" ] && rss=$m
    done
    printf '%s\n' "${walls[@]}" | sort -n |
        awk -v rss="$rss" '{a[NR] = $1} END {printf "%s %s\n", a[int((NR + 1) / 2)], rss}'
}
read -r p_wall p_rss < <(run_timed plain "${A[@]}" --json "$tmp/t.bin")
read -r j_wall j_rss < <(run_timed join "${A[@]}" --json --calls-log "$tmp/log.csv" "$tmp/t.bin")
read -r matched logged off lo hi < <(jq -r '.join | "\(.matched) \(.log_calls) \(.offset_ticks)
    \(.offset_range_ticks[0]) \(.offset_range_ticks[1])"' "$tmp/out.join" | tr '\n' ' '
    echo)
bytes=$(stat -c %s "$tmp/t.bin")
cat <<EOF
## Join of the generator's log with the trace (\`smclat analyze --calls-log\`)

A synthetic trace of $CALLS ping-pong calls ($((bytes / 1000000)) MB, \`smclat-synth --calls $CALLS\`),
the calls \`smclat analyze --calls-csv\` finds in it, and a guest log made from them (clock offset
$OFF ticks, 50-2050 ticks of guest time on each side of each call). Median of $RUNS runs,
peak RSS (\`/usr/bin/time -f '%e %M'\`):

    smclat analyze --cpu-hz 62.5M --client 2 --mediator 1 --json t.bin
    smclat analyze --cpu-hz 62.5M --client 2 --mediator 1 --json --calls-log log.csv t.bin

| | wall | peak RSS |
|---|---|---|
| analyze | $p_wall s | $((p_rss / 1024)) MiB |
| analyze --calls-log | $j_wall s | $((j_rss / 1024)) MiB |

Joined $matched of $logged logged calls; offset $off ticks (range $lo..$hi, true $OFF). The join
keeps every call found (about 150 bytes each) until the trace has been read.
EOF
