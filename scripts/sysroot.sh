#!/bin/bash
# Unpacks the arm64 Debian packages the guest programs and the SMC kernel module are built
# against into a sysroot, from Debian's archive (apt-get download + dpkg-deb -x; nothing is
# installed for arm64). Downloads are cached and reused; concurrent runs wait on a lock.
#
# usage: scripts/sysroot.sh [--kmod]
#   (none)  libxen-dev and libjansson-dev for arm64: headers and static libraries
#   --kmod  also the arm64 headers of the lab's guest kernel (linux-headers-KVER:arm64 and
#           linux-headers-KABI-common), fixed to build out of tree with the host's
#           linux-kbuild-6.1 (see bench/kmod/build.sh)
# env: SMCLAT_CACHE (default ~/.cache/smclat); KVER (default: the kernel linux-image-arm64:arm64
#      depends on, e.g. 6.1.0-56-arm64)
# Prints the sysroot's path ($SMCLAT_CACHE/sysroot-arm64) on stdout; progress on stderr.
set -euo pipefail
cache=${SMCLAT_CACHE:-$HOME/.cache/smclat}
debs=$cache/debs-arm64
root=$cache/sysroot-arm64
kmod=0
case ${1:-} in
    --kmod) kmod=1 ;;
    "") ;;
    *) echo "sysroot: unknown argument '$1' (usage: sysroot.sh [--kmod])" >&2; exit 2 ;;
esac
mkdir -p "$debs" "$root"
exec 9> "$cache/sysroot.lock"
if ! flock -w 900 9; then
    echo "sysroot: could not lock $cache/sysroot.lock within 15 minutes" >&2
    exit 1
fi

say() { echo "sysroot: $*" >&2; }

# The sysroot is ready when .ready exists: written last, under the lock, once every package is
# unpacked. A build that finds it missing runs this script, which waits for the lock, so it
# never links against a half-unpacked sysroot (make's prerequisite is this stamp). A rerun
# with nothing to unpack changes nothing in the sysroot (a build may be reading it meanwhile):
# .ready is removed only before a package is unpacked, the kernel headers' links and Makefile
# are rewritten only when they differ.

# arm64 must be a foreign architecture for `apt-get download PKG:arm64`.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    if [ "$(id -u)" != 0 ]; then
        say "arm64 is not a dpkg architecture here; run as root: dpkg --add-architecture arm64 && apt-get update"
        exit 1
    fi
    say "adding arm64 as a foreign architecture (dpkg --add-architecture arm64; apt-get update)"
    dpkg --add-architecture arm64
    apt-get update -qq >&2
fi
if ! apt-cache show libxen-dev:arm64 > /dev/null 2>&1; then
    say "apt-get update (no arm64 package lists yet)"
    apt-get update -qq >&2 || true
fi

# fetch PKG: downloads PKG (name[:arch]) into the cache unless a .deb of it is there already,
# then unpacks it into the sysroot once (a stamp per .deb).
fetch() {
    local pkg=$1 name=${1%%:*} f
    f=$(ls "$debs"/"${name}"_*.deb 2> /dev/null | head -1 || true)
    if [ -z "$f" ]; then
        say "downloading $pkg"
        (cd "$debs" && apt-get download -q "$pkg" > /dev/null 2>&1) || {
            say "apt-get download $pkg failed (is Debian's archive reachable? apt-get update?)"
            exit 1
        }
        f=$(ls "$debs"/"${name}"_*.deb | head -1)
    fi
    local stamp
    stamp=$root/.unpacked-$(basename "$f")
    if [ ! -e "$stamp" ]; then
        rm -f "$root/.ready"
        dpkg-deb -x "$f" "$root"
        touch "$stamp"
    fi
}

for p in libxen-dev:arm64 libjansson-dev:arm64 libjansson4:arm64; do
    fetch "$p"
done
touch "$root/.ready"

if [ $kmod = 1 ]; then
    if [ -z "${KVER:-}" ]; then
        KVER=$(apt-cache depends linux-image-arm64:arm64 2> /dev/null |
            sed -n 's/.*Depends: linux-image-\([0-9][^:]*-arm64\).*/\1/p' | grep -v unsigned | head -1)
        [ -n "$KVER" ] || { say "cannot tell the arm64 kernel version (set KVER)"; exit 1; }
    fi
    kabi=${KVER%-arm64}
    fetch "linux-headers-$KVER:arm64"
    fetch "linux-headers-$kabi-common"
    hdr=$root/usr/src/linux-headers-$KVER
    common=$root/usr/src/linux-headers-$kabi-common
    kbuild=$(ls -d /usr/lib/linux-kbuild-* 2> /dev/null | head -1 || true)
    [ -n "$kbuild" ] || { say "no /usr/lib/linux-kbuild-*: install linux-kbuild-6.1 (scripts/deps.sh bench-kmod)"; exit 1; }
    # Out of /usr/src the headers need: the arm64 Makefile pointed at the common folder here,
    # and the scripts/tools links pointed at the host's kbuild.
    mk="include $common/Makefile"
    [ "$(cat "$hdr/Makefile" 2> /dev/null)" = "$mk" ] || echo "$mk" > "$hdr/Makefile"
    for d in "$hdr" "$common"; do
        for l in scripts tools; do
            [ "$(readlink "$d/$l")" = "$kbuild/$l" ] && continue
            rm -rf "${d:?}/$l"
            ln -s "$kbuild/$l" "$d/$l"
        done
    done
    [ "$(cat "$root/.kver" 2> /dev/null)" = "$KVER" ] || echo "$KVER" > "$root/.kver"
    touch "$root/.ready" # (a header package unpacked above removed it)
fi
echo "$root"
