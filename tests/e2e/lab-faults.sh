#!/bin/bash
# Faults injected into lab runs and suites: each must give its own reason (reason_kind and the
# human line in run.json, suite.json and on stderr), leave no emulator or child process behind,
# keep what was written before the fault, and let the suite go on (docs/robustness.md).
# The real scripts/lab/run.sh and boot.sh run with a stand-in emulator
# (tests/e2e/lab-fake-qemu.sh, SMCLAT_QEMU) and a stand-in cache: no QEMU, a few seconds a run.
# The real-lab case (QEMU killed mid-trace) is in lab-deterministic.sh, which boots anyway.
# Faults: the emulator killed at boot and mid-trace, exiting at boot, Xen panicking, hung (the
# timeout), a guest program and xentrace failing, the results folder on a full file system
# (a 400 KiB tmpfs: root), the analyzer killed, Ctrl-C. Env: SMCLAT_BIN, SMCLAT_TOP, SHARED.
. "$(dirname "$0")/report-lib.sh"
FAKE=$TOP/tests/e2e/lab-fake-qemu.sh
RUN=$TOP/scripts/lab/run.sh

# --- one taxonomy: the lab's list, the C table, and every kind the lab's scripts write
lab_kinds=$(bash -c ". '$TOP/scripts/lab/reasons.sh'; echo \$LAB_REASON_KINDS" | tr ' ' '\n' | sort | xargs)
# (the table's entries as clang-format lays them out: a long one breaks after "=")
c_kinds=$(tr '\n' ' ' < "$TOP/reports/reason.c" | grep -o '\[SM_REASON_[A-Z0-9_]*\] = *{"[a-z0-9_]*"' |
    sed 's/.*{"//; s/"//' | sort | xargs)
expect_eq "$(echo "$lab_kinds" | wc -w)" 15 "reason kinds in scripts/lab/reasons.sh"
expect_eq "$c_kinds" "$lab_kinds" "reports/reason.c's kinds (as scripts/lab/reasons.sh's)"
for k in $(grep -o '\bfail [a-z_]* "' "$TOP/scripts/lab/dom0-job.sh" | awk '{print $2}' | sort -u) \
    $(cat "$TOP"/scripts/lab/{run,pack,collect,group}.sh | grep -o 'finish [a-z]* [a-z_]* "' | awk '{print $3}' | sort -u); do
    echo " $lab_kinds " | grep -q " $k " && ok "kind $k written by the lab is in the list" ||
        fail "kind $k written by the lab is not in scripts/lab/reasons.sh"
done
for k in $lab_kinds; do
    grep -q "\`$k\`" "$TOP/docs/robustness.md" && ok "kind $k documented" || fail "kind $k not in docs/robustness.md"
done

# --- a stand-in cache and arm64 programs, so that run.sh gets as far as booting
mkdir -p "$T/cache/lab/img" "$T/arm" "$T/tmp"
for f in dom0-base.cpio xen Image; do echo stand-in > "$T/cache/lab/img/$f"; done
echo stand-in | gzip > "$T/cache/lab/img/domu-base.cpio.gz"
for p in smclat-record smclat-gen smclat-mediator; do printf '#!/bin/sh\n' > "$T/arm/$p"; chmod +x "$T/arm/$p"; done
export SMCLAT_CACHE=$T/cache SMCLAT_ARM_BIN=$T/arm SMCLAT_QEMU=$FAKE TMPDIR=$T/tmp
unset FAKE_QEMU_FAULT FAKE_QEMU_FAULTS

# no_leftovers SID WHAT: nothing of that session is left (boot.sh, the emulator, the console
# filter, tail); the working folder is gone
no_leftovers() {
    local left
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        left=$(pgrep -s "$1" -a) || break
        sleep 0.2
    done
    [ -z "$left" ] && ok "$2: no process left" || fail "$2: left behind: $left"
    [ -z "$(ls "$T/tmp")" ] && ok "$2: working folder removed" || fail "$2: left in TMPDIR: $(ls "$T/tmp")"
    rm -rf "${T:?}"/tmp/*
}

# lab FAULT NAME OUT [KEY=VALUE...]: one run.sh in a session of its own (setsid: every process
# it starts stays in that session, so leftovers are found), stderr in $T/err
lab() {
    local fault=$1 name=$2 out=$3 sid
    shift 3
    printf 'NAME=%s\nTRACE_SECONDS=2\nTIMEOUT_S=10\n' "$name" > "$T/$name.env"
    for kv in "$@"; do echo "$kv" >> "$T/$name.env"; done
    FAKE_QEMU_FAULT=$fault setsid "$RUN" "$T/$name.env" "$out" > /dev/null 2> "$T/err" &
    sid=$!
    wait $sid
    rc=$?
    no_leftovers $sid "$name"
}

# expect_run OUT KIND REASON_ERE: run.json whole, the kind, the line; the same on stderr
expect_run() {
    local j=$1/run.json
    if ! jq -e . "$j" > /dev/null 2>&1; then fail "$j: not whole JSON"; return; fi
    expect_eq "$rc" 1 "$(basename "$1"): exit status"
    expect_eq "$(jq -r .reason_kind "$j")" "$2" "$(basename "$1"): reason_kind"
    expect_grep "$3" <(jq -r .reason "$j") "$(basename "$1"): reason says: $3"
    expect_grep "run.sh: $(jq -r .name "$j"): [a-z]* \[$2\]: " "$T/err" "$(basename "$1"): the kind on stderr"
    [ -s "$1/console.log" ] && ok "$(basename "$1"): console.log kept" || fail "$(basename "$1"): no console.log"
}

lab ok ok "$T/ok"
expect_eq "$rc" 0 "a run without a fault: exit status"
expect_eq "$(jq -r '.status + " " + (.reason_kind // "none")' "$T/ok/run.json")" "ok none" "a run without a fault"
[ -s "$T/ok/trace.bin" ] && [ -s "$T/ok/calls.csv" ] && [ ! -e "$T/ok/.run.json.reserve" ] &&
    ok "results collected, no reserve left" || fail "the ok run's results: $(ls -A "$T/ok")"

expect_eq "$(jq 'has("calls_not_ok")' "$T/ok/run.json")" false "a run without a fault: no calls_not_ok"

# run.json's host record: the host's CPUs and the share other work took of them during the boot
expect_eq "$(jq -c --argjson n "$(nproc)" '.host | [.cpus == $n, (.other_share >= 0 and .other_share <= 1),
    (.lab_cpu_s >= 0)]' "$T/ok/run.json")" '[true,true,true]' "run.json host: cpus, a share, the lab's own CPU time"
grep -q 'warning: .*other work took' "$T/err" && fail "a deterministic run warned of other work" ||
    ok "a deterministic run: no warning of other work"
# an smp-mode boot beside two busy loops: most of the host's CPUs went elsewhere, said so
hogs=
for _ in 1 2; do
    timeout 6 sh -c 'while :; do :; done' &
    hogs="$hogs $!"
done
lab slow smp-busy "$T/sb" MODE=smp PCPUS=2
# shellcheck disable=SC2086 # a list of pids
kill $hogs 2> /dev/null
wait $hogs 2> /dev/null
expect_eq "$rc" 0 "an smp run beside busy loops: exit status"
expect_eq "$(jq '.host.other_share > 0.5' "$T/sb/run.json")" true "an smp run beside busy loops: other_share $(jq .host.other_share "$T/sb/run.json")"
expect_grep '^run.sh: warning: smp-busy: other work took [0-9]+% of the host.s [0-9]+ CPUs during this smp-mode boot' "$T/err" \
    "an smp run beside busy loops: the warning on stderr"
# the emulator's priority: raised in smp mode (SMCLAT_LAB_NICE, -10) where the host lets it,
# as run.json says and the emulator itself saw; a deterministic run's left as it was
cur=$(nice)
want=$((cur - 10 < -20 ? -20 : cur - 10))
[ "$(nice -n -10 nice 2> /dev/null)" = "$want" ] || want=$cur # not permitted here: unchanged
expect_eq "$(jq .host.qemu_nice "$T/sb/run.json")" "$want" "an smp run: QEMU's nice in run.json"
expect_grep "fake qemu: running at nice $want\$" "$T/sb/console.log" "an smp run: the emulator ran at nice $want"
expect_eq "$(jq .host.qemu_nice "$T/ok/run.json")" "$cur" "a deterministic run: QEMU's nice unchanged in run.json"
expect_grep "fake qemu: running at nice $cur\$" "$T/ok/console.log" "a deterministic run: the emulator ran at nice $cur"
SMCLAT_LAB_NICE=0 lab ok smp-nice0 "$T/n0" MODE=smp PCPUS=2
expect_eq "$(jq .host.qemu_nice "$T/n0/run.json")" "$cur" "SMCLAT_LAB_NICE=0: QEMU's nice unchanged"
SMCLAT_LAB_NICE=-1x lab ok smp-nicebad "$T/nb" MODE=smp PCPUS=2
expect_eq "$rc" 0 "SMCLAT_LAB_NICE=-1x: the run goes on"
expect_eq "$(jq .host.qemu_nice "$T/nb/run.json")" "$cur" "SMCLAT_LAB_NICE=-1x: QEMU's nice unchanged"
expect_grep "SMCLAT_LAB_NICE='-1x': expected a whole number" "$T/err" "SMCLAT_LAB_NICE=-1x: said on stderr"

# smclat-gen's exit 1 after a complete run with a call that timed out: a result, the call counted
lab calls-not-ok calls-not-ok "$T/cn"
expect_eq "$rc" 0 "a complete run with a call not ok: exit status"
expect_eq "$(jq -c '[.status, .reason_kind, .calls_not_ok, .calls_not_ok_by_error]' "$T/cn/run.json")" \
    '["ok",null,1,{"timeout":1}]' "a complete run with a call not ok: run.json"
expect_grep '^run.sh: warning: calls-not-ok: 1 calls not ok \(timeout 1\): their status in .*/calls.csv$' "$T/err" \
    "a complete run with a call not ok: the warning on stderr"

lab kill-boot kill-boot "$T/kb"
expect_run "$T/kb" emulator_killed '^QEMU killed by SIGKILL \(exit 137\), last step: before Dom0 started$'
expect_eq "$(jq -r '.status + " " + .qemu_signal + " " + (.qemu_exit | tostring)' "$T/kb/run.json")" \
    "failed SIGKILL 137" "killed at boot: status, signal, exit"
[ "$(jq '.wall_s < 10' "$T/kb/run.json")" = true ] && ok "killed at boot: well before TIMEOUT_S" || fail "wall_s $(jq .wall_s "$T/kb/run.json")"

lab kill-trace kill-trace "$T/kt"
expect_run "$T/kt" emulator_killed "^QEMU killed by SIGKILL \(exit 137\), last step: trace started, client go \(at [0-9.]+ s\); the trace was in Dom0's memory: lost$"
[ -s "$T/kt/apply.log" ] && [ -s "$T/kt/xl-create.log" ] && ok "killed mid-trace: Dom0's logs written before the kill kept" ||
    fail "killed mid-trace: Dom0's logs lost: $(ls -A "$T/kt")"

lab term-trace term-trace "$T/tt"
expect_run "$T/tt" emulator_killed "^QEMU stopped by SIGTERM from outside \(exit 0: terminating on signal 15 from pid 4242 \(kill\)\), last step: trace started, client go \(at [0-9.]+ s\); the trace was in Dom0's memory: lost$"

lab hang hang "$T/hang"
expect_run "$T/hang" timeout '^QEMU still running after TIMEOUT_S=10 s; stopped \(last step: trace started, client go'
expect_eq "$(jq -r .status "$T/hang/run.json")" timeout "hung emulator: status"

lab exit-boot exit-boot "$T/eb"
expect_run "$T/eb" emulator_exited '^QEMU exited with status 1 before the Dom0 job finished, last step: init .*last console line: qemu-system-aarch64: fake: device failure$'

lab xen-panic xen-panic "$T/xp"
expect_run "$T/xp" boot_failed '^Xen: \(XEN\) Xen BUG at common/page_alloc.c:1234$'

# Xen crashing under a running scenario is no boot failure: its own kind, with the step
lab xen-crash xen-crash "$T/xc"
expect_run "$T/xc" xen_crashed '^Xen: \(XEN\) Xen BUG at common/sched/credit2.c:3587, last step: trace started, client go \(at [0-9.]+ s\)$'

# The same BUG on one pCPU while Dom0 goes on on the other: the Dom0 job fails (its guests
# stalled), Dom0 powers off and Xen's halt never ends. The panic is the verdict, not the job's
# failure, and boot.sh stops the emulator soon after the halt, not at TIMEOUT_S
export SMCLAT_LAB_HALT_GRACE_S=1
lab xen-crash-hang xen-crash-hang "$T/xh"
expect_run "$T/xh" xen_crashed "^Xen: \\(XEN\\) Xen BUG at common/sched/credit2.c:3587, last step: trace started, client go \\(at [0-9.]+ s\\); Xen's halt hung: boot.sh stopped QEMU$"
expect_grep '^boot: QEMU still running 1 s after Xen halted the machine: stopping it$' "$T/err" \
    "Xen's halt hung: boot.sh stopped the emulator"

# Dom0's kernel panics under the scenario and Xen's reboot hangs: boot.sh's SIGTERM ends QEMU,
# which says "terminating on signal 15": Dom0's panic is the verdict, not a QEMU stopped from
# outside
lab dom0-crash-hang dom0-crash-hang "$T/dh"
expect_run "$T/dh" dom0_crashed "^Dom0: Kernel panic - not syncing: Oops: Fatal exception, last step: trace started, client go \\(at [0-9.]+ s\\); Xen's halt hung: boot.sh stopped QEMU$"
expect_grep '^boot: QEMU still running 1 s after Xen halted the machine: stopping it$' "$T/err" \
    "Dom0 crashed and Xen's reboot hung: boot.sh stopped the emulator"

# The Dom0 job killed without a verdict, Dom0 powers off and Xen's halt hangs: the job's end
lab job-killed-hang job-killed-hang "$T/jk"
expect_run "$T/jk" lab_failed "^the Dom0 job ended with status 137 before it finished, without a verdict, and Dom0 powered off \\(last step: trace started, client go \\(at [0-9.]+ s\\)\\); Xen's halt hung: boot.sh stopped QEMU$"
unset SMCLAT_LAB_HALT_GRACE_S

lab dom0-panic dom0-panic "$T/dp"
expect_run "$T/dp" boot_failed '^Dom0: Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100$'

lab dom0-error dom0-error "$T/de"
expect_run "$T/de" boot_failed '^Dom0: 9p mount failed$'

lab guest-fail guest-fail "$T/gf"
expect_run "$T/gf" guest_program_failed '^smclat-gen exited with 1: smclat gen: call 3 \(process\): eio: Input/output error; stopping$'
[ -s "$T/gf/guest-client.log" ] && ok "guest failure: the client's log kept" || fail "guest failure: no guest-client.log"

lab trace-fail trace-fail "$T/tf"
expect_run "$T/tf" trace_failed '^smclat-record trace \(xentrace\) exited with 1: .*lost 1234 records$'

# --- full file systems (root: tmpfs mounts)
mounts=()
cleanup_mounts() { for m in "${mounts[@]}"; do umount "$m" 2> /dev/null; done; rm -rf "$T"; }
trap cleanup_mounts EXIT
tmpfs() { # DIR SIZE
    mkdir -p "$1" && mount -t tmpfs -o "size=$2" smclat-e2e "$1" 2> /dev/null && mounts=("$1" "${mounts[@]}")
}
if tmpfs "$T/full" 400k; then
    # the results folder fills up while the lab collects: the trace (1.6 MB) does not fit
    lab ok fill "$T/full/fill"
    expect_run "$T/full/fill" no_space "^cannot write $T/full/fill/trace.bin: No space left on device \(trace.bin cut at [0-9]+ of 1617180 bytes: partial\)$"
    expect_eq "$(jq .trace_partial "$T/full/fill/run.json")" true "full disk: run.json marks the trace partial"
    for f in console.log calls.csv guest-client.log guest-mediator.log metadata.json params.env; do
        [ -s "$T/full/fill/$f" ] && ok "full disk: $f kept" || fail "full disk: $f lost"
    done
    "$SMCLAT" analyze "$T/full/fill" --json > "$T/partial.json" 2> "$T/partial.err"
    expect_eq "$?/$(jq .partial "$T/partial.json")" 0/true "full disk: the cut trace analyzes, marked partial"
    expect_grep 'the trace ends inside a record' "$T/partial.err" "full disk: the analyzer says where the trace ends"
    # a results folder full before the start, on its own file system: run.json goes beside it
    if tmpfs "$T/full/pre" 64k; then
        head -c 1M /dev/zero > "$T/full/pre/filler" 2> /dev/null
        lab ok pre "$T/full/pre"
        expect_eq "$rc" 1 "full from the start: exit status"
        expect_eq "$(jq -r .reason_kind "$T/full/pre.run.json")" no_space "full from the start: reason_kind in pre.run.json beside the folder"
        expect_grep "no room for run.json in the results folder \($T/full/pre/.run.json.reserve: No space left on device\)" \
            <(jq -r .reason "$T/full/pre.run.json") "full from the start: which file"
        expect_grep "run.json: cannot write it \(No space left on device\): written to $T/full/pre.run.json instead" "$T/err" "full from the start: stderr says where run.json went"
    else
        fail "cannot mount a 64 KiB tmpfs"
    fi
else
    echo "skipped: full file system cases (mounting a tmpfs needs root)"
fi

# --- suites: the real run.sh as the lab, a fault per scenario, the suite goes on (a boot per
# scenario: each fault its own; faults in groups sharing a boot: lab-group-faults.sh)
AN=$T/analyze-or-die.sh
cat > "$AN" << EOF
#!/bin/bash
# the analyzer, killed on the scenario whose folder ends in .busy-noise under 60fps-unopt.credit
case \$1 in *60fps-unopt.credit.busy-noise) echo "smclat: reading \$1" >&2; kill -KILL \$\$ ;; esac
exec "$SMCLAT" analyze "\$@"
EOF
chmod +x "$AN"
export FAKE_QEMU_FAULTS="24fps-opt.credit2.quiet=kill-boot 24fps-opt.credit2.busy-noise=kill-trace
24fps-opt.credit.quiet=hang 24fps-opt.credit.busy-noise=guest-fail 60fps-unopt.credit2.quiet=trace-fail
60fps-unopt.credit2.busy-noise=xen-panic"
setsid "$SMCLAT" suite run "$TOP/workloads/demo.suite" -o "$T/s" --lab "$RUN" --analyzer "$AN" \
    --boot-per-scenario --set target.timeout_s=10 > /dev/null 2> "$T/suite.err" &
sid=$!
wait $sid
expect_eq "$?" 1 "suite with faults: exit status"
no_leftovers $sid "suite with faults"
expect_eq "$(jq -r '[.ok, .failed] | @tsv' "$T/s/suite.json")" "1	7" "suite with faults: ok and failed counts (every scenario tried)"
while read -r name kind line; do
    got=$(jq -r --arg n "$name" '.scenarios[] | select(.name == $n) | .reason_kind + " " + .reason' "$T/s/suite.json")
    expect_grep "^$kind $line" <(echo "$got") "suite.json: $name: $kind"
    expect_grep "^suite: failed: $name: $kind: $line" "$T/suite.err" "stderr: $name: $kind"
done << 'E'
24fps-opt.credit2.quiet emulator_killed QEMU killed by SIGKILL \(exit 137\), last step: before Dom0 started
24fps-opt.credit2.busy-noise emulator_killed QEMU killed by SIGKILL \(exit 137\), last step: trace started
24fps-opt.credit.quiet timeout QEMU still running after TIMEOUT_S=10 s
24fps-opt.credit.busy-noise guest_program_failed smclat-gen exited with 1: smclat gen: call 3
60fps-unopt.credit2.quiet trace_failed smclat-record trace \(xentrace\) exited with 1
60fps-unopt.credit2.busy-noise boot_failed Xen: \(XEN\) Xen BUG at
60fps-unopt.credit.busy-noise analyzer_failed the analyzer was killed by SIGKILL \(exit 137\): smclat: reading
E
expect_eq "$(jq -r '.scenarios[] | select(.name == "60fps-unopt.credit.quiet") | .status' "$T/s/suite.json")" ok "the scenario without a fault"
[ -s "$T/s/60fps-unopt.credit.quiet/analysis.json" ] && ok "its analysis.json" || fail "no analysis.json for the scenario without a fault"
expect_grep '^smclat: reading' "$T/s/60fps-unopt.credit.busy-noise/analyze.log" "the killed analyzer's words kept in analyze.log"
[ ! -e "$T/s/.suite.json.reserve" ] && ok "suite.json's reserve given back at the end" || fail "suite.json's reserve left in the suite folder"
"$SMCLAT" report "$T/s" -o "$T/s-report" --no-plots > /dev/null 2> "$T/report.err"
expect_eq "$(jq -r '[.failed[].reason_kind] | sort | unique | join(" ")' "$T/s-report/summary.json")" \
    "analyzer_failed boot_failed emulator_killed guest_program_failed timeout trace_failed" "the report's failed scenarios and their kinds"

# the analyzer failing with its own error: that line is the reason
printf '#!/bin/bash\necho "warning: something" >&2\necho "smclat: $1/trace.bin: offset 4096: expected a record, found junk" >&2\nexit 2\n' > "$T/bad-analyzer.sh"
chmod +x "$T/bad-analyzer.sh"
"$SMCLAT" suite run "$TOP/workloads/demo.suite" -o "$T/a" --lab "$RUN" --analyzer "$T/bad-analyzer.sh" \
    --only 60fps-unopt.credit.quiet > /dev/null 2> "$T/a.err"
expect_eq "$?" 1 "analyzer error: exit status"
expect_grep "^analyzer_failed the analyzer exited with 2: smclat: $T/a/60fps-unopt.credit.quiet/trace.bin: offset 4096: expected a record, found junk$" \
    <(jq -r '.scenarios[0].reason_kind + " " + .scenarios[0].reason' "$T/a/suite.json") "analyzer error: its last line in suite.json"
expect_grep "^suite: failed: 60fps-unopt.credit.quiet: analyzer_failed: the analyzer exited with 2: smclat: " "$T/a.err" "analyzer error: on stderr"
[ ! -e "$T/a/60fps-unopt.credit.quiet/analysis.json" ] && ok "analyzer error: no analysis.json" || fail "analyzer error: an analysis.json"

# Ctrl-C during a scenario (the hung one), one boot at a time: interrupted, the rest not run,
# nothing left behind
setsid "$SMCLAT" suite run "$TOP/workloads/demo.suite" -o "$T/i" --lab "$RUN" --only '24fps-opt.credit.*' \
    --boot-per-scenario --jobs 1 --set target.timeout_s=10 > /dev/null 2> "$T/int.err" &
sid=$!
for _ in $(seq 50); do grep -q "trace started" "$T/int.err" && break; sleep 0.2; done
kill -INT $sid
wait $sid
expect_eq "$?" 1 "interrupted suite: exit status"
no_leftovers $sid "interrupted suite"
expect_eq "$(jq -r '[.scenarios[] | .status + ":" + (.reason_kind // "-")] | join(" ")' "$T/i/suite.json")" \
    "failed:interrupted not run:-" "interrupted suite: statuses"
expect_eq "$(jq -r .reason_kind "$T/i/24fps-opt.credit.quiet/run.json")" interrupted "interrupted: the lab's run.json"

# Ctrl-C with two boots side by side (--jobs 2, both hung in their trace): both stopped, their
# scenarios interrupted, the rest not run, nothing left behind
FAKE_QEMU_FAULTS="24fps-opt.credit2.quiet=hang 24fps-opt.credit2.busy-noise=hang" \
    setsid "$SMCLAT" suite run "$TOP/workloads/demo.suite" -o "$T/i2" --lab "$RUN" --only '24fps-opt.*' \
    --boot-per-scenario --jobs 2 --set target.timeout_s=10 > /dev/null 2> "$T/int2.err" &
sid=$!
for _ in $(seq 50); do [ "$(grep -c "trace started" "$T/int2.err")" -ge 2 ] && break; sleep 0.2; done
kill -INT $sid
wait $sid
expect_eq "$?" 1 "interrupted suite, two boots: exit status"
no_leftovers $sid "interrupted suite, two boots"
expect_eq "$(jq -r '[.scenarios[] | .status + ":" + (.reason_kind // "-")] | join(" ")' "$T/i2/suite.json")" \
    "failed:interrupted failed:interrupted not run:- not run:-" "interrupted suite, two boots: statuses"

# a suite on a full file system: the first scenario's trace does not fit, then something else
# takes the last bytes (a lab that fills the folder after its run.json); the next scenario cannot
# start; the suite's record is still whole, in the room reserved for it, and says all that
if [ ${#mounts[@]} -gt 0 ] && tmpfs "$T/sfull" 400k; then
    unset FAKE_QEMU_FAULTS
    printf '#!/bin/bash\n"%s" "$@"\nrc=$?\nhead -c 1M /dev/zero > "$(dirname "$2")/filler" 2> /dev/null\nexit $rc\n' "$RUN" > "$T/fill-lab.sh"
    chmod +x "$T/fill-lab.sh"
    setsid "$SMCLAT" suite run "$TOP/workloads/demo.suite" -o "$T/sfull/runs" --lab "$T/fill-lab.sh" --analyzer "$AN" \
        --only '60fps-unopt.credit2.*' --boot-per-scenario --jobs 1 > /dev/null 2> "$T/sfull.err" &
    sid=$!
    wait $sid
    expect_eq "$?" 1 "suite on a full file system: exit status"
    no_leftovers $sid "suite on a full file system"
    jq -e . "$T/sfull/runs/suite.json" > /dev/null && ok "suite.json whole on a full file system" || fail "suite.json not whole"
    expect_eq "$(jq -r '[.scenarios[].reason_kind] | join(" ")' "$T/sfull/runs/suite.json")" "no_space no_space" "full file system: kinds"
    expect_grep "^no_space cannot write $T/sfull/runs/60fps-unopt.credit2.quiet/trace.bin: No space left on device" \
        <(jq -r '.scenarios[0].reason_kind + " " + .scenarios[0].reason' "$T/sfull/runs/suite.json") "full file system: the file that did not fit"
    # (which file depends on the bytes a tmpfs page leaves: scenario.ini, or run.json's reserve)
    expect_grep "^no_space .*$T/sfull/runs/60fps-unopt.credit2.busy-noise/[a-z.-]*: No space left on device\)?$" \
        <(jq -r '.scenarios[1].reason_kind + " " + .scenarios[1].reason' "$T/sfull/runs/suite.json") "full file system: the next scenario's file"
    expect_grep "suite.json: No space left on device: written in the room reserved at the start" "$T/sfull.err" "stderr: suite.json in the reserved room"
    expect_eq "$(jq '.failed' "$T/sfull/runs/suite.json")" 2 "full file system: suite.json's final counts written"
else
    echo "skipped: a suite on a full file system (mounting a tmpfs needs root)"
fi
finish
