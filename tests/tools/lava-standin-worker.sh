#!/bin/bash
# The stand-in farm's worker (tests/tools/lava-standin.py): WORKER JOB.yaml LOG, run as
# STATE/mode says (STATE: the job's folder): "lava-run DEVICE" (the job itself, through lava-run,
# holding the lab lock), "replay LOG" (a log recorded earlier), "hold" (waits for STATE/release,
# then as STATE/mode says then), "incomplete MESSAGE" (a job that fails: LAVA's job result).
job=$1 log=$2
st=$(dirname "$job")
read -r mode arg < "$st/mode"
if [ "$mode" = hold ]; then
    while [ ! -e "$st/release" ]; do sleep 0.2; done
    read -r mode arg < "$st/mode"
fi
case $mode in
    lava-run) flock /tmp/smclat-lab.lock lava-run --job-id "$$" --output-dir "$st/out-$$" --device "$arg" "$job" 2> "$log" > /dev/null ;;
    replay) cp "$arg" "$log" ;;
    incomplete)
        printf -- '- {"dt": "2026-01-01T00:00:00.000000", "lvl": "results", "msg": {"definition": "lava", "case": "job", "result": "fail", "error_type": "Infrastructure", "error_msg": "%s"}}\n' "$arg" > "$log" ;;
esac
exit 0
