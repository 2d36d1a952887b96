#!/bin/bash
# The lab's Dom0 job (scripts/lab/dom0-job.sh) lets the client go once xentrace has written its
# first records, not after a fixed delay (a busy Dom0 starts xentrace late): its wait_records,
# on the host, against a fake xentrace that writes late, never, or exits first.
set -u
top=${SMCLAT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp -d)
pids=
trap 'kill $pids 2> /dev/null; rm -rf "$tmp"' EXIT
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
usleep() { sleep "$(awk -v u="$1" 'BEGIN { print u / 1e6 }')"; } # busybox's, in Dom0
eval "$(sed -n '/^wait_records() {/,/^}/p' "$top/scripts/lab/dom0-job.sh")"
waited=0 # set by wait_records
declare -F wait_records > /dev/null || { echo "FAIL: no wait_records in scripts/lab/dom0-job.sh"; exit 1; }

# records after 0.5 s: waits for them (about 5 tenths), returns 0
(sleep 0.5; echo rec > "$tmp/late.bin"; sleep 5) &
pids="$pids $!"
wait_records "$tmp/late.bin" $! 30
rc=$?
[ $rc = 0 ] || bad "late records: status $rc, expected 0"
{ [ "$waited" -ge 4 ] && [ "$waited" -le 15 ]; } || bad "late records: waited $waited tenths, expected about 5"
[ -s "$tmp/late.bin" ] || bad "late records: returned before the file held one"

# no record at all: gives up after the limit (3 tenths here), status 2
(sleep 10) &
pids="$pids $!"
wait_records "$tmp/never.bin" $! 3
rc=$?
[ $rc = 2 ] || bad "no record: status $rc, expected 2"
[ "$waited" = 3 ] || bad "no record: waited $waited tenths, expected 3"

# xentrace exits before writing: status 1 at once (its own status tells why)
(exit 3) &
xt=$!
sleep 0.2
wait_records "$tmp/dead.bin" $xt 30
rc=$?
[ $rc = 1 ] || bad "xentrace gone: status $rc, expected 1"
[ "$waited" -le 1 ] || bad "xentrace gone: waited $waited tenths"

# records there already: 0 at once
echo rec > "$tmp/now.bin"
wait_records "$tmp/now.bin" $$ 30
rc=$?
{ [ $rc = 0 ] && [ "$waited" = 0 ]; } || bad "records there: status $rc after $waited tenths, expected 0 after 0"

[ $fails = 0 ] && echo "lab-dom0-job: ok" || { echo "lab-dom0-job: $fails failed"; exit 1; }
