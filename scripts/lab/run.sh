#!/bin/bash
# Runs scenarios on the emulated Xen-on-ARM lab and writes their results folders
# (docs/results-folder.md, docs/lab.md): PACK the 9p share (pack.sh), BOOT Xen and Dom0 under
# QEMU (boot.sh), Dom0 runs dom0-job.sh per scenario (DomUs, scheduler configuration, trace,
# metadata), power off, COLLECT each results folder (collect.sh).
# usage: run.sh PARAMS_FILE OUTDIR
#        run.sh --group DIR...          (scenarios sharing a boot key, DIR/lab-params.env each,
#                                        results into DIR: one boot; a failed scenario ends the
#                                        boot, the rest go on in a fresh one)
#        run.sh --boot-key PARAMS_FILE  (what needs a boot: scenarios with the same key can share one)
#        run.sh --check PARAMS_FILE     (check the file; print every key with its default)
#        run.sh --pack WORK JOB DIR... / --collect WORK WALL_S DIR...  (a group booted elsewhere:
#                                        a LAVA job, scripts/lava/lab.sh; external.sh)
#        run.sh --xen PARAMS_FILE       (the Xen build, image and command line it boots)
# env: SMCLAT_CACHE (~/.cache/smclat)  SMCLAT_ARM_BIN (build/aarch64-linux-gnu/bin: the arm64
#      smclat-record, smclat-gen, smclat-mediator)  SMCLAT_KMOD (build/kmod/KVER/smclat_smc.ko,
#      for TRANSPORT=smc and smc+xen)  SMCLAT_STUB_IMAGE (build/stub/smclat-stub.Image, for
#      MEDIATOR_KIND=stub)
# exit: 0 the run succeeded, 1 it failed (run.json says why), 2 bad parameters or usage.
#       --group: 0 when every scenario succeeded, else 1 (each DIR/run.json says why).
set -uo pipefail
# shellcheck disable=SC2034 # LAB_PROG and LAB_PARAMS_FILE are read by lib.sh and params.sh
LAB_PROG=run.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/reasons.sh"
. "$here/params.sh"
. "$here/pack.sh"
. "$here/collect.sh"
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
# boot_key: one line naming what needs a boot: the Xen image and command line (scheduler, Dom0's
# memory and vCPUs), the mode and pCPUs, and the settings of Dom0 and of Pool-0 that a scenario
# changes at run time and the next would inherit (Dom0's pinning, weight, cap; ratelimit,
# tslice, arinc653). The rest (pools, DomUs, their settings, loads) changes per scenario.
boot_key() {
    printf 'xen=%s:%s cmdline=%s mode=%s pcpus=%s mem=%s dom0=%s/%s/%s/%s ratelimit=%s tslice=%s arinc653=%s\n' \
        "$LAB_XEN_BUILD" "$LAB_XEN_IMAGE" "$LAB_XEN_CMDLINE" "$MODE" "$PCPUS" "${MEM_MB:-2048}" \
        "$PIN_DOM0" "$WEIGHT_DOM0" "$CAP_DOM0" "$RTDS_DOM0" "$RATELIMIT_US" "$TSLICE_MS" "$ARINC653"
}
if [ $# = 2 ] && [ "$1" = --boot-key ]; then
    LAB_PARAMS_FILE=$2
    lab_params_load "$2" || exit 2
    boot_key
    exit 0
fi
if [ $# -lt 2 ] || [ "$1" = -h ] || [ "$1" = --help ] || { [ $# -gt 2 ] && [ "$1" != --group ] && [ "$1" != --pack ] && [ "$1" != --collect ]; }; then
    sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2
    [ $# = 1 ] && { [ "$1" = -h ] || [ "$1" = --help ]; } && exit 0
    exit 2
fi
IMG=$LAB_CACHE/img
ARM_BIN=${SMCLAT_ARM_BIN:-$LAB_TOP/build/$LAB_ARCH/bin}

# out_prepare DIR: the results folder made and emptied of what an earlier run left (only the
# lab's own files: smclat suite keeps lab.log and more here); room reserved for run.json
out_prepare() {
    mkdir -p "$1" || lab_die 2 "$1: cannot create the results folder"
    out=$(cd "$1" && pwd)
    rm -f "$out"/{trace.bin,metadata.json,calls.csv,gen-summary.json,mediator-summary.json} \
        "$out"/{console.log,run.json,params.env,failure.txt,xenstore.txt} "$out"/guest-*.log \
        "$out"/{apply,trace,metadata,xl-create,xen-dmesg,create-trace}.log "$out"/create-trace.bin \
        "$out"/{.run.json.reserve,run.json.tmp} "$(dirname "$out")/$(basename "$out").run.json"
    # run.json is written whole or not at all (run.json.tmp, renamed), into room reserved at the
    # start: a results folder whose file system filled up still gets its reason. If even that
    # fails it goes to the folder above (the suite's folder: NAME.run.json) and stderr says so.
    reserve=$out/.run.json.reserve
    reserve_err=
    if ! err=$(dd if=/dev/zero of="$reserve" bs=65536 count=1 status=none 2>&1); then
        err=$(echo "$err" | head -1)
        reserve_err="$reserve: ${err##*: }"
    fi
}
# finish STATUS KIND REASON [QEMU_RC]: run.json, a line on stderr, exit (0 when ok, else 1)
qemu_signal='' trace_partial=false calls_not_ok='' calls_not_ok_by='{}'
finish() {
    local status=$1 kind=$2 reason=$3 qrc=${4:-null} wall boot tail='[]' json err fb busy
    wall=${LAB_WALL_S:-$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')}
    boot=$(sed -n 's/^\[ *\([0-9.]*\)\] SMCLAT-DOM0: tools up.*/\1/p' "$console" 2> /dev/null | head -1)
    [ "$status" != ok ] && [ -s "$console" ] &&
        tail=$(tail -n 30 "$console" | cut -c1-400 | jq -R . | jq -s .)
    json=$(jq -n --arg name "$NAME" --arg status "$status" --arg reason "$reason" --arg kind "$kind" \
        --argjson wall "$wall" --argjson boot "${boot:-null}" --argjson qrc "$qrc" \
        --arg sig "$qemu_signal" --argjson partial "$trace_partial" \
        --argjson tail "$tail" --arg mode "$MODE" --argjson pcpus "$PCPUS" \
        --arg xb "$LAB_XEN_BUILD" --argjson group "${LAB_GROUP_JSON:-null}" \
        --argjson cno "${calls_not_ok:-null}" --argjson cnob "${calls_not_ok_by:-"{}"}" \
        --argjson host "${LAB_HOST_JSON:-null}" \
        '{smclat_run: 1, name: $name, status: $status, mode: $mode, pcpus: $pcpus, xen_build: $xb,
          wall_s: $wall, boot_s: $boot, qemu_exit: $qrc}
         + (if $group != null then {group: $group} else {} end)
         + (if $sig != "" then {qemu_signal: $sig} else {} end)
         + (if $reason != "" then {reason_kind: $kind, reason: $reason} else {} end)
         + (if $partial then {trace_partial: true} else {} end)
         + (if $cno != null then {calls_not_ok: $cno, calls_not_ok_by_error: $cnob} else {} end)
         + (if $host != null then {host: $host} else {} end)
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
    # an smp run shares the host's cores with whatever else runs: QEMU's vCPU threads wait (less
    # often at a raised priority, boot.sh), the emulated pCPUs stall, and the trace's wake
    # latencies and shapes with them
    if [ "$MODE" = smp ] && [ -n "${LAB_HOST_JSON:-}" ] &&
        busy=$(jq -re 'select(.other_share > 0.2) | "\(.other_share * 100 | round)% of the host'"'"'s \(.cpus) CPUs during this smp-mode boot (QEMU at nice \(.qemu_nice))"' <<< "$LAB_HOST_JSON"); then
        lab_log "warning: $NAME: other work took $busy: its emulated pCPUs may have stalled, so its wake latencies, tails and call shapes may not be the guests' own (run.json host; docs/lab.md)"
    fi
    if [ "$status" = ok ]; then
        [ -n "$calls_not_ok" ] &&
            lab_log "warning: $NAME: $calls_not_ok calls not ok ($(jq -r 'to_entries | map("\(.key) \(.value)") | join(", ")' <<< "$calls_not_ok_by")): their status in $out/calls.csv"
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

boot_pid=
tail_pid=
stop_sig=
work=
# shellcheck disable=SC2317 # called by the traps
cleanup() {
    [ -n "$boot_pid" ] && kill -TERM "$boot_pid" 2> /dev/null && wait "$boot_pid" 2> /dev/null
    [ -n "$tail_pid" ] && kill "$tail_pid" 2> /dev/null
    [ -n "$work" ] && rm -rf "$work"
}
# shellcheck disable=SC2317 # called by the traps
on_signal() { # SIGNAME: before the boot, stop here; during it, stop QEMU and collect (below)
    stop_sig=$1
    [ -n "$boot_pid" ] && { kill -TERM "$boot_pid" 2> /dev/null; return; }
    [ -n "$group" ] && { lab_log "stopped by $1 before QEMU started"; exit 1; }
    finish interrupted interrupted "stopped by $1 before QEMU started"
}
work_make() { # the run's working folder ($work, $share, $console)
    work=$(mktemp -d "${TMPDIR:-/tmp}/smclat-lab.XXXXXX") ||
        finish failed io_error "cannot make a working folder in ${TMPDIR:-/tmp}"
    # The console is written here during the run and copied into the results folder at the end
    # (first of all files): a full results folder cannot cut it short nor hide the run's progress.
    console=$work/console.log
    share=$work/share
    mkdir -p "$share" "$work/overlay"
}

# host_cpu: "BUSY CHILDREN" in clock ticks: the host's busy CPU time so far (/proc/stat: user,
# nice, system, irq, softirq, steal) and that of this script's reaped children, QEMU's included
# (cutime + cstime of /proc/$$/stat: the script's own process, also from a subshell)
host_cpu() {
    local busy own
    busy=$(awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat)
    own=$(sed 's/^.*) //' "/proc/$$/stat" | awk '{ print $14 + $15 }')
    echo "$busy $own"
}
# host_json BEFORE AFTER WALL_S NICE: what else ran on the host during a boot, as run.json's host
# record: the CPU time the rest of the host used beside the lab's own processes (QEMU and this
# script's), its share of the host's CPUs over the boot, and the nice QEMU ran at (boot.sh's
# qemu_nice; null when not known)
host_json() {
    local hz ncpu
    hz=$(getconf CLK_TCK)
    ncpu=$(nproc)
    awk -v b="$1" -v a="$2" -v w="$3" -v hz="$hz" -v n="$ncpu" -v nice="${4:-null}" 'BEGIN {
        split(b, x, " "); split(a, y, " ");
        busy = (y[1] - x[1]) / hz; own = (y[2] - x[2]) / hz; other = busy - own; if (other < 0) other = 0;
        share = (w > 0) ? other / (n * w) : 0; if (share > 1) share = 1;
        printf "{\"cpus\": %d, \"lab_cpu_s\": %.1f, \"other_cpu_s\": %.1f, \"other_share\": %.2f, \"qemu_nice\": %s}\n",
            n, own, other, share, nice }'
}

# boot TIMEOUT: boots $work's images with $share, console to $console; sets qrc, qemu_signal,
# timeout, stopped (boot.sh's account of how QEMU ended)
boot() {
    lab_log "$1: booting Xen ($LAB_XEN_BUILD build, sched=$XEN_SCHED; $MODE, $PCPUS pCPU(s), timeout $2 s)"
    : > "$console"
    local cpu0 b0
    cpu0=$(host_cpu)
    b0=$(date +%s.%N)
    MODE=$MODE PCPUS=$PCPUS TIMEOUT_S=$2 XEN_CMDLINE=$LAB_XEN_CMDLINE BOOT_STATUS=$work/boot.status \
        "$here/boot.sh" "$work/xen" "$work/Image" "$work/dom0.cpio" "$share" "$console" &
    boot_pid=$!
    # progress: the guests' milestones, as they come (tail ends with boot.sh)
    tail -n +1 --pid=$boot_pid -F "$console" 2> /dev/null |
        sed -un 's/^\[ *\([0-9.]*\)\] SMCLAT-\(DOM0\|JOB\|GROUP\): \(.*\)/lab: [\1 s] \3/p' >&2 &
    tail_pid=$!
    # wait returns early when a trapped signal arrives: wait again until boot.sh has ended
    while kill -0 "$boot_pid" 2> /dev/null; do wait "$boot_pid"; done
    wait "$boot_pid"
    qrc=$?
    boot_pid=
    wait "$tail_pid" 2> /dev/null
    tail_pid=
    local cpu1 b1
    cpu1=$(host_cpu)
    b1=$(date +%s.%N)
    qemu_exit=$qrc qemu_signal='' timeout=0 stopped=0 qemu_nice= xen_hung=
    # shellcheck source=/dev/null # boot.sh's account of how QEMU ended
    [ -s "$work/boot.status" ] && . "$work/boot.status"
    qrc=$qemu_exit
    [[ $qemu_nice =~ ^-?[0-9]+$ ]] || qemu_nice=
    LAB_HOST_JSON=$(host_json "$cpu0" "$cpu1" "$(awk -v a="$b0" -v b="$b1" 'BEGIN{print b - a}')" "$qemu_nice")
    export LAB_HOST_JSON
}

trap cleanup EXIT
trap 'on_signal SIGINT' INT
trap 'on_signal SIGTERM' TERM
group=
qemu_signal='' trace_partial=false console=/nonexistent copy_err=
if [ "$1" = --group ]; then
    shift
    group=1
    . "$here/group.sh"
    lab_group_run "$@"
    exit $?
fi
# a group booted elsewhere (scripts/lava): packed here, its results folders made here
if [ "$1" = --pack ] || [ "$1" = --collect ]; then
    [ "$1" = --pack ] && [ $# -lt 4 ] && lab_die 2 "usage: run.sh --pack WORK JOB DIR..."
    [ "$1" = --collect ] && [ $# -lt 4 ] && lab_die 2 "usage: run.sh --collect WORK WALL_S DIR..."
    . "$here/group.sh"
    . "$here/external.sh"
    if [ "$1" = --pack ]; then
        shift
        lab_ext_pack "$@"
    else
        shift
        lab_ext_collect "$@"
    fi
    exit $?
fi

# One scenario, one boot
# shellcheck disable=SC2034 # read by params.sh
LAB_PARAMS_FILE=$1
lab_params_load "$1" || exit 2
# shellcheck disable=SC2034 # written by lab_params_write
XEN_BUILD=$LAB_XEN_BUILD # params.env and metadata.json say which build booted
t0=$(date +%s.%N)
out_prepare "$2"
[ -z "$reserve_err" ] || finish failed no_space "no room for run.json in the results folder ($reserve_err)"
lab_pack_check
work_make
lab_pack_lock
lab_pack_boot "$here/dom0-job.sh"
lab_pack_scenario "$share"
lab_pack_dom0
lab_pack_unlock
boot "$NAME" "$TIMEOUT_S"
lab_collect "$share/out" "$work/scratch"
lab_verdict "$share/out"
