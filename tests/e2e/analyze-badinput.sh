#!/bin/bash
# smclat analyze on bad input: one clear line naming the file (and the byte offset where there
# is one), exit 2; a truncated trace gives a warning and a JSON marked partial. Never a crash
# (make check runs this under ASan/UBSan).
set -u
: "${SMCLAT_BIN:?}" "${SMCLAT_TOP:?}"
S="$SMCLAT_BIN/smclat"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
bad=0
fail() { echo "FAIL $*"; bad=$((bad + 1)); }
# expect_error NAME EXIT PATTERN ARGS...: exit code EXIT and one stderr line matching PATTERN
expect_error() {
    local name=$1 want=$2 pat=$3; shift 3
    "$S" analyze "$@" > "$tmp/out" 2> "$tmp/err"; local rc=$?
    if [ "$rc" != "$want" ]; then fail "$name: exit $rc, expected $want"; cat "$tmp/err"; return; fi
    if ! grep -Eq -- "$pat" "$tmp/err"; then fail "$name: stderr does not match '$pat':"; cat "$tmp/err"; return; fi
    echo "ok   $name: $(head -n 1 "$tmp/err")"
}
trace=$tmp/synth.bin
"$SMCLAT_BIN/smclat-synth" --calls 200 "$trace" || { echo "smclat-synth failed"; exit 1; }
: > "$tmp/empty.bin"
printf 'this is not a xentrace file at all, just some text\n' > "$tmp/text.bin"
head -c 65536 /dev/urandom > "$tmp/garbage.bin"
head -c 10003 "$trace" > "$tmp/cut.bin"
# a record claiming 7 extra words where 3 bytes remain, in a chunk that says so
printf '\x03\xf0\x01\x20\x00\x00\x00\x00\x08\x00\x00\x00\x04\x10\x02\xf0\x01\x00\x00\x00' > "$tmp/extra.bin"

expect_error "empty file" 2 "smclat: .*empty.bin.*offset 0" --cpu-hz 62.5M "$tmp/empty.bin"
expect_error "not a trace" 2 "smclat: .*text.bin.*offset [0-9]+" --cpu-hz 62.5M "$tmp/text.bin"
expect_error "garbage" 2 "smclat: .*garbage.bin.*offset [0-9]+" --cpu-hz 62.5M "$tmp/garbage.bin"
expect_error "impossible extra words" 2 "smclat: .*extra.bin.*offset [0-9]+" --cpu-hz 62.5M "$tmp/extra.bin"
expect_error "zero rate" 2 "smclat: .*rate must be positive" --cpu-hz 0 "$trace"
expect_error "no rate" 2 "does not record its timer rate: give --cpu-hz" "$trace"
expect_error "missing file" 2 "smclat: .*nope.bin" --cpu-hz 62.5M "$tmp/nope.bin"
expect_error "roles half given" 2 "--client and --mediator go together" --cpu-hz 62.5M --client 2 "$trace"
echo '{"physinfo": {"cpu_khz": "fast"}}' > "$tmp/meta.json"
expect_error "bad metadata" 2 "meta.json: physinfo.cpu_khz" --metadata "$tmp/meta.json" "$trace"

# truncated: usable, so a warning and partial results
"$S" analyze --cpu-hz 62.5M --client 2 --mediator 1 --json "$tmp/cut.bin" > "$tmp/cut.json" 2> "$tmp/err"; rc=$?
if [ $rc != 0 ]; then fail "truncated: exit $rc"; cat "$tmp/err"
elif ! grep -q '^warning: .*cut.bin.*offset' "$tmp/err"; then fail "truncated: no warning with offset"; cat "$tmp/err"
elif ! python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); sys.exit(0 if a["partial"] is True and a["records"] > 0 else 1)' "$tmp/cut.json"; then
    fail "truncated: JSON not marked partial"
else echo "ok   truncated: $(head -n 1 "$tmp/err")"; fi

# a results folder with metadata.json gives the rate and the roles
mkdir -p "$tmp/run"; cp "$trace" "$tmp/run/trace.bin"
echo '{"smclat_metadata": 1, "physinfo": {"cpu_khz": 62500}, "roles": {"client": 2, "mediator": 1}}' > "$tmp/run/metadata.json"
if "$S" analyze --json "$tmp/run" > "$tmp/run.json" 2> "$tmp/err" &&
   python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); sys.exit(0 if a["cpu_hz"] == 62500000 and a["roles"]["client"] == 2 and a["calls"]["complete"] > 0 else 1)' "$tmp/run.json"; then
    echo "ok   results folder: rate and roles from metadata.json"
else fail "results folder"; cat "$tmp/err"; fi
# smclat dump reads the same results folder (its trace.bin), as `smclat dump TRACE` does
"$S" dump -s "$trace" > "$tmp/dump-trace.txt" 2>&1
if "$S" dump -s "$tmp/run" > "$tmp/dump-run.txt" 2> "$tmp/err" &&
   diff <(tail -n +2 "$tmp/dump-trace.txt") <(tail -n +2 "$tmp/dump-run.txt") > /dev/null &&
   head -n 1 "$tmp/dump-run.txt" | grep -q "^file $tmp/run/trace.bin:"; then
    echo "ok   dump: results folder"
else fail "dump of a results folder"; cat "$tmp/err"; fi
# a trace xenalyze gives up on (FATAL): smclat counts the mismatch and goes on
python3 "$SMCLAT_TOP/tests/tools/fatal-trace.py" "$tmp/fatal.bin"
if [ -x /usr/bin/xenalyze ] && ! /usr/bin/xenalyze --cpu-hz=62.5M -s "$tmp/fatal.bin" 2>&1 | grep -q FATAL; then
    fail "fatal-trace.py no longer makes xenalyze stop"
fi
if "$S" analyze --cpu-hz 62.5M --json "$tmp/fatal.bin" > "$tmp/fatal.json" 2> "$tmp/err" &&
   python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); sys.exit(0 if a["model"]["first_state_mismatches"] >= 1 and len(a["domains"]) >= 2 else 1)' "$tmp/fatal.json"; then
    echo "ok   xenalyze FATAL case: mismatch counted, totals given"
else fail "xenalyze FATAL case"; cat "$tmp/err"; fi
# unknown scheduler event ids: counted by id in the JSON, the rest analysed
python3 - "$tmp/unk.bin" <<'PY'
import struct, sys
def rec(ev, tsc, extra):
    h = ev | (len(extra) << 28) | (1 << 31)
    return struct.pack('<III', h, tsc & 0xffffffff, tsc >> 32) + b''.join(struct.pack('<I', x) for x in extra)
body = rec(0x21101, 100, [1 << 16]) + rec(0x2801f, 200, [1, 2]) + rec(0x2801f, 300, []) + rec(0x21021, 400, [1 << 16])
open(sys.argv[1], 'wb').write(struct.pack('<III', 0x2001f003, 0, len(body)) + body)
PY
if "$S" analyze --cpu-hz 62.5M --json "$tmp/unk.bin" > "$tmp/unk.json" 2> "$tmp/err" &&
   python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); v=a["domains"][0]["vcpus"][0]; sys.exit(0 if a["unknown_events"] == {"0x0002801f": 2} and a["records"] == 4 and v["runstate_ns"]["running"] == 300 * 16 else 1)' "$tmp/unk.json"; then
    echo "ok   unknown events counted by id"
else fail "unknown events"; cat "$tmp/unk.json" "$tmp/err"; fi
# a trace stitched from two copies of one: figures given, with the warnings that say so
cat "$trace" "$trace" > "$tmp/twice.bin"
if "$S" analyze --cpu-hz 62.5M --roles auto --json "$tmp/twice.bin" > "$tmp/twice.json" 2> "$tmp/err" &&
   grep -q '^warning: .*twice.bin: SWITCH and runstate records disagree' "$tmp/err" &&
   python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); sys.exit(0 if a["model"]["inconsistencies"] > 0 and any("disagree" in w for w in a["warnings"]) else 1)' "$tmp/twice.json"; then
    echo "ok   stitched trace: warned"
else fail "stitched trace not warned about"; cat "$tmp/err"; fi
# and the trace alone warns about nothing
if "$S" analyze --cpu-hz 62.5M --roles auto "$trace" 2>&1 >/dev/null | grep -q '^warning:'; then
    fail "a whole synthetic trace gave a warning"
else echo "ok   whole synthetic trace: no warning"; fi
echo "analyze-badinput: $bad failures"
[ "$bad" = 0 ]
