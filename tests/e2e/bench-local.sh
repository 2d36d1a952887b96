#!/bin/bash
# End to end: smclat-mediator and smclat-gen over the local transport at 24 calls/s (optimized
# flow) and 180 calls/s (unoptimized flow, 60 fps), ~2 s each: call counts, ops per frame, and
# that the log (calls.csv) and the summaries (gen and mediator JSON) agree.
# env: SMCLAT_BIN (the binaries), set by `make check`.
set -euo pipefail
bin=${SMCLAT_BIN:?SMCLAT_BIN must name the folder of smclat-gen}
tmp=$(mktemp -d)
med_pid=
cleanup() {
    [ -n "$med_pid" ] && kill "$med_pid" 2> /dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
chan=e2e-$$

# run NAME FLOW FPS FRAMES EXPECTED_CALLS EXPECTED_OPS_PER_FRAME
run() {
    local name=$1 flow=$2 fps=$3 frames=$4 want_calls=$5 want_opf=$6
    local d=$tmp/$name
    mkdir -p "$d"
    timeout 30 "$bin/smclat-mediator" --channel "$chan" --until-client-done --quiet \
        --json-out "$d/med.json" > "$d/med.txt" 2> "$d/med.err" &
    med_pid=$!
    timeout 30 "$bin/smclat-gen" --channel "$chan" --flow "$flow" --fps "$fps" \
        --frames "$frames" --warmup 0.25 --payload 2048 --log "$d/calls.csv" \
        --json-out "$d/gen.json" --quiet > "$d/gen.txt" ||
        fail "$name: smclat-gen exited $?: $(cat "$d/gen.txt")"
    wait "$med_pid" || fail "$name: smclat-mediator exited $?: $(cat "$d/med.err")"
    med_pid=
    local csv=$d/calls.csv g=$d/gen.json m=$d/med.json
    # the header, then one line per call (warm-up included)
    head -1 "$csv" | grep -q '^seq,op,frame,intended_ns,start_ns,end_ns,start_cntvct,end_cntvct,status' ||
        fail "$name: header"
    local warm_frames
    warm_frames=$(jq '.frames.warmup' "$g")
    local lines=$(($(wc -l < "$csv") - 1))
    [ "$lines" = "$want_calls" ] || fail "$name: $lines calls logged, expected $want_calls"
    # every call ok, seq 0..n-1 in order
    awk -F, 'NR>1 && ($9 != "ok" || $1 != NR-2) {bad++} END {exit bad>0}' "$csv" ||
        fail "$name: a call not ok or out of order"
    # ops per frame: every frame has the flow's ops (optimized: +register first, +unregister last)
    awk -F, -v opf="$want_opf" -v frames="$((frames + warm_frames))" '
        NR>1 {n[$3]++; if ($3 > maxf) maxf = $3}
        END {
            if (maxf + 1 != frames) { print "frames " maxf+1 " != " frames; exit 1 }
            for (f = 0; f <= maxf; f++) {
                want = opf
                if (opf == 1 && f == 0) want++
                if (opf == 1 && f == maxf) want++
                if (n[f] != want) { print "frame " f ": " n[f] " calls, expected " want; exit 1 }
            }
        }' "$csv" || fail "$name: ops per frame"
    # intended starts follow the pacing plan: never earlier than intended, never decreasing
    awk -F, 'NR>1 { if ($5 < $4 || $4 < last) bad++; last = $4 } END {exit bad>0}' "$csv" ||
        fail "$name: a call started before its deadline"
    # the log and the gen summary agree (warm-up calls are logged, not summarized)
    local measured
    measured=$(awk -F, 'NR>1 && $10 == 0' "$csv" | wc -l)
    [ "$(jq '.calls.total' "$g")" = "$measured" ] || fail "$name: summary total != log"
    [ "$(jq '.calls.ok' "$g")" = "$measured" ] || fail "$name: summary ok != log"
    for op in register process unregister; do
        local in_log
        in_log=$(awk -F, -v op=$op 'NR>1 && $10 == 0 && $2 == op' "$csv" | wc -l)
        [ "$(jq ".calls.by_op.$op" "$g")" = "$in_log" ] || fail "$name: $op count"
    done
    local max_service
    max_service=$(awk -F, 'NR>1 && $10 == 0 { d = $6 - $5; if (d > m) m = d } END {print m}' "$csv")
    [ "$(jq '.latency_ns.service.max' "$g")" = "$max_service" ] || fail "$name: service max"
    local max_pacing
    max_pacing=$(awk -F, 'NR>1 && $10 == 0 { d = $5 - $4; if (d > m) m = d } END {print m}' "$csv")
    [ "$(jq '.pacing_error_ns.max' "$g")" = "$max_pacing" ] || fail "$name: pacing max"
    [ "$(jq '.partial' "$g")" = false ] || fail "$name: partial"
    # the mediator saw every call, answered each ok
    [ "$(jq '.requests' "$m")" = "$want_calls" ] || fail "$name: mediator requests"
    [ "$(jq '.by_status.ok' "$m")" = "$want_calls" ] || fail "$name: mediator ok"
    [ "$(jq -r '.stop_reason' "$m")" = client-done ] || fail "$name: mediator stop reason"
    [ "$(jq '.table.used' "$m")" = 0 ] || fail "$name: buffers left registered"
    echo "$name: $want_calls calls ok, $(jq '.latency_ns.service.p50' "$g") ns p50 service"
}

# 24 fps optimized = 24 calls/s: 48 frames (+6 warm-up) -> 54 process + register + unregister
run optimized-24 optimized 24 48 56 1
# 60 fps unoptimized = 180 calls/s: 360 frames... 120 frames (+15 warm-up) x 3 calls
run unoptimized-180 unoptimized 60 120 405 3
# Bursts and back-to-back spacing: 3 frames share a deadline, 30 ms apart at 100 fps; every
# call of a group is due at the group's deadline (the log's intended_ns), exactly.
d=$tmp/burst; mkdir -p "$d"
timeout 30 "$bin/smclat-mediator" --channel "$chan" --until-client-done --quiet > /dev/null 2>&1 &
med_pid=$!
timeout 30 "$bin/smclat-gen" --channel "$chan" --quiet --flow unoptimized --fps 100 --frames 30 \
    --burst 3 --spacing frame --payload 64 --log "$d/calls.csv" > /dev/null || fail "burst: smclat-gen"
wait "$med_pid"; med_pid=
awk -F, 'NR == 2 { t0 = $4 }
    NR > 1 { g = int($3 / 3); want = t0 + g * 30000000
             if ($4 - want > 1 || want - $4 > 1) { print "frame " $3 ": due " $4 - t0 ", expected " want - t0; bad = 1 } }
    END { exit bad }' "$d/calls.csv" || fail "burst: deadlines"

# Jitter: each frame moved later by 0..3 ms, reproducibly for a seed. The log has no nominal
# times, so offsets are taken from the first call (itself jittered): within +-3 ms (+5 ms for
# frame 0's process, half a period after its register).
jit() {
    timeout 30 "$bin/smclat-mediator" --channel "$chan" --until-client-done --quiet > /dev/null 2>&1 &
    med_pid=$!
    timeout 30 "$bin/smclat-gen" --channel "$chan" --quiet --fps 100 --frames 40 --jitter 3000 \
        --seed "$1" --payload 64 --log "$2" > /dev/null || fail "jitter: smclat-gen"
    wait "$med_pid"; med_pid=
    awk -F, 'NR == 2 { t0 = $4 } $2 == "process" { print $4 - t0 - $3 * 10000000 }' "$2" > "$2.off"
}
jit 5 "$tmp/j1.csv"; jit 5 "$tmp/j2.csv"; jit 6 "$tmp/j3.csv"
awk 'NR == 1 { if ($1 != 5000000) bad = 1; next }
    { if ($1 <= -3000000 || $1 >= 3000000) bad = 1; if ($1 != 0) moved++ }
    END { exit bad || moved < 30 }' "$tmp/j1.csv.off" || fail "jitter: offsets out of range or not jittered"
cmp -s "$tmp/j1.csv.off" "$tmp/j2.csv.off" || fail "jitter: the same seed gave other deadlines"
! cmp -s "$tmp/j1.csv.off" "$tmp/j3.csv.off" || fail "jitter: another seed gave the same deadlines"
echo "bursts and jitter: deadlines as planned"
echo "bench-local: ok"
