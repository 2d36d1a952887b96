# shellcheck shell=bash disable=SC2154 # sourced by scripts/lava/lab.sh: dirs, identity, url, jobdir
# Farm mode (smclat suite run --lava IDENTITY): every boot's job is submitted up front with
# lavacli (lava_farm_submit), then each is waited for and its results brought back over its
# log (lava_farm_wait). The job id is kept in each results folder (lava-job.id; lava-job.idx:
# the scenario's place in the job): a resumed suite waits for that job instead of submitting
# it again. LAVACLI: lavacli -i IDENTITY (SMCLAT_LAVACLI: another lavacli).
lavacli_() { "${SMCLAT_LAVACLI:-lavacli}" -i "$identity" "$@"; }

lava_farm_submit() {
    local d id='' same=1 out err
    command -v "${SMCLAT_LAVACLI:-lavacli}" > /dev/null ||
        { fail_all setup "lavacli is not installed: run scripts/deps.sh lava"; return 1; }
    for d in "${dirs[@]}"; do
        [ -s "$d/lava-job.id" ] || { same=0; break; }
        [ -z "$id" ] || [ "$(cat "$d/lava-job.id")" = "$id" ] || same=0
        id=$(cat "$d/lava-job.id")
    done
    if [ $same = 1 ]; then
        say "job $id (submitted earlier): waiting for it, not submitting again"
        return 0
    fi
    rm -f "${dirs[@]/%//lava-job.id}"
    lava_gen "$jobdir" "$url" > /dev/null || return 1
    if [ -n "${SMCLAT_LAVA_PUBLISH:-}" ]; then # the payloads to where the farm fetches them
        err=$($SMCLAT_LAVA_PUBLISH "$jobdir/payloads" 2>&1) ||
            { fail_all setup "publishing the payloads failed ($SMCLAT_LAVA_PUBLISH): $(echo "$err" | tail -1)" "${gen_packed[@]}"; return 1; }
    fi
    out=$(lavacli_ jobs submit "$gen_job" 2>&1)
    id=$(echo "$out" | tail -1)
    case $id in
        '' | *[!0-9.]*)
            fail_all lab_failed "the farm refused the submission of ${gen_job##*/}: $(echo "$out" | grep -v '^ *$' | tail -1 | cut -c1-300)" "${gen_packed[@]}"
            return 1 ;;
    esac
    local i
    for i in $gen_idx; do
        d=${dirs[$((i - 1))]}
        echo "$id" > "$d/lava-job.id"
        echo "$i" > "$d/lava-job.idx"
    done
    say "${gen_job##*/}: submitted as job $id (${#gen_packed[@]} scenario(s))"
}

lava_farm_wait() {
    local d id ids=() rc=0
    for d in "${dirs[@]}"; do
        if [ ! -s "$d/lava-job.id" ]; then # its submission failed (run.json says why) or never ran
            [ -s "$d/run.json" ] || fail_all setup "no LAVA job id in $d (not submitted)" "$d"
            rc=1
            continue
        fi
        id=$(cat "$d/lava-job.id")
        case " ${ids[*]} " in *" $id "*) ;; *) ids+=("$id") ;; esac
    done
    for id in "${ids[@]}"; do
        lava_farm_one "$id" || rc=1
    done
    return $rc
}

# lava_farm_one ID: wait for the job, its health, its log, the results folders of its scenarios
lava_farm_one() {
    local id=$1 d i err health w
    gen_packed=() gen_idx=
    local cdirs=()
    for d in "${dirs[@]}"; do
        [ "$(cat "$d/lava-job.id" 2> /dev/null)" = "$id" ] || continue
        i=$(cat "$d/lava-job.idx")
        gen_packed+=("$d")
        gen_idx="$gen_idx $i"
        cdirs[i - 1]=$d
    done
    w=$(mktemp -d "${TMPDIR:-/tmp}/smclat-lava.XXXXXX") || { fail_all setup "cannot make a working folder" "${gen_packed[@]}"; return 1; }
    say "job $id: waiting (${#gen_packed[@]} scenario(s))"
    local t0
    t0=$(date +%s.%N)
    if ! err=$(lavacli_ jobs wait "$id" 2>&1); then
        fail_all lab_failed "job $id: lavacli jobs wait failed: $(echo "$err" | tail -1 | cut -c1-300)" "${gen_packed[@]}"
        rm -rf "$w"
        return 1
    fi
    health=$(lavacli_ jobs show "$id" --json 2> /dev/null | jq -r '.health // "Unknown"')
    lavacli_ jobs logs --raw "$id" > "$w/lava.log" 2> "$w/logs.err" ||
        { fail_all lab_failed "job $id ($health): lavacli jobs logs failed: $(tail -1 "$w/logs.err")" "${gen_packed[@]}"; rm -rf "$w"; return 1; }
    lavacli_ results --yaml "$id" > "$w/results.yaml" 2> "$w/results.err" ||
        { fail_all lab_failed "job $id ($health): lavacli results failed: $(tail -1 "$w/results.err")" "${gen_packed[@]}"; rm -rf "$w"; return 1; }
    "$py" "$lava_py" extract "$w/lava.log" "$w" "$w/results.yaml" ||
        { fail_all lab_failed "job $id: cannot read its log" "${gen_packed[@]}"; rm -rf "$w"; return 1; }
    echo "$health" > "$w/health"
    # the folders by their place in the job (run.sh --collect reads DIR I for sc/I)
    local n=0 all=()
    for i in $gen_idx; do [ "$i" -gt $n ] && n=$i; done
    for ((i = 0; i < n; i++)); do all+=("${cdirs[$i]:-$w/none-$i}"); done
    local keep=("${dirs[@]}")
    dirs=("${all[@]}")
    lava_verdict "$w" "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')" 0
    i=$?
    dirs=("${keep[@]}")
    rm -rf "$w"
    return $i
}
