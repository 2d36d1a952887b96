#!/bin/bash
# Prepares the emulated Xen-on-ARM lab (idempotent; a warm cache makes it a no-op):
#   1. host packages (scripts/deps/lab.txt) and dpkg's arm64 architecture;
#   2. the arm64 packages (Xen 4.17, the Linux kernel, busybox, Xen's tools and libraries)
#      downloaded once into $SMCLAT_CACHE/lab/debs, unpacked (never installed on the host);
#   3. depmod; the base images: Xen, the kernel, the Dom0 and DomU initramfs (Debian's parts
#      only: the project's /init scripts and programs are added per run by run.sh);
#   4. the project's arm64 programs (make CROSS=aarch64-linux-gnu-: smclat-record,
#      smclat-gen, smclat-mediator, against the sysroot of scripts/sysroot.sh) and the SMC
#      kernel module for the guest kernel (make kmod), unless --no-build / --no-kmod;
#   5. with --xen-source: Xen's hypervisor built from Debian's source package with every
#      scheduler (xen-source.sh, cached in $SMCLAT_CACHE/lab/xen-source; run.sh also builds it
#      on the first scenario that needs it).
# usage: prepare.sh [--no-build] [--no-kmod] [--xen-source]    env: SMCLAT_CACHE (~/.cache/smclat), KVER (auto)
set -euo pipefail
# shellcheck disable=SC2034 # read by lib.sh
LAB_PROG=prepare
self=$(readlink -f "$0")
. "$(dirname "$0")/lib.sh"
build=1
kmod=1
xensrc=
for a in "$@"; do
    case $a in
        --no-build) build= ;;
        --no-kmod) kmod= ;;
        --xen-source) xensrc=1 ;;
        -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) lab_die 2 "unknown argument '$a' (see --help)" ;;
    esac
done
t0=$(date +%s)

# 1. host side
"$LAB_TOP/scripts/deps.sh" lab
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    [ "$(id -u)" = 0 ] || lab_die 1 "not root; run: sudo dpkg --add-architecture arm64 && sudo apt-get update"
    lab_log "adding dpkg architecture arm64 (apt-get update)"
    dpkg --add-architecture arm64
    apt-get update -qq >&2
fi
lab_lock prepare
mkdir -p "$LAB_CACHE"
cd "$LAB_CACHE"

# 2. the kernel version and the arm64 packages
KVER=${KVER:-$(cat kver 2>/dev/null || true)}
if [ -z "$KVER" ]; then
    KVER=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
        sed -n 's/.*Depends: linux-image-\([0-9][^ :]*-arm64\).*/\1/p' | head -1)
    if [ -z "$KVER" ]; then
        apt-get update -qq >&2 || true
        KVER=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
            sed -n 's/.*Depends: linux-image-\([0-9][^ :]*-arm64\).*/\1/p' | head -1)
    fi
    [ -n "$KVER" ] || lab_die 1 "cannot find the arm64 kernel version (apt-cache depends linux-image-arm64:arm64)"
fi
lab_log "kernel $KVER"
ROOT_PKGS="xen-hypervisor-4.17-arm64 linux-image-$KVER busybox-static xen-utils-4.17 xen-utils-common
 xenstore-utils libxenmisc4.17 libxenstore4 libxengnttab1 libxenevtchn1 libxentoollog1 libxencall1
 libxenforeignmemory1 libxendevicemodel1 libxentoolcore1 libxenhypfs1 libyajl2 libc6 libncurses6
 libtinfo6 libext2fs2 libfdt1 libuuid1 zlib1g libgcc-s1 libcom-err2 libjansson4"
mkdir -p debs
missing=
for p in $ROOT_PKGS; do
    compgen -G "debs/${p}_*.deb" > /dev/null || missing="$missing $p:arm64"
done
if [ -n "$missing" ]; then
    lab_log "downloading$missing"
    chmod 777 debs # apt's _apt user writes there (else a harmless "unsandboxed" warning)
    # shellcheck disable=SC2086
    (cd debs && apt-get download -q $missing) > download.log 2>&1 || {
        grep -v unsandboxed download.log >&2
        lab_die 1 "apt-get download failed (log: $LAB_CACHE/download.log)"
    }
fi

# 3. unpack and depmod (only to build the images: the unpacked tree, about 400 MB, is removed
# afterwards); the stamp names the kernel version, the package set and the image recipe
# shellcheck disable=SC2086 # the package list is words
stamp=$(printf '%s\n' "$KVER" $ROOT_PKGS | md5sum | cut -c1-12)
imgstamp=$( (echo "$stamp"; sed -n '/^# 4. base images/,/^# 5/p' "$self") | md5sum | cut -c1-12)
if [ ! -e img/.done-"$imgstamp" ]; then
    lab_log "unpacking $(echo "$ROOT_PKGS" | wc -w) packages"
    rm -rf unpack img
    mkdir -p unpack
    for p in $ROOT_PKGS; do
        dpkg-deb -x debs/"${p}"_*.deb unpack
    done
    depmod -b unpack "$KVER"
    echo "$KVER" > kver
fi

# 4. base images
MODDIR=unpack/lib/modules/$KVER
if [ ! -e img/.done-"$imgstamp" ]; then
    lab_log "building the base images"
    rm -rf img rootfs-dom0 rootfs-domu
    mkdir -p img
    cp unpack/boot/xen-4.17-arm64 img/xen
    cp unpack/boot/vmlinuz-"$KVER" img/Image
    # DomU: busybox and the Xen modules user-space event channels and grants need
    R=rootfs-domu
    mkdir -p $R/bin $R/dev $R/proc $R/sys $R/tmp $R/run $R/etc
    cp unpack/bin/busybox $R/bin/
    # xenstore-read/-write/-watch (one multi-call binary) and the libraries it needs
    mkdir -p $R/lib/aarch64-linux-gnu
    cp -a unpack/lib/ld-linux-aarch64.so.1 $R/lib/
    cp -a unpack/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1 unpack/lib/aarch64-linux-gnu/libc.so.6 \
        unpack/lib/aarch64-linux-gnu/libgcc_s.so.1 \
        unpack/usr/lib/aarch64-linux-gnu/libxenstore.so.4* \
        unpack/usr/lib/aarch64-linux-gnu/libxentoolcore.so.1* $R/lib/aarch64-linux-gnu/
    cp unpack/usr/bin/xenstore $R/bin/xenstore
    for t in read write watch exists list rm; do ln -s xenstore $R/bin/xenstore-$t; done
    for m in drivers/xen/xen-evtchn drivers/xen/xen-gntdev drivers/xen/xen-gntalloc; do
        mkdir -p $R/lib/modules/"$KVER"/kernel/"$(dirname $m)"
        cp "$MODDIR"/kernel/$m.ko $R/lib/modules/"$KVER"/kernel/$m.ko
    done
    cp "$MODDIR"/modules.order "$MODDIR"/modules.builtin* $R/lib/modules/"$KVER"/
    depmod -b $R "$KVER"
    (cd $R && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -6 > img/domu-base.cpio.gz
    # Dom0: busybox, libc, Xen's tools and libraries, the modules Dom0 and the 9p share need
    R=rootfs-dom0
    mkdir -p $R/bin $R/dev $R/proc $R/sys $R/tmp $R/run $R/mnt/share $R/etc $R/root \
        $R/var/log/xen/console $R/var/lib/xen $R/var/lock $R/usr/lib $R/usr/bin $R/usr/sbin
    ln -s ../run $R/var/run
    cp unpack/bin/busybox $R/bin/
    cp -a unpack/lib $R/
    rm -rf $R/lib/modules/"$KVER"/kernel
    for m in drivers/xen/xen-evtchn drivers/xen/xen-gntdev drivers/xen/xen-gntalloc \
        drivers/xen/xen-privcmd drivers/xen/xenfs/xenfs drivers/virtio/virtio_mmio net/9p/9pnet \
        net/9p/9pnet_virtio fs/netfs/netfs fs/fscache/fscache fs/9p/9p; do
        mkdir -p $R/lib/modules/"$KVER"/kernel/"$(dirname $m)"
        cp "$MODDIR"/kernel/$m.ko $R/lib/modules/"$KVER"/kernel/$m.ko
    done
    cp "$MODDIR"/modules.order "$MODDIR"/modules.builtin* $R/lib/modules/"$KVER"/
    depmod -b $R "$KVER"
    cp -a unpack/usr/lib/aarch64-linux-gnu unpack/usr/lib/xen-4.17 unpack/usr/lib/xen-common $R/usr/lib/
    rm -rf $R/usr/lib/aarch64-linux-gnu/*.a $R/usr/lib/aarch64-linux-gnu/pkgconfig
    cp -a unpack/usr/bin/xenstore* $R/usr/bin/
    cp -a unpack/usr/sbin/. $R/usr/sbin/
    cp -a unpack/etc/xen $R/etc/
    echo "root:x:0:0:root:/root:/bin/sh" > $R/etc/passwd
    (cd $R && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) > img/dom0-base.cpio
    echo "$KVER" > img/KVER
    rm -rf rootfs-dom0 rootfs-domu unpack
    touch img/.done-"$imgstamp"
fi
lab_log "images: $(du -sh img | cut -f1) in $LAB_CACHE/img"

# 5. the project's arm64 programs and the SMC kernel module
if [ -n "$build" ]; then
    "$LAB_TOP/scripts/deps.sh" bench-cross >&2
    # (an older prepare linked the sysroot into the lab's cache)
    if [ -L "$SMCLAT_CACHE/sysroot-arm64" ]; then
        rm -f "$SMCLAT_CACHE/sysroot-arm64"
        rm -rf "$LAB_CACHE/sysroot-arm64"
    fi
    LAB_SYSROOT=$(SMCLAT_CACHE=$SMCLAT_CACHE "$LAB_TOP/scripts/sysroot.sh") ||
        lab_die 1 "scripts/sysroot.sh failed"
    lab_log "building the arm64 programs (make CROSS=$LAB_ARCH-)"
    # only what the guests run (the rest of smclat stays on the host)
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
        make -C "$LAB_TOP" --no-print-directory -j2 CROSS="$LAB_ARCH-" SYSROOT="$LAB_SYSROOT" \
        SMCLAT_CACHE="$SMCLAT_CACHE" "build/$LAB_ARCH/bin/smclat-record" \
        "build/$LAB_ARCH/bin/smclat-gen" "build/$LAB_ARCH/bin/smclat-mediator" \
        > "$LAB_CACHE/make-cross.log" 2>&1 || {
        tail -20 "$LAB_CACHE/make-cross.log" >&2
        lab_die 1 "make CROSS=$LAB_ARCH- failed (log: $LAB_CACHE/make-cross.log)"
    }
    lab_log "building smclat-stub (make stub)"
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$LAB_TOP" --no-print-directory stub \
        SMCLAT_CACHE="$SMCLAT_CACHE" > "$LAB_CACHE/make-stub.log" 2>&1 || {
        tail -20 "$LAB_CACHE/make-stub.log" >&2
        lab_die 1 "make stub failed (log: $LAB_CACHE/make-stub.log)"
    }
    if [ -n "$kmod" ]; then
        lab_log "building the SMC kernel module for $KVER (make kmod)"
        ko=$(KVER=$KVER SMCLAT_CACHE=$SMCLAT_CACHE "$LAB_TOP/bench/kmod/build.sh" 2> "$LAB_CACHE/kmod.log") || {
            tail -20 "$LAB_CACHE/kmod.log" >&2
            lab_die 1 "bench/kmod/build.sh failed (log: $LAB_CACHE/kmod.log)"
        }
        lab_log "kernel module: $ko"
    fi
fi
if [ -n "$xensrc" ]; then
    "$LAB_SCRIPTS/xen-source.sh" || lab_die 1 "scripts/lab/xen-source.sh failed"
    lab_log "xen from source: $(. "$LAB_CACHE/xen-source/info.env" && echo "$XEN_SOURCE_VERSION ($XEN_SOURCE_SCHEDULERS)")"
fi
lab_log "ready in $(($(date +%s) - t0)) s (cache $LAB_CACHE)"
