#!/bin/bash
# End to end: hostile clients cannot make the mediator spin (local transport, the build under
# test: ASan+UBSan in `make check`). One mediator serves a well-behaved smclat-gen on one
# channel, a polite client sending unknown ops on another, and on ten more channels
# smclat-hostile clients that break the ring protocol, each in its own way first (seeded random
# writes after that, for 3 s). Checks: every hostile client is stopped with the violation its
# first write stands for, reported once on stderr and in the summary; the mediator's CPU time
# over the hostile window (from /proc/PID/stat) is at most 10% of its wall time; every one of
# the good client's calls is ok; the unknown ops are answered eproto; the mediator exits 0.
# Then a mediator with only a hostile client: it stops at once and exits 1.
set -euo pipefail
bin=${SMCLAT_BIN:?SMCLAT_BIN must name the folder of smclat-gen}
hostile=$bin/smclat-hostile
[ -x "$hostile" ] || hostile=$bin/../libexec/smclat/smclat-hostile
tmp=$(mktemp -d)
med_pid=
others=() # clients still running when a check fails
cleanup() {
    for p in "${others[@]}"; do kill "$p" 2> /dev/null || true; done
    [ -z "$med_pid" ] || kill "$med_pid" 2> /dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
tag=$$
# case -> the violation it must be stopped for
declare -A want=(
    [garbage]=req_magic [version]=req_version [length]=req_length [prod]=req_prod
    [index]=server_index [rsp-cons]=rsp_cons [header]=header [client-state]=client_state
    [wake-flood]=wake_flood [mixed]=any
)
cases="${!want[*]}"
chan_args=(--channel "good-$tag" --channel "ops-$tag")
for c in $cases; do chan_args+=(--channel "h-$c-$tag"); done

# CPU time (utime + stime) of a process in clock ticks
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
hz=$(getconf CLK_TCK)

"$bin/smclat-mediator" "${chan_args[@]}" --until-client-done --quiet \
    --json-out "$tmp/med.json" > "$tmp/med.out" 2> "$tmp/med.err" &
med_pid=$!
for _ in $(seq 100); do grep -q listening "$tmp/med.err" && break; sleep 0.05; done
grep -q listening "$tmp/med.err" || fail "mediator did not start: $(cat "$tmp/med.err")"

# the well-behaved client: 180 calls/s for 5 s
timeout 60 "$bin/smclat-gen" --channel "good-$tag" --quiet --flow unoptimized --fps 60 \
    --duration 5 --json-out "$tmp/gen.json" > /dev/null 2> "$tmp/gen.err" &
gen_pid=$!
others+=("$gen_pid")
sleep 0.5

cpu0=$(cpu_ticks "$med_pid"); t0=$(date +%s.%N)
pids=()
seed=11
for c in $cases; do
    timeout 30 "$hostile" --channel "h-$c-$tag" --case "$c" --seed $seed --writes 6000 \
        --duration 3 --interval-us 500 > "$tmp/h-$c.json" 2> "$tmp/h-$c.err" &
    pids+=($!)
    others+=($!)
    seed=$((seed + 1))
done
set +e
timeout 30 "$hostile" --channel "ops-$tag" --case ops --writes 200 > "$tmp/ops.json" 2> "$tmp/ops.err"
ops_rc=$?
for p in "${pids[@]}"; do wait "$p" || fail "a hostile client failed: $(cat "$tmp"/h-*.err)"; done
set -e
kill -0 "$med_pid" 2> /dev/null || fail "the mediator ended during the hostile window: $(cat "$tmp/med.err")"
cpu1=$(cpu_ticks "$med_pid"); t1=$(date +%s.%N)
cpu_ms=$(((cpu1 - cpu0) * 1000 / hz))
wall_ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%d", (b - a) * 1000}')
pct=$(awk -v c="$cpu_ms" -v w="$wall_ms" 'BEGIN{printf "%.1f", 100 * c / w}')
echo "mediator CPU over the hostile window: ${cpu_ms} ms in ${wall_ms} ms wall (${pct}%)," \
    "$(echo $cases | wc -w) hostile clients, 1 polite, smclat-gen at 180 calls/s"

set +e; wait "$gen_pid"; gen_rc=$?; set -e
# the mediator ends once every channel has ended (client done or stopped)
for _ in $(seq 100); do kill -0 "$med_pid" 2> /dev/null || break; sleep 0.1; done
kill -0 "$med_pid" 2> /dev/null && fail "mediator still running: $(cat "$tmp/med.err")"
set +e; wait "$med_pid"; med_rc=$?; set -e
med_pid=

[ "$gen_rc" = 0 ] || fail "smclat-gen exited $gen_rc: $(cat "$tmp/gen.err")"
echo "smclat-gen meanwhile: $(jq -r '.latency_ns.service | "service p50 \(.p50) ns, p99 \(.p99) ns, max \(.max) ns"' "$tmp/gen.json")"
total=$(jq '.calls.total' "$tmp/gen.json")
[ "$total" -ge 800 ] || fail "good client: $total calls"
[ "$(jq '.calls.ok' "$tmp/gen.json")" = "$total" ] || fail "good client: $(jq -c .calls "$tmp/gen.json")"
[ "$ops_rc" = 0 ] || fail "unknown ops not answered eproto: $(cat "$tmp/ops.json" "$tmp/ops.err")"
[ "$(jq '.eproto' "$tmp/ops.json")" = 200 ] || fail "unknown ops: $(cat "$tmp/ops.json")"
[ "$med_rc" = 0 ] || fail "mediator exited $med_rc: $(cat "$tmp/med.err")"
m=$tmp/med.json
[ "$(jq -r '.stop_reason' "$m")" = client-done ] || fail "stop reason $(jq -r .stop_reason "$m")"
n=$(echo $cases | wc -w)
[ "$(jq '.protocol_violations' "$m")" = "$n" ] || fail "protocol_violations $(jq .protocol_violations "$m"), expected $n"
jq -e '.protocol_violation.kind | type == "string"' "$m" > /dev/null || fail "no first violation"
for c in $cases; do
    kind=$(jq -r --arg ch "h-$c-$tag" '.channels[] | select(.channel == $ch) | .protocol_violation' "$m")
    stop=$(jq -r --arg ch "h-$c-$tag" '.channels[] | select(.channel == $ch) | .stop_reason' "$m")
    [ "$stop" = protocol-violation ] || fail "$c: stop reason $stop"
    if [ "${want[$c]}" = any ]; then
        [ "$kind" != null ] || fail "$c: no violation reported"
    else
        [ "$kind" = "${want[$c]}" ] || fail "$c: violation $kind, expected ${want[$c]}"
    fi
    lines=$(grep -c "channel h-$c-$tag: protocol violation ($kind)" "$tmp/med.err" || true)
    [ "$lines" = 1 ] || fail "$c: $lines stderr lines for the violation, expected 1"
    jq -e '.mediator_closed' "$tmp/h-$c.json" > /dev/null || fail "$c: ring not closed: $(cat "$tmp/h-$c.json")"
done
for ch in good ops; do
    r=$(jq -c --arg ch "$ch-$tag" '.channels[] | select(.channel == $ch) | [.stop_reason, .protocol_violation]' "$m")
    [ "$r" = '["client-done",null]' ] || fail "$ch channel: $r"
done
[ "$(jq '.by_status.eproto' "$m")" = 200 ] || fail "mediator eproto $(jq .by_status "$m")"
awk -v p="$pct" 'BEGIN{exit !(p <= 10)}' || fail "mediator CPU ${pct}% of the hostile window (at most 10%)"

# A mediator whose only client breaks the protocol: it stops at once (not when the client
# stops writing) and exits 1, stop reason protocol-violation, one line on stderr.
"$bin/smclat-mediator" --channel "alone-$tag" --quiet --json-out "$tmp/alone.json" \
    > /dev/null 2> "$tmp/alone.err" &
med_pid=$!
for _ in $(seq 100); do grep -q listening "$tmp/alone.err" && break; sleep 0.05; done
timeout 30 "$hostile" --channel "alone-$tag" --case prod --duration 3 > "$tmp/alone-h.json" &
h_pid=$!
others+=("$h_pid")
for _ in $(seq 20); do kill -0 "$med_pid" 2> /dev/null || break; sleep 0.1; done
kill -0 "$med_pid" 2> /dev/null && fail "alone: the mediator still runs 2 s after the violation"
kill -0 "$h_pid" 2> /dev/null || fail "alone: the hostile client ended first (cannot tell)"
set +e; wait "$med_pid"; rc=$?; set -e
med_pid=
wait "$h_pid"
[ "$rc" = 1 ] || fail "alone: mediator exited $rc, expected 1"
[ "$(jq -r '.stop_reason' "$tmp/alone.json")" = protocol-violation ] || fail "alone: stop reason"
[ "$(jq -r '.protocol_violation.kind' "$tmp/alone.json")" = req_prod ] || fail "alone: kind"
[ "$(grep -c 'protocol violation' "$tmp/alone.err")" = 1 ] || fail "alone: stderr $(cat "$tmp/alone.err")"
[ ! -e "/dev/shm/smclat-alone-$tag" ] || fail "alone: the ring was left in /dev/shm"
echo "bench-hostile: ok"
