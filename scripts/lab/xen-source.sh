#!/bin/bash
# Builds Xen's hypervisor for arm64 from Debian's source package, with every scheduler (credit,
# credit2, null, RTDS, ARINC653), into $SMCLAT_CACHE/lab/xen-source (docs/lab.md). Called by
# prepare.sh --xen-source (under prepare's lock); a rerun with the same recipe is a no-op.
#   1. a private apt configuration (deb-src lines made from the machine's own deb lines; the
#      machine's apt sources are never changed), apt-get update, the newest source version the
#      archive serves (the security suite's 4.17.7 answers 404: bookworm main's 4.17.5 is used);
#   2. dpkg-source -x (Debian's patches applied);
#   3. Debian's own hypervisor configuration (debian/xen-kconfig, as debian/rules does) plus
#      CONFIG_EXPERT, CONFIG_UNSUPPORTED, CONFIG_SCHED_{NULL,RTDS,ARINC653}; olddefconfig;
#   4. make -j2 with the cross compiler; xen/xen -> xen-source/xen, and xen-source/info.env:
#      XEN_SOURCE_VERSION (Debian's), XEN_SOURCE_SCHEDULERS (from the .config), build seconds.
# usage: xen-source.sh        env: SMCLAT_CACHE (~/.cache/smclat), XEN_SOURCE_JOBS (2)
set -euo pipefail
# shellcheck disable=SC2034 # read by lib.sh
LAB_PROG=xen-source
self=$(readlink -f "$0")
. "$(dirname "$0")/lib.sh"
D=$LAB_CACHE/xen-source
# the stamp: this script's recipe (change it and the hypervisor is rebuilt)
stamp=$(md5sum < "$self" | cut -c1-12)
if [ -e "$D/.done-$stamp" ] && [ -s "$D/xen" ]; then
    exit 0
fi
"$LAB_TOP/scripts/deps.sh" xen-source >&2
t0=$(date +%s)
rm -rf "$D"
mkdir -p "$D/apt/parts" "$D/apt/lists/partial" "$D/apt/cache/archives/partial" "$D/src"
# deb-src lines from the machine's deb lines (one-line and deb822 formats)
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -r "$f" ] || continue
    sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f"
done > "$D/apt/parts/smclat.list"
for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    sed 's/^Types:.*$/Types: deb-src/' "$f" > "$D/apt/parts/${f##*/}"
done
APT=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$D/apt/parts"
    -o "Dir::State::Lists=$D/apt/lists" -o "Dir::Cache=$D/apt/cache")
lab_log "apt-get update (private deb-src list in $D/apt)"
apt-get -q "${APT[@]}" update > "$D/apt.log" 2>&1 || {
    tail -5 "$D/apt.log" >&2
    lab_die 1 "apt-get update with the private deb-src list failed (log: $D/apt.log)"
}
versions=$(apt-cache "${APT[@]}" showsrc xen 2> /dev/null | sed -n 's/^Version: //p' | sort -rV)
[ -n "$versions" ] || lab_die 1 "no source package xen in the archive (apt-cache showsrc xen)"
chmod 777 "$D/src" # apt's _apt user writes there
ver=
for v in $versions; do
    if (cd "$D/src" && apt-get -q "${APT[@]}" source --download-only "xen=$v") >> "$D/apt.log" 2>&1; then
        ver=$v
        break
    fi
    lab_log "xen $v: not downloadable here (see $D/apt.log); trying an older one"
done
[ -n "$ver" ] || lab_die 1 "no version of the source package xen could be downloaded (log: $D/apt.log)"
lab_log "xen source $ver downloaded; unpacking"
(cd "$D/src" && dpkg-source --no-check -x ./xen_"${ver#*:}".dsc tree) > "$D/dpkg-source.log" 2>&1 ||
    lab_die 1 "dpkg-source -x failed (log: $D/dpkg-source.log)"
T=$D/src/tree
MK=(XEN_TARGET_ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
if [ -r "$T/debian/xen-kconfig" ]; then
    cp "$T/debian/xen-kconfig" "$T/xen/.config"
    base="debian/xen-kconfig"
else
    make -C "$T/xen" "${MK[@]}" defconfig > "$D/build.log" 2>&1
    base="defconfig"
fi
cat >> "$T/xen/.config" << 'CFG'
CONFIG_EXPERT=y
CONFIG_UNSUPPORTED=y
CONFIG_SCHED_CREDIT=y
CONFIG_SCHED_CREDIT2=y
CONFIG_SCHED_NULL=y
CONFIG_SCHED_RTDS=y
CONFIG_SCHED_ARINC653=y
CFG
lab_log "configuring ($base + EXPERT, UNSUPPORTED, the null, RTDS and ARINC653 schedulers)"
make -C "$T/xen" "${MK[@]}" olddefconfig >> "$D/build.log" 2>&1 ||
    lab_die 1 "make olddefconfig failed (log: $D/build.log)"
scheds=
for s in CREDIT:credit CREDIT2:credit2 NULL:null RTDS:rtds ARINC653:arinc653; do
    grep -qx "CONFIG_SCHED_${s%%:*}=y" "$T/xen/.config" && scheds="$scheds ${s#*:}"
done
scheds=${scheds# }
for s in credit credit2 null rtds arinc653; do
    case " $scheds " in *" $s "*) ;; *)
        lab_die 1 "the configuration lost the $s scheduler (has: $scheds; see $T/xen/.config)" ;;
    esac
done
lab_log "building the hypervisor (make -j${XEN_SOURCE_JOBS:-2}; about 75 s on 2 cores)"
tb=$(date +%s)
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$T/xen" "${MK[@]}" -j"${XEN_SOURCE_JOBS:-2}" \
    >> "$D/build.log" 2>&1 || {
    tail -20 "$D/build.log" >&2
    lab_die 1 "building Xen failed (log: $D/build.log)"
}
cp "$T/xen/xen" "$D/xen"
cp "$T/xen/.config" "$D/config"
{
    echo "XEN_SOURCE_VERSION='$ver'"
    echo "XEN_SOURCE_SCHEDULERS='$scheds'"
    echo "XEN_SOURCE_CONFIG_BASE='$base'"
    echo "XEN_SOURCE_BUILD_S='$(($(date +%s) - tb))'"
} > "$D/info.env"
# the source tree (about 200 MB built) is not needed any more
rm -rf "$D/src/tree" "$D/apt/lists" "$D/apt/cache"
touch "$D/.done-$stamp"
lab_log "xen $ver ($scheds) built in $(($(date +%s) - t0)) s -> $D/xen"
