#!/bin/bash
# `smclat record` on the host, without Xen: `trace` against a stand-in xentrace that writes a
# known file (lost records counted, exit codes), and the clear errors where Xen is needed.
set -u
top=${SMCLAT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${SMCLAT_BIN:-$top/build/bin}
[ -x "$bin/smclat-record" ] || { echo "FAIL: no $bin/smclat-record (libxen-dev missing?)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# A stand-in xentrace: checks its arguments, writes a CPU_CHANGE, a WAKE with a timestamp and
# $LOST LOST_RECORDS records of 5 lost each (little-endian words), exits $XT_EXIT.
cat > "$tmp/xentrace" << 'X'
#!/bin/bash
[ "$*" = "-D -S 256 -e 0x0002f000 -T 3 ${@: -1}" ] || { echo "fake xentrace: args: $*" >&2; exit 9; }
w() { for v in "$@"; do printf "\\x$(printf %02x $((v & 255)))\\x$(printf %02x $((v >> 8 & 255)))\\x$(printf %02x $((v >> 16 & 255)))\\x$(printf %02x $((v >> 24 & 255)))"; done; }
{
    w $((0x2001f003)) 0 44
    w $((0xa0028004)) 100 0 1 0
    for _ in $(seq "${LOST:-0}"); do w $((0x4001f001)) 5 0 0 0; done
} > "${@: -1}"
exit "${XT_EXIT:-0}"
X
chmod +x "$tmp/xentrace"
rec() { "$bin/smclat" record "$@"; }

out=$(rec trace --seconds 3 -o "$tmp/t.bin" --xentrace "$tmp/xentrace" 2> "$tmp/err")
rc=$?
[ $rc = 0 ] || bad "trace without lost records: exit $rc ($(cat "$tmp/err"))"
[ "$(echo "$out" | jq .records)" = 2 ] || bad "records: $out"
[ "$(echo "$out" | jq .lost_records)" = 0 ] || bad "lost_records: $out"
[ "$(echo "$out" | jq .bytes)" = 32 ] || bad "bytes: $out"

out=$(LOST=3 rec trace --seconds 3 -o "$tmp/t.bin" --xentrace "$tmp/xentrace" 2> "$tmp/err")
rc=$?
[ $rc = 1 ] || bad "trace with lost records: exit $rc, expected 1"
[ "$(echo "$out" | jq .lost_records)" = 15 ] || bad "lost_records with 3 x 5 lost: $out"
grep -q "15 records lost" "$tmp/err" || bad "no message about lost records: $(cat "$tmp/err")"
LOST=1 rec trace --seconds 3 -o "$tmp/t.bin" --xentrace "$tmp/xentrace" --allow-lost > /dev/null 2> "$tmp/err"
rc=$?
[ $rc = 0 ] || bad "--allow-lost: exit $rc"
grep -q "^warning: .*5 records lost" "$tmp/err" || bad "--allow-lost: no warning: $(cat "$tmp/err")"

XT_EXIT=3 rec trace --seconds 3 -o "$tmp/t.bin" --xentrace "$tmp/xentrace" > /dev/null 2> "$tmp/err"
[ $? = 1 ] || bad "xentrace failing: exit not 1"
rec trace --seconds 3 -o "$tmp/t.bin" --xentrace "$tmp/none" > /dev/null 2> "$tmp/err"
[ $? = 1 ] || bad "no xentrace: exit not 1"
grep -q "cannot run $tmp/none" "$tmp/err" || bad "no xentrace: message $(cat "$tmp/err")"
rec trace -o "$tmp/t.bin" 2> /dev/null
[ $? = 2 ] || bad "trace without --seconds: exit not 2"
rec trace --seconds 3 -o "$tmp/t.bin" --bogus 2> /dev/null
[ $? = 2 ] || bad "unknown option: exit not 2"

# bad usage is found before Xen is needed (exit 2); Xen's absence is a failed run (exit 1)
rec apply --pin client 2> "$tmp/err"
[ $? = 2 ] || bad "apply --pin client: exit not 2"
grep -q "expected DOMAIN:VALUE" "$tmp/err" || bad "apply --pin client: $(cat "$tmp/err")"
rec apply --pool med:fifo:1 2> "$tmp/err"
[ $? = 2 ] || bad "apply --pool with fifo: exit not 2"
grep -q "expected scheduler credit2, credit, null, rtds or arinc653, found 'fifo'" "$tmp/err" ||
    bad "apply --pool with fifo: $(cat "$tmp/err")"
rec apply --rtds mediator:1000:2000 2> "$tmp/err"
[ $? = 2 ] || bad "apply --rtds with the budget above the period: exit not 2"
grep -q "budget 2000 us is above the period 1000 us" "$tmp/err" || bad "apply --rtds: $(cat "$tmp/err")"
rec apply --arinc653 5000:mediator=4000,client=2000 2> "$tmp/err"
[ $? = 2 ] || bad "apply --arinc653 beyond the frame: exit not 2"
grep -q "the windows take 6000 us, more than the major frame 5000 us" "$tmp/err" || bad "apply --arinc653: $(cat "$tmp/err")"
rec metadata --role server=x 2> /dev/null
[ $? = 2 ] || bad "metadata --role server=x: exit not 2"
rec metadata --mediator-kind bare 2> "$tmp/err"
[ $? = 2 ] || bad "metadata --mediator-kind bare: exit not 2"
grep -q "mediator-kind 'bare': expected linux or stub" "$tmp/err" || bad "metadata --mediator-kind: $(cat "$tmp/err")"
if [ ! -e /dev/xen/privcmd ] && [ ! -e /proc/xen/privcmd ]; then
    rec check 2> "$tmp/err"
    [ $? = 1 ] || bad "check without Xen: exit not 1"
    [ "$(wc -l < "$tmp/err")" = 1 ] || bad "check without Xen: not one line: $(cat "$tmp/err")"
    grep -q "cannot open libxenctrl" "$tmp/err" || bad "check without Xen: $(cat "$tmp/err")"
fi
rec nosuch 2> /dev/null
[ $? = 2 ] || bad "unknown subcommand: exit not 2"
rec --help | grep -q "metadata" || bad "smclat record --help"
[ $fails = 0 ] && echo "lab-record: ok"
exit $((fails > 0))
