#!/bin/bash
# scripts/sysroot.sh run again on a ready sysroot (a lab prepare beside a build, issue 16): the
# sysroot stays ready the whole time (.ready never removed, the libraries a cross link needs
# always there) and nothing in it is rewritten. Needs a ready sysroot: made first (downloads
# libxen-dev and libjansson-dev for arm64 on a cold cache). Env: SMCLAT_TOP, SMCLAT_CACHE.
set -u
top=${SMCLAT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
root=$("$top/scripts/sysroot.sh") || { echo "FAIL: scripts/sysroot.sh"; exit 1; }
[ -e "$root/.ready" ] || bad "no .ready after scripts/sysroot.sh"
lib=$root/usr/lib/aarch64-linux-gnu/libxenstore.a
[ -e "$lib" ] || bad "no $lib in a ready sysroot"
stamp=$(mktemp)
"$top/scripts/sysroot.sh" > /dev/null &
pid=$!
polls=0 missing=0
while kill -0 $pid 2> /dev/null; do
    polls=$((polls + 1))
    { [ -e "$root/.ready" ] && [ -e "$lib" ]; } || missing=$((missing + 1))
    sleep 0.01
done
wait $pid || bad "scripts/sysroot.sh (again) failed"
echo "rerun: $polls polls, the sysroot not ready in $missing"
[ "$polls" -gt 5 ] || bad "only $polls polls during the rerun: nothing was watched"
[ "$missing" = 0 ] || bad "during the rerun .ready or $lib was missing in $missing of $polls polls"
changed=$(find "$root" -newer "$stamp" ! -name .ready | head -5)
[ -z "$changed" ] || bad "the rerun rewrote: $changed"
rm -f "$stamp"
[ $fails = 0 ] && echo "sysroot-rerun: ok"
exit $((fails > 0))
