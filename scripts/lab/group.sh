# shellcheck shell=bash disable=SC2034,SC2154 # variables shared with run.sh, which sources this file
# run.sh --group DIR...: scenarios that share a boot key run one after the other in one boot
# (docs/lab.md, "Groups"). Sourced by run.sh (bash). Each DIR holds lab-params.env and gets the
# results folder a run of its own gives (run.json with a "group" record). Dom0 runs
# dom0-group.sh: per scenario dom0-job.sh, its results kept in Dom0's tmpfs until the group is
# done, then copied to the share. A scenario that fails ends the boot (what it left in Xen is not
# for the next scenario to inherit): the scenarios after it go on in a fresh boot. The scenarios
# run with those needing the same DomUs one after the other (group_order): Dom0 keeps them.

# group_prep I DIR: (a subshell) DIR's scenario packed as $share/sc/I; exit 0 when packed, else
# its run.json says why (1), or its parameters are bad (2)
group_prep() {
    local i=$1 dir=$2
    # shellcheck disable=SC2034 # read by params.sh
    LAB_PARAMS_FILE=$dir/lab-params.env
    lab_params_load "$LAB_PARAMS_FILE" || exit 2
    # shellcheck disable=SC2034 # written by lab_params_write
    XEN_BUILD=$LAB_XEN_BUILD
    t0=$(date +%s.%N)
    out_prepare "$dir"
    [ -z "$reserve_err" ] || finish failed no_space "no room for run.json in the results folder ($reserve_err)"
    [ "$(boot_key)" = "$group_key" ] ||
        finish failed setup "not the boot of its group: boot key $(boot_key), the group's $group_key"
    lab_pack_check
    lab_pack_scenario "$share/sc/$i"
    exit 0
}

# group_console I: the console as scenario I saw it: the boot up to the first scenario, then
# from I's begin to its end (to the console's end when it did not end)
group_console() {
    awk -v i="$1" 'match($0, /SMCLAT-GROUP: begin [0-9]+/) {
            g = 1; split(substr($0, RSTART, RLENGTH), w, " "); mine = (w[3] == i) }
        !g || mine { print }
        mine && /SMCLAT-GROUP: end / { mine = 0 }' "$console"
}

# group_collect I DIR STATE: (a subshell) I's results folder and verdict; STATE: ran (its own
# console part and QEMU's end), boot (the boot failed before any scenario: the whole console)
group_collect() {
    local i=$1 dir=$2 state=$3 b e
    LAB_PARAMS_FILE=$dir/lab-params.env
    lab_params_load "$LAB_PARAMS_FILE" 2> /dev/null || exit 2
    out=$(cd "$dir" && pwd)
    reserve=$out/.run.json.reserve
    t0=$group_t0
    if [ "$state" = ran ]; then
        group_console "$i" > "$work/console-$i.log"
        console=$work/console-$i.log
        b=$(sed -n "s/^\[ *\([0-9.]*\)\] SMCLAT-GROUP: begin $i .*/\1/p" "$console")
        e=$(sed -n "s/^\[ *\([0-9.]*\)\] SMCLAT-GROUP: end $i .*/\1/p" "$console")
        if [ -n "$e" ]; then # QEMU's end belongs to the scenario that was running
            LAB_WALL_S=$(awk -v a="$b" -v b="$e" 'BEGIN{printf "%.1f", b-a}')
            timeout=0 stopped=0 qemu_signal='' xen_hung=''
        fi
    fi
    export LAB_WALL_S
    LAB_GROUP_JSON=$(jq -nc --argjson boot "$group_boot" --argjson index "$group_index" \
        --argjson size "$group_size" --argjson bw "$group_wall" \
        '{boot: $boot, index: $index, size: $size, boot_wall_s: $bw}')
    lab_collect "$share/sc/$i/out" "$work/scratch-$i"
    lab_verdict "$share/sc/$i/out"
}

# group_boot DIR...: one boot for the scenarios; sets group_next (the DIRs for a fresh boot)
group_boot() {
    local dirs=("$@") packed=() i rc list='' began end_rc ran_any=0 verdicts=0 retry=() retry_i=() pids=()
    group_next=()
    group_key=
    work_make
    mkdir -p "$share/sc"
    for i in "${!dirs[@]}"; do
        [ -n "$group_key" ] && break
        # shellcheck disable=SC2034 # read by params.sh
        LAB_PARAMS_FILE=${dirs[$i]}/lab-params.env
        lab_params_load "$LAB_PARAMS_FILE" 2> /dev/null && group_key=$(boot_key)
    done
    [ -n "$group_key" ] || lab_params_load "${dirs[0]}/lab-params.env" # says why, exits below
    lab_pack_lock
    [ -n "$group_key" ] && (lab_pack_boot "$here/dom0-group.sh")
    rc=$?
    if [ -n "$group_key" ] && [ $rc = 0 ]; then
        cp "$here/dom0-job.sh" "$share/scenario-job.sh"
        for i in "${!dirs[@]}"; do
            (group_prep $((i + 1)) "${dirs[$i]}") && packed+=("$i") && list="$list $((i + 1))"
        done
    fi
    if [ ${#packed[@]} -eq 0 ]; then
        lab_pack_unlock
        return 0
    fi
    echo "${list# }" > "$share/group.list"
    lab_pack_dom0
    lab_pack_unlock
    # the group's timeout: its scenarios' own, one after the other
    local t=0
    for i in "${packed[@]}"; do
        # shellcheck source=/dev/null
        t=$((t + $(. "${dirs[$i]}/params.env" 2> /dev/null; echo "${TIMEOUT_S:-300}")))
    done
    group_t0=$(date +%s.%N)
    boot "group of ${#packed[@]} (boot $group_boot)" "$t"
    group_wall=$(awk -v a="$group_t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
    group_size=${#packed[@]}
    grep -q "SMCLAT-GROUP: begin " "$console" && ran_any=1
    group_index=0
    for i in "${packed[@]}"; do
        group_index=$((group_index + 1))
        began=$(grep -c "SMCLAT-GROUP: begin $((i + 1)) " "$console")
        end_rc=$(sed -n "s/.*SMCLAT-GROUP: end $((i + 1)) rc=\([0-9]*\).*/\1/p" "$console")
        if [ -n "$stop_sig" ] || { [ $ran_any = 0 ] && [ "$began" = 0 ]; }; then
            (group_collect $((i + 1)) "${dirs[$i]}" boot)
            verdicts=$((verdicts + 1))
        elif [ "$began" = 0 ] || { [ "$end_rc" = 0 ] && ! grep -q "SMCLAT-GROUP: saved" "$console"; }; then
            retry+=("${dirs[$i]}") # not run, or its results lost with the boot: a fresh boot
            retry_i+=("$i")
        else # the scenarios' folders are made side by side (each its own files)
            (group_collect $((i + 1)) "${dirs[$i]}" ran) &
            pids+=($!)
            verdicts=$((verdicts + 1))
        fi
    done
    [ ${#pids[@]} = 0 ] || wait "${pids[@]}"
    if [ ${#retry[@]} -gt 0 ] && [ $verdicts = 0 ]; then # no progress: never boot again
        lab_log "the boot ended with no scenario's verdict: not booting again for ${retry[*]}"
        for i in "${retry_i[@]}"; do (group_collect $((i + 1)) "${dirs[$i]}" ran); done
        retry=()
    fi
    rm -rf "$work"
    work=
    group_next=("${retry[@]}")
}

# domain_key DIR: (a subshell) what the scenario's DomUs are made of: scenarios with equal keys
# can run in the same domains (dom0-group.sh keeps them); empty for bad parameters
domain_key() {
    LAB_PARAMS_FILE=$1/lab-params.env
    lab_params_load "$LAB_PARAMS_FILE" 2> /dev/null || exit 0
    echo "$MEDIATOR_KIND/$MEDIATOR_VCPUS/$CLIENT_VCPUS/$DOMU_MEM/$TRANSPORT/$NOISE_DOMAINS$(
        [ "$NOISE_DOMAINS" = 0 ] || echo "/$NOISE_VCPUS/$NOISE_LOAD")"
}
# group_order DIR...: the DIRs in group_order[], those with the same domains one after the
# other (in order of first appearance, stable): the fewer domains to create and boot
group_order() {
    local d k keys=() seen=' ' i
    for d in "$@"; do keys+=("$(domain_key "$d")"); done
    group_order=()
    for k in "${keys[@]}"; do
        case $seen in *" [$k] "*) continue ;; esac
        seen="${seen}[$k] "
        for i in "${!keys[@]}"; do [ "${keys[$i]}" = "$k" ] && group_order+=("${@:$((i + 1)):1}"); done
    done
}

# lab_group_run DIR...: the groups' boots until every scenario has its verdict; 0 when all ok
lab_group_run() {
    local d rc=0
    group_boot=0
    group_order "$@"
    group_next=("${group_order[@]}")
    while [ ${#group_next[@]} -gt 0 ]; do
        group_boot=$((group_boot + 1))
        [ $group_boot -gt 1 ] && lab_log "a fresh boot for ${#group_next[@]} scenario(s) left: ${group_next[*]}"
        group_boot "${group_next[@]}"
    done
    for d in "$@"; do
        [ "$(jq -r .status "$d/run.json" 2> /dev/null)" = ok ] || rc=1
    done
    return $rc
}
