#!/bin/bash
# Runs one scenario on the emulated Xen-on-ARM lab and writes a results folder
# (docs/results-folder.md, docs/lab.md): boot Xen and Dom0 under QEMU, Dom0 runs
# dom0-job.sh (DomUs, scheduler configuration, trace, metadata), power off, collect.
# usage: run.sh PARAMS_FILE OUTDIR
#        run.sh --check PARAMS_FILE   (check the file; print every key with its default)
#        run.sh --xen PARAMS_FILE     (the Xen build, image and command line it boots)
# env: SMCLAT_CACHE (~/.cache/smclat)  SMCLAT_ARM_BIN (build/aarch64-linux-gnu/bin: the arm64
#      smclat-record, smclat-gen, smclat-mediator)  SMCLAT_KMOD (build/kmod/KVER/smclat_smc.ko,
#      for TRANSPORT=smc and smc+xen)  SMCLAT_STUB_IMAGE (build/stub/smclat-stub.Image, for
#      MEDIATOR_KIND=stub)
# exit: 0 the run succeeded, 1 it failed (run.json says why), 2 bad parameters or usage.
set -uo pipefail
# shellcheck disable=SC2034 # LAB_PROG and LAB_PARAMS_FILE are read by lib.sh and params.sh
LAB_PROG=run.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/reasons.sh"
. "$here/params.sh"
if [ $# = 2 ] && [ "$1" = --check ]; then
    LAB_PARAMS_FILE=$2
    lab_params_load "$2" || exit 2
    lab_params_write /dev/stdout
    exit 0
fi
if [ $# = 2 ] && [ "$1" = --xen ]; then
    LAB_PARAMS_FILE=$2
    lab_params_load "$2" || exit 2
    printf "%s='%s'\n" XEN_BUILD "$LAB_XEN_BUILD" XEN_IMAGE "$LAB_XEN_IMAGE" \
        XEN_SCHEDULERS "$LAB_XEN_SCHEDULERS" XEN_NEEDS "$LAB_XEN_NEEDS" XEN_CMDLINE "$LAB_XEN_CMDLINE"
    exit 0
fi
if [ $# != 2 ] || [ "$1" = -h ] || [ "$1" = --help ]; then
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
    [ $# = 1 ] && { [ "$1" = -h ] || [ "$1" = --help ]; } && exit 0
    exit 2
fi
# shellcheck disable=SC2034 # read by params.sh
LAB_PARAMS_FILE=$1
out=$2
lab_params_load "$1" || exit 2
# shellcheck disable=SC2034 # written by lab_params_write
XEN_BUILD=$LAB_XEN_BUILD # params.env and metadata.json say which build booted
t0=$(date +%s.%N)
IMG=$LAB_CACHE/img
ARM_BIN=${SMCLAT_ARM_BIN:-$LAB_TOP/build/$LAB_ARCH/bin}
mkdir -p "$out" || lab_die 2 "$out: cannot create the results folder"
out=$(cd "$out" && pwd)
# what an earlier run left (only the lab's own files: smclat suite keeps lab.log and more here)
rm -f "$out"/{trace.bin,metadata.json,calls.csv,gen-summary.json,mediator-summary.json} \
    "$out"/{console.log,run.json,params.env,failure.txt,xenstore.txt} "$out"/guest-*.log \
    "$out"/{apply,trace,metadata,xl-create,xen-dmesg,create-trace}.log "$out"/create-trace.bin \
    "$out"/{.run.json.reserve,run.json.tmp} "$(dirname "$out")/$(basename "$out").run.json"

# run.json is written whole or not at all (run.json.tmp, renamed), into room reserved at the
# start: a results folder whose file system filled up still gets its reason. If even that fails
# it goes to the folder above (the suite's folder: NAME.run.json) and stderr says so.
reserve=$out/.run.json.reserve
reserve_err=
if ! err=$(dd if=/dev/zero of="$reserve" bs=65536 count=1 status=none 2>&1); then
    err=$(echo "$err" | head -1)
    reserve_err="$reserve: ${err##*: }"
fi
# finish STATUS KIND REASON [QEMU_RC]: run.json, a line on stderr, exit (0 when ok, else 1)
qemu_signal='' trace_partial=false
finish() {
    local status=$1 kind=$2 reason=$3 qrc=${4:-null} wall boot tail='[]' json err fb
    wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
    boot=$(sed -n 's/^\[ *\([0-9.]*\)\] SMCLAT-DOM0: tools up.*/\1/p' "$console" 2> /dev/null | head -1)
    [ "$status" != ok ] && [ -s "$console" ] &&
        tail=$(tail -n 30 "$console" | cut -c1-400 | jq -R . | jq -s .)
    json=$(jq -n --arg name "$NAME" --arg status "$status" --arg reason "$reason" --arg kind "$kind" \
        --argjson wall "$wall" --argjson boot "${boot:-null}" --argjson qrc "$qrc" \
        --arg sig "$qemu_signal" --argjson partial "$trace_partial" \
        --argjson tail "$tail" --arg mode "$MODE" --argjson pcpus "$PCPUS" \
        --arg xb "$LAB_XEN_BUILD" \
        '{smclat_run: 1, name: $name, status: $status, mode: $mode, pcpus: $pcpus, xen_build: $xb,
          wall_s: $wall, boot_s: $boot, qemu_exit: $qrc}
         + (if $sig != "" then {qemu_signal: $sig} else {} end)
         + (if $reason != "" then {reason_kind: $kind, reason: $reason} else {} end)
         + (if $partial then {trace_partial: true} else {} end)
         + (if $status != "ok" then {console_tail: $tail} else {} end)')
    rm -f "$reserve"
    if ! err=$({ printf '%s\n' "$json" > "$out/run.json.tmp" && mv -f "$out/run.json.tmp" "$out/run.json"; } 2>&1); then
        rm -f "$out/run.json.tmp"
        fb=$(dirname "$out")/$(basename "$out").run.json
        if printf '%s\n' "$json" > "$fb" 2> /dev/null; then
            lab_log "$out/run.json: cannot write it (${err##*: }): written to $fb instead"
        else
            rm -f "$fb"
            lab_log "$out/run.json: cannot write it (${err##*: }), nor $fb; the record: $json"
        fi
    fi
    if [ "$status" = ok ]; then
        lab_log "$NAME: ok in ${wall} s -> $out"
        exit 0
    fi
    lab_log "$NAME: $status [$kind]: $reason (wall ${wall} s; console: $out/console.log)"
    if [ "$tail" != '[]' ]; then
        echo "--- console tail:" >&2
        tail -n 15 "$console" >&2
    fi
    exit 1
}
console=/nonexistent
[ -z "$reserve_err" ] || finish failed no_space "no room for run.json in the results folder ($reserve_err)"

[ -e "$IMG/dom0-base.cpio" ] || finish failed setup "no lab images in $IMG: run scripts/lab/prepare.sh"
# The hypervisor built from Debian's source package: built on first need (about 2-3 minutes)
if [ "$LAB_XEN_BUILD" = source ] && [ ! -s "$LAB_XEN_IMAGE" ]; then
    lab_log "$NAME: needs Xen built from source ($LAB_XEN_NEEDS); building it once (prepare.sh --xen-source)"
    "$here/prepare.sh" --no-build --xen-source >&2 ||
        finish failed setup "building Xen from Debian's source package failed (scripts/lab/prepare.sh --xen-source)"
    lab_xen_config "$LAB_PARAMS_FILE"
fi
need="smclat-record"
[ "$TRANSPORT" != none ] && need="$need smclat-gen smclat-mediator"
for p in $need; do
    [ -x "$ARM_BIN/$p" ] || finish failed setup "no arm64 $p in $ARM_BIN: run scripts/lab/prepare.sh (make CROSS=$LAB_ARCH-)"
done

STUB_IMAGE=
if [ "$MEDIATOR_KIND" = stub ]; then
    STUB_IMAGE=${SMCLAT_STUB_IMAGE:-$LAB_TOP/build/stub/smclat-stub.Image}
    [ -s "$STUB_IMAGE" ] || finish failed setup "no stub image $STUB_IMAGE for MEDIATOR_KIND=stub: run scripts/lab/prepare.sh (make stub)"
fi

KMOD=
case $TRANSPORT in smc*)
    KMOD=${SMCLAT_KMOD:-$LAB_TOP/build/kmod/$(cat "$IMG/KVER" 2> /dev/null)/smclat_smc.ko}
    [ -e "$KMOD" ] || finish failed setup "no SMC kernel module $KMOD for TRANSPORT=$TRANSPORT: run scripts/lab/prepare.sh"
    ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/smclat-lab.XXXXXX") ||
    finish failed io_error "cannot make a working folder in ${TMPDIR:-/tmp}"
# The console is written here during the run and copied into the results folder at the end
# (first of all files): a full results folder cannot cut it short nor hide the run's progress.
console=$work/console.log
boot_pid=
tail_pid=
stop_sig=
# shellcheck disable=SC2317 # called by the traps
cleanup() {
    [ -n "$boot_pid" ] && kill -TERM "$boot_pid" 2> /dev/null && wait "$boot_pid" 2> /dev/null
    [ -n "$tail_pid" ] && kill "$tail_pid" 2> /dev/null
    rm -rf "$work"
}
# shellcheck disable=SC2317 # called by the traps
on_signal() { # SIGNAME: before the boot, stop here; during it, stop QEMU and collect (below)
    stop_sig=$1
    [ -n "$boot_pid" ] && { kill -TERM "$boot_pid" 2> /dev/null; return; }
    finish interrupted interrupted "stopped by $1 before QEMU started"
}
trap cleanup EXIT
trap 'on_signal SIGINT' INT
trap 'on_signal SIGTERM' TERM
share=$work/share
mkdir -p "$share/img" "$share/bin" "$share/out" "$work/overlay"
lab_params_write "$share/params.env"
lab_copy "$share/params.env" "$out/params.env" ||
    finish failed "$(lab_errno_kind "$LAB_COPY_ERR")" "cannot write $LAB_COPY_ERR"
printf "%s='%s'\n" XEN_BUILD "$LAB_XEN_BUILD" XEN_SCHEDULERS "$LAB_XEN_SCHEDULERS" > "$share/xen-build.env"
cp "$here/dom0-job.sh" "$share/job.sh"
cp "$ARM_BIN"/smclat-* "$share/bin/"
# The images are linked or copied into the run's folder under a shared lock, so that a
# concurrent prepare.sh (exclusive lock) never replaces them under a starting run.
exec 8> "$SMCLAT_CACHE/prepare.lock"
flock -s 8
[ -s "$LAB_XEN_IMAGE" ] || finish failed setup "no Xen image $LAB_XEN_IMAGE (XEN_BUILD=$LAB_XEN_BUILD): run scripts/lab/prepare.sh$([ "$LAB_XEN_BUILD" = source ] && echo " --xen-source")"
ln "$LAB_XEN_IMAGE" "$work/xen" 2> /dev/null || cp "$LAB_XEN_IMAGE" "$work/xen"
ln "$IMG/Image" "$work/Image" 2> /dev/null || cp "$IMG/Image" "$work/Image"
ln "$work/Image" "$share/img/Image" 2> /dev/null || cp "$work/Image" "$share/img/Image"
[ -n "$STUB_IMAGE" ] && cp "$STUB_IMAGE" "$share/img/stub.Image"

# overlay DIR: the folder as a newc cpio on stdout (appended to a base initramfs), the same
# bytes from run to run: sorted names, one fixed mtime, no host inode or device numbers
overlay() {
    (cd "$1" && find . -exec touch -h -d @1767225600 {} + &&
        find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 --reproducible)
}
# DomU images: base + /init + the role's settings + its program
for role in client mediator noise; do
    d=$work/overlay/$role
    mkdir -p "$d/bin" "$d/etc"
    cp "$here/domu-init.sh" "$d/init"
    chmod 755 "$d/init"
    {
        echo "ROLE=$role"
        printf "%s='%s'\n" TRANSPORT "$TRANSPORT" GEN_ARGS "$GEN_ARGS" MEDIATOR_ARGS "$MEDIATOR_ARGS" \
            NOISE_VCPUS "$NOISE_VCPUS" NOISE_LOAD "$NOISE_LOAD"
    } > "$d/etc/smclat-role.env"
    case $role in
        client)
            [ "$TRANSPORT" != none ] && cp "$ARM_BIN/smclat-gen" "$d/bin/"
            case $TRANSPORT in smc*)
                mkdir -p "$d/lib/smclat"
                cp "$KMOD" "$d/lib/smclat/"
                ;;
            esac
            ;;
        mediator) [ "$TRANSPORT" != none ] && cp "$ARM_BIN/smclat-mediator" "$d/bin/" ;;
    esac
    { cat "$IMG/domu-base.cpio.gz"; overlay "$d" | gzip -1 -n; } > "$share/img/domu-$role.cpio.gz"
done
# Dom0 image: base + /init + the job's inputs in /lab (the job script, parameters, programs,
# DomU images): in memory from the start, so no 9p request falls inside the measured window.
# /init mounts the share only when the job is done, to copy /tmp/out into it (docs/lab.md).
d=$work/overlay/dom0
mkdir -p "$d/lab"
cp "$here/dom0-init.sh" "$d/init"
chmod 755 "$d/init"
cp -r "$share/job.sh" "$share/params.env" "$share/xen-build.env" "$share/bin" "$share/img" "$d/lab/"
{ cat "$IMG/dom0-base.cpio"; overlay "$d"; } > "$work/dom0.cpio"
flock -u 8
exec 8>&-

xen_cmdline=$LAB_XEN_CMDLINE
lab_log "$NAME: booting Xen ($LAB_XEN_BUILD build, sched=$XEN_SCHED; $MODE, $PCPUS pCPU(s), timeout ${TIMEOUT_S} s)"
: > "$console"
MODE=$MODE PCPUS=$PCPUS TIMEOUT_S=$TIMEOUT_S XEN_CMDLINE=$xen_cmdline BOOT_STATUS=$work/boot.status \
    "$here/boot.sh" "$work/xen" "$work/Image" "$work/dom0.cpio" "$share" "$console" &
boot_pid=$!
# progress: the guests' milestones, as they come (tail ends with boot.sh)
tail -n +1 --pid=$boot_pid -F "$console" 2> /dev/null |
    sed -un 's/^\[ *\([0-9.]*\)\] SMCLAT-\(DOM0\|JOB\): \(.*\)/lab: [\1 s] \3/p' >&2 &
tail_pid=$!
# wait returns early when a trapped signal arrives: wait again until boot.sh has ended
while kill -0 "$boot_pid" 2> /dev/null; do wait "$boot_pid"; done
wait "$boot_pid"
qrc=$?
boot_pid=
wait "$tail_pid" 2> /dev/null
tail_pid=
qemu_exit=$qrc qemu_signal='' timeout=0 stopped=0
# shellcheck source=/dev/null # boot.sh's account of how QEMU ended
[ -s "$work/boot.status" ] && . "$work/boot.status"
qrc=$qemu_exit

# Collect, the small files first and trace.bin last: on a full file system the logs and the
# reason survive, and the trace is kept as far as it was written (marked partial). The first
# write error is kept: "FILE: strerror".
copy_err=
collect() { # SRC NAME
    [ -e "$1" ] || return 0
    lab_copy "$1" "$out/$2" && return 0
    [ -n "$copy_err" ] || copy_err=$LAB_COPY_ERR
    return 1
}
extract() { # GUEST_LOG NAME: a file the guest printed between markers
    [ -e "$1" ] || return 0
    awk -v n="$2" '$0 == "SMCLAT-FILE-BEGIN " n {f=1; next}
        f && index($0, "SMCLAT-FILE-END " n) {
            pre = substr($0, 1, index($0, "SMCLAT-FILE-END " n) - 1)
            if (pre != "") print pre
            f = 0; next }
        f' \
        "$1" > "$work/$2"
    [ -s "$work/$2" ] && collect "$work/$2" "$2"
}
collect "$console" console.log
for f in "$share"/out/*.txt "$share"/out/*.log "$share"/out/*.json; do
    collect "$f" "${f##*/}"
done
extract "$share/out/guest-client.log" calls.csv
extract "$share/out/guest-client.log" gen-summary.json
extract "$share/out/guest-mediator.log" mediator-summary.json
collect "$share/out/create-trace.bin" create-trace.bin
for f in "$share"/out/*; do # anything else the job left, but trace.bin (last)
    [ -f "$f" ] && [ "${f##*/}" != trace.bin ] && [ ! -e "$out/${f##*/}" ] && collect "$f" "${f##*/}"
done
if ! collect "$share/out/trace.bin" trace.bin; then
    have=$(stat -c %s "$out/trace.bin" 2> /dev/null || echo 0)
    whole=$(stat -c %s "$share/out/trace.bin")
    if [ "$have" -gt 0 ]; then
        trace_partial=true
        copy_err="$copy_err (trace.bin cut at $have of $whole bytes: partial)"
    fi
fi

# What happened, from the most telling fact down (kinds: scripts/lab/reasons.sh).
at=$(sed -n 's/^\[ *\([0-9.]*\)\] SMCLAT-\(DOM0\|JOB\): \(.*\)/\3 (at \1 s)/p' "$console" |
    sed 's/ \[uptime [0-9.]*\]\| uptime=[0-9.]*//' | tail -1)
at=${at:-before Dom0 started}
also=
[ -n "$copy_err" ] && also="; also cannot write $copy_err"
if [ -n "$stop_sig" ]; then
    finish interrupted interrupted "stopped by $stop_sig; QEMU stopped (last step: $at)$also" "$qrc"
fi
if [ "$stopped" = 1 ]; then # boot.sh got the signal, run.sh did not
    finish interrupted interrupted "boot.sh was stopped by a signal; QEMU stopped (last step: $at)$also" "$qrc"
fi
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
    fi
    finish ok "" "" "$qrc"
fi
# the Dom0 job's own verdict: failure.txt ("KIND reason"), else its FAIL line on the console
fl=$(head -1 "$share/out/failure.txt" 2> /dev/null)
[ -n "$fl" ] || fl=$(sed -n 's/.*SMCLAT-JOB: FAIL: \([a-z_]*\): \(.*\) \[uptime [0-9.]*\]$/\1 \2/p' "$console" | head -1)
if [ -n "$fl" ]; then
    kind=${fl%% *}
    lab_reason_known "$kind" || kind=lab_failed
    finish failed "$kind" "${fl#* }$also" "$qrc"
fi
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
# boot: Xen's panic, then Dom0's kernel panic or a failed step of its /init (a DomU that does not
# start is the Dom0 job's verdict, above)
line=$(grep -m1 -A1 "Panic on CPU" "$console" | tail -1 | sed 's/^\[ *[0-9.]*\] //')
[ -n "$line" ] || line=$(grep -m1 -o "Xen BUG at.*\|Assertion '.*' failed.*" "$console")
[ -n "$line" ] && finish failed boot_failed "Xen: $line$also" "$qrc"
if ! grep -q "SMCLAT-DOM0: tools up" "$console"; then
    line=$(grep -m1 -o "Kernel panic.*" "$console")
    [ -n "$line" ] && finish failed boot_failed "Dom0: $line$also" "$qrc"
fi
line=$(grep -m1 -o "SMCLAT-DOM0: error: .*" "$console" | sed 's/ uptime=[0-9.]*$//')
[ -n "$line" ] && finish failed boot_failed "Dom0: ${line#SMCLAT-DOM0: error: }$also" "$qrc"
last=$(grep -v '^\[ *[0-9.]*\] *$' "$console" | tail -1 | sed 's/^\[ *[0-9.]*\] //' | cut -c1-200)
finish failed emulator_exited "QEMU exited with status $qrc before the Dom0 job finished, last step: $at; last console line: ${last:-(none)}$also" "$qrc"
