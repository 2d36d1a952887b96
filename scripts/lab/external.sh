# shellcheck shell=bash disable=SC2034,SC2154 # variables shared with run.sh, which sources this file
# A group booted elsewhere than on this host's QEMU (a LAVA job, scripts/lava, docs/lava.md):
# packed here exactly as run.sh --group packs it, its results folders made here from the
# console and the results that come back. Sourced by run.sh after group.sh (bash).

# lab_ext_pack WORK JOB DIR...: the group's boot files and Dom0 overlay in WORK (kept):
# WORK/xen, WORK/Image, WORK/overlay/dom0 (/init, /lab: JOB as /lab/job.sh, dom0-group.sh as
# /lab/group.sh, scenario I's share in /lab/sc/I), WORK/packed (the indices packed). A scenario
# that cannot be packed gets its run.json (as in a group run). 0 when one or more was packed.
lab_ext_pack() {
    local dest=$1 job=$2 d i list=''
    shift 2
    local dirs=("$@")
    work=$dest
    share=$work/share
    mkdir -p "$share/sc" "$work/overlay" || lab_die 2 "$work: cannot make the working folder"
    group_key=
    for d in "${dirs[@]}"; do
        LAB_PARAMS_FILE=$d/lab-params.env
        lab_params_load "$LAB_PARAMS_FILE" 2> /dev/null && group_key=$(boot_key) && break
    done
    [ -n "$group_key" ] || { lab_params_load "${dirs[0]}/lab-params.env"; work= && return 1; }
    lab_pack_lock
    if (lab_pack_boot "$job"); then
        cp "$here/dom0-job.sh" "$share/scenario-job.sh"
        cp "$here/dom0-group.sh" "$share/group.sh"
        for i in "${!dirs[@]}"; do
            (group_prep $((i + 1)) "${dirs[$i]}") && list="$list $((i + 1))"
        done
        echo "${list# }" > "$share/group.list"
        [ -z "$list" ] || lab_pack_dom0_tree
    fi
    lab_pack_unlock
    echo "${list# }" > "$work/packed"
    work=
    [ -n "$list" ]
}

# lab_ext_collect WORK WALL DIR...: each packed DIR's results folder and run.json from
# WORK/console.log (the console, "[seconds] line" as boot.sh writes it) and WORK/share/sc/I/out
# (the results that came back); WALL: the boot's wall time (s). A scenario the boot never began
# (an earlier one failed: the group ends there) is "not run" in its run.json. 0 when all ok.
lab_ext_collect() {
    local from=$1 i rc=0 d
    group_wall=$2
    shift 2
    local dirs=("$@")
    share=$from/share
    console=$from/console.log
    work=$(mktemp -d "${TMPDIR:-/tmp}/smclat-lab.XXXXXX") || lab_die 1 "cannot make a working folder"
    group_boot=1 group_index=0 group_size=$(wc -w < "$from/packed")
    group_t0=$(awk -v w="$group_wall" -v b="$(date +%s.%N)" 'BEGIN{printf "%.3f", b-w}')
    qrc=0 timeout=0 stopped=0 qemu_signal='' stop_sig=''
    for i in $(cat "$from/packed"); do
        group_index=$((group_index + 1))
        d=${dirs[$((i - 1))]}
        if grep -q "SMCLAT-GROUP: begin $i " "$console"; then
            (group_collect "$i" "$d" ran)
        elif grep -q "SMCLAT-GROUP: begin " "$console"; then
            (LAB_PARAMS_FILE=$d/lab-params.env lab_params_load "$d/lab-params.env" 2> /dev/null
             out=$(cd "$d" && pwd) reserve=$d/.run.json.reserve t0=$group_t0 LAB_WALL_S=0
             console=/nonexistent
             finish failed lab_failed "not run: an earlier scenario of its boot failed, which ends the boot")
        else
            (group_collect "$i" "$d" boot)
        fi
    done
    for d in "${dirs[@]}"; do
        [ "$(jq -r .status "$d/run.json" 2> /dev/null)" = ok ] || rc=1
    done
    return $rc
}
