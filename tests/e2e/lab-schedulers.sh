#!/bin/bash
# The schedulers Debian's binary Xen lacks, on the lab's Xen built from Debian's source package
# (scripts/lab/xen-source.sh, cached by prepare.sh --xen-source; docs/lab.md), end to end:
#   1. bad parameters are refused before anything boots, naming the key: a null pool with
#      fewer pCPUs than the vCPUs placed in it, an RTDS budget above its period, a scheduler
#      the chosen build lacks (XEN_BUILD=debian with rtds);
#   2. a deterministic scenario under RTDS (sched=rtds, the mediator with its own period and
#      budget): the source build is chosen by itself, and metadata.json reads back the build,
#      rtds and the mediator's period and budget from Xen;
#   3. an smp scenario with the mediator alone in a null cpupool on pCPU 1: the pool, its
#      scheduler and the mediator in it read back;
#   4. an smp scenario with the mediator alone in an arinc653 pool on pCPU 1, a 5 ms window in
#      a 10 ms major frame: the schedule read back (the windows by domain name), every generator
#      call joined to a call of the trace (the mediator runs only in its window: some calls find
#      it runnable already, mediator_already_awake, so completeness is not asked here).
# In every run each generator call must join to a call of the trace. Under RTDS (deterministic)
# each must be a complete call. In the null pool (smp) the mediator, alone on its pCPU, now and
# then answers before the client has blocked (shape answered_before_block, docs/calls.md: a
# whole call, but "client_never_blocked" to the detector), and on a loaded 2-core host a call
# can still be bent (the client preempted on pCPU 0 between its notify and its block: seen 2 of
# 60 once, with the host so busy that the run took 79 s instead of 28): each call must be
# complete or answered_before_block, but for at most one in 20, listed with its shape.
# RTDS: the client gets the earliest deadlines (period 2 ms, budget 1 ms) so that the mediator's
# wake never preempts it between its notify and its block (EDF on one pCPU: with the mediator's
# deadline earlier a third of the calls are client_preempted and the join finds no offset).
# Env: SMCLAT_BIN (build/bin: the host smclat), SMCLAT_TOP, SMCLAT_CACHE.
set -u
top=${SMCLAT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/e2e/lab-lib.sh"

# 1. bad input: exit 2, the key named, no results folder
refused() { # NAME EXPECTED_TEXT: the parameter file $tmp/NAME.env must be refused
    local rc
    "$top/scripts/lab/run.sh" "$tmp/$1.env" "$tmp/$1" 2> "$tmp/$1.err"
    rc=$?
    [ $rc = 2 ] || bad "$1: exit $rc, expected 2 ($(head -1 "$tmp/$1.err"))"
    grep -qF -- "$2" "$tmp/$1.err" || bad "$1: expected '$2' on stderr, found '$(head -1 "$tmp/$1.err")'"
    [ -e "$tmp/$1/run.json" ] && bad "$1: something ran (run.json written)"
}
printf 'MODE=smp\nPOOLS=med:null:1\nMEDIATOR_POOL=med\nMEDIATOR_VCPUS=2\n' > "$tmp/null-small.env"
refused null-small "POOLS: null pool med has 1 pCPU(s) for 2 vCPU(s)"
printf 'XEN_SCHED=rtds\nRTDS_MEDIATOR=1000:2000\n' > "$tmp/rtds-budget.env"
refused rtds-budget "RTDS_MEDIATOR: budget 2000 us is above the period 1000 us"
printf 'XEN_BUILD=debian\nXEN_SCHED=rtds\n' > "$tmp/debian-rtds.env"
refused debian-rtds "XEN_BUILD: Debian's binary Xen has only credit credit2; XEN_SCHED asks for rtds"
printf 'MODE=smp\nPOOLS=med:credit2:1\nMEDIATOR_POOL=med\nRTDS_MEDIATOR=10000:4000\n' > "$tmp/rtds-pool.env"
refused rtds-pool "RTDS_MEDIATOR: its domain runs in med, whose scheduler is credit2, not rtds"

# The hypervisor from source (72-180 s the first time, cached) and the arm64 programs.
lab_prepare --no-kmod --xen-source

# One scenario: the generator's calls against the trace, and the build read back.
run_and_check() { # PARAMS_FILE SCHED [ALLOWED_SHAPE]
    lab_run "$1"
    m=$out/metadata.json
    [ "$(jq -r .xen.build "$m")" = source ] || bad "$1: metadata xen.build '$(jq -r .xen.build "$m")', expected source"
    jq -e '.xen.schedulers | index("null") and index("rtds") and index("arinc653")' "$m" > /dev/null ||
        bad "$1: metadata xen.schedulers $(jq -c .xen.schedulers "$m")"
    [ "$(jq -r .xen.scheduler "$m")" = "$2" ] || bad "$1: metadata xen.scheduler '$(jq -r .xen.scheduler "$m")', expected $2"
    case $(jq -r .xen.version "$m") in 4.17.5*) ;; *) bad "$1: Xen version $(jq -r .xen.version "$m"), expected the source's 4.17.5" ;; esac
    [ "$(jq -r .xen_build "$out/run.json")" = source ] || bad "$1: run.json xen_build"
    grep -q "^XEN_BUILD='source'" "$out/params.env" || bad "$1: params.env does not say XEN_BUILD='source'"
    gen_calls=$(jq .calls.total "$out/gen-summary.json")
    [ "$gen_calls" -gt 20 ] 2> /dev/null || bad "$1: generator made $gen_calls calls, expected about 60"
    a=$tmp/analysis.json
    ct=$tmp/calls-trace.csv
    if ! "$bin/smclat" analyze "$out" --json --calls-csv "$ct" > "$a" 2> "$tmp/analyze.err"; then
        bad "$1: smclat analyze failed: $(head -3 "$tmp/analyze.err")"
    else
        if [ -z "${3:-}" ]; then
            check_trace_calls "$a" "$ct"
        else
            check_joined_calls "$a" "$ct" "$3"
        fi
        [ "$(jq .lost_records "$a")" = 0 ] || bad "$1: lost records $(jq .lost_records "$a")"
        echo "mediator wake p50 $(jq .calls.mediator_wake_ns.p50 "$a") ns, p99 $(jq .calls.mediator_wake_ns.p99 "$a") ns"
    fi
}

# Every generator call joined to a call of the trace that is complete or of shape SHAPE.
check_joined_calls() { # ANALYSIS_JSON CALLS_CSV SHAPE
    local matched whole other
    matched=$(jq .join.matched "$1")
    read -r whole other < <(awk -F, -v s="$3" '
        NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        $c["join"] == "matched" && ($c["reason"] == "complete" || $c["shape"] == s) { w++ }
        $c["join"] == "matched" && !($c["reason"] == "complete" || $c["shape"] == s) { o++ }
        END { print w + 0, o + 0 }' "$2")
    echo "generator calls $gen_calls: $matched joined, $whole complete or $3" \
        "($(awk -F, -v s="$3" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
            $c["join"] == "matched" && $c["shape"] == s' "$2" | wc -l) $3), $other other"
    awk -F, -v s="$3" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        $c["join"] == "matched" && !($c["reason"] == "complete" || $c["shape"] == s) {
            print "  other: log seq " $c["log_seq"] ", " $c["reason"] ", " $c["shape"] }' "$2"
    [ "$matched" = "$gen_calls" ] || bad "join: $matched of $gen_calls generator calls matched in the trace"
    [ $((whole + other)) = "$gen_calls" ] || bad "$whole + $other joined calls, $gen_calls generator calls"
    [ "$other" -le $((gen_calls / 20)) ] ||
        bad "$other of $gen_calls generator calls neither complete nor $3 (at most $((gen_calls / 20)))"
}

# 2. RTDS, deterministic: the source build chosen by itself (XEN_BUILD=auto)
cat > "$tmp/rtds.env" << 'P'
NAME=e2e-rtds
MODE=deterministic
XEN_SCHED=rtds
RTDS_MEDIATOR=10000:4000
RTDS_CLIENT=2000:1000
TRANSPORT=xen
GEN_ARGS="--flow unoptimized --fps 10 --duration 2"
TRACE_SECONDS=4
TIMEOUT_S=240
P
run_and_check "$tmp/rtds.env" rtds
med=$(jq .roles.mediator "$m")
read -r period budget extra < <(jq -r --argjson d "$med" \
    '.domains[] | select(.domid == $d) | "\(.sched.period_us) \(.sched.budget_us) \(.sched.extratime)"' "$m")
[ "$period $budget $extra" = "10000 4000 false" ] ||
    bad "rtds: the mediator's period, budget, extratime read back as '$period $budget $extra', expected 10000 4000 false"
[ "$(jq -r '.cpupools[0].scheduler' "$m")" = rtds ] || bad "rtds: Pool-0's scheduler $(jq -r '.cpupools[0].scheduler' "$m")"

# 3. null pool, smp: the mediator alone on pCPU 1
cat > "$tmp/null.env" << 'P'
NAME=e2e-null-pool
MODE=smp
DOM0_VCPUS=1
POOLS=med:null:1
MEDIATOR_POOL=med
PIN_DOM0=0
TRANSPORT=xen
GEN_ARGS="--flow unoptimized --fps 10 --duration 2"
TRACE_SECONDS=4
TIMEOUT_S=240
P
run_and_check "$tmp/null.env" credit2 answered_before_block
pool=$(jq -c '.cpupools[] | select(.name == "med") | {scheduler, cpus}' "$m")
[ "$pool" = '{"scheduler":"null","cpus":[1]}' ] || bad "null: pool med read back as '$pool'"
med=$(jq .roles.mediator "$m")
[ "$(jq -r --argjson d "$med" '.domains[] | select(.domid == $d) | .cpupool' "$m")" = med ] ||
    bad "null: the mediator is not in pool med"

# 4. ARINC653 pool, smp
cat > "$tmp/a653.env" << 'P'
NAME=e2e-arinc653-pool
MODE=smp
DOM0_VCPUS=1
POOLS=a6:arinc653:1
MEDIATOR_POOL=a6
ARINC653=10000:mediator=5000
PIN_DOM0=0
TRANSPORT=xen
GEN_ARGS="--flow unoptimized --fps 10 --duration 2"
TRACE_SECONDS=4
TIMEOUT_S=240
P
lab_run "$tmp/a653.env"
m=$out/metadata.json
a653=$(jq -c '.cpupools[] | select(.name == "a6") | [.scheduler, .cpus, .params.major_frame_us, (.params.windows[] | [.name, .vcpu, .runtime_us])]' "$m")
[ "$a653" = '["arinc653",[1],10000,["mediator",0,5000]]' ] || bad "arinc653: pool a6 read back as '$a653'"
gen_calls=$(jq .calls.total "$out/gen-summary.json")
if "$bin/smclat" analyze "$out" --json --calls-csv "$tmp/ct.csv" > "$tmp/a.json" 2> "$tmp/analyze.err"; then
    matched=$(jq .join.matched "$tmp/a.json")
    echo "arinc653: generator calls $gen_calls, joined $matched, complete $(jq .calls.complete "$tmp/a.json")"
    [ "$matched" = "$gen_calls" ] || bad "arinc653: $matched of $gen_calls generator calls joined"
else
    bad "arinc653: smclat analyze failed: $(head -3 "$tmp/analyze.err")"
fi

echo "lab-schedulers: $(($(date +%s) - t0)) s in all"
[ $fails = 0 ] && echo "lab-schedulers: ok"
exit $((fails > 0))
