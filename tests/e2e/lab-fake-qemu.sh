#!/bin/bash
# A stand-in for qemu-system-aarch64 in the lab's fault tests (SMCLAT_QEMU=this file, read by
# scripts/lab/boot.sh): takes QEMU's arguments, prints the console a lab run prints (Xen, Dom0's
# /init, the Dom0 job's SMCLAT-JOB lines) and leaves in the 9p share what dom0-job.sh leaves:
# guest logs with calls.csv and the summaries between SMCLAT-FILE markers, metadata.json, and
# trace.bin (a real recorded trace, $SHARED/traces/evping-100hz-icount/t3.bin, 1.6 MB).
# A fault is picked per scenario: FAKE_QEMU_FAULTS="NAME=FAULT ..." (NAME from the share's
# params.env), else FAKE_QEMU_FAULT. Faults:
#   kill-boot    SIGKILL to itself while Xen boots      kill-trace  SIGKILL during the trace
#   hang         stops answering during the trace (the timeout must fire)
#   exit-boot    exits 1 while Dom0 boots               xen-panic   Xen panics, exit 0
#   guest-fail   smclat-gen exits 1 during the run (the Dom0 job fails as dom0-job.sh does)
#   trace-fail   xentrace exits 1 (likewise)
#   term-trace   SIGTERM from outside during the trace: exits 0 saying so, as QEMU does
#   dom0-panic   Dom0's kernel panics before its tools are up; dom0-error: a step of its /init fails
#   xen-crash    Xen hits a BUG during the trace (a scheduler's, say), exit 0
#   xen-crash-hang  the same BUG on pCPU 1 while Dom0 goes on on pCPU 0: the Dom0 job fails (its
#                smclat-gen stalled), Dom0 powers off and Xen's halt never ends (boot.sh must stop
#                the emulator: SMCLAT_LAB_*_GRACE_S)
#   dom0-crash-hang  Dom0's kernel panics during the trace, Xen says Dom0 crashed and its reboot
#                never ends (boot.sh must stop the emulator; it exits 0 on SIGTERM, as QEMU does)
#   job-killed-hang  the Dom0 job is killed during the trace (no verdict), Dom0 powers off and
#                Xen's halt never ends (likewise)
#   calls-not-ok smclat-gen exits 1 after a complete run, one call timed out (the Dom0 job goes
#                on, as dom0-job.sh does)
#   slow         a run like any other, its trace 2 s long
# A share packed by run.sh --group (group.list, sc/I/) is run as dom0-group.sh does: each
# scenario between "SMCLAT-GROUP: begin I NAME" and "end I rc=N", a failed one ends the boot.
# FAKE_QEMU_LOG (a file): one line per boot, the scenarios' names.
set -u
here=$(cd "$(dirname "$0")" && pwd)
share=
for a in "$@"; do
    case $a in local,id=fs0,path=*) share=${a#local,id=fs0,path=}; share=${share%%,*} ;; esac
done
[ -d "$share" ] || { echo "fake qemu: no -fsdev path" >&2; exit 1; }
NAME=
list=
if [ -e "$share/group.list" ]; then
    list=$(cat "$share/group.list")
    names=
    for i in $list; do names="$names $(. "$share/sc/$i/params.env"; echo "$NAME")"; done
    [ -n "${FAKE_QEMU_LOG:-}" ] && echo "${names# }" >> "$FAKE_QEMU_LOG"
    set -- $list
    # shellcheck source=/dev/null
    . "$share/sc/$1/params.env"
else
    # shellcheck source=/dev/null
    . "$share/params.env"
    [ -n "${FAKE_QEMU_LOG:-}" ] && echo "$NAME" >> "$FAKE_QEMU_LOG"
fi
pick_fault() {
    fault=${FAKE_QEMU_FAULT:-}
    for f in ${FAKE_QEMU_FAULTS:-}; do
        [ "${f%%=*}" = "$NAME" ] && fault=${f#*=}
    done
}
pick_fault
O=$share/out
up=0 hang_after_halt=
step() { up=$((up + 1)); echo "SMCLAT-JOB: $* [uptime $up.00]"; sleep 0.05; }
fail() { # KIND REASON: as dom0-job.sh's fail
    step "FAIL: $1: $2"
    echo "$1 $2" > "$O/failure.txt"
    [ -n "$list" ] && return 1
    power_off 1
}
power_off() { # RC: Dom0's job ended with RC, Dom0 powers off (Xen's halt may hang: xen-crash-hang)
    echo "SMCLAT-DOM0: job rc=$1 uptime=$up"
    echo "SMCLAT-DOM0: poweroff uptime=$up"
    echo "(XEN) Hardware Dom0 halted: halting machine"
    [ "$hang_after_halt" = term ] && qemu_hang
    [ -n "$hang_after_halt" ] && exec -a "fake-qemu-hang $share" sleep 600
    exit 0
}
qemu_hang() { # QEMU going on after Xen's end; SIGTERM ends it as it ends QEMU: exit 0, saying so
    local pid
    sleep 600 &
    pid=$!
    trap 'kill $pid; echo "qemu-system-aarch64: terminating on signal 15 from pid $PPID (boot.sh)"; exit 0' TERM
    wait $pid
    exit 0
}
echo "(XEN) Xen version 4.17.7 (fake)"
echo "fake qemu: running at nice $(nice)"
echo "(XEN) Command line: fake"
[ "$fault" = kill-boot ] && kill -KILL $$
if [ "$fault" = xen-panic ]; then
    echo "(XEN) ****************************************"
    echo "(XEN) Panic on CPU 0:"
    echo "(XEN) Xen BUG at common/page_alloc.c:1234"
    echo "(XEN) ****************************************"
    exit 0
fi
echo "[    0.000000] Booting Linux on physical CPU 0x0000000000 [0x411fd070]"
echo "SMCLAT-DOM0: init uptime=0.50"
[ "$fault" = exit-boot ] && { echo "qemu-system-aarch64: fake: device failure" >&2; exit 1; }
if [ "$fault" = dom0-panic ]; then
    echo "[    2.100000] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100"
    exit 0
fi
if [ "$fault" = dom0-error ]; then
    echo "SMCLAT-DOM0: error: 9p mount failed uptime=0.60"
    echo "SMCLAT-DOM0: tools up uptime=1.00"
    echo "SMCLAT-DOM0: error: no /mnt/share/job.sh uptime=1.01"
    echo "SMCLAT-DOM0: poweroff uptime=1.02"
    echo "(XEN) Hardware Dom0 halted: halting machine"
    exit 0
fi
echo "SMCLAT-DOM0: tools up uptime=1.00"
scenario() { # the Dom0 job of the scenario in $O
    mkdir -p "$O"
    step "scenario $NAME: mode=deterministic pcpus=1 transport=xen noise=0"
    echo "xl create mediator" > "$O/xl-create.log"
    step "created mediator d1"
    step "created client d2"
    step "domains ready"
    echo "smclat-record apply" > "$O/apply.log"
    step "configuration applied and checked"
    step "trace started, client go"
    [ "$fault" = slow ] && sleep 2
    [ "$fault" = kill-trace ] && kill -KILL $$
    if [ "$fault" = xen-crash ]; then
        echo "(XEN) Xen BUG at common/sched/credit2.c:3587"
        echo "(XEN) ****************************************"
        echo "(XEN) Panic on CPU 1:"
        echo "(XEN) Xen BUG at common/sched/credit2.c:3587"
        echo "(XEN) ****************************************"
        exit 0
    fi
    if [ "$fault" = xen-crash-hang ]; then
        echo "(XEN) Xen BUG at common/sched/credit2.c:3587"
        echo "(XEN) ****************************************"
        echo "(XEN) Panic on CPU 1:"
        echo "(XEN) Xen BUG at common/sched/credit2.c:3587"
        echo "(XEN) ****************************************"
        echo "(XEN) Reboot in five seconds..."
        hang_after_halt=1
        fail guest_program_failed "smclat-gen still running 30 s after the trace: (none)"
        return 1
    fi
    if [ "$fault" = dom0-crash-hang ]; then
        echo "[   41.200000] Internal error: Oops: 0000000096000004 [#1] PREEMPT SMP"
        echo "[   41.300000] Kernel panic - not syncing: Oops: Fatal exception"
        echo "(XEN) Hardware Dom0 crashed: rebooting machine in 5 seconds."
        qemu_hang
    fi
    if [ "$fault" = job-killed-hang ]; then
        echo "Killed"
        hang_after_halt=term
        [ -n "$list" ] && return 137
        power_off 137
    fi
    if [ "$fault" = term-trace ]; then
        echo "qemu-system-aarch64: terminating on signal 15 from pid 4242 (kill)"
        exit 0
    fi
    # hang: the process becomes a sleep whose command line names the share (found by the test)
    [ "$fault" = hang ] && exec -a "fake-qemu-hang $share" sleep 600
    echo "smclat gen: frame 1/2, 4 calls, 0 errors" > "$O/guest-client.log"
    if [ "$fault" = guest-fail ]; then
        echo "smclat gen: call 3 (process): eio: Input/output error; stopping" >> "$O/guest-client.log"
        fail guest_program_failed "smclat-gen exited with 1: smclat gen: call 3 (process): eio: Input/output error; stopping"
        return 1
    fi
    if [ "$fault" = trace-fail ]; then
        echo "smclat record trace: xentrace exited with 1: lost 1234 records" > "$O/trace.log"
        fail trace_failed "smclat-record trace (xentrace) exited with 1: smclat record trace: xentrace exited with 1: lost 1234 records"
        return 1
    fi
    step "trace done rc=0"
    local bad=-1 nok=0
    [ "$fault" = calls-not-ok ] && bad=7 nok=1
    {
        echo "SMCLAT-FILE-BEGIN calls.csv"
        echo "seq,op,frame,intended_ns,start_ns,end_ns,start_cntvct,end_cntvct,status"
        awk -v bad=$bad 'BEGIN { t = 1e9; for (i = 0; i < 120; i++) {
            printf "%d,process,%d,%.0f,%.0f,%.0f,,,%s\n", i, i, t, t, t + 80000 + 100 * i,
                i == bad ? "timeout" : "ok"; t += 4e7 } }'
        echo "SMCLAT-FILE-END calls.csv"
        echo "SMCLAT-FILE-BEGIN gen-summary.json"
        # as smclat-gen writes it (jansson, indent 2)
        jq -n --argjson n "$nok" '{smclat_gen_summary: 2, partial: false, stop_reason: "done",
            calls: {total: 120, ok: (120 - $n), failed: $n}, errors: {eio: 0, timeout: $n}}'
        echo "SMCLAT-FILE-END gen-summary.json"
    } >> "$O/guest-client.log"
    # the Dom0 job's verdict on smclat-gen's exit (dom0-job.sh's own functions)
    eval "$(sed -n '/^gen_complete() {/,/^}/p; /^gen_log_complete() {/,/^}/p' "$here/../../scripts/lab/dom0-job.sh")"
    if [ "$nok" != 0 ]; then
        gen_log_complete "$O/guest-client.log" ||
            { fail guest_program_failed "smclat-gen exited with 1: smclat gen: calls not ok"; return 1; }
        step "smclat-gen exited with 1: a complete run, some calls not ok (calls.csv status)"
    fi
    printf 'SMCLAT-FILE-BEGIN mediator-summary.json\n{"requests": 120}\nSMCLAT-FILE-END mediator-summary.json\n' \
        > "$O/guest-mediator.log"
    printf '{"smclat_metadata": 1, "physinfo": {"cpu_khz": 62500, "nr_cpus": 1}, "roles": {"client": 2, "mediator": 1}}\n' \
        > "$O/metadata.json"
    cp "${SHARED:-/work/shared}/traces/evping-100hz-icount/t3.bin" "$O/trace.bin"
    step "metadata written"
    step "finished"
}
step_g() { echo "SMCLAT-GROUP: $* [uptime $up.00]"; }
if [ -n "$list" ]; then
    for i in $list; do
        . "$share/sc/$i/params.env"
        pick_fault
        O=$share/sc/$i/out
        step_g "begin $i $NAME"
        scenario
        rc=$?
        step_g "end $i rc=$rc"
        [ $rc = 0 ] || break
    done
    step_g saved
else
    scenario
fi
power_off 0
