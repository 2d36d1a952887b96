#!/bin/bash
# The mediator as a minimal stub domain (smclat-stub, docs/stub.md) on the emulated lab in
# deterministic mode: a short load from smclat-gen in the client DomU. Checks: every generator
# call answered ok (the checksums are the client's check), the stub's counters (its console
# summary) equal the generator's, and every generator call joined to one complete call of the
# trace with the stub as the mediator (roles in metadata.json and in the analysis); and a stub
# given arguments it refuses fails the run at once with its console's reason.
# Env: SMCLAT_BIN (build/bin: the host smclat), SMCLAT_TOP, SMCLAT_CACHE.
set -u
top=${SMCLAT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/e2e/lab-lib.sh"

lab_prepare --no-kmod

cat > "$tmp/stub.env" << 'P'
NAME=e2e-stub
MODE=deterministic
TRANSPORT=xen
MEDIATOR_KIND=stub
GEN_ARGS="--flow unoptimized --fps 20 --duration 2"
TRACE_SECONDS=4
TIMEOUT_S=240
P
lab_run "$tmp/stub.env"
for f in trace.bin metadata.json calls.csv gen-summary.json mediator-summary.json \
    guest-mediator.log run.json; do
    [ -s "$out/$f" ] || bad "results folder: no $f"
done
jq -e . "$out/mediator-summary.json" > /dev/null 2>&1 || bad "mediator-summary.json is not valid JSON"
ms=$out/mediator-summary.json
[ "$(jq -r .mediator_kind "$ms")" = stub ] || bad "the summary is not the stub's: $(jq -c .mediator_kind "$ms")"
grep -q "^SMCLAT-STUB-READY ring-ref=[0-9,]* port=[0-9]*" "$out/guest-mediator.log" ||
    bad "no READY line on the stub's console"
grep -q "Linux version" "$out/guest-mediator.log" && bad "the mediator domain booted Linux"
[ "$(jq -r .stop_reason "$ms")" = client-done ] || bad "stub stop_reason $(jq -r .stop_reason "$ms")"

gen_calls=$(jq .calls.total "$out/gen-summary.json")
ok_calls=$(awk -F, 'NR > 1 && $9 == "ok"' "$out/calls.csv" | wc -l)
[ "$gen_calls" -gt 20 ] 2> /dev/null || bad "generator made $gen_calls calls, expected about 40"
[ "$ok_calls" = "$gen_calls" ] || bad "$ok_calls of $gen_calls calls ok"
# the stub's counters against the generator's, op by op
for op in register process unregister; do
    g=$(awk -F, -v op=$op 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $c["op"] == op' \
        "$out/calls.csv" | wc -l)
    s=$(jq ".by_op.$op" "$ms")
    [ "$g" = "$s" ] || bad "op $op: the generator made $g calls, the stub counted $s"
done
[ "$(jq .requests "$ms")" = "$gen_calls" ] || bad "the stub served $(jq .requests "$ms") requests, the client made $gen_calls"
[ "$(jq .by_status.ok "$ms")" = "$gen_calls" ] || bad "the stub answered $(jq .by_status.ok "$ms") ok"
[ "$(jq .protocol_violations "$ms")" = 0 ] || bad "protocol violations $(jq .protocol_violations "$ms")"

m=$out/metadata.json
med=$(jq .roles.mediator "$m")
[ "$(jq -r .mediator_kind "$m")" = stub ] || bad "metadata: mediator_kind $(jq -r .mediator_kind "$m")"
a=$tmp/analysis.json
ct=$tmp/calls-trace.csv
if ! "$bin/smclat" analyze "$out" --json --calls-csv "$ct" > "$a" 2> "$tmp/analyze.err"; then
    bad "smclat analyze $out failed: $(head -3 "$tmp/analyze.err")"
else
    check_trace_calls "$a" "$ct"
    [ "$(jq .roles.mediator "$a")" = "$med" ] || bad "analyze: mediator $(jq .roles.mediator "$a"), metadata $med"
    echo "stub: e2e p50 $(jq .calls.e2e_ns.p50 "$a") ns, mediator wake p50 $(jq .calls.mediator_wake_ns.p50 "$a") ns"
fi

# Bad input: arguments the stub refuses. It says why on its console and stops; the run fails at
# once with that reason (no hang until TIMEOUT_S).
printf 'NAME=e2e-stub-bad\nTRANSPORT=xen\nMEDIATOR_KIND=stub\nMEDIATOR_ARGS="table=0"\nGEN_ARGS="--duration 1"\nTRACE_SECONDS=2\nTIMEOUT_S=240\n' > "$tmp/bad.env"
"$top/scripts/lab/run.sh" "$tmp/bad.env" "$tmp/bad" 2> "$tmp/bad.err"
rc=$?
j=$tmp/bad/run.json
[ $rc = 1 ] || bad "stub with table=0: run.sh exit $rc, expected 1"
[ "$(jq -r '.status + " " + .reason_kind' "$j")" = "failed guest_program_failed" ] ||
    bad "stub with table=0: run.json says $(jq -c '[.status, .reason_kind, .reason]' "$j")"
jq -r .reason "$j" | grep -q "table=N: expected 1 to 4096" || bad "stub with table=0: reason '$(jq -r .reason "$j")'"
[ "$(jq .wall_s "$j" | cut -d. -f1)" -lt 120 ] || bad "stub with table=0: took $(jq .wall_s "$j") s"
echo "bad stub arguments: $(jq -r '.reason_kind + ": " + .reason' "$j")"

echo "lab-stub: $(($(date +%s) - t0)) s in all"
[ $fails = 0 ] && echo "lab-stub: ok"
exit $((fails > 0))
