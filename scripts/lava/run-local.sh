# shellcheck shell=bash disable=SC2154 # sourced by scripts/lava/lab.sh: dirs, device, py, lava_py
# lava_local: the group ($dirs) as a LAVA job run here by lava-run on DEVICE ($device), holding
# the lab lock; the results folders from its log (lava_verdict). Nothing is left running: on a
# timeout or a signal lava-run is stopped (it stops its QEMU), and a QEMU of this job still
# running after it is killed by its process id.
lava_local() {
    local run=${SMCLAT_LAVA_RUN:-lava-run} lock=${SMCLAT_LAB_LOCK:-/tmp/smclat-lab.lock} err t
    command -v "$run" > /dev/null ||
        { fail_all setup "lava-dispatcher is not installed (no $run): run scripts/deps.sh lava"; return 1; }
    [ -r "$device" ] || { fail_all setup "$device: cannot read the LAVA device file"; return 1; }
    lw=$(mktemp -d "${TMPDIR:-/tmp}/smclat-lava.XXXXXX") || { fail_all setup "cannot make a working folder"; return 1; }
    lpid=
    trap 'lava_stop TERM; rm -rf "$lw"' EXIT
    trap 'lava_stop TERM; exit 1' TERM INT
    lava_gen "$lw/jobs" - > /dev/null || return 1
    err=$("$py" "$lava_py" fits "$device" "$gen_job" 2>&1) ||
        { fail_all setup "${err#lava: }" "${gen_packed[@]}"; return 1; }
    t=0
    for d in "${gen_packed[@]}"; do t=$((t + $(. "$d/params.env" 2> /dev/null; echo "${TIMEOUT_S:-300}"))); done
    t=$((t + 45)) # LAVA's deploy and boot; within the suite's margin (60 s a scenario)
    if [ "$lock" != - ]; then
        exec 7> "$lock"
        flock -n 7 || { say "waiting for the lab lock $lock"; flock 7; }
    fi
    say "${gen_job##*/}: lava-run (${#gen_packed[@]} scenario(s), timeout $t s)"
    local t0 timed_out=0 rc
    t0=$(date +%s.%N)
    "$run" --job-id "$$" --output-dir "$lw/out" --device "$device" "$gen_job" > "$lw/lava-run.out" 2> "$lw/lava.log" 7>&- &
    lpid=$!
    while kill -0 "$lpid" 2> /dev/null; do
        if [ "$(awk -v a="$t0" -v b="$(date +%s.%N)" -v t="$t" 'BEGIN{print (b - a > t)}')" = 1 ]; then
            timed_out=1
            say "lava-run still running after $t s: stopping it"
            lava_stop TERM
            break
        fi
        sleep 0.5
    done
    wait "$lpid" 2> /dev/null
    rc=$?
    lpid=
    lava_stop TERM # a QEMU of this job left behind
    [ "$lock" = - ] || exec 7>&-
    local wall
    wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
    say "lava-run exit $rc after $wall s"
    "$py" "$lava_py" extract "$lw/lava.log" "$lw" ||
        { fail_all lab_failed "cannot read the job's log $lw/lava.log" "${gen_packed[@]}"; return 1; }
    [ $timed_out = 0 ] || echo "lava-run still running after $t s: stopped" > "$lw/timed-out"
    lava_verdict "$lw" "$wall" "$rc"
}

# lava_stop SIG: lava-run (when running) gets SIG, SIGKILL 10 s later; then any QEMU of this job
# (its command line names this job's folders) is killed by its process id
lava_stop() {
    local p
    if [ -n "${lpid:-}" ] && kill -0 "$lpid" 2> /dev/null; then
        kill -"$1" "$lpid" 2> /dev/null
        for _ in $(seq 20); do kill -0 "$lpid" 2> /dev/null || break; sleep 0.5; done
        kill -KILL "$lpid" 2> /dev/null
        wait "$lpid" 2> /dev/null
    fi
    [ -n "${lw:-}" ] || return 0
    for p in /proc/[0-9]*; do
        case $({ tr '\0' ' ' < "$p/cmdline"; } 2> /dev/null) in
            *qemu-system*"/$$/"* | *qemu-system*"$lw"*) kill -KILL "${p#/proc/}" 2> /dev/null &&
                say "killed a QEMU left behind (pid ${p#/proc/})" ;;
        esac
    done
}

# lava_verdict WORK WALL RC: each packed folder's results and run.json from what lava.py
# extract left in WORK (console.log, share/sc/I/out, lava-results.json): the job's health
# first, then the results, then each scenario's own verdict (run.sh --collect), then its LAVA
# test case (a job completes with its test failed). Copies the job's log into each folder.
lava_verdict() {
    local w=$1 wall=$2 rc=$3 r=$1/lava-results.json res jr em d name tc st
    for d in "${gen_packed[@]}"; do
        cp "$w/lava.log" "$d/lava.log" 2> /dev/null
    done
    jr=$(jq -r '.job.result // ""' "$r")
    em=$(jq -r '[.job.error_type // empty, .job.error_msg // empty] | join(": ")' "$r")
    if [ -e "$w/timed-out" ]; then
        fail_all timeout "LAVA job: $(cat "$w/timed-out")${em:+ ($em)}" "${gen_packed[@]}"
        return 1
    fi
    if [ "$jr" = pass ] && [ -s "$w/health" ] && [ "$(cat "$w/health")" != Complete ]; then
        jr=$(cat "$w/health") em="the farm says its health is $(cat "$w/health")"
    fi
    if [ "$jr" != pass ]; then
        [ -n "$jr" ] || em=${em:-lava-run exit $rc, no job result in its log (last line: $(tail -1 "$w/lava.log" | cut -c1-200))}
        case $em in *[Tt]imed\ out* | *timeout*) k=timeout ;; *) k=lab_failed ;; esac
        fail_all "$k" "LAVA job incomplete: ${em:-result $jr}" "${gen_packed[@]}"
        return 1
    fi
    res=$(jq -r '.results_error // ""' "$r")
    if [ -n "$res" ] || [ "$(jq -r '.results // ""' "$r")" = "" ]; then
        fail_all results_missing "LAVA job complete, but ${res:-its results did not come back (no SMCLAT-FILE-BEGIN results.tar.gz.b64 in its log)}" "${gen_packed[@]}"
        return 1
    fi
    echo "$gen_idx" > "$w/packed"
    "$lab" --collect "$w" "$wall" "${dirs[@]}"
    local all=0
    for d in "${gen_packed[@]}"; do
        st=$(jq -r .status "$d/run.json" 2> /dev/null)
        name=$(sed -n "s/^NAME='\(.*\)'$/\1/p" "$d/params.env")
        tc=$(jq -r --arg n "$name" '[.cases[] | select(.case == $n) | .result][0] // "missing"' "$r")
        if [ "$st" = ok ] && [ "$tc" != pass ]; then
            local why="LAVA job complete, but its test case $name: $tc"
            say "$name: $why"
            jq --arg r "$why" '.status = "failed" | .reason_kind = "lab_failed" | .reason = $r' \
                "$d/run.json" > "$d/run.json.tmp" && mv "$d/run.json.tmp" "$d/run.json"
            st=failed
        fi
        [ "$st" = ok ] || all=1
    done
    return $all
}
