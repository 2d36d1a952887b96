#!/bin/bash
# Runs one scenario on the emulated Xen-on-ARM lab and writes a results folder
# (docs/results-folder.md, docs/lab.md): boot Xen and Dom0 under QEMU, Dom0 runs
# dom0-job.sh (DomUs, scheduler configuration, trace, metadata), power off, collect.
# usage: run.sh PARAMS_FILE OUTDIR
#        run.sh --check PARAMS_FILE   (check the file; print every key with its default)
#        run.sh --xen PARAMS_FILE     (the Xen build, image and command line it boots)
# env: SMCLAT_CACHE (~/.cache/smclat)  SMCLAT_ARM_BIN (build/aarch64-linux-gnu/bin: the arm64
#      smclat-record, smclat-gen, smclat-mediator)  SMCLAT_KMOD (build/kmod/KVER/smclat_smc.ko,
#      for TRANSPORT=smc and smc+xen)
# exit: 0 the run succeeded, 1 it failed (run.json says why), 2 bad parameters or usage.
set -uo pipefail
# shellcheck disable=SC2034 # LAB_PROG and LAB_PARAMS_FILE are read by lib.sh and params.sh
LAB_PROG=run.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
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
    "$out"/{apply,trace,metadata,xl-create,xen-dmesg}.log

# run.json: STATUS REASON [QEMU_RC]
finish() {
    local status=$1 reason=$2 qrc=${3:-null} wall boot tail='[]'
    wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
    boot=$(sed -n 's/^\[ *\([0-9.]*\)\] SMCLAT-DOM0: tools up.*/\1/p' "$out/console.log" 2> /dev/null | head -1)
    [ "$status" != ok ] && [ -e "$out/console.log" ] &&
        tail=$(tail -n 30 "$out/console.log" | jq -R . | jq -s .)
    jq -n --arg name "$NAME" --arg status "$status" --arg reason "$reason" \
        --argjson wall "$wall" --argjson boot "${boot:-null}" --argjson qrc "$qrc" \
        --argjson tail "$tail" --arg mode "$MODE" --argjson pcpus "$PCPUS" \
        --arg xb "$LAB_XEN_BUILD" \
        '{smclat_run: 1, name: $name, status: $status, mode: $mode, pcpus: $pcpus, xen_build: $xb,
          wall_s: $wall, boot_s: $boot, qemu_exit: $qrc}
         + (if $reason != "" then {reason: $reason} else {} end)
         + (if $status != "ok" then {console_tail: $tail} else {} end)' > "$out/run.json"
    if [ "$status" = ok ]; then
        lab_log "$NAME: ok in ${wall} s -> $out"
        exit 0
    fi
    lab_log "$NAME: $status: $reason (wall ${wall} s; console: $out/console.log)"
    if [ "$tail" != '[]' ]; then
        echo "--- console tail:" >&2
        tail -n 15 "$out/console.log" >&2
    fi
    exit 1
}

[ -e "$IMG/dom0-base.cpio" ] || finish failed "no lab images in $IMG: run scripts/lab/prepare.sh"
# The hypervisor built from Debian's source package: built on first need (about 2-3 minutes)
if [ "$LAB_XEN_BUILD" = source ] && [ ! -s "$LAB_XEN_IMAGE" ]; then
    lab_log "$NAME: needs Xen built from source ($LAB_XEN_NEEDS); building it once (prepare.sh --xen-source)"
    "$here/prepare.sh" --no-build --xen-source >&2 ||
        finish failed "building Xen from Debian's source package failed (scripts/lab/prepare.sh --xen-source)"
    lab_xen_config "$LAB_PARAMS_FILE"
fi
need="smclat-record"
[ "$TRANSPORT" != none ] && need="$need smclat-gen smclat-mediator"
for p in $need; do
    [ -x "$ARM_BIN/$p" ] || finish failed "no arm64 $p in $ARM_BIN: run scripts/lab/prepare.sh (make CROSS=$LAB_ARCH-)"
done

KMOD=
case $TRANSPORT in smc*)
    KMOD=${SMCLAT_KMOD:-$LAB_TOP/build/kmod/$(cat "$IMG/KVER" 2> /dev/null)/smclat_smc.ko}
    [ -e "$KMOD" ] || finish failed "no SMC kernel module $KMOD for TRANSPORT=$TRANSPORT: run scripts/lab/prepare.sh"
    ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/smclat-lab.XXXXXX")
boot_pid=
tail_pid=
# shellcheck disable=SC2317 # called by the traps
cleanup() {
    [ -n "$boot_pid" ] && kill -TERM "$boot_pid" 2> /dev/null && wait "$boot_pid" 2> /dev/null
    [ -n "$tail_pid" ] && kill "$tail_pid" 2> /dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'cleanup; trap - EXIT; finish interrupted "stopped by a signal (SIGINT or SIGTERM)"' INT TERM
share=$work/share
mkdir -p "$share/img" "$share/bin" "$share/out" "$work/overlay"
lab_params_write "$share/params.env"
cp "$share/params.env" "$out/params.env"
printf "%s='%s'\n" XEN_BUILD "$LAB_XEN_BUILD" XEN_SCHEDULERS "$LAB_XEN_SCHEDULERS" > "$share/xen-build.env"
cp "$here/dom0-job.sh" "$share/job.sh"
cp "$ARM_BIN"/smclat-* "$share/bin/"
# The images are linked or copied into the run's folder under a shared lock, so that a
# concurrent prepare.sh (exclusive lock) never replaces them under a starting run.
exec 8> "$SMCLAT_CACHE/prepare.lock"
flock -s 8
[ -s "$LAB_XEN_IMAGE" ] || finish failed "no Xen image $LAB_XEN_IMAGE (XEN_BUILD=$LAB_XEN_BUILD): run scripts/lab/prepare.sh$([ "$LAB_XEN_BUILD" = source ] && echo " --xen-source")"
ln "$LAB_XEN_IMAGE" "$work/xen" 2> /dev/null || cp "$LAB_XEN_IMAGE" "$work/xen"
ln "$IMG/Image" "$work/Image" 2> /dev/null || cp "$IMG/Image" "$work/Image"
ln "$work/Image" "$share/img/Image" 2> /dev/null || cp "$work/Image" "$share/img/Image"

# overlay DIR: the folder as a newc cpio on stdout (appended to a base initramfs)
overlay() { (cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0); }
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
    { cat "$IMG/domu-base.cpio.gz"; overlay "$d" | gzip -1; } > "$share/img/domu-$role.cpio.gz"
done
# Dom0 image: base + /init
d=$work/overlay/dom0
mkdir -p "$d"
cp "$here/dom0-init.sh" "$d/init"
chmod 755 "$d/init"
{ cat "$IMG/dom0-base.cpio"; overlay "$d"; } > "$work/dom0.cpio"
flock -u 8
exec 8>&-

xen_cmdline=$LAB_XEN_CMDLINE
lab_log "$NAME: booting Xen ($LAB_XEN_BUILD build, sched=$XEN_SCHED; $MODE, $PCPUS pCPU(s), timeout ${TIMEOUT_S} s)"
: > "$out/console.log"
MODE=$MODE PCPUS=$PCPUS TIMEOUT_S=$TIMEOUT_S XEN_CMDLINE=$xen_cmdline \
    "$here/boot.sh" "$work/xen" "$work/Image" "$work/dom0.cpio" "$share" "$out/console.log" &
boot_pid=$!
# progress: the guests' milestones, as they come (tail ends with boot.sh)
tail -n +1 --pid=$boot_pid -F "$out/console.log" 2> /dev/null |
    sed -un 's/^\[ *\([0-9.]*\)\] SMCLAT-\(DOM0\|JOB\): \(.*\)/lab: [\1 s] \3/p' >&2 &
tail_pid=$!
wait $boot_pid
qrc=$?
boot_pid=
wait "$tail_pid" 2> /dev/null
tail_pid=

# collect
cp -r "$share/out/." "$out/"
extract() { # GUEST_LOG NAME: a file the guest printed between markers
    [ -e "$1" ] || return 0
    awk -v n="$2" '$0 == "SMCLAT-FILE-BEGIN " n {f=1; next}
        f && index($0, "SMCLAT-FILE-END " n) {
            pre = substr($0, 1, index($0, "SMCLAT-FILE-END " n) - 1)
            if (pre != "") print pre
            f = 0; next }
        f' \
        "$1" > "$out/$2.tmp"
    if [ -s "$out/$2.tmp" ]; then mv "$out/$2.tmp" "$out/$2"; else rm -f "$out/$2.tmp"; fi
}
extract "$out/guest-client.log" calls.csv
extract "$out/guest-client.log" gen-summary.json
extract "$out/guest-mediator.log" mediator-summary.json

if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
    finish timeout "QEMU still running after TIMEOUT_S=$TIMEOUT_S s" "$qrc"
fi
if grep -q "SMCLAT-JOB: finished" "$out/console.log"; then
    if [ ! -s "$out/trace.bin" ] || [ ! -s "$out/metadata.json" ]; then
        finish failed "trace.bin or metadata.json missing" "$qrc"
    fi
    if [ "$TRANSPORT" != none ]; then
        [ -s "$out/calls.csv" ] || finish failed "the client's calls.csv did not come back (guest-client.log)" "$qrc"
    fi
    finish ok "" "$qrc"
fi
reason=$(cat "$out/failure.txt" 2> /dev/null)
[ -n "$reason" ] || reason=$(grep -o "SMCLAT-[A-Z0-9]*: error: .*" "$out/console.log" | head -1)
[ -n "$reason" ] || reason=$(grep -m1 -o "Xen BUG.*\|Kernel panic.*\|Panic on CPU.*" "$out/console.log")
[ -n "$reason" ] || reason="the Dom0 job did not finish (QEMU exit $qrc)"
finish failed "$reason" "$qrc"
