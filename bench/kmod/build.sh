#!/bin/bash
# Cross-builds smclat_smc.ko for the lab's arm64 guest kernel on this (x86) host, from Debian's
# packages: the arm64 kernel headers unpacked by scripts/sysroot.sh --kmod, the host's
# linux-kbuild-6.1 and gcc-aarch64-linux-gnu. The module is tied to that kernel: the output
# folder is per kernel version, and a new KVER builds anew.
#
# usage: bench/kmod/build.sh [OUTDIR]   (default build/kmod/KVER; prints the .ko's path)
# env: SMCLAT_CACHE, KVER (see scripts/sysroot.sh), NO_DEPS=1 to skip installing packages
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "${NO_DEPS:-}" ]; then
    "$top/scripts/deps.sh" bench-kmod bench-cross >&2
fi
root=$("$top/scripts/sysroot.sh" --kmod)
kver=$(cat "$root/.kver")
hdr=$root/usr/src/linux-headers-$kver
[ -f "$hdr/Makefile" ] || { echo "kmod: no headers in $hdr" >&2; exit 1; }
out=${1:-$top/build/kmod/$kver}
mkdir -p "$out"
# Build in a copy: kbuild writes its objects beside the sources.
for f in smclat_smc.c smclat_smc.h Kbuild; do
    cmp -s "$top/bench/kmod/$f" "$out/$f" 2> /dev/null || cp "$top/bench/kmod/$f" "$out/$f"
done
echo "kmod: building smclat_smc.ko for $kver" >&2
timeout 600 make -s -C "$hdr" M="$out" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- modules >&2
ko=$out/smclat_smc.ko
vm=$(modinfo -F vermagic "$ko" 2> /dev/null || true)
case $vm in
    "$kver "*) ;;
    *) echo "kmod: $ko has vermagic '$vm', expected $kver" >&2; exit 1 ;;
esac
echo "$ko"
