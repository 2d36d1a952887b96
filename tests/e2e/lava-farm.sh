#!/bin/bash
# smclat suite run --lava IDENTITY --lava-url PREFIX (farm mode, docs/lava.md) against a local
# stand-in of LAVA's XML-RPC API (tests/tools/lava-standin.py; lavacli talks to it as to a
# server: submit, wait, show, logs, results). Checks: one deterministic scenario submitted,
# run by the stand-in's worker through lava-run (holding the lab lock), its results folder back
# over the log, analyzed, every generator call joined; a suite stopped while waiting and resumed
# waits for its job instead of submitting it again; a refused submission, an incomplete job and
# a job complete with its test case failed: each a one-line reason in suite.json and on stderr.
# Env: SMCLAT_BIN, SMCLAT_TOP, SMCLAT_CACHE.
set -u
top=${SMCLAT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/e2e/lab-lib.sh"
. "$top/tests/e2e/lava-lib.sh"
export XDG_CONFIG_HOME=$tmp/cfg
st=$tmp/farm
mkdir -p "$st" "$XDG_CONFIG_HOME"
echo "lava-run $dev" > "$st/mode"
/usr/bin/python3 tests/tools/lava-standin.py "$st" "$top/tests/tools/lava-standin-worker.sh" > "$tmp/port" 2> "$tmp/standin.log" &
spid=$!
trap 'kill $spid 2> /dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
port=$(cat "$tmp/port")
[ -n "$port" ] || { echo "FAIL: the stand-in did not start: $(cat "$tmp/standin.log")"; exit 1; }
lavacli identities add --uri "http://127.0.0.1:$port/RPC2" standin || { echo "FAIL: lavacli identities add"; exit 1; }
submitted() { wc -l < "$st/submitted" 2> /dev/null || echo 0; }
farm() { # OUT [smclat options]: the scenario through the stand-in farm
    local o=$1
    shift
    "$bin/smclat" suite run "$tmp/lava-e2e.ini" --lava standin --lava-url "file://$o/lava-jobs/payloads" -o "$o" "$@"
}
reason() { jq -r '.scenarios[0] | .status + " " + .reason_kind + ": " + .reason' "$1/suite.json"; }

# the scenario through the farm: lava-run behind the stand-in
t1=$(date +%s)
farm "$tmp/a" 2> "$tmp/a.log"
rc=$?
echo "farm run: $(($(date +%s) - t1)) s, exit $rc"
[ $rc = 0 ] || { bad "farm run exit $rc: $(reason "$tmp/a")"; tail -20 "$tmp/a.log"; }
[ "$(cat "$tmp/a/lava-e2e/lava-job.id" 2> /dev/null)" = 1 ] || bad "no job id 1 in the results folder"
check_folder "$tmp/a/lava-e2e"
[ "$(submitted)" = 1 ] || bad "$(submitted) submissions, expected 1"

# stopped while waiting, resumed: waits for the same job
echo hold > "$st/mode"
farm "$tmp/b" 2> "$tmp/b1.log" &
fpid=$!
for _ in $(seq 300); do [ -s "$tmp/b/lava-e2e/lava-job.id" ] && break; sleep 0.2; done
sleep 1
kill -TERM $fpid
wait $fpid
[ "$(submitted)" = 2 ] || bad "$(submitted) submissions after the second suite's, expected 2"
echo "replay $tmp/a/lava-e2e/lava.log" > "$st/mode"
touch "$st/release"
farm "$tmp/b" 2> "$tmp/b2.log" || bad "resumed farm run failed: $(reason "$tmp/b")"
grep -q "waiting for it, not submitting again" "$tmp/b2.log" || bad "the resumed suite did not say it waits for its job"
[ "$(submitted)" = 2 ] || bad "the resumed suite submitted again ($(submitted) submissions)"
[ "$(cat "$tmp/b/lava-e2e/lava-job.id")" = 2 ] || bad "resumed: job id $(cat "$tmp/b/lava-e2e/lava-job.id"), expected 2"
check_folder "$tmp/b/lava-e2e"

# bad outcomes: one line each, in suite.json and on stderr
check_fail() { # NAME OUT PATTERN
    local r
    r=$(reason "$2")
    echo "$1: $r"
    echo "$r" | grep -q -- "$3" || bad "$1: suite.json '$r', expected /$3/"
    [ "$(echo "$r" | wc -l)" = 1 ] || bad "$1: not one line"
    grep -q -- "${3#^failed * }" "$2.log" || bad "$1: the reason is not on stderr"
}
echo "maintenance: no submissions today" > "$st/refuse"
farm "$tmp/c" 2> "$tmp/c.log" && bad "a refused submission: the suite succeeded"
check_fail refused "$tmp/c" "^failed lab_failed: the farm refused the submission of lava-e2e.yaml: .*maintenance: no submissions today"
rm -f "$st/refuse"
echo "incomplete Test shell timed out" > "$st/mode"
farm "$tmp/d" 2> "$tmp/d.log" && bad "an incomplete job: the suite succeeded"
check_fail incomplete "$tmp/d" "^failed timeout: LAVA job incomplete: Infrastructure: Test shell timed out"
sed 's/"case": "lava-e2e", "definition": "0_smclat", \(.*\)"result": "pass"/"case": "lava-e2e", "definition": "0_smclat", \1"result": "fail"/' \
    "$tmp/a/lava-e2e/lava.log" > "$tmp/testfail.log"
echo "replay $tmp/testfail.log" > "$st/mode"
farm "$tmp/e" 2> "$tmp/e.log" && bad "a job complete with its test failed: the suite succeeded"
check_fail test-failed "$tmp/e" "^failed lab_failed: LAVA job complete, but its test case lava-e2e: fail"
kill $spid
wait $spid 2> /dev/null
[ -z "$(left_behind)" ] || bad "left running: $(left_behind)"
echo "$(($(date +%s) - t0)) s"
[ $fails = 0 ] && echo "lava-farm: ok"
exit $((fails > 0))
