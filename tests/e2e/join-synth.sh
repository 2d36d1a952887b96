#!/bin/bash
# The join against ground truth: a synthetic trace (smclat-synth, 3000 ping-pong calls), the
# calls smclat finds in it, and a guest log made from them with a known clock offset and known
# guest time on each side of every call (each drawn at random, written in extra columns the
# reader must ignore); one call in 97 left out of the log. The join must find every logged call,
# report the left-out ones as trace-only, put the offset in its range, and give back each call's
# guest time before and after the trace window exactly (to the offset's error, the same for all).
set -u
: "${SMCLAT_BIN:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=0
fail() { echo "FAIL $*"; bad=$((bad + 1)); }
OFF=987654 # trace ticks = guest CNTVCT + OFF
"$SMCLAT_BIN/smclat-synth" --calls 3000 --seed 7 "$tmp/t.bin" > /dev/null || exit 1
A=("$SMCLAT_BIN/smclat" analyze --cpu-hz 62.5M --client 2 --mediator 1)
"${A[@]}" --calls-csv "$tmp/trace-calls.csv" "$tmp/t.bin" > /dev/null || exit 1
# The guest log: start = notify - OFF - before, end = client run - OFF + after (ticks).
awk -F, -v off=$OFF 'BEGIN { srand(11); print "seq,op,start_cntvct,end_cntvct,status,before,after" }
    FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $(c["index"]) % 97 == 50 { next }
    $(c["t_notify"]) != "" && $(c["t_client_run"]) != "" {
        b = 50 + int(rand() * 2000); a = 50 + int(rand() * 2000)
        printf "%d,process,%.0f,%.0f,ok,%d,%d\n", $(c["index"]), $(c["t_notify"]) - off - b,
            $(c["t_client_run"]) - off + a, b, a
    }' "$tmp/trace-calls.csv" > "$tmp/log.csv"
logged=$(($(wc -l < "$tmp/log.csv") - 1))
found=$(($(wc -l < "$tmp/trace-calls.csv") - 1))
if ! "${A[@]}" --json --calls-log "$tmp/log.csv" --calls-csv "$tmp/joined.csv" "$tmp/t.bin" \
    > "$tmp/a.json" 2> "$tmp/err"; then
    echo "FAIL smclat analyze --calls-log: $(cat "$tmp/err")"
    exit 1
fi
read -r matched log_only trace_only incons off lo hi < <(jq -r '.join |
    "\(.matched) \(.log_only) \(.trace_only) \(.inconsistent) \(.offset_ticks)
     \(.offset_range_ticks[0]) \(.offset_range_ticks[1])"' "$tmp/a.json" | tr '\n' ' ')
echo "synthetic: $found calls found, $logged logged, $matched matched, $trace_only trace only," \
    "offset $off ($lo..$hi), true $OFF"
[ "$matched" = "$logged" ] || fail "matched $matched of $logged logged calls"
[ "$log_only" = 0 ] || fail "$log_only log calls did not join"
[ "$trace_only" = $((found - logged)) ] || fail "trace only $trace_only, expected $((found - logged))"
[ "$incons" = 0 ] || fail "$incons inconsistent calls"
if [ "$lo" -gt "$OFF" ] || [ "$OFF" -gt "$hi" ]; then
    fail "true offset $OFF outside $lo..$hi"
fi
# Per call: before_window_ns = (before + OFF - off) * 16 ns, after_window_ns = (after - OFF +
# off) * 16 ns, for every matched call.
awk -F, -v d=$((OFF - off)) '
    FNR == 1 { for (i = 1; i <= NF; i++) c[FILENAME, $i] = i; next }
    FILENAME == ARGV[1] { b[$1] = $(c[FILENAME, "before"]); a[$1] = $(c[FILENAME, "after"]); next }
    $(c[FILENAME, "join"]) == "matched" {
        n++; s = $(c[FILENAME, "log_seq"])
        if ($(c[FILENAME, "before_window_ns"]) != (b[s] + d) * 16 ||
            $(c[FILENAME, "after_window_ns"]) != (a[s] - d) * 16) {
            if (bad++ < 5) printf "call %s: before %s after %s ns, expected %d %d\n", s,
                $(c[FILENAME, "before_window_ns"]), $(c[FILENAME, "after_window_ns"]),
                (b[s] + d) * 16, (a[s] - d) * 16
        }
    }
    END { printf "%d matched calls, %d with other guest times than logged\n", n, bad; exit bad > 0 || n == 0 }
' "$tmp/log.csv" "$tmp/joined.csv" || fail "per-call guest times (above)"
[ "$bad" = 0 ]
