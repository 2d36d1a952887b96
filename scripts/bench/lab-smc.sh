#!/bin/bash
# make bench section: real SMCs from a DomU in the emulated lab, deterministic mode (docs/smc.md).
# Six short lab boots, one transport each (a boot runs one smclat-gen), the same load in each:
#   smc (ARM_SMCCC_VERSION, SMC) twice (reproducibility of the trap ticks between two runs),
#   smc with --conduit hvc (same id: the bare HVC), smc with OP-TEE's ids (Xen refuses them:
#   every call -1, the run exits 1 by design), xen, smc+xen (ARM_SMCCC_VERSION).
# Deterministic mode counts instructions, so separate boots give the same path lengths: the
# figures of different boots compare like those of one run.
# Prints a markdown section on stdout; progress on stderr. Env: SMCLAT_BIN, SMCLAT_TOP,
# SMCLAT_BENCH_KEEP=DIR keeps the six results folders (and the analyses) in DIR.
set -u
top=${SMCLAT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${SMCLAT_BIN:-$top/build/bin}
if [ -n "${SMCLAT_BENCH_KEEP:-}" ]; then
    tmp=$SMCLAT_BENCH_KEEP
    mkdir -p "$tmp" || exit 1
else
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
fi
"$top/scripts/lab/prepare.sh" > "$tmp/prepare.log" 2>&1 || {
    tail -5 "$tmp/prepare.log" >&2
    echo "lab-smc bench: scripts/lab/prepare.sh failed" >&2
    exit 1
}

# a seeded jitter makes the calls aperiodic, so that `smclat analyze` can join calls.csv with the
# trace (a strictly periodic log fits the trace at several clock offsets)
LOAD="--flow unoptimized --fps 20 --duration 4 --jitter 3000 --seed 7"
# name transport extra-generator-args
runs="smc1 smc --smc-mode version
smc2 smc --smc-mode version
hvc smc --smc-mode version --conduit hvc
optee smc --smc-mode optee
xen xen
smcxen smc+xen --smc-mode version"

# lab NAME TRANSPORT ARGS...: one boot into $tmp/NAME; its exit code in $tmp/NAME.rc
lab() {
    local name=$1 transport=$2
    shift 2
    cat > "$tmp/$name.env" << P
NAME=bench-smc-$name
MODE=deterministic
TRANSPORT=$transport
GEN_ARGS="$LOAD $*"
TRACE_SECONDS=6
TIMEOUT_S=300
P
    echo "lab-smc bench: $name ($transport $*)" >&2
    local s
    s=$(date +%s)
    "$top/scripts/lab/run.sh" "$tmp/$name.env" "$tmp/$name" > /dev/null 2> "$tmp/$name.err"
    echo $? > "$tmp/$name.rc"
    echo "lab-smc bench: $name: exit $(cat "$tmp/$name.rc") in $(($(date +%s) - s)) s" >&2
}
t0=$(date +%s)
while read -r name transport args; do
    # shellcheck disable=SC2086
    lab "$name" "$transport" $args
done <<< "$runs"
wall=$(($(date +%s) - t0))

# Figures in us from the generator's summary; ticks are CNTVCT at 62.5 MHz (16 ns).
us() { awk -v v="$1" 'BEGIN { if (v == "" || v == "null") print "?"; else printf "%.1f", v / 1000 }'; }
tus() { awk -v v="$1" 'BEGIN { if (v == "" || v == "null") print "?"; else printf "%.2f", v * 16 / 1000 }'; }
g() { jq -r "$2" "$tmp/$1/gen-summary.json" 2> /dev/null; }
# rets RUN: "N x STATUS SMC_RET" for each pair in the run's calls.csv (columns by name)
rets() {
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        { r = $c["smc_ret"]; n[$c["status"] " " (r == "" ? "(none)" : r)]++ }
        END { for (k in n) { printf "%s%d x %s", s, n[k], k; s = ", " } }' "$tmp/$1/calls.csv" 2> /dev/null
}
analyze() {
    [ -s "$tmp/$1.analysis.json" ] || "$bin/smclat" analyze "$tmp/$1" --json \
        --calls-csv "$tmp/$1.calls-trace.csv" > "$tmp/$1.analysis.json" 2> /dev/null
}
a() { analyze "$1"; jq -r "$2" "$tmp/$1.analysis.json" 2> /dev/null; }
# complete RUN: "COMPLETE JOINED_COMPLETE": complete calls in the trace, and those of them
# joined to a generator call (the others lie outside the generator's span: the client's
# wake-up at "go" can look like a call)
complete() {
    analyze "$1"
    echo "$(a "$1" .calls.complete) $(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        $c["reason"] == "complete" && $c["join"] == "matched" { m++ } END { print m + 0 }' \
        "$tmp/$1.calls-trace.csv" 2> /dev/null)"
}

cat << EOF

## Real SMCs from a DomU (scripts/bench/lab-smc.sh)

The emulated lab in deterministic mode (1 pCPU, QEMU \`-icount shift=3\`: one instruction is
8 ns, so times are path lengths, reproducible to the tick, not hardware latencies), Debian's
Xen 4.17 at its default log level. Each row is one boot of \`scripts/lab/run.sh PARAMS OUT\`
with \`MODE=deterministic TRACE_SECONDS=6 TRANSPORT=T GEN_ARGS="$LOAD ARGS"\`
(120 frames of register, process, unregister: 240 calls; ${wall} s of wall time for the six
boots). Round trip = the generator's \`latency_ns.service\` (start to end of a call, in the
client); trap = \`trap_ticks\`, the SMC/HVC instruction alone (CNTVCT read around it in the
kernel module, interrupts off).

| run | TRANSPORT | ARGS | exit | returns (status smc_ret) | round trip p50 / p99 us | trap p50 / p99 / max us | complete calls in the trace (joined to the log) / generator |
|---|---|---|---|---|---|---|---|
EOF
while read -r name transport args; do
    d=$tmp/$name
    rc=$(cat "$d.rc")
    if [ ! -s "$d/gen-summary.json" ]; then
        echo "| $name | \`$transport\` | \`${args:--}\` | $rc | failed: $(jq -r '.reason_kind + ": " + .reason' "$d/run.json" 2> /dev/null) | | | |"
        continue
    fi
    if [ "$transport" = smc ]; then trace="(no trace calls: no mediator)"; else
        read -r c j <<< "$(complete "$name")"
        trace="$c ($j joined) / $(g "$name" .calls.total)"
    fi
    if [ "$(g "$name" .calls.ok)" = 0 ]; then rt="(no ok call)"; else
        rt="$(us "$(g "$name" .latency_ns.service.p50)") / $(us "$(g "$name" .latency_ns.service.p99)")"
    fi
    if [ "$transport" = xen ]; then trap="-"; else
        trap="$(tus "$(g "$name" .trap_ticks.p50)") / $(tus "$(g "$name" .trap_ticks.p99)") / $(tus "$(g "$name" .trap_ticks.max)")"
    fi
    echo "| $name | \`$transport\` | \`${args:--}\` | $rc | $(rets "$name") | $rt | $trap | $trace |"
done <<< "$runs"

# Reproducibility: the trap ticks of smc1 and smc2, call by call and as distributions.
cat << EOF

Trap ticks of the two identical \`smc\` boots (smc1, smc2), 62.5 MHz ticks:

| boot | calls | min | p50 | p90 | p99 | max | mean |
|---|---|---|---|---|---|---|---|
EOF
for n in smc1 smc2; do
    echo "| $n | $(g $n '.trap_ticks | "\(.n) | \(.min) | \(.p50) | \(.p90) | \(.p99) | \(.max) | \(.mean * 10 | round / 10)"') |"
done
if [ -s "$tmp/smc1/calls.csv" ] && [ -s "$tmp/smc2/calls.csv" ]; then
    # ticks RUN: the trap_ticks column of the run's calls.csv, header first
    ticks() { awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i } { print $c["trap_ticks"] }' "$tmp/$1/calls.csv"; }
    same=$(paste -d, <(ticks smc1) <(ticks smc2) |
        awk -F, 'NR > 1 && $1 == $2 { n++ } NR > 1 && $1 - $2 <= 1 && $2 - $1 <= 1 { m++ }
            END { print n + 0, m + 0 }')
    total=$(($(wc -l < "$tmp/smc1/calls.csv") - 1))
    echo
    echo "Call by call (same seq in both boots), ${same% *} of $total calls have exactly the same"
    echo "trap ticks and ${same#* } of $total are within one tick (a 16 ns tick is two 8 ns"
    echo "instructions: where the count starts within a tick shifts it by one)."
fi
# Where the time of a xen and an smc+xen call goes: the join of calls.csv with the trace.
cat << EOF

Where the time goes in \`xen\` and \`smc+xen\` (\`smclat analyze OUT --json\`: calls.csv joined with
the trace, docs/join.md; p50 in us): the guest's round trip (CNTVCT around the call); the
client window in the trace (the notify to the client running again); the guest time outside
that window (round trip - window, independent of the clock offset: the trap, the ioctl, the
guest kernel and smclat-gen's own code); and inside the window the mediator's and the client's
wake latencies.

| run | joined / calls | guest round trip | client window in the trace | outside the window | mediator wake | client wake |
|---|---|---|---|---|---|---|
EOF
for n in xen smcxen; do
    m=.calls.matched
    echo "| $n | $(a $n .join.matched) / $(g $n .calls.total) | $(us "$(a $n $m.guest_rtt_ns.p50)") | $(us "$(a $n $m.window_ns.p50)") | $(us "$(a $n $m.outside_window_ns.p50)") | $(us "$(a $n $m.mediator_wake_ns.p50)") | $(us "$(a $n $m.client_wake_ns.p50)") |"
done

trap_smc=$(g smc1 .trap_ticks.p50)
trap_hvc=$(g hvc .trap_ticks.p50)
cat << EOF

Trap cost of a handled SMC against a bare HVC (ARM_SMCCC_VERSION, p50): SMC $(tus "$trap_smc") us
($trap_smc ticks), HVC $(tus "$trap_hvc") us ($trap_hvc ticks). An OP-TEE id that Xen refuses
(\`optee\`): $(tus "$(g optee .trap_ticks.p50)") us, every call \`erefused\` with smc_ret -1 and
smclat-gen's exit 1, as designed (Debian's Xen has no OP-TEE mediator).
EOF

# The checks of issue 9 on these boots; a failed one fails the bench section (exit 1).
fails=
for n in smc1 smc2 hvc smcxen; do
    [ "$(rets $n)" = "240 x ok 65537" ] || fails="$fails; $n: not every call ok with smc_ret 65537"
done
{ [ "$(rets optee)" = "240 x erefused -1" ] && [ "$(cat "$tmp/optee.rc")" = 1 ]; } ||
    fails="$fails; optee: not every call erefused with smc_ret -1, or the run did not exit 1"
for n in xen smcxen; do
    read -r c j <<< "$(complete $n)"
    calls=$(g $n .calls.total)
    [ "$j" = "$calls" ] || fails="$fails; $n: $j of $calls generator calls complete in the trace"
    # complete calls with no log line: timer coincidences on one pCPU (docs/calls.md), a few
    { [ "$c" -ge "$j" ] && [ $((c - j)) -le $((calls / 10)) ]; } 2> /dev/null ||
        fails="$fails; $n: $c complete calls in the trace for $calls generator calls"
done
[ "$(g smc1 .trap_ticks.p50)" = "$(g smc2 .trap_ticks.p50)" ] || fails="$fails; smc1 and smc2 trap-tick medians differ"
echo
if [ -z "$fails" ]; then
    echo "Checks (issue 9): every handled call returned 0x10001 (65537) with status ok, every OP-TEE"
    echo "call -1 (\`erefused\`), every generator call is joined to a complete call of the trace"
    echo "(xen, smc+xen; complete calls with no log line, timer coincidences on one pCPU, at most a"
    echo "tenth), the two smc boots have the same trap-tick median: all passed."
else
    echo "Checks (issue 9) FAILED: ${fails#; }"
    exit 1
fi
