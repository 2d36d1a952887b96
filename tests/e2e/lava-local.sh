#!/bin/bash
# smclat suite run --lava-local DEVICE (docs/lava.md): one short deterministic scenario as a
# LAVA job through lava-run (as root) on the lab's QEMU device rendered from LAVA's templates.
# Checks: the results folder came back whole and was analyzed, every generator call joined to
# a complete call of its trace (lab-lib.sh's check, join.log_only 0), the headline figures are
# LAVA measurements in the job's log, the suite resumes (skips it), nothing of the job is left
# running. A job that fails (a stand-in QEMU that exits at once): a one-line reason in
# suite.json and on stderr, the suite goes on. lab.sh holds the lab lock /tmp/smclat-lab.lock
# around lava-run. Env: SMCLAT_BIN, SMCLAT_TOP, SMCLAT_CACHE.
set -u
top=${SMCLAT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/e2e/lab-lib.sh"
. "$top/tests/e2e/lava-lib.sh"

# a job that fails: QEMU (a stand-in) exits at once
sed "s|qemu-system-aarch64|$tmp/bin/qemu-system-aarch64|" "$dev" > "$tmp/bad-qemu.yaml"
mkdir -p "$tmp/bin"
printf '#!/bin/sh\necho "stand-in QEMU: exiting" >&2\nexit 1\n' > "$tmp/bin/qemu-system-aarch64"
chmod +x "$tmp/bin/qemu-system-aarch64"
t1=$(date +%s)
"$bin/smclat" suite run "$tmp/lava-e2e.ini" --lava-local "$tmp/bad-qemu.yaml" -o "$tmp/bad" 2> "$tmp/bad.log" &&
    bad "a failing LAVA job: the suite succeeded"
r=$(jq -r '.scenarios[0] | .status + " " + .reason_kind + ": " + .reason' "$tmp/bad/suite.json")
echo "failing job ($(($(date +%s) - t1)) s): $r"
case $r in "failed "*": LAVA job incomplete: "*) ;; *) bad "failing job: suite.json '$r'" ;; esac
[ "$(echo "$r" | wc -l)" = 1 ] || bad "failing job: not one line"
grep -q "LAVA job incomplete" "$tmp/bad.log" || bad "failing job: the reason is not on stderr"
[ -z "$(left_behind)" ] || bad "left running after the failing job: $(left_behind)"

# the scenario through lava-run
t1=$(date +%s)
"$bin/smclat" suite run "$tmp/lava-e2e.ini" --lava-local "$dev" -o "$tmp/suite" 2> "$tmp/suite.log"
rc=$?
echo "suite through lava-run: $(($(date +%s) - t1)) s, exit $rc"
[ $rc = 0 ] || { bad "suite exit $rc: $(jq -c '.scenarios[0]' "$tmp/suite/suite.json")"; tail -20 "$tmp/suite.log"; }
[ -z "$(left_behind)" ] || bad "left running after the job: $(left_behind)"
out=$tmp/suite/lava-e2e
check_folder "$out"
[ -s "$out/lava-job.yaml" ] || bad "no lava-job.yaml"
grep -q '"case": "lava-e2e", "definition": "0_smclat".*"result": "pass"' "$out/lava.log" ||
    bad "no passing LAVA test case lava-e2e in the job's log"
"$bin/smclat" suite run "$tmp/lava-e2e.ini" --lava-local "$dev" -o "$tmp/suite" 2> "$tmp/resume.log"
grep -q "complete already, skipped" "$tmp/resume.log" || bad "the complete scenario was not skipped on resume"
echo "$(($(date +%s) - t0)) s"
[ $fails = 0 ] && echo "lava-local: ok"
exit $((fails > 0))
