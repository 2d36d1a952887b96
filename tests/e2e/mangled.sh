#!/bin/bash
# Mangled traces (tests/tools/mangle.py: truncated at many offsets, bit flips at seeded random
# positions, a chunk size made huge, zero-filled regions, chunks swapped, traces concatenated),
# plus an empty file, a directory and a FIFO, through `smclat analyze` (--roles auto, and
# --client/--mediator) and `smclat dump --summary`. Each run must end with exit 0 or 2 (never
# a signal nor a sanitizer report: make check runs this under ASan/UBSan); exit 2 must come
# with one `smclat: FILE...` line (with `offset N:` for a file); a truncated copy that exits 0
# must say so (`"partial": true` in the JSON, or a `warning:` line); a copy that is a whole
# trace must be read by dump without error; a copy with one timestamp's high bit flipped must
# give the undamaged trace's duration.
# MANGLE_SEED=N picks other random positions (the default, 0, is what make check runs).
set -u
: "${SMCLAT_BIN:?}" "${SHARED:?}" "${SMCLAT_TOP:?}"
S="$SMCLAT_BIN/smclat"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
bad=0; runs=0
seed=${MANGLE_SEED:-0}
fail() { echo "FAIL $*"; bad=$((bad + 1)); }
export SMCLAT_NO_PROGRESS=1

# check NAME KIND CMD...: runs smclat CMD (timeout 20 s) and checks the outcome.
check() {
    local name=$1 kind=$2; shift 2
    runs=$((runs + 1))
    timeout -s KILL 20 "$S" "$@" > "$tmp/out" 2> "$tmp/err"
    local rc=$? what="$name: smclat $1"
    if grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:|UndefinedBehaviorSanitizer' "$tmp/err"; then
        fail "$what: sanitizer report"; head -n 20 "$tmp/err"; return
    fi
    case $rc in
    0)
        if [ "$kind" = trunc ] && ! grep -q '^warning: ' "$tmp/err" &&
           ! grep -q '"partial": *true' "$tmp/out"; then
            fail "$what: exit 0 on a truncated file, neither partial nor a warning"
        fi ;;
    2)
        local n
        n=$(grep -c '^smclat: ' "$tmp/err")
        if [ "$n" != 1 ]; then fail "$what: exit 2 with $n 'smclat:' lines"; cat "$tmp/err"; return; fi
        if [ "$kind" = dir ]; then
            grep -q "^smclat: .*$(basename "$name")" "$tmp/err" || { fail "$what: error does not name it"; cat "$tmp/err"; }
        elif ! grep -Eq "^smclat: [^ ]*$(basename "$name"): offset [0-9]+: " "$tmp/err"; then
            fail "$what: exit 2 without 'smclat: FILE: offset N:'"; cat "$tmp/err"
        fi ;;
    137) fail "$what: hung (killed after 20 s)" ;;
    *) fail "$what: exit $rc"; tail -n 5 "$tmp/err" ;;
    esac
    if [ "$kind" = whole ] && [ "$1" = dump ] && [ "$rc" != 0 ]; then
        fail "$what: a whole trace not read"; cat "$tmp/err"
    fi
    # one absurd timestamp: the same duration as the undamaged trace's
    if [ "$kind" = tsc ] && [ "$1" = analyze ]; then
        local d
        d=$(jq '.duration_ns' "$tmp/out" 2> /dev/null)
        [ "$d" = "$orig_duration" ] || fail "$what: duration_ns $d, undamaged trace $orig_duration"
    fi
}

# run_all DIR: every mangled copy listed in DIR/list through the three commands.
run_all() {
    local dir=$1 client=$2 mediator=$3 orig=$4 name kind orig_duration
    orig_duration=$("$S" analyze --cpu-hz 62.5M --json "$orig" 2> /dev/null | jq '.duration_ns')
    [[ $orig_duration =~ ^[1-9][0-9]*$ ]] || fail "$orig: no duration_ns ($orig_duration)"
    while read -r name kind; do
        local f="$dir/$name"
        check "$f" "$kind" analyze --cpu-hz 62.5M --roles auto --json "$f"
        check "$f" "$kind" analyze --cpu-hz 62.5M --client "$client" --mediator "$mediator" --json "$f"
        check "$f" "$kind" dump --summary "$f"
    done < "$dir/list"
}

real="$SHARED/traces/final-basic/t2.bin"
real2="$SHARED/traces/sched-pool-c/t.bin"
mkdir -p "$tmp/real" "$tmp/synth"
python3 "$SMCLAT_TOP/tests/tools/mangle.py" "$real" "$tmp/real" $((seed * 3 + 1)) "$SHARED/traces/icount-smp1-a/t2.bin" > "$tmp/real/list" ||
    { echo "FAIL mangle.py on $real"; exit 1; }
run_all "$tmp/real" 2 1 "$real"
# a bigger real trace with three domains: a few copies only (time)
mkdir -p "$tmp/real2"
python3 "$SMCLAT_TOP/tests/tools/mangle.py" "$real2" "$tmp/real2" $((seed * 3 + 2)) > "$tmp/real2/list.all" ||
    { echo "FAIL mangle.py on $real2"; exit 1; }
grep -E '^(cut-rec-odd|flip-many|huge-mid|swap-mid|flip-hdr0|tsc-high)' "$tmp/real2/list.all" > "$tmp/real2/list"
run_all "$tmp/real2" 2 1 "$real2"
"$S" synth --calls 2000 --seed 7 --chunk 4096 "$tmp/synth.bin" 2> "$tmp/err" ||
    { echo "FAIL smclat synth"; cat "$tmp/err"; exit 1; }
python3 "$SMCLAT_TOP/tests/tools/mangle.py" "$tmp/synth.bin" "$tmp/synth" $((seed * 3 + 3)) > "$tmp/synth/list" ||
    { echo "FAIL mangle.py on the synthetic trace"; exit 1; }
run_all "$tmp/synth" 2 1 "$tmp/synth.bin"

# not files: a directory without a trace, a FIFO (nothing writes to it: must not block)
mkdir "$tmp/adir"
mkfifo "$tmp/afifo"
for f in "$tmp/adir" "$tmp/afifo"; do
    check "$f" dir analyze --cpu-hz 62.5M --roles auto --json "$f"
    check "$f" dir dump --summary "$f"
done
echo "mangled: $runs runs, $bad failures"
[ "$bad" = 0 ]
