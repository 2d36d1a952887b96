#!/bin/bash
# Golden outputs of the analysis commands, for refactors that must change no figure: runs
# `smclat analyze` (text, --json, --calls-csv, --roles auto, with and without a calls log or a
# results folder's own calls.csv), `smclat dump`, `smclat report --no-plots` and
# `smclat compare --json` on every trace in $SHARED/traces, on a synthetic trace and on results
# folders made from them, and writes every output (stdout, stderr, exit code) into OUT.
# Compare two runs with `diff -r BEFORE AFTER`.
# usage: scripts/golden-outputs.sh OUT    env: SMCLAT_BIN (build/bin), SHARED (/work/shared),
#        SMCLAT_BUILD (build: the babeltrace2 plugin, optional)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
BIN=${SMCLAT_BIN:-$top/build/bin}
SHARED=${SHARED:-/work/shared}
BUILD=${SMCLAT_BUILD:-$top/build}
out=${1:?usage: golden-outputs.sh OUT}
rm -rf "$out"; mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
S=$BIN/smclat
# run NAME CMD...: stdout to NAME.out, stderr to NAME.err, exit code to NAME.rc; the
# temporary folder's path is replaced by @ so that two runs compare equal
run() {
    local name=$1; shift
    "$@" > "$out/$name.out" 2> "$out/$name.err" < /dev/null
    echo $? > "$out/$name.rc"
    sed -i "s|$work|@|g" "$out/$name.out" "$out/$name.err"
}
keep() { # FILE NAME: copies an output file, paths replaced
    if [ -f "$1" ]; then sed "s|$work|@|g" "$1" > "$out/$2"; else echo "absent" > "$out/$2"; fi
}
traces=()
for d in "$SHARED"/traces/*/; do
    for t in "$d"*.bin; do [ -f "$t" ] && traces+=("$t"); done
done
"$BIN/smclat-synth" --calls 3000 --seed 7 "$work/synth.bin" > /dev/null
traces+=("$work/synth.bin")
for t in "${traces[@]}"; do
    name=$(basename "$(dirname "$t")"); [ "$t" = "$work/synth.bin" ] && name=synth
    cli=2 srv=1
    if [ -f "$(dirname "$t")/params.sh" ]; then
        c=$(. "$(dirname "$t")/params.sh"; echo "${CLI_DOMID:-}"); [ -n "$c" ] && cli=$c
        s=$(. "$(dirname "$t")/params.sh"; echo "${SRV_DOMID:-}"); [ -n "$s" ] && srv=$s
    fi
    A=("$S" analyze --cpu-hz 62.5M)
    run "$name.analyze" "${A[@]}" "$t"
    run "$name.analyze-roles" "${A[@]}" --client "$cli" --mediator "$srv" "$t"
    run "$name.analyze-json" "${A[@]}" --client "$cli" --mediator "$srv" --json \
        --calls-csv "$work/$name.calls-trace.csv" "$t"
    keep "$work/$name.calls-trace.csv" "$name.calls-trace.csv"
    run "$name.analyze-auto" "${A[@]}" --roles auto --json "$t"
    run "$name.dump-summary" "$S" dump -s "$t"
    run "$name.dump-head" "$S" dump --cpu-hz 62.5M -n 400 "$t"
    # a guest log made from the calls found (clock offset 987654 ticks, one call in 97 left out,
    # every 13th call an error, the first 40 warm-up), joined with the trace
    awk -F, -v off=987654 'BEGIN { srand(11)
            print "seq,op,frame,intended_ns,start_ns,end_ns,start_cntvct,end_cntvct,status,warmup,result,smc_ret,trap_ticks" }
        FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        $(c["index"]) % 97 == 50 { next }
        $(c["t_notify"]) != "" && $(c["t_client_run"]) != "" {
            b = 50 + int(rand() * 2000); a = 50 + int(rand() * 2000)
            s = $(c["t_notify"]) - off - b; e = $(c["t_client_run"]) - off + a
            printf "%d,process,%d,0,%.0f,%.0f,%.0f,%.0f,%s,%d,0,,\n", $(c["index"]), $(c["index"]),
                s * 16, e * 16, s, e, ($(c["index"]) % 13 == 5) ? "error" : "ok", $(c["index"]) < 40
        }' "$work/$name.calls-trace.csv" > "$work/$name.log.csv" 2> /dev/null
    keep "$work/$name.log.csv" "$name.log.csv"
    run "$name.join" "${A[@]}" --client "$cli" --mediator "$srv" --calls-log "$work/$name.log.csv" "$t"
    run "$name.join-json" "${A[@]}" --client "$cli" --mediator "$srv" --json \
        --calls-log "$work/$name.log.csv" --calls-csv "$work/$name.joined.csv" "$t"
    keep "$work/$name.joined.csv" "$name.joined.csv"
    # a results folder: trace, metadata.json, the generator's calls.csv
    r=$work/res-$name; mkdir -p "$r"
    cp "$t" "$r/trace.bin"
    printf '{"smclat_metadata": 1, "physinfo": {"cpu_khz": 62500}, "roles": {"client": %s, "mediator": %s}}\n' \
        "$cli" "$srv" > "$r/metadata.json"
    cp "$work/$name.log.csv" "$r/calls.csv"
    printf '[scenario]\nname = %s\n' "$name" > "$r/scenario.ini"
    run "$name.results-analyze" "$S" analyze "$r"
    run "$name.results-json" "$S" analyze --json --calls-csv "$r/calls-trace.csv" "$r"
    cp "$out/$name.results-json.out" "$r/analysis.json"
    keep "$r/calls-trace.csv" "$name.results-calls-trace.csv"
    run "$name.results-dump" "$S" dump -s "$r"
    # a results folder with the generator's log only
    g=$work/gen-$name; mkdir -p "$g"
    cp "$work/$name.log.csv" "$g/calls.csv"
    printf '[scenario]\nname = gen-%s\n' "$name" > "$g/scenario.ini"
done
# reports and comparisons on the results folders
run report "$S" report --no-plots -q -o "$work/report" "$work"/res-*
for f in summary.json summary.csv; do keep "$work/report/$f" "report.$f"; done
run report-gen "$S" report --no-plots -q -o "$work/report-gen" "$work"/gen-evping-* "$work"/gen-synth
for f in summary.json summary.csv; do keep "$work/report-gen/$f" "report-gen.$f"; done
set -- "$work"/res-evping-* "$work"/res-sched-* "$work"/res-synth # the folders with calls
run compare "$S" compare --json --iters 200 "$@"
run compare-text "$S" compare --iters 200 "$@"
run compare-wake "$S" compare --json --iters 200 -m mediator_wake "$@"
run compare-gen "$S" compare --json --iters 200 "$work"/gen-evping-* "$work"/gen-synth
# the CTF conversion of one trace, analysed and dumped
P=$BUILD/lib/babeltrace2/plugins
if command -v babeltrace2 > /dev/null && [ -d "$P" ]; then
    t=$SHARED/traces/final-basic/t2.bin
    babeltrace2 --plugin-path="$P" --component=source.xentrace.reader \
        --params="inputs=[\"$t\"],cpu-hz=62500000" -o ctf -w "$work/ctf" > /dev/null 2>&1
    run ctf.analyze-json "$S" analyze --cpu-hz 62.5M --client 2 --mediator 1 --json "$work/ctf"
    run ctf.analyze-auto "$S" analyze --cpu-hz 62.5M --roles auto "$work/ctf"
    run ctf.dump-summary "$S" dump -s "$work/ctf"
    run bt2.results babeltrace2 --plugin-path="$P" "$work/res-final-basic"
fi
echo "golden outputs in $out ($(ls "$out" | wc -l) files)"
