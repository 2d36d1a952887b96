#!/bin/bash
# End to end, the error paths of smclat-gen and smclat-mediator (local transport): no
# mediator, mediator killed mid-run, ring full (mediator stopped), table full and unknown
# buffer, a signal to the generator, bad usage, SMC and TEE unavailable; and which of these runs
# the lab's Dom0 job takes for complete ones.
set -euo pipefail
bin=${SMCLAT_BIN:?SMCLAT_BIN must name the folder of smclat-gen}
tmp=$(mktemp -d)
med_pid=
cleanup() {
    if [ -n "$med_pid" ]; then kill -CONT "$med_pid" 2> /dev/null || true; kill "$med_pid" 2> /dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
chan=e2e-err-$$
gen() { timeout 30 "$bin/smclat-gen" --channel "$chan" --quiet "$@"; }
start_med() {
    # not under timeout(1): the tests signal the mediator itself (the EXIT trap kills it)
    "$bin/smclat-mediator" --channel "$chan" --quiet "$@" > "$tmp/med.txt" 2>&1 &
    med_pid=$!
    for _ in $(seq 100); do grep -q listening "$tmp/med.txt" && return 0; sleep 0.05; done
    fail "mediator did not start"
}
stop_med() { kill "$med_pid" 2> /dev/null || true; wait "$med_pid" 2> /dev/null || true; med_pid=; }
# expect_rc WANT CMD...: runs CMD, checks its exit code
expect_rc() {
    local want=$1; shift
    set +e; "$@" > "$tmp/out" 2> "$tmp/err"; local rc=$?; set -e
    [ "$rc" = "$want" ] || fail "$* exited $rc, expected $want: $(cat "$tmp/err")"
}

# 1. no mediator: exit 1, a message saying what to start
expect_rc 1 gen --connect-timeout 200 --frames 5
grep -q "no mediator on channel" "$tmp/err" || fail "no-mediator message: $(cat "$tmp/err")"

# 2. bad usage: exit 2, one line naming the option
expect_rc 2 gen --fps 0
grep -q -- "--fps" "$tmp/err" || fail "--fps message"
expect_rc 2 gen --transport carrier-pigeon
grep -q "expected one of local, xen" "$tmp/err" || fail "--transport message"
expect_rc 2 gen --flow sideways
expect_rc 2 gen --fps 24 --jitter 50000
grep -q -- "--jitter" "$tmp/err" || fail "--jitter message"
expect_rc 2 "$bin/smclat-mediator" --table-size 0

# 3. table full and unknown buffer: a leaking player (no unregister) against a table of 2:
#    frames 0-1 register ok, frames 2-4 get efull, and their process (buffer 0) enoent
start_med --table-size 2 --until-client-done --json-out "$tmp/med.json"
expect_rc 1 gen --flow unoptimized --no-unregister --fps 50 --frames 5 --log "$tmp/c.csv" \
    --json-out "$tmp/g.json"
wait "$med_pid"; med_pid=
[ "$(jq '.errors.efull' "$tmp/g.json")" = 3 ] || fail "efull count: $(jq .errors "$tmp/g.json")"
[ "$(jq '.errors.enoent' "$tmp/g.json")" = 3 ] || fail "enoent count"
[ "$(jq '.calls.ok' "$tmp/g.json")" = 4 ] || fail "ok count"
[ "$(grep -c ',efull,' "$tmp/c.csv")" = 3 ] || fail "efull in the log"
[ "$(jq '.by_status.efull' "$tmp/med.json")" = 3 ] || fail "mediator efull count"
[ "$(jq '.table.high_water' "$tmp/med.json")" = 2 ] || fail "mediator high water"

# 4. ring full: the mediator stopped (SIGSTOP) for 0.8 s while calls go on at 100/s with a
#    20 ms timeout: timeouts until the ring's 8 slots are taken, then ering; after SIGCONT the
#    old requests are answered late, dropped as stale, and calls succeed again
start_med --until-client-done
( sleep 0.5; kill -STOP "$med_pid"; sleep 0.8; kill -CONT "$med_pid" ) &
stopper=$!
expect_rc 1 gen --fps 100 --frames 250 --call-timeout 20 --log "$tmp/r.csv" --json-out "$tmp/r.json"
wait "$stopper"; wait "$med_pid"; med_pid=
[ "$(jq '.errors.timeout' "$tmp/r.json")" = 8 ] || fail "ring: timeouts $(jq .errors "$tmp/r.json")"
[ "$(jq '.errors.ering' "$tmp/r.json")" -ge 10 ] || fail "ring: ering"
[ "$(jq '.stale_responses' "$tmp/r.json")" = 8 ] || fail "ring: stale $(jq .stale_responses "$tmp/r.json")"
tail -1 "$tmp/r.csv" | grep -q ',ok,' || fail "ring: calls did not recover"

# 5. the mediator killed mid-run: egone, the run stops, partial summary, log written
start_med
( sleep 0.7; kill -KILL "$med_pid" ) &
killer=$!
expect_rc 1 gen --fps 100 --frames 300 --log "$tmp/k.csv" --json-out "$tmp/k.json"
wait "$killer"; wait "$med_pid" 2> /dev/null || true; med_pid=
[ "$(jq '.partial' "$tmp/k.json")" = true ] || fail "killed: not partial"
[ "$(jq -r '.stop_reason' "$tmp/k.json")" = mediator-gone ] || fail "killed: stop reason"
[ "$(jq '.errors.egone' "$tmp/k.json")" = 1 ] || fail "killed: egone count"
tail -1 "$tmp/k.csv" | grep -q ',egone,' || fail "killed: last call not egone"
[ "$(($(wc -l < "$tmp/k.csv") - 1))" = "$(jq '.calls.total' "$tmp/k.json")" ] || fail "killed: log != summary"
grep -q "the mediator is gone" "$tmp/err" || fail "killed: message"
# the killed mediator left its ring behind: a client must not take it for a live one
[ -e "/dev/shm/smclat-$chan" ] || fail "killed: expected the dead mediator's ring to be left"
expect_rc 1 gen --connect-timeout 300 --frames 5
grep -q "no mediator on channel" "$tmp/err" || fail "stale ring: $(cat "$tmp/err")"

# 5b. the lab's Dom0 job (scripts/lab/dom0-job.sh, its gen_complete) lets smclat-gen's exit 1
#     pass after a complete run with calls not ok (4: timeouts, ering), never after a partial
#     one (5) or one with no call ok; on these real summaries
top=${SMCLAT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
eval "$(sed -n '/^gen_complete() {/,/^}/p' "$top/scripts/lab/dom0-job.sh")"
declare -F gen_complete > /dev/null || fail "no gen_complete in scripts/lab/dom0-job.sh"
gen_complete "$(cat "$tmp/r.json")" || fail "dom0 job: a complete run with timeouts taken for a failed one"
! gen_complete "$(cat "$tmp/k.json")" || fail "dom0 job: a partial run (mediator gone) taken for a complete one"
! gen_complete "$(jq '.calls.ok = 0' "$tmp/r.json")" || fail "dom0 job: a run with no call ok taken for a complete one"
! gen_complete "" || fail "dom0 job: no summary taken for a complete run"

# 6. SIGTERM to the generator: log and summary still written, marked partial
start_med --until-client-done
"$bin/smclat-gen" --channel "$chan" --quiet --fps 100 --frames 1000 --log "$tmp/s.csv" \
    --json-out "$tmp/s.json" > /dev/null &
gpid=$!
sleep 0.8; kill -TERM "$gpid"
set +e; wait "$gpid"; rc=$?; set -e
wait "$med_pid"; med_pid=
[ "$rc" = 1 ] || fail "sigterm: exit $rc"
[ "$(jq -r '.stop_reason' "$tmp/s.json")" = signal ] || fail "sigterm: stop reason"
[ "$(jq '.partial' "$tmp/s.json")" = true ] || fail "sigterm: partial"
n=$(jq '.calls.total' "$tmp/s.json")
[ "$n" -gt 20 ] && [ "$n" -lt 1000 ] || fail "sigterm: $n calls"
[ "$(($(wc -l < "$tmp/s.csv") - 1))" = "$n" ] || fail "sigterm: log != summary"

# 7. the mediator's signal: clean shutdown, JSON summary
start_med --json-out "$tmp/m2.json"
kill -INT "$med_pid"; wait "$med_pid"; med_pid=
[ "$(jq -r '.stop_reason' "$tmp/m2.json")" = signal ] || fail "mediator: stop reason"
[ ! -e "/dev/shm/smclat-$chan" ] || fail "mediator left its shared memory"

# 8. SMC, TEE and Xen where there are none: exit 1, a message saying what to do
expect_rc 1 gen --transport smc --smc-device "$tmp/none"
grep -q "load the module" "$tmp/err" || fail "smc message"
expect_rc 1 gen --transport smc --smc-device /dev/null
grep -q "not the smclat_smc device" "$tmp/err" || fail "smc /dev/null message"
expect_rc 1 gen --transport tee --tee-uuid 8aaaf200-2450-11e4-abe2-0002a5d5c51b --tee-device "$tmp/none"
grep -q "no TEE on this machine" "$tmp/err" || fail "tee message"
if [ ! -e /dev/xen/xenbus ]; then
    expect_rc 1 gen --transport xen --connect-timeout 100
    grep -Eq "xenstore|without Xen" "$tmp/err" || fail "xen message: $(cat "$tmp/err")"
fi
echo "bench-errors: ok"
