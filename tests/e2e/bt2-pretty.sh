#!/bin/bash
# babeltrace2 prints a real xentrace trace through source.xentrace.reader: one event per record
# (as many as `smclat dump` prints), the same ids, pCPUs and timestamps in the same order, the
# decoded runstate fields; bad parameters give a clear error, never a crash.
set -euo pipefail
: "${SMCLAT_BIN:?}" "${SMCLAT_BUILD:?}" "${SHARED:?}"
P=$SMCLAT_BUILD/lib/babeltrace2/plugins
T=$SHARED/traces/final-basic/t2.bin
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
bt() { timeout 120 babeltrace2 --plugin-path="$P" --component=source.xentrace.reader "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

bt --params="inputs=[\"$T\"],cpu-hz=62500000" > "$tmp/bt.txt"
"$SMCLAT_BIN/smclat" dump "$T" > "$tmp/dump.txt"
n_bt=$(wc -l < "$tmp/bt.txt"); n_dump=$(wc -l < "$tmp/dump.txt")
echo "records: babeltrace2 $n_bt, smclat dump $n_dump"
[ "$n_bt" -gt 1000 ] || fail "too few events ($n_bt)"
[ "$n_bt" = "$n_dump" ] || fail "babeltrace2 printed $n_bt events, smclat dump $n_dump records"

# id, cpu and tsc of every record, in order, agree with the native reader
sed -E 's/.*\{ id = 0x([0-9A-F]+), cpu = ([0-9]+), tsc = ([0-9]+),.*/\1 \2 \3/' "$tmp/bt.txt" |
    awk '{id = tolower($1); while (length(id) < 8) id = "0" id; print $3, $2, id}' > "$tmp/bt.keys"
awk '{sub(/^cpu/, "", $2); print $1, $2, $3}' "$tmp/dump.txt" > "$tmp/dump.keys"
cmp -s "$tmp/bt.keys" "$tmp/dump.keys" || { diff "$tmp/bt.keys" "$tmp/dump.keys" | head; fail "ids/cpus/tsc differ"; }

# decoded fields: every runstate change, as smclat dump decodes it
grep 'RUNSTATE_CHANGE' "$tmp/bt.txt" |
    sed -E 's/.*domid = ([0-9]+), vcpu = ([0-9]+), old_state = \( "([a-z]+)".*new_state = \( "([a-z]+)".*/d\1v\2 \3->\4/' > "$tmp/bt.rs"
grep 'RUNSTATE_CHANGE' "$tmp/dump.txt" | awk '{print $5, $6}' > "$tmp/dump.rs"
[ "$(wc -l < "$tmp/bt.rs")" -gt 100 ] || fail "too few runstate changes"
cmp -s "$tmp/bt.rs" "$tmp/dump.rs" || { diff "$tmp/bt.rs" "$tmp/dump.rs" | head; fail "runstate fields differ"; }
# the clock: 62.5 MHz, so consecutive events are (tsc difference) * 16 ns apart: the deltas
# babeltrace2 prints on the first lines, from the native reader's timestamps
for k in 2 3 50 500; do
    read -r t0 t1 < <(awk -v k="$k" 'NR == k - 1 { a = $1 } NR == k { print a, $1; exit }' "$tmp/dump.keys")
    want=$(printf '(+%d.%09d)' $(((t1 - t0) * 16 / 1000000000)) $(((t1 - t0) * 16 % 1000000000)))
    line=$(sed -n "${k}p" "$tmp/bt.txt")
    [[ $line == *"$want"* ]] || fail "line $k: expected delta $want (ticks $t0 -> $t1), found: $line"
done

# babeltrace2 FILE finds the component class by itself (its babeltrace.support-info query)
(cd "$(dirname "$T")" && timeout 120 babeltrace2 --plugin-path="$P" "$(basename "$T")" \
    --params=cpu-hz=62500000) > "$tmp/auto.txt"
cmp -s "$tmp/auto.txt" "$tmp/bt.txt" || fail "babeltrace2 FILE differs from --component=source.xentrace.reader"
# ... and in a results folder, at the rate of its metadata.json
mkdir "$tmp/results"
cp "$T" "$tmp/results/trace.bin"
echo '{"smclat_metadata": 1, "physinfo": {"cpu_khz": 62500}}' > "$tmp/results/metadata.json"
timeout 120 babeltrace2 --plugin-path="$P" "$tmp/results" > "$tmp/dir.txt"
cmp -s "$tmp/dir.txt" "$tmp/bt.txt" || fail "babeltrace2 RESULTS_DIR differs"

# bad parameters: exit code 1 from babeltrace2 (not a signal), the cause on stderr
expect_error() { # params needle
    local rc=0
    bt --params="$1" > /dev/null 2> "$tmp/err" || rc=$?
    if [ $rc -eq 0 ] || [ $rc -ge 128 ]; then fail "params '$1': exit $rc"; fi
    grep -qF -- "$2" "$tmp/err" || { cat "$tmp/err" >&2; fail "params '$1': no '$2'"; }
}
expect_error "cpu-hz=62500000" "missing \`inputs\` parameter"
expect_error "inputs=[\"$T\"],cpu-hz=0" "\`cpu-hz\` parameter: expected a positive whole number"
expect_error "inputs=[\"$T\"],cpu-hz=-5" "\`cpu-hz\` parameter: expected a positive whole number"
expect_error "inputs=[\"$T\"]" "missing \`cpu-hz\` parameter"
head -c 1000 /dev/zero > "$tmp/zero.bin"
expect_error "inputs=[\"$tmp/zero.bin\"],cpu-hz=62500000" "$tmp/zero.bin"
expect_error "inputs=[\"$tmp/none.bin\"],cpu-hz=62500000" "$tmp/none.bin"
echo "ok"
