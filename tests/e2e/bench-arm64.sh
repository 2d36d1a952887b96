#!/bin/bash
# End to end, the guest programs as the lab gets them: `make CROSS=aarch64-linux-gnu-` (static
# arm64 smclat-gen and smclat-mediator), run under qemu-user over the local transport. Checks
# every call is ok and that the CNTVCT columns are filled and agree with CLOCK_MONOTONIC.
# env: SMCLAT_TOP (the repo), set by `make check`; needs scripts/deps/bench-arm64-test.txt.
set -euo pipefail
top=${SMCLAT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp -d)
med_pid=
cleanup() { [ -n "$med_pid" ] && kill "$med_pid" 2> /dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v qemu-aarch64 > /dev/null || fail "qemu-aarch64 missing (scripts/deps.sh bench-arm64-test)"

# only the two guest programs (what else the tree cross-builds is not this test's business)
timeout 600 make -s -C "$top" CROSS=aarch64-linux-gnu- build/aarch64-linux-gnu/bin/smclat-gen \
    build/aarch64-linux-gnu/bin/smclat-mediator > "$tmp/build.log" 2>&1 ||
    fail "cross build: $(tail -5 "$tmp/build.log")"
bin=$top/build/aarch64-linux-gnu/bin
for p in smclat-gen smclat-mediator; do
    file "$bin/$p" | grep -q 'ARM aarch64.*statically linked' || fail "$p is not a static arm64 program"
done

chan=e2e-arm64-$$
qemu-aarch64 "$bin/smclat-mediator" --channel "$chan" --quiet --until-client-done \
    --json-out "$tmp/med.json" > /dev/null 2>&1 &
med_pid=$!
timeout 60 qemu-aarch64 "$bin/smclat-gen" --channel "$chan" --quiet --flow unoptimized \
    --fps 60 --frames 40 --log "$tmp/calls.csv" --json-out "$tmp/gen.json" > /dev/null ||
    fail "smclat-gen (arm64) exited $?"
wait "$med_pid" || fail "smclat-mediator (arm64) exited $?"
med_pid=

[ "$(jq '.calls.ok' "$tmp/gen.json")" = 120 ] || fail "arm64: $(jq .calls "$tmp/gen.json")"
[ "$(jq '.requests' "$tmp/med.json")" = 120 ] || fail "arm64: mediator requests"
hz=$(jq '.cntvct_hz' "$tmp/gen.json")
[ "$hz" != null ] && [ "$hz" -gt 0 ] || fail "arm64: no cntvct_hz in the summary"
# The counter is read inside the CLOCK_MONOTONIC window: its span is not longer (qemu-user derives
# the counter from another host clock: 1% + 2 us of slack), and the median gap is small.
awk -F, -v hz="$hz" 'NR > 1 {
        if ($7 == "" || $8 == "" || $8 < $7) { print "line " NR ": counter columns " $7 ", " $8 > "/dev/stderr"; exit 1 }
        dt = ($8 - $7) * 1e9 / hz; dns = $6 - $5
        if (dt > dns * 1.01 + 2000) { print "line " NR ": counter span " dt " ns > clock span " dns > "/dev/stderr"; exit 1 }
        print dns - dt
    }' "$tmp/calls.csv" > "$tmp/gaps" || fail "arm64: CNTVCT columns"
med=$(sort -n "$tmp/gaps" | awk '{ v[NR] = $1 } END { print v[int(NR / 2) + 1] }')
awk -v m="$med" 'BEGIN { exit !(m < 50000) }' || fail "arm64: median clock-counter gap $med ns"
echo "bench-arm64: 120 calls ok, CNTVCT at $hz Hz consistent with CLOCK_MONOTONIC"
