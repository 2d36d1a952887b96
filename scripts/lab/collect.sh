# shellcheck shell=bash disable=SC2034,SC2154 # variables shared with run.sh, which sources this file
# COLLECT: one scenario's results folder from what its Dom0 job left in the share and from its
# part of the console, then the verdict (run.json). Sourced by run.sh (bash): uses its finish
# and $out, $console, $TRANSPORT; $qrc, $timeout, $stopped, $qemu_signal, $stop_sig (how QEMU
# ended: boot.sh's status file).

# lab_collect SRC SCRATCH: the results from SRC (the scenario's out/ in the share) into $out,
# the small files first and trace.bin last: on a full file system the logs and the reason
# survive, and the trace is kept as far as it was written (marked partial). The first write
# error is kept in copy_err ("FILE: strerror").
lab_collect() {
    local src=$1 scratch=$2 f have whole
    copy_err=
    mkdir -p "$scratch"
    lab_collect_one "$console" console.log
    for f in "$src"/*.txt "$src"/*.log "$src"/*.json; do
        lab_collect_one "$f" "${f##*/}"
    done
    lab_extract "$src/guest-client.log" calls.csv "$scratch"
    lab_extract "$src/guest-client.log" gen-summary.json "$scratch"
    lab_extract "$src/guest-mediator.log" mediator-summary.json "$scratch"
    lab_collect_one "$src/create-trace.bin" create-trace.bin
    for f in "$src"/*; do # anything else the job left, but trace.bin (last)
        [ -f "$f" ] && [ "${f##*/}" != trace.bin ] && [ ! -e "$out/${f##*/}" ] && lab_collect_one "$f" "${f##*/}"
    done
    if ! lab_collect_one "$src/trace.bin" trace.bin; then
        have=$(stat -c %s "$out/trace.bin" 2> /dev/null || echo 0)
        whole=$(stat -c %s "$src/trace.bin")
        if [ "$have" -gt 0 ]; then
            trace_partial=true
            copy_err="$copy_err (trace.bin cut at $have of $whole bytes: partial)"
        fi
    fi
}
lab_collect_one() { # SRC NAME
    [ -e "$1" ] || return 0
    lab_copy "$1" "$out/$2" && return 0
    [ -n "$copy_err" ] || copy_err=$LAB_COPY_ERR
    return 1
}
lab_extract() { # GUEST_LOG NAME SCRATCH: a file the guest printed between markers
    [ -e "$1" ] || return 0
    awk -v n="$2" '$0 == "SMCLAT-FILE-BEGIN " n {f=1; next}
        f && index($0, "SMCLAT-FILE-END " n) {
            pre = substr($0, 1, index($0, "SMCLAT-FILE-END " n) - 1)
            if (pre != "") print pre
            f = 0; next }
        f' \
        "$1" > "$3/$2"
    [ -s "$3/$2" ] && lab_collect_one "$3/$2" "$2"
}

# lab_last_step: the last step of Dom0 or its job on the console (stdin), with its time
lab_last_step() {
    local at
    at=$(sed -n 's/^\[ *\([0-9.]*\)\] SMCLAT-\(DOM0\|JOB\): \(.*\)/\3 (at \1 s)/p' |
        sed 's/ \[uptime [0-9.]*\]\| uptime=[0-9.]*//' | tail -1)
    echo "${at:-before Dom0 started}"
}

# lab_line_before_job_end PATTERN: the number of the console's first line matching PATTERN (grep)
# when it comes before the Dom0 job finished; fails otherwise
lab_line_before_job_end() {
    local pl fl
    pl=$(grep -n -m1 "$1" "$console" | cut -d: -f1)
    [ -n "$pl" ] || return 1
    fl=$(grep -n -m1 "SMCLAT-JOB: finished" "$console" | cut -d: -f1)
    [ -z "$fl" ] || [ "$pl" -lt "$fl" ] || return 1
    echo "$pl"
}

# lab_xen_panic_verdict: Xen's panic before the Dom0 job finished is the scenario's verdict,
# whatever followed (the job's failure, a timeout, QEMU stopped): a pCPU that panicked stalls
# the guests on it while Dom0 may go on on another one. Once Dom0's tools were up (or the
# scenario's part of a group's boot began) Xen crashed under the scenario, a finding of its own
# (a scheduler's BUG, say), not a boot that failed; before that, the boot failed. The last step
# named is the last one before the panic.
lab_xen_panic_verdict() {
    local pl line at
    pl=$(lab_line_before_job_end "Panic on CPU\|Xen BUG at\|Assertion '.*' failed") || return 0
    at=$(head -n "$pl" "$console" | lab_last_step)
    line=$(grep -m1 -A1 "Panic on CPU" "$console" | tail -1 | sed 's/^\[ *[0-9.]*\] //')
    [ -n "$line" ] || line=$(grep -m1 -o "Xen BUG at.*\|Assertion '.*' failed.*" "$console")
    grep -q "SMCLAT-DOM0: tools up\|SMCLAT-GROUP: begin " "$console" &&
        finish failed xen_crashed "Xen: $line, last step: $at$(lab_qemu_end)$also" "$qrc"
    finish failed boot_failed "Xen: $line$also" "$qrc"
}

# lab_dom0_crash_verdict: Dom0's kernel panicked, or Xen says Dom0 crashed (or its watchdog
# fired), before the Dom0 job finished: that is the verdict, whatever followed (a timeout, QEMU
# stopped after Xen's reboot or halt hung). Before Dom0's tools were up, the boot failed.
lab_dom0_crash_verdict() {
    local pl line at
    pl=$(lab_line_before_job_end "Kernel panic\|Hardware Dom0 \(crashed\|shutdown\)") || return 0
    line=$(sed -n "${pl}p" "$console" | grep -o "Kernel panic.*\|Hardware Dom0 .*")
    grep -q "SMCLAT-DOM0: tools up" "$console" || finish failed boot_failed "Dom0: $line$also" "$qrc"
    at=$(head -n "$pl" "$console" | lab_last_step)
    finish failed dom0_crashed "Dom0: $line, last step: $at$(lab_qemu_end)$also" "$qrc"
}

# lab_job_end_verdict: the Dom0 job ended (its status on the console: Dom0's /init or
# dom0-group.sh), or Dom0 powered off and Xen halted the machine, before the job finished and
# without its verdict: a failed step of Dom0's /init, else the job's end. Whatever stopped QEMU
# afterwards (boot.sh, when Xen's halt hung) follows from it.
lab_job_end_verdict() {
    local rc halted='' at
    rc=$(sed -n 's/.*SMCLAT-\(DOM0: job\|GROUP: end [0-9]*\) rc=\([0-9]*\).*/\2/p' "$console" | head -1)
    { grep -q "Hardware Dom0 halted" "$console" || [ "${xen_hung:-}" = halt ]; } && halted=1
    [ -n "$rc$halted" ] || return 0
    lab_dom0_error_verdict
    at=$(grep "SMCLAT-JOB: " "$console" | lab_last_step) # the job's, not Dom0's poweroff
    finish failed lab_failed "the Dom0 job ended${rc:+ with status $rc} before it finished, without a verdict${halted:+, and Dom0 powered off} (last step: $at)$(lab_qemu_end)$also" "$qrc"
}

# lab_dom0_error_verdict: a failed step of Dom0's /init is the verdict (boot_failed), when there
# is one (a DomU that does not start is the Dom0 job's verdict)
lab_dom0_error_verdict() {
    local line
    line=$(grep -m1 -o "SMCLAT-DOM0: error: .*" "$console" | sed 's/ uptime=[0-9.]*$//')
    [ -z "$line" ] || finish failed boot_failed "Dom0: ${line#SMCLAT-DOM0: error: }$also" "$qrc"
}

# lab_qemu_end: how QEMU was stopped after Dom0's end, when it did not exit by itself
lab_qemu_end() {
    if [ "${xen_hung:-}" = halt ]; then
        echo "; Xen's halt hung: boot.sh stopped QEMU"
    elif [ "${xen_hung:-}" = panic ]; then
        echo "; boot.sh stopped QEMU after Xen's panic"
    elif [ "$timeout" = 1 ]; then
        echo "; QEMU stopped at TIMEOUT_S=$TIMEOUT_S s"
    elif [ -n "$qemu_signal" ]; then
        echo "; QEMU then killed by $qemu_signal"
    fi
}

# lab_verdict SRC: what happened, from the most telling fact down (kinds: scripts/lab/reasons.sh);
# always ends in finish. SRC: the scenario's out/ in the share (failure.txt).
lab_verdict() {
    local src=$1 at also fl kind lost line n last
    at=$(lab_last_step < "$console")
    also=
    [ -n "$copy_err" ] && also="; also cannot write $copy_err"
    if [ -n "$stop_sig" ]; then
        finish interrupted interrupted "stopped by $stop_sig; QEMU stopped (last step: $at)$also" "$qrc"
    fi
    if [ "$stopped" = 1 ]; then # boot.sh got the signal, run.sh did not
        finish interrupted interrupted "boot.sh was stopped by a signal; QEMU stopped (last step: $at)$also" "$qrc"
    fi
    lab_xen_panic_verdict
    lab_dom0_crash_verdict
    if [ "$timeout" = 1 ]; then
        finish timeout timeout "QEMU still running after TIMEOUT_S=$TIMEOUT_S s; stopped (last step: $at)$also" "$qrc"
    fi
    if grep -q "SMCLAT-JOB: finished" "$console"; then
        [ -z "$copy_err" ] || finish failed "$(lab_errno_kind "$copy_err")" "cannot write $copy_err" "$qrc"
        if [ ! -s "$out/trace.bin" ] || [ ! -s "$out/metadata.json" ]; then
            finish failed results_missing "the Dom0 job finished but trace.bin or metadata.json did not come back" "$qrc"
        fi
        if [ "$TRANSPORT" != none ]; then
            [ -s "$out/calls.csv" ] || finish failed results_missing "the client's calls.csv did not come back (guest-client.log)" "$qrc"
            # a complete run with calls not ok (the Dom0 job let smclat-gen's 1 pass): counted
            calls_not_ok=$(jq -r '.calls.failed // 0' "$out/gen-summary.json" 2> /dev/null)
            calls_not_ok_by=$(jq -c '.errors // {} | with_entries(select(.value > 0))' "$out/gen-summary.json" 2> /dev/null)
            [ "${calls_not_ok:-0}" -gt 0 ] 2> /dev/null || calls_not_ok=
        fi
        finish ok "" "" "$qrc"
    fi
    # the Dom0 job's own verdict: failure.txt ("KIND reason"), else its FAIL line on the console
    fl=$(head -1 "$src/failure.txt" 2> /dev/null)
    [ -n "$fl" ] || fl=$(sed -n 's/.*SMCLAT-JOB: FAIL: \([a-z_]*\): \(.*\) \[uptime [0-9.]*\]$/\1 \2/p' "$console" | head -1)
    if [ -n "$fl" ]; then
        kind=${fl%% *}
        lab_reason_known "$kind" || kind=lab_failed
        finish failed "$kind" "${fl#* }$also" "$qrc"
    fi
    lab_job_end_verdict
    # QEMU ended by a signal from outside: killed (its status says which), or SIGTERM/SIGINT/SIGHUP
    # that QEMU handles itself, exiting 0 with "terminating on signal N from pid P (NAME)"
    lost=
    grep -q "SMCLAT-JOB: trace started" "$console" && ! grep -q "SMCLAT-JOB: metadata written" "$console" &&
        lost="; the trace was in Dom0's memory: lost"
    if [ -n "$qemu_signal" ]; then
        finish failed emulator_killed "QEMU killed by $qemu_signal (exit $qrc), last step: $at$lost$also" "$qrc"
    fi
    line=$(grep -m1 -o "terminating on signal [0-9]*.*" "$console")
    if [ -n "$line" ]; then
        n=${line#terminating on signal }
        n=${n%% *}
        finish failed emulator_killed "QEMU stopped by SIG$(kill -l "$n" 2> /dev/null) from outside (exit $qrc: ${line}), last step: $at$lost$also" "$qrc"
    fi
    lab_dom0_error_verdict
    last=$(grep -v '^\[ *[0-9.]*\] *$' "$console" | tail -1 | sed 's/^\[ *[0-9.]*\] //' | cut -c1-200)
    finish failed emulator_exited "QEMU exited with status $qrc before the Dom0 job finished, last step: $at; last console line: ${last:-(none)}$also" "$qrc"
}
