#!/bin/bash
# smclat synth: the trace it writes holds what its truth file says (records counted by the
# reader, calls), --size is honoured, and bad arguments give one line and exit 2. And the
# dispatcher's help and external commands.
set -u
: "${SMCLAT_BIN:?}"
S="$SMCLAT_BIN/smclat"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
bad=0
fail() { echo "FAIL $*"; bad=$((bad + 1)); }
"$S" synth --calls 50 --seed 3 --chunk 1024 --truth "$tmp/t.json" "$tmp/t.bin" || fail "synth --calls 50"
read -r calls records < <(jq -r '"\(.calls) \(.records)"' "$tmp/t.json")
read -r n_rec n_chunks < <("$S" dump --summary "$tmp/t.bin" | sed -nE '1s/.* ([0-9]+) records, ([0-9]+) chunks.*/\1 \2/p')
[ "$calls" = 50 ] || fail "truth: $calls calls, expected 50"
[ "$n_rec" = "$records" ] || fail "dump --summary: $n_rec records, truth $records"
# chunks of at most 1 KiB of records: at least records * 4 bytes / 1 KiB of them
[ "$n_chunks" -ge $((records * 4 / 1024)) ] || fail "$n_chunks chunks with --chunk 1024"
"$S" synth --size 256k "$tmp/s.bin" || fail "synth --size 256k"
size=$(stat -c %s "$tmp/s.bin")
if [ "$size" -lt 256000 ] || [ "$size" -ge $((262144 + 65536)) ]; then fail "--size 256k wrote $size bytes"; fi
expect_bad() { # pattern args...
    local pat=$1; shift
    "$S" synth "$@" > /dev/null 2> "$tmp/err"; local rc=$?
    if [ $rc != 2 ] || [ "$(wc -l < "$tmp/err")" != 1 ] || ! grep -Eq -- "$pat" "$tmp/err"; then
        fail "synth $*: exit $rc, stderr: $(cat "$tmp/err")"
    else echo "ok   synth $*: $(cat "$tmp/err")"; fi
}
expect_bad "--calls, --size, --chunk or --seed out of range" --calls -5 "$tmp/x.bin"
expect_bad "--size: expected a number .*found '1Q'" --size 1Q "$tmp/x.bin"
expect_bad "out of range" --chunk 3 --calls 5 "$tmp/x.bin"
expect_bad "give one of --calls N or --size BYTES" --calls 5 --size 1M "$tmp/x.bin"
expect_bad "expected one OUT file" --calls 5
[ ! -e "$tmp/x.bin" ] || fail "a refused run wrote its output"
# the dispatcher: `smclat help CMD` is `smclat CMD --help` (builtin or external), a name with
# a slash is no command
if ! { "$S" help synth > "$tmp/h" 2>&1 && grep -q '^usage: smclat synth ' "$tmp/h"; }; then
    fail "smclat help synth: $(cat "$tmp/h")"
fi
if ! { "$S" dump --help > "$tmp/h1" && "$S" help dump > "$tmp/h2" && cmp -s "$tmp/h1" "$tmp/h2"; }; then
    fail "smclat help dump differs from smclat dump --help"
fi
"$S" ../bin/smclat > /dev/null 2> "$tmp/err"
rc=$?
if [ $rc != 2 ] || ! grep -q "unknown command '../bin/smclat'" "$tmp/err"; then
    fail "smclat ../bin/smclat: exit $rc"
fi
echo "synth: $bad failures"
[ "$bad" = 0 ]
