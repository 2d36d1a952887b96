# shellcheck shell=bash disable=SC2034
# Shared by the reports end-to-end tests (sourced). Env: SMCLAT_BIN, SMCLAT_TOP, SHARED.
set -u
TOP=${SMCLAT_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
SMCLAT=${SMCLAT_BIN:-$TOP/build/bin}/smclat
export SHARED=${SHARED:-/work/shared}
T=$(mktemp -d /tmp/smclat-e2e-XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
# expect_rc WANT CMD...: runs CMD (stdout to $T/out, stderr to $T/err), checks the exit code
expect_rc() {
    local want=$1; shift
    "$@" > "$T/out" 2> "$T/err"; local rc=$?
    if [ "$rc" = "$want" ]; then ok "exit $rc: $*"; else
        fail "exit $rc, expected $want: $*"; sed 's/^/    /' "$T/err" | tail -5; fi
}
# expect_grep PATTERN FILE [WHAT]
expect_grep() {
    if grep -qE -- "$1" "$2"; then ok "${3:-$2 has $1}"; else fail "${3:-$2 lacks $1}"; sed 's/^/    /' "$2" | head -5; fi
}
expect_eq() { # GOT WANT WHAT
    if [ "$1" = "$2" ]; then ok "$3 = $2"; else fail "$3: got '$1', expected '$2'"; fi
}
# make_results DIR NAME N SCALE: a results folder with N calls, e2e = SCALE * (i + 1) ns
make_results() {
    mkdir -p "$1"
    printf '[scenario]\nname = %s\n' "$2" > "$1/scenario.ini"
    awk -v n="$3" -v s="$4" 'BEGIN { print "seq,start_ns,e2e_ns,switches,mediator_wake_ns"
        for (i = 0; i < n; i++) printf "%d,%.0f,%.0f,%d,%.0f\n", i, 1e9 + i * 1e7, s * (i + 1), 3 + i % 3, s * (i + 1) / 2 }' > "$1/calls-trace.csv"
    printf '{"smclat_analyze": 1, "partial": false, "calls": {"complete": %d, "incomplete": 1, "mediator_wake_ns": {"n": %d, "p50": 1000, "p99": 2000, "max": 3000}, "switches": {"mean": 4.0, "max": 5}}}\n' "$3" "$3" > "$1/analysis.json"
}
finish() {
    if [ $fails = 0 ]; then echo "all passed"; exit 0; fi
    echo "$fails failed"; exit 1
}
