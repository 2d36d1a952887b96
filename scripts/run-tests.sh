#!/bin/bash
# Runs smclat's tests and prints one line per test, then "check: N passed, N failed".
# usage: run-tests.sh --unit "BIN..." --e2e "SCRIPT..." --fuzz "FUZZER..."
# Env: FUZZ_SECONDS (per fuzzer), SMCLAT_BIN, SMCLAT_BUILD, SHARED (passed to e2e scripts).
set -u
unit=; e2e=; fuzz=
while [ $# -gt 0 ]; do
    case $1 in
        --unit) unit=$2; shift 2 ;;
        --e2e) e2e=$2; shift 2 ;;
        --fuzz) fuzz=$2; shift 2 ;;
        *) echo "run-tests: unknown argument $1" >&2; exit 2 ;;
    esac
done
top=$(cd "$(dirname "$0")/.." && pwd)
logdir=${SMCLAT_BUILD:-$top/build}/test-logs
rm -rf "$logdir"; mkdir -p "$logdir"
export SMCLAT_TOP=$top
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
passed=0; failed=0; failed_names=
total=0
for x in $unit $e2e $fuzz; do total=$((total + 1)); done
i=0
run_one() { # kind name command...
    local kind=$1 name=$2; shift 2
    i=$((i + 1))
    local log="$logdir/$(basename "$name").log"
    local t0=$(date +%s.%N)
    printf '[%d/%d] %-5s %s ... ' "$i" "$total" "$kind" "$name"
    "$@" > "$log" 2>&1 < /dev/null
    local rc=$?
    local dt=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
    if [ $rc = 0 ]; then
        passed=$((passed + 1)); echo "ok (${dt}s)"
        # cmocka's own summary line, for readers of the log
        [ "$kind" = unit ] && grep -E '^\[  PASSED  \]|^\[  FAILED  \]' "$log" | sed 's/^/      /'
    else
        failed=$((failed + 1)); failed_names="$failed_names $name"
        echo "FAILED (exit $rc, ${dt}s); last lines of $log:"
        tail -n 30 "$log" | sed 's/^/      /'
        # a fuzzer's find, so that a CI log alone reproduces it:
        #   echo B64 | base64 -d > crash && FUZZER crash
        if [ "$kind" = fuzz ]; then
            for a in "$logdir/$(basename "$name")"-*; do
                [ -f "$a" ] || continue
                echo "      input $(basename "$a") ($(stat -c %s "$a") bytes), base64:"
                head -c 8192 "$a" | base64 -w 100 | sed 's/^/      /'
            done
        fi
    fi
}
for t in $unit; do run_one unit "$t" "$t"; done
for t in $e2e; do run_one e2e "$t" bash "$top/$t"; done
for f in $fuzz; do
    name=$(basename "$f")
    corpus="$logdir/corpus-$name"; mkdir -p "$corpus"
    seeds="$top/fuzz/corpus/$name"
    run_one fuzz "$f" "$f" -max_total_time="${FUZZ_SECONDS:-60}" -rss_limit_mb=1024 \
        -artifact_prefix="$logdir/$name-" -print_final_stats=1 "$corpus" $( [ -d "$seeds" ] && echo "$seeds" )
done
echo "check: $passed passed, $failed failed"
[ $failed = 0 ] || { echo "failed:$failed_names"; exit 1; }
