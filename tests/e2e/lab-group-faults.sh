#!/bin/bash
# Faults in suites whose scenarios share a boot (smclat suite run groups them by the lab's boot
# key; scripts/lab/run.sh --group, docs/lab.md "Groups"), with the real run.sh and boot.sh, a
# stand-in emulator (tests/e2e/lab-fake-qemu.sh, which logs each boot's scenarios) and a
# stand-in cache: no QEMU, a few seconds. Checks: the demo suite takes one boot per scheduler;
# a scenario that fails inside a group does not take the rest down (they go on in a fresh
# boot) and suite.json has its reason; a boot that fails before any scenario fails its group
# once (no reboot loop); a boot killed mid-scenario keeps nothing unsaved (the scenario before
# runs again in the fresh boot); --boot-per-scenario boots for each. Env: SMCLAT_BIN,
# SMCLAT_TOP, SHARED.
. "$(dirname "$0")/report-lib.sh"
RUN=$TOP/scripts/lab/run.sh
mkdir -p "$T/cache/lab/img" "$T/arm" "$T/tmp"
for f in dom0-base.cpio xen Image; do echo stand-in > "$T/cache/lab/img/$f"; done
echo stand-in | gzip > "$T/cache/lab/img/domu-base.cpio.gz"
for p in smclat-record smclat-gen smclat-mediator; do printf '#!/bin/sh\n' > "$T/arm/$p"; chmod +x "$T/arm/$p"; done
export SMCLAT_CACHE=$T/cache SMCLAT_ARM_BIN=$T/arm SMCLAT_QEMU=$TOP/tests/e2e/lab-fake-qemu.sh TMPDIR=$T/tmp
export FAKE_QEMU_LOG=$T/boots.log
unset FAKE_QEMU_FAULT FAKE_QEMU_FAULTS
# a boot's order: the scenarios needing the same DomUs one after the other (the quiet ones, then
# those with a noise domain: run.sh --group keeps the domains from one to the next)
C2="24fps-opt.credit2.quiet 60fps-unopt.credit2.quiet 24fps-opt.credit2.busy-noise 60fps-unopt.credit2.busy-noise"
C1="24fps-opt.credit.quiet 60fps-unopt.credit.quiet 24fps-opt.credit.busy-noise 60fps-unopt.credit.busy-noise"
suite() { # OUT [OPTIONS...]: the demo suite, its boots in $T/boots.log
    local o=$1
    shift
    rm -f "$FAKE_QEMU_LOG"
    "$SMCLAT" suite run "$TOP/workloads/demo.suite" -o "$T/$o" --lab "${LAB:-$RUN}" --set target.timeout_s=10 \
        --jobs "${JOBS:-1}" "$@" > /dev/null 2> "$T/$o.err"
}
status() { # OUT: every scenario's status:kind, in suite order
    jq -r '[.scenarios[] | .status + ":" + (.reason_kind // "-")] | join(" ")' "$T/$1/suite.json"
}

# expect_group OUT WHAT SECOND_BOOT STATUSES REASON_ERE: the boots (the credit2 group, then
# SECOND_BOOT's scenarios, then the credit group), every scenario's status, and the failed
# second scenario's kind and reason in suite.json
expect_group() {
    expect_eq "$(cat "$FAKE_QEMU_LOG")" "$C2
$3
$C1" "$2: the scenarios to run again in a fresh boot"
    expect_eq "$(status "$1")" "$4" "$2: statuses"
    expect_grep "$5" <(jq -r '.scenarios[1] | .reason_kind + " " + .reason' "$T/$1/suite.json") "$2: suite.json's reason"
}

# no fault: one boot per scheduler, every results folder complete and analyzed
suite ok
expect_eq "$?" 0 "no fault: exit status"
expect_eq "$(cat "$FAKE_QEMU_LOG")" "$C2
$C1" "no fault: one boot per group (credit2, credit)"
expect_eq "$(ls "$T"/ok/*/analysis.json | wc -l)" 8 "no fault: analysis.json for all 8"
expect_eq "$(jq -r .boots "$T/ok/suite.json")" "per group" "suite.json: boots per group"
expect_eq "$(jq --argjson n "$(nproc)" '[.scenarios[] | select(.host.cpus == $n and .host.other_share >= 0)] | length' "$T/ok/suite.json")" \
    8 "suite.json: each scenario's host record (its boot's, from run.json)"
expect_eq "$(jq -c .group "$T/ok/60fps-unopt.credit.quiet/run.json" | jq -r '"\(.boot) \(.index) \(.size)"')" \
    "1 2 4" "run.json: its place in the group"
grep -q "scenario 24fps-opt.credit2.quiet" "$T/ok/24fps-opt.credit2.busy-noise/console.log" &&
    fail "a scenario's console.log holds another scenario's part" || ok "console.log: its own part"

# a scenario failing inside a group: the group goes on in a fresh boot, suite.json has the reason
FAKE_QEMU_FAULTS=24fps-opt.credit2.busy-noise=guest-fail suite gf
expect_eq "$?" 1 "a failed scenario: exit status"
expect_group gf "a failed scenario" "60fps-unopt.credit2.busy-noise" \
    "ok:- failed:guest_program_failed ok:- ok:- ok:- ok:- ok:- ok:-" \
    '^guest_program_failed smclat-gen exited with 1: smclat gen: call 3'
expect_grep '^suite: failed: 24fps-opt.credit2.busy-noise: guest_program_failed: smclat-gen exited with 1' "$T/gf.err" "stderr: the reason"
expect_eq "$(jq .group.boot "$T/gf/60fps-unopt.credit2.busy-noise/run.json")" 2 "the next scenario's run.json: the second boot"
expect_eq "$(ls "$T"/gf/*/analysis.json | wc -l)" 7 "a failed scenario: the other 7 analyzed"

# the boot failing before any scenario: its whole group fails once, the other group runs
FAKE_QEMU_FAULTS=24fps-opt.credit2.quiet=kill-boot suite kb
expect_eq "$(cat "$FAKE_QEMU_LOG")" "$C2
$C1" "a failed boot: not booted again"
expect_eq "$(status kb)" "failed:emulator_killed failed:emulator_killed ok:- ok:- failed:emulator_killed failed:emulator_killed ok:- ok:-" \
    "a failed boot: its group's scenarios failed, the others ok"

# killed during the second scenario: the first's results were still in Dom0's memory (not
# saved): it runs again in the fresh boot with the ones after
FAKE_QEMU_FAULTS=24fps-opt.credit2.busy-noise=kill-trace suite kt
expect_eq "$(cat "$FAKE_QEMU_LOG")" "$C2
24fps-opt.credit2.quiet 60fps-unopt.credit2.quiet 60fps-unopt.credit2.busy-noise
$C1" "killed mid-group: the unsaved scenario and the rest in a fresh boot"
expect_eq "$(status kt)" "ok:- failed:emulator_killed ok:- ok:- ok:- ok:- ok:- ok:-" "killed mid-group: statuses"

# Xen crashing under a scenario: that one fails as xen_crashed (not as a boot that failed), the
# ones before it (unsaved, lost with the boot) and after it run in a fresh boot
FAKE_QEMU_FAULTS=24fps-opt.credit2.busy-noise=xen-crash suite xc
expect_group xc "Xen crashed mid-group" "24fps-opt.credit2.quiet 60fps-unopt.credit2.quiet 60fps-unopt.credit2.busy-noise" \
    "ok:- failed:xen_crashed ok:- ok:- ok:- ok:- ok:- ok:-" \
    '^xen_crashed Xen: \(XEN\) Xen BUG at common/sched/credit2.c:3587, last step: trace started'

# Xen's BUG on one pCPU while Dom0 goes on: the group's job saves what it has and powers off, and
# Xen's halt hangs. The emulator is stopped soon after (not at the group's timeout), the scenario
# fails as xen_crashed (not as the job's stalled generator), the one before it was saved, and
# the rest of the group runs in a fresh boot
SMCLAT_LAB_HALT_GRACE_S=1 FAKE_QEMU_FAULTS=24fps-opt.credit2.busy-noise=xen-crash-hang suite xh
expect_group xh "Xen crashed and its halt hung" "60fps-unopt.credit2.busy-noise" \
    "ok:- failed:xen_crashed ok:- ok:- ok:- ok:- ok:- ok:-" \
    '^xen_crashed Xen: \(XEN\) Xen BUG at common/sched/credit2.c:3587, last step: trace started, client go \(at [0-9.]+ s\)$'
expect_grep 'boot: QEMU still running 1 s after Xen halted the machine: stopping it' "$T/xh.err" \
    "Xen crashed and its halt hung: boot.sh stopped the emulator"

# Dom0's kernel panicking under a scenario and Xen's reboot hanging: that one fails as
# dom0_crashed (not as QEMU stopped from outside: boot.sh's SIGTERM), the ones before it were
# lost with Dom0's memory and run again with the rest in a fresh boot
SMCLAT_LAB_HALT_GRACE_S=1 FAKE_QEMU_FAULTS=24fps-opt.credit2.busy-noise=dom0-crash-hang suite dh
expect_group dh "Dom0 crashed mid-group" "24fps-opt.credit2.quiet 60fps-unopt.credit2.quiet 60fps-unopt.credit2.busy-noise" \
    "ok:- failed:dom0_crashed ok:- ok:- ok:- ok:- ok:- ok:-" \
    "^dom0_crashed Dom0: Kernel panic - not syncing: Oops: Fatal exception, last step: trace started, client go \\(at [0-9.]+ s\\); Xen's halt hung: boot.sh stopped QEMU$"

# a scenario's job killed without a verdict (the group's job goes on: saves, powers off) and
# Xen's halt hanging: lab_failed with the job's status, the one before it saved
SMCLAT_LAB_HALT_GRACE_S=1 FAKE_QEMU_FAULTS=24fps-opt.credit2.busy-noise=job-killed-hang suite jk
expect_group jk "a job killed mid-group" "60fps-unopt.credit2.busy-noise" \
    "ok:- failed:lab_failed ok:- ok:- ok:- ok:- ok:- ok:-" \
    "^lab_failed the Dom0 job ended with status 137 before it finished, without a verdict \\(last step: trace started, client go \\(at [0-9.]+ s\\)\\)$"

# boots side by side (--jobs 2): the two groups' boots overlap, every scenario as with one at
# a time; an smp scenario's boot never has another beside it. spans: each boot's start and end.
cat > "$T/lab-spans.sh" << EOF
#!/bin/bash
[ "\$1" = --boot-key ] && exec "$RUN" "\$@"
echo start >> "$T/spans.log"
"$RUN" "\$@"
rc=\$?
echo end >> "$T/spans.log"
exit \$rc
EOF
chmod +x "$T/lab-spans.sh"
spans() { tr '\n' ' ' < "$T/spans.log"; }
# most boots at once, and boots in all (from the spans)
at_once() { awk '/start/ { n++; s++; if (n > m) m = n } /end/ { n-- } END { print m + 0, s + 0 }' "$T/spans.log"; }
rm -f "$T/spans.log"
LAB=$T/lab-spans.sh JOBS=2 suite j2
expect_eq "$?" 0 "--jobs 2: exit status"
expect_eq "$(spans)" "start start end end " "--jobs 2: the two boots side by side"
expect_eq "$(sort "$FAKE_QEMU_LOG")" "$(printf '%s\n' "$C1" "$C2" | sort)" "--jobs 2: the same two groups"
expect_eq "$(status j2)" "$(status ok)" "--jobs 2: the same statuses"
for d in "$T"/ok/*/; do
    cmp -s "$d/calls-trace.csv" "$T/j2/$(basename "$d")/calls-trace.csv" ||
        fail "--jobs 2: $(basename "$d"): calls-trace.csv differs from one boot at a time"
done
ok "--jobs 2: every calls-trace.csv as with one boot at a time"
expect_grep 'running in one boot with 3 other scenario\(s\) \(timeout [0-9]+ s, beside 1 other boot\(s\)\)' "$T/j2.err" \
    "--jobs 2: progress says a boot runs beside another"
rm -f "$T/spans.log"
LAB=$T/lab-spans.sh JOBS=2 suite smp --set topology.mode=smp
expect_eq "$(spans)" "start end start end " "--jobs 2, smp mode: one boot at a time"
rm -f "$T/spans.log"
LAB=$T/lab-spans.sh JOBS=3 suite bpj --boot-per-scenario --only '*quiet'
expect_eq "$(at_once)" "3 4" "--jobs 3 --boot-per-scenario: three at a time, at most (spans: $(spans))"
expect_eq "$(ls "$T"/bpj/*/analysis.json | wc -l)" 4 "--jobs 3 --boot-per-scenario: all 4 analyzed"
"$SMCLAT" suite run "$TOP/workloads/demo.suite" -o "$T/bad" --jobs 65 > /dev/null 2> "$T/bad.err"
expect_eq "$?" 2 "--jobs 65: exit status"
expect_grep 'expected 1 to 64' "$T/bad.err" "--jobs 65: the error"

# a boot per scenario
suite bp --boot-per-scenario
expect_eq "$?" 0 "--boot-per-scenario: exit status"
expect_eq "$(wc -l < "$FAKE_QEMU_LOG")" 8 "--boot-per-scenario: 8 boots"
expect_eq "$(jq -r .boots "$T/bp/suite.json")" "per scenario" "suite.json: boots per scenario"
[ "$(jq .group "$T/bp/24fps-opt.credit.quiet/run.json")" = null ] && ok "no group in a lone run's run.json" ||
    fail "a group in a lone run's run.json"
pgrep -f "$T" > /dev/null && fail "processes left: $(pgrep -af "$T")" || ok "no process left"
[ -z "$(ls "$T/tmp")" ] && ok "working folders removed" || fail "left in TMPDIR: $(ls "$T/tmp")"

[ $fails = 0 ] && echo "all passed" && exit 0
echo "$fails failed"
exit 1
