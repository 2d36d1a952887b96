# Why a scenario run failed: the one list of reason kinds (docs/robustness.md), sourced by the
# lab's host scripts (bash). reports/reason.c holds the same list for smclat suite and report;
# tests/e2e/lab-faults.sh checks that both, and the kinds dom0-job.sh writes, agree.
# Each failure has a kind (a word, `reason_kind` in run.json and suite.json) and a human line
# (`reason`) with the facts: which program, file, signal, exit status.
# shellcheck shell=bash disable=SC2034 # LAB_REASON_KINDS is for the scripts that source this file
LAB_REASON_KINDS="setup emulator_killed emulator_exited timeout boot_failed xen_crashed dom0_crashed guest_program_failed
trace_failed no_space io_error results_missing analyzer_failed interrupted lab_failed"

lab_reason_known() { # KIND: is it one of LAB_REASON_KINDS?
    local k
    for k in $LAB_REASON_KINDS; do [ "$k" = "$1" ] && return 0; done
    return 1
}

lab_signal_name() { # EXIT_STATUS (128+N): SIGKILL, SIGSEGV...; empty when not a signal
    local s=$1
    [ "$s" -gt 128 ] 2> /dev/null && [ "$s" -lt 192 ] || return 0
    s=$(kill -l $((s - 128)) 2> /dev/null) || return 0
    echo "SIG$s"
}

lab_errno_kind() { # STRERROR_TEXT: no_space for a full file system or quota, else io_error
    case $1 in
        *"No space left on device"* | *"Disk quota exceeded"*) echo no_space ;;
        *) echo io_error ;;
    esac
}

# lab_copy SRC DST: cp, and on failure sets LAB_COPY_ERR to "DST: strerror" (cp's own words)
# and returns 1. The file written so far is kept (a cut trace is still analyzable).
lab_copy() {
    local err
    LAB_COPY_ERR=
    err=$(cp -- "$1" "$2" 2>&1) && return 0
    err=$(echo "$err" | tail -1)
    # cp: error writing 'F': No space left on device | cp: cannot create regular file 'F': ...
    LAB_COPY_ERR="$2: ${err##*: }"
    return 1
}
