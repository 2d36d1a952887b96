#!/bin/bash
# make bench section: messages per second through babeltrace2 with source.xentrace.reader,
# against smclat's native reader, on the same synthetic trace; CTF conversion and read-back.
# Prints markdown. Env: SMCLAT_BIN, SMCLAT_BUILD, BENCH_BT2_SIZE (128M), BENCH_RUNS (3).
set -euo pipefail
BIN=${SMCLAT_BIN:?}
P=${SMCLAT_BUILD:?}/lib/babeltrace2/plugins
SIZE=${BENCH_BT2_SIZE:-128M}
RUNS=${BENCH_RUNS:-3}
tmp=$(mktemp -d /tmp/smclat-bench-bt2.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trace=$tmp/synth.bin
echo "bench bt2: writing a $SIZE synthetic trace" >&2
"$BIN/smclat-synth" --size "$SIZE" --truth "$tmp/truth.json" "$trace" > /dev/null
bytes=$(stat -c %s "$trace")
records=$(sed -n 's/.*"records": \([0-9]*\).*/\1/p' "$tmp/truth.json")
cat "$trace" > /dev/null

# run_timed LABEL CMD...: RUNS runs; prints "median_wall_s max_rss_kib"
run_timed() {
    local label=$1; shift
    local walls=() rss=0
    for i in $(seq "$RUNS"); do
        echo "bench bt2: $label run $i/$RUNS" >&2
        rm -rf "$tmp/ctf.w"
        /usr/bin/time -f '%e %M' -o "$tmp/time" timeout 1800 "$@" > /dev/null 2> "$tmp/err" || {
            echo "bench bt2: $label failed:" >&2; tail -5 "$tmp/err" >&2; return 1; }
        read -r w m < "$tmp/time"
        walls+=("$w"); [ "$m" -gt "$rss" ] && rss=$m
    done
    printf '%s\n' "${walls[@]}" | sort -n |
        awk -v rss="$rss" '{a[NR]=$1} END {printf "%s %s\n", a[int((NR+1)/2)], rss}'
}
SRC="--component=src:source.xentrace.reader --params=inputs=[\"$trace\"],cpu-hz=62500000"
declare -a label cmd
label+=("babeltrace2: source.xentrace.reader -> sink.utils.dummy")
cmd+=("babeltrace2 --plugin-path=$P run $SRC --component=sink:sink.utils.dummy --connect=src:sink")
label+=("smclat dump --summary (native reader and decoder)")
cmd+=("$BIN/smclat dump --summary $trace")
label+=("babeltrace2: source.xentrace.reader, pretty text to /dev/null")
cmd+=("babeltrace2 --plugin-path=$P --component=source.xentrace.reader --params=inputs=[\"$trace\"],cpu-hz=62500000")
label+=("smclat dump, text to /dev/null")
cmd+=("$BIN/smclat dump $trace")
label+=("babeltrace2: xentrace -> CTF (-o ctf -w DIR)")
cmd+=("babeltrace2 --plugin-path=$P --component=source.xentrace.reader --params=inputs=[\"$trace\"],cpu-hz=62500000 -o ctf -w $tmp/ctf.w")
label+=("babeltrace2: CTF (source.ctf.fs) -> muxer -> sink.utils.dummy")
cmd+=("babeltrace2 run --component=src:source.ctf.fs --params=inputs=[\"$tmp/ctf/synth.bin\"] --component=mux:filter.utils.muxer --component=sink:sink.utils.dummy --connect=src:mux --connect=mux:sink")
if "$BIN/smclat" --help | grep -q '^  analyze '; then
    label+=("smclat analyze --json on the xentrace file")
    cmd+=("$BIN/smclat analyze --cpu-hz 62.5M --client 2 --mediator 1 --json $trace")
    label+=("smclat analyze --json on the CTF folder (trace-parse/ctf_source.c)")
    cmd+=("$BIN/smclat analyze --cpu-hz 62.5M --client 2 --mediator 1 --json $tmp/ctf")
fi
echo "bench bt2: converting once for the CTF read-back runs" >&2
eval "babeltrace2 --plugin-path=$P --component=source.xentrace.reader --params='inputs=[\"$trace\"],cpu-hz=62500000' -o ctf -w $tmp/ctf" > /dev/null
ctf_bytes=$(du -sb "$tmp/ctf" | cut -f1)

rows=""
for k in "${!label[@]}"; do
    # shellcheck disable=SC2086
    read -r w m < <(eval run_timed "k$k" ${cmd[$k]//\"/\\\"})
    rows+=$(awk -v l="${label[$k]}" -v c="${cmd[$k]//$tmp/\$TMP}" -v w="$w" -v m="$m" -v n="$records" \
        'BEGIN {printf "| %s | `%s` | %.2f | %.2f | %.0f |\\n", l, c, w, n / w / 1e6, m / 1024}')
done
echo
echo "## babeltrace2 interop: messages per second (issue 6)"
echo
echo "A synthetic credit2 trace of $((bytes / 1000000)) MB, $records records on 2 pCPUs"
echo "(\`smclat-synth --size $SIZE\`), read from the page cache; median wall time of $RUNS runs,"
echo "peak resident memory (\`/usr/bin/time -f %M\`). One babeltrace2 event message per record."
echo "The CTF conversion takes $((ctf_bytes / 1000000)) MB. \$TMP is a scratch folder; P is"
echo "build/lib/babeltrace2/plugins."
echo
echo "| what | command | wall (s) | M records/s | peak RSS (MiB) |"
echo "|---|---|---|---|---|"
printf '%b' "$rows" | sed "s|$P|\$P|g; s|$BIN/|build/bin/|g"
echo
