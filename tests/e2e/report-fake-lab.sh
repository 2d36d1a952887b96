#!/bin/bash
# A stand-in for scripts/lab/run.sh in the suite runner's tests (never used for results):
# reads the parameter file like the lab, then writes a results folder from a real recorded
# trace in $SHARED/traces and a calls.csv whose latencies follow the scenario's fps.
# usage: report-fake-lab.sh PARAMS_FILE OUTDIR
# Env: FAKE_LAB_FAIL (glob of scenario names that fail), FAKE_LAB_LOG (file: one line per run),
#      FAKE_LAB_SLEEP (seconds to hang, to test the runner's timeout).
set -eu
params=$1 out=$2
# the lab sources the file: assignments only
NAME='' GEN_ARGS=''
# shellcheck disable=SC1090
. "$params"
[ -n "${FAKE_LAB_LOG:-}" ] && echo "$NAME" >> "$FAKE_LAB_LOG"
echo "fake lab: $NAME: $GEN_ARGS" >&2
[ -z "${FAKE_LAB_SLEEP:-}" ] || sleep "$FAKE_LAB_SLEEP"
# shellcheck disable=SC2254
case $NAME in
${FAKE_LAB_FAIL:-/nomatch/})
    printf '{"smclat_run": 1, "name": "%s", "status": "failed", "reason_kind": "guest_program_failed", "reason": "fake failure"}\n' \
        "$NAME" > "$out/run.json"
    exit 1 ;;
esac
trace=${SHARED:-/work/shared}/traces/evping-100hz-icount/t3.bin
[ -f "$trace" ] || { echo "fake lab: $trace: missing (set SHARED to the shared folder)" >&2; exit 2; }
cp "$trace" "$out/trace.bin"
fps=$(echo "$GEN_ARGS" | sed -n 's/.*--fps \([0-9.]*\).*/\1/p')
awk -v fps="${fps:-24}" 'BEGIN {
    print "seq,op,frame,intended_ns,start_ns,end_ns,start_cntvct,end_cntvct,status"
    srand(7); t = 1000000000; period = 1e9 / fps
    for (i = 0; i < 120; i++) {
        lat = 60000 + 1000 * fps * (1 + rand())
        printf "%d,process,%d,%.0f,%.0f,%.0f,,,ok\n", i, i, t, t, t + lat
        t += period
    }
}' > "$out/calls.csv"
printf '{"smclat_run": 1, "name": "%s", "status": "ok", "wall_s": 0.1}\n' "$NAME" > "$out/run.json"
