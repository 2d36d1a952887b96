#!/bin/bash
# One short scenario on the emulated Xen-on-ARM lab in deterministic mode (docs/lab.md), end
# to end: prepare (downloads from Debian's archive on a cold cache), boot, a client DomU making
# event-channel calls to a mediator DomU under xentrace, the results folder, then
# `smclat analyze DIR --json`. Checks: the calls the generator made equal the complete calls
# in the trace (each generator call joined to one complete trace call, none missing), no
# records were lost, the mediator's wake latency is reported, the metadata holds the timer rate
# and roles; and a scenario that cannot finish in its TIMEOUT_S is stopped and reported with
# the console tail, no QEMU left behind; a QEMU killed from outside during the trace is
# reported as killed (emulator_killed, SIGKILL), not as a timeout. The scenario is booted twice:
# the two runs must be identical call for call (>= 99% of calls, p50/p99/max equal).
# On one pCPU every WAKE is recorded there, whoever runs: now and then the mediator's kernel
# tick lands while the client runs and the client's own tick while the mediator runs, and that
# pair looks exactly like a call in the records (docs/calls.md). The join tells those apart:
# they are calls of the trace with no log line (join.trace_only), reported here and bounded.
# Env: SMCLAT_BIN (build/bin: the host smclat), SMCLAT_TOP, SMCLAT_CACHE.
set -u
top=${SMCLAT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/e2e/lab-lib.sh"

# The arm64 programs are built for the lab with the normal flags (the sanitizers are host-only).
lab_prepare --no-kmod

cat > "$tmp/det.env" << 'P'
NAME=e2e-deterministic
MODE=deterministic
TRANSPORT=xen
GEN_ARGS="--flow unoptimized --fps 20 --duration 2"
TRACE_SECONDS=4
TIMEOUT_S=240
P
lab_run "$tmp/det.env"
for f in trace.bin metadata.json calls.csv gen-summary.json mediator-summary.json console.log \
    guest-client.log guest-mediator.log run.json params.env; do
    [ -s "$out/$f" ] || bad "results folder: no $f"
done
for f in metadata.json gen-summary.json mediator-summary.json run.json; do
    jq -e . "$out/$f" > /dev/null 2>&1 || bad "$f is not valid JSON"
done
[ "$(jq -r .status "$out/run.json")" = ok ] || bad "run.json status $(jq -r .status "$out/run.json")"

# metadata: the timer rate, the roles, the trace
m=$out/metadata.json
[ "$(jq .physinfo.cpu_khz "$m")" = 62500 ] || bad "metadata cpu_khz $(jq .physinfo.cpu_khz "$m")"
cli=$(jq .roles.client "$m")
med=$(jq .roles.mediator "$m")
[ "$(jq -r --argjson d "$cli" '.domains[] | select(.domid == $d) | .name' "$m")" = client ] ||
    bad "metadata: roles.client $cli is not the domain named client"
[ "$(jq -r --argjson d "$med" '.domains[] | select(.domid == $d) | .role' "$m")" = mediator ] ||
    bad "metadata: roles.mediator $med has no mediator role"
[ "$(jq .trace.lost_records "$m")" = 0 ] || bad "metadata: lost records $(jq .trace.lost_records "$m")"
jq -e '.xen.commandline | test("sched=credit2")' "$m" > /dev/null || bad "metadata: Xen command line"

# created_ticks ties the client's clock to the trace's: every call falls inside the trace
created=$(jq --argjson d "$cli" '.domains[] | select(.domid == $d) | .created_ticks' "$m")
if [ "$created" -gt 0 ] 2> /dev/null; then
    first=$("$bin/smclat" dump -n 1 "$out/trace.bin" | awk 'NR == 1 {print $1}')
    last=$("$bin/smclat" dump "$out/trace.bin" | awk 'END {print $1}')
    read -r c0 c1 < <(awk -F, 'NR == 2 {a = $7} {b = $8} END {print a, b}' "$out/calls.csv")
    if [ $((c0 + created)) -lt "$first" ] || [ $((c1 + created)) -gt "$last" ]; then
        bad "calls at trace ticks $((c0 + created))..$((c1 + created)) (created_ticks $created) outside the trace $first..$last"
    fi
else
    bad "metadata: no created_ticks for the client"
fi

# the generator's calls against the trace
gen_calls=$(jq .calls.total "$out/gen-summary.json")
csv_calls=$(($(wc -l < "$out/calls.csv") - 1))
ok_calls=$(awk -F, 'NR > 1 && $9 == "ok"' "$out/calls.csv" | wc -l)
[ "$gen_calls" -gt 20 ] 2> /dev/null || bad "generator made $gen_calls calls, expected about 120"
[ "$csv_calls" = "$gen_calls" ] || bad "calls.csv has $csv_calls calls, the summary says $gen_calls"
[ "$ok_calls" = "$gen_calls" ] || bad "$ok_calls of $gen_calls calls ok"
[ "$(jq .requests "$out/mediator-summary.json")" = "$gen_calls" ] ||
    bad "the mediator served $(jq .requests "$out/mediator-summary.json") requests, the client made $gen_calls"

a=$tmp/analysis.json
ct=$tmp/calls-trace.csv
if ! "$bin/smclat" analyze "$out" --json --calls-csv "$ct" > "$a" 2> "$tmp/analyze.err"; then
    bad "smclat analyze $out failed: $(head -3 "$tmp/analyze.err")"
else
    check_trace_calls "$a" "$ct"
    [ "$(jq .lost_records "$a")" = 0 ] || bad "analyze: lost records $(jq .lost_records "$a")"
    [ "$(jq .partial "$a")" = false ] || bad "analyze: partial result"
    [ "$(jq .roles.client "$a")" = "$cli" ] || bad "analyze: client $(jq .roles.client "$a"), metadata $cli"
    [ "$(jq .roles.mediator "$a")" = "$med" ] || bad "analyze: mediator $(jq .roles.mediator "$a"), metadata $med"
    n=$(jq .calls.mediator_wake_ns.n "$a")
    p50=$(jq .calls.mediator_wake_ns.p50 "$a")
    echo "mediator wake latency: n $n, p50 $p50 ns, max $(jq .calls.mediator_wake_ns.max "$a") ns"
    [ "$n" -gt 0 ] 2> /dev/null || bad "no mediator wake latency (n=$n)"
    [ "$p50" -gt 0 ] 2> /dev/null || bad "mediator wake latency p50 '$p50'"
fi

# The same scenario again from a fresh boot (docs/lab.md, "Deterministic mode"): nothing
# asynchronous inside the window, so the runs agree call for call (check_identical, lab-lib.sh).
run1=$out
cp "$a" "$run1/analysis.json"
cp "$ct" "$run1/calls-trace.csv"
lab_run "$tmp/det.env" "$tmp/run2"
"$bin/smclat" analyze "$out" --json --calls-csv "$out/calls-trace.csv" > "$out/analysis.json" ||
    bad "smclat analyze $out (second run) failed"
check_identical "$run1" "$out"

# QEMU killed from outside during the trace (the real emulator, docs/robustness.md): the run
# says emulator_killed with the signal, never timeout; the console is kept, no QEMU is left.
printf 'NAME=e2e-kill\nTRANSPORT=xen\nGEN_ARGS="--flow optimized --fps 24 --duration 1"\nTRACE_SECONDS=3\nTIMEOUT_S=240\n' > "$tmp/kill.env"
mkdir -p "$tmp/ktmp"
TMPDIR=$tmp/ktmp "$top/scripts/lab/run.sh" "$tmp/kill.env" "$tmp/kill" 2> "$tmp/kill.err" &
rp=$!
qp=
for _ in $(seq 900); do
    if grep -q "trace started" "$tmp/kill.err"; then
        qp=$(pgrep -f "^qemu-system-aarch64 -name smclat-lab-[0-9]*,.*path=$tmp/ktmp/")
        break
    fi
    kill -0 $rp 2> /dev/null || break
    sleep 0.2
done
if [ -n "$qp" ]; then
    kill -KILL "$qp"
    wait $rp
    rc=$?
    j=$tmp/kill/run.json
    [ $rc = 1 ] || bad "QEMU killed: run.sh exit $rc, expected 1"
    [ "$(jq -r '.status + " " + .reason_kind + " " + .qemu_signal' "$j")" = "failed emulator_killed SIGKILL" ] ||
        bad "QEMU killed: run.json says $(jq -c '[.status, .reason_kind, .qemu_signal]' "$j")"
    jq -r .reason "$j" | grep -q "^QEMU killed by SIGKILL (exit 137), last step: trace started" ||
        bad "QEMU killed: reason '$(jq -r .reason "$j")'"
    grep -q "failed \[emulator_killed\]: QEMU killed by SIGKILL" "$tmp/kill.err" || bad "QEMU killed: not said on stderr"
    grep -q "SMCLAT-JOB: trace started" "$tmp/kill/console.log" || bad "QEMU killed: the console was not kept"
    echo "QEMU killed mid-trace: $(jq -r '.reason_kind + ": " + .reason' "$j")"
else
    kill $rp 2> /dev/null
    wait $rp
    bad "QEMU killed: the run never reached the trace (or its QEMU was not found): $(tail -3 "$tmp/kill.err")"
fi
pgrep -af "^qemu-system-aarch64 -name smclat-lab-[0-9]*,.*path=$tmp/ktmp/" && bad "QEMU killed: a QEMU is still running"
[ -z "$(ls "$tmp/ktmp")" ] || bad "QEMU killed: left in TMPDIR: $(ls "$tmp/ktmp")"

# A scenario that cannot finish in time: stopped, reported with the console tail, no QEMU left.
printf 'NAME=e2e-timeout\nTRANSPORT=none\nTIMEOUT_S=10\n' > "$tmp/timeout.env"
mkdir -p "$tmp/ttmp"
TMPDIR=$tmp/ttmp "$top/scripts/lab/run.sh" "$tmp/timeout.env" "$tmp/timeout" 2> "$tmp/timeout.err"
rc=$?
[ $rc = 1 ] || bad "timeout scenario: exit $rc, expected 1"
[ "$(jq -r '.status + " " + .reason_kind' "$tmp/timeout/run.json")" = "timeout timeout" ] ||
    bad "timeout scenario: status and kind $(jq -r '.status + " " + .reason_kind' "$tmp/timeout/run.json")"
[ "$(jq '.console_tail | length' "$tmp/timeout/run.json")" -gt 0 ] || bad "timeout scenario: no console tail"
grep -q "console tail" "$tmp/timeout.err" || bad "timeout scenario: no console tail on stderr"
pgrep -af "^qemu-system-aarch64 -name smclat-lab-[0-9]*,.*path=$tmp/ttmp/" && bad "a QEMU of this test is still running"

echo "lab-deterministic: $(($(date +%s) - t0)) s in all"
[ $fails = 0 ] && echo "lab-deterministic: ok"
exit $((fails > 0))
