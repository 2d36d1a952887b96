#!/bin/bash
# make demo: prepares the emulated lab, runs workloads/demo.suite in the lab's deterministic
# mode (8 scenarios, about 5 s of load each, about ten minutes), writes the report and says
# where it is. Progress on stderr throughout. Rerunning resumes: complete scenarios are kept.
# Env: DEMO_OUT (demo-results), SMCLAT (build/bin/smclat), SMCLAT_LAB (scripts/lab/run.sh;
#      when set, the lab is not prepared: a stand-in lab for tests).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
SMCLAT=${SMCLAT:-$top/build/bin/smclat}
OUT=${DEMO_OUT:-$top/demo-results}
LAB=${SMCLAT_LAB:-$top/scripts/lab/run.sh}
step() { echo "demo: [$1/3] $2 ($(date -u +%H:%M:%S))" >&2; }

[ -x "$SMCLAT" ] || { echo "demo: $SMCLAT is missing: run make first" >&2; exit 2; }
if [ -z "${SMCLAT_LAB:-}" ]; then
    if [ ! -x scripts/lab/prepare.sh ]; then
        echo "demo: scripts/lab/prepare.sh is missing: the lab (docs/lab.md) is not in this tree" >&2
        exit 1
    fi
    step 1 "preparing the lab: scripts/lab/prepare.sh (once; later runs reuse it)"
    scripts/lab/prepare.sh || { echo "demo: preparing the lab failed" >&2; exit 1; }
else
    step 1 "lab: $LAB (not prepared here)"
fi
step 2 "running workloads/demo.suite, deterministic mode -> $OUT/runs/"
suite_rc=0
"$SMCLAT" suite run workloads/demo.suite --set topology.mode=deterministic \
    --set topology.pcpus=1 -o "$OUT/runs" --lab "$LAB" || suite_rc=$?
[ $suite_rc = 0 ] || echo "demo: some scenarios failed (above; $OUT/runs/suite.json); reporting the others" >&2
step 3 "writing the report -> $OUT/report/"
"$SMCLAT" report "$OUT/runs" -o "$OUT/report" \
    --title "smclat demo: DRM playback on the emulated lab (deterministic mode)" || exit $?
echo "demo: report: $OUT/report/index.html (tables: summary.csv, summary.json; runs: $OUT/runs/)"
exit $suite_rc
