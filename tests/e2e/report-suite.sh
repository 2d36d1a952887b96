#!/bin/bash
# smclat suite: the shipped suites expand; a run through a stand-in lab and analyzer gives one
# complete results folder per scenario, resumes, goes on past a failure, kills a hung lab.
. "$(dirname "$0")/report-lib.sh"
LAB="$TOP/tests/e2e/report-fake-lab.sh"
AN="$TOP/tests/e2e/report-fake-analyze.sh"

# every shipped suite and scenario parses and expands
for f in "$TOP"/workloads/*.suite "$TOP"/workloads/*.ini; do
    expect_rc 0 "$SMCLAT" suite list "$f"
done
expect_rc 0 "$SMCLAT" suite list "$TOP/workloads/drm-playback.suite"
expect_eq "$(wc -l < "$T/out")" 42 "drm-playback scenarios (2 loads x 7 schedulers x 3 stresses)"
expect_grep '^60fps-unopt\.pool-null\.busy-noise	unoptimized 60 fps, smp, 2 pCPUs, sched credit2, pools med:null:1$' "$T/out" "a matrix scenario's name and settings"
# the lab keeps the null pool (its Xen built from source has null: XEN_BUILD auto picks it)
expect_rc 0 "$SMCLAT" suite show "$TOP/workloads/drm-playback.suite" --only '24fps-opt.pool-null.quiet'
expect_grep "^POOLS='med:null:1'$" "$T/out" "null pool kept for the lab"
expect_grep "^XEN_BUILD='auto'$" "$T/out" "the lab chooses the Xen build"
expect_rc 0 "$SMCLAT" suite show "$TOP/workloads/drm-playback.suite" --only '24fps-opt.rtds.quiet'
expect_grep "^RTDS_MEDIATOR='10000:4000'$" "$T/out" "the mediator's RTDS budget"
# on a target whose Xen lacks null the pool falls back to credit2, and says so
expect_rc 0 "$SMCLAT" suite show "$TOP/workloads/drm-playback.suite" --only '24fps-opt.pool-null.quiet' --set "target.schedulers=credit credit2"
expect_grep "^POOLS='med:credit2:1'$" "$T/out" "null pool written as credit2 for a target without null"
expect_grep "^warning: 24fps-opt.pool-null.quiet: pool med: scheduler null is not available" "$T/err" "fallback warning"
# lab parameter keys are the lab's (docs/lab.md), when that document is in the tree
if [ -f "$TOP/docs/lab.md" ]; then
    for k in $(grep -o "^[A-Z_0-9]*=" "$T/out" | tr -d = | sort -u); do
        grep -q "\`$k\`\|$k/" "$TOP/docs/lab.md" && ok "lab key $k documented" || fail "lab key $k not in docs/lab.md"
    done
fi
# when the lab is in the tree, it accepts every parameter file the shipped suites make
if [ -x "$TOP/scripts/lab/run.sh" ]; then
    for f in "$TOP"/workloads/*.suite; do
        expect_rc 0 "$SMCLAT" suite run "$f" --dry-run -o "$T/dry/$(basename "$f")"
    done
    for p in "$T"/dry/*/*/lab-params.env; do
        "$TOP/scripts/lab/run.sh" --check "$p" > /dev/null 2> "$T/chk" && ok "lab accepts $p" ||
            { fail "lab rejects $p"; cat "$T/chk"; }
    done
fi
expect_rc 0 "$SMCLAT" suite list "$TOP/workloads/demo.suite"
expect_eq "$(grep -c 'deterministic, 1 pCPU,' "$T/out")" 8 "demo scenarios in deterministic mode"

# a run: 8 scenarios, all complete
export FAKE_LAB_LOG=$T/lab.log
expect_rc 0 "$SMCLAT" suite run "$TOP/workloads/demo.suite" -o "$T/r" --lab "$LAB" --analyzer "$AN"
expect_eq "$(wc -l < "$T/lab.log")" 8 "lab runs"
expect_eq "$(ls "$T"/r/*/analysis.json | wc -l)" 8 "analysis.json files"
expect_grep '^suite: \[8/8\] 60fps-unopt.credit.busy-noise: ok in' "$T/err" "progress per scenario"
expect_grep '"ok": 8' "$T/r/suite.json" "suite.json counts"
expect_grep "^GEN_ARGS='--flow unoptimized --fps 60 --duration 5 --payload 4096'$" "$T/r/60fps-unopt.credit2.quiet/lab-params.env" "generator arguments"
expect_grep '^fps = 60$' "$T/r/60fps-unopt.credit2.quiet/scenario.ini" "scenario.ini kept"
# resume: nothing to do; then one folder made incomplete is redone (and kept aside)
expect_rc 0 "$SMCLAT" suite run "$TOP/workloads/demo.suite" -o "$T/r" --lab "$LAB" --analyzer "$AN"
expect_eq "$(wc -l < "$T/lab.log")" 8 "lab runs after a resume with everything complete"
rm "$T/r/24fps-opt.credit.quiet/analysis.json"
expect_rc 0 "$SMCLAT" suite run "$TOP/workloads/demo.suite" -o "$T/r" --lab "$LAB" --analyzer "$AN"
expect_eq "$(tail -1 "$T/lab.log")" 24fps-opt.credit.quiet "the one incomplete scenario rerun"
expect_eq "$(wc -l < "$T/lab.log")" 9 "lab runs after resuming one"
[ -d "$T/r/24fps-opt.credit.quiet.incomplete-1" ] && ok "earlier attempt kept aside" || fail "earlier attempt lost"
# a changed scenario (--set) is not complete: rerun
expect_rc 0 "$SMCLAT" suite run "$TOP/workloads/demo.suite" -o "$T/r" --lab "$LAB" --analyzer "$AN" --only '24fps-opt.credit2.quiet' --set load.payload=8k
expect_eq "$(wc -l < "$T/lab.log")" 10 "a changed scenario reruns"

# a failing scenario: the others go on, exit 1, the failure named
rm -f "$FAKE_LAB_LOG"
FAKE_LAB_FAIL='24fps-opt.credit2.*' expect_rc 1 "$SMCLAT" suite run "$TOP/workloads/demo.suite" -o "$T/f" --lab "$LAB" --analyzer "$AN"
expect_eq "$(wc -l < "$T/lab.log")" 8 "every scenario tried"
expect_eq "$(ls "$T"/f/*/analysis.json | wc -l)" 6 "complete scenarios"
expect_grep '^suite: failed: 24fps-opt.credit2.quiet: guest_program_failed: fake failure$' "$T/err" "failure reason from run.json"
expect_eq "$(jq -r '.scenarios[] | select(.name == "24fps-opt.credit2.quiet") | .reason_kind' "$T/f/suite.json")" \
    guest_program_failed "suite.json reason_kind from run.json"
expect_grep '"failed": 2' "$T/f/suite.json" "suite.json failure count"
# the report of that suite shows the six and names the two without results
expect_rc 0 "$SMCLAT" report "$T/f" -o "$T/f-report" --no-plots
expect_eq "$(($(wc -l < "$T/f-report/summary.csv") - 1))" 6 "configurations in the report"
expect_grep '^warning: 24fps-opt.credit2.quiet: no results \(the suite run failed: guest_program_failed: fake failure\)$' "$T/err" "failed scenario named by the report"
expect_grep '24fps-opt.credit2.busy-noise: no results: guest_program_failed: fake failure' "$T/f-report/index.html" "failed scenario in the HTML"
expect_grep '"failed": \[' "$T/f-report/summary.json" "failed scenarios in summary.json"
expect_eq "$(jq -r '.failed[0].reason_kind' "$T/f-report/summary.json")" guest_program_failed "summary.json reason_kind"
# the analyzer failing is a failure too
expect_rc 1 "$SMCLAT" suite run "$TOP/workloads/demo.suite" -o "$T/g" --lab "$LAB" --analyzer false --only '24fps-opt.credit2.quiet'
expect_grep 'FAILED after .*: analyzer_failed: the analyzer exited with 1 \(see' "$T/err" "analyzer failure reported"
# a hung lab is killed at target.timeout_s + margin
FAKE_LAB_SLEEP=67.5 expect_rc 1 timeout 40 "$SMCLAT" suite run "$TOP/workloads/drm-24fps-optimized.ini" -o "$T/h" --lab "$LAB" --analyzer "$AN" --set target.timeout_s=10 --margin 0
expect_grep 'timeout: the lab still running after 10 s \(target.timeout_s \+ --margin\): stopped' "$T/err" "timeout reported"
expect_eq "$(jq -r '.scenarios[0].reason_kind' "$T/h/suite.json")" timeout "the runner's timeout kind"
for _ in 1 2 3 4 5 6 7 8 9 10; do pgrep -f "sleep 67.5" > /dev/null || break; sleep 0.3; done
pgrep -f "sleep 67.5" > /dev/null && fail "the hung lab's process is still there" || ok "hung lab killed"

# bad suites: exit 2 with file:line:key
printf '[load a]\nload.fps = fast\n' > "$T/bad.suite"
expect_rc 2 "$SMCLAT" suite list "$T/bad.suite"
expect_eq "$(cat "$T/err")" "smclat: $T/bad.suite:2: [load a] load.fps: expected a number, found 'fast'" "bad value error"
expect_rc 2 "$SMCLAT" suite run "$TOP/workloads/demo.suite" --set topology.pcpus=2 -o "$T/x" --lab "$LAB"
expect_grep "scenario 24fps-opt.credit2.quiet: --set:1: topology.pcpus: deterministic mode runs on 1 pCPU" "$T/err" "--set checked like the file"
expect_rc 2 "$SMCLAT" suite frobnicate "$TOP/workloads/demo.suite"
finish
