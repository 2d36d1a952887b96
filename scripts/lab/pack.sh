# shellcheck shell=bash disable=SC2034,SC2154 # variables shared with run.sh, which sources this file
# PACK: what one boot needs (Xen, the kernel, Dom0's initramfs) and one scenario's part of the
# 9p share (its parameters, programs and DomU images). Sourced by run.sh (bash): uses its
# finish, $work, $here, $IMG, $ARM_BIN and the scenario's parameters (params.sh).

# lab_pack_check: the scenario's programs and images exist (else finish: setup)
lab_pack_check() {
    local p need
    [ -e "$IMG/dom0-base.cpio" ] || finish failed setup "no lab images in $IMG: run scripts/lab/prepare.sh"
    # The hypervisor built from Debian's source package: built on first need (about 2-3 minutes)
    if [ "$LAB_XEN_BUILD" = source ] && [ ! -s "$LAB_XEN_IMAGE" ]; then
        lab_log "$NAME: needs Xen built from source ($LAB_XEN_NEEDS); building it once (prepare.sh --xen-source)"
        "$here/prepare.sh" --no-build --xen-source >&2 ||
            finish failed setup "building Xen from Debian's source package failed (scripts/lab/prepare.sh --xen-source)"
        lab_xen_config "$LAB_PARAMS_FILE"
    fi
    need="smclat-record"
    [ "$TRANSPORT" != none ] && need="$need smclat-gen smclat-mediator"
    for p in $need; do
        [ -x "$ARM_BIN/$p" ] || finish failed setup "no arm64 $p in $ARM_BIN: run scripts/lab/prepare.sh (make CROSS=$LAB_ARCH-)"
    done
    STUB_IMAGE=
    if [ "$MEDIATOR_KIND" = stub ]; then
        STUB_IMAGE=${SMCLAT_STUB_IMAGE:-$LAB_TOP/build/stub/smclat-stub.Image}
        [ -s "$STUB_IMAGE" ] || finish failed setup "no stub image $STUB_IMAGE for MEDIATOR_KIND=stub: run scripts/lab/prepare.sh (make stub)"
    fi
    KMOD=
    case $TRANSPORT in smc*)
        KMOD=${SMCLAT_KMOD:-$LAB_TOP/build/kmod/$(cat "$IMG/KVER" 2> /dev/null)/smclat_smc.ko}
        [ -e "$KMOD" ] || finish failed setup "no SMC kernel module $KMOD for TRANSPORT=$TRANSPORT: run scripts/lab/prepare.sh"
        ;;
    esac
}

# overlay DIR: the folder as a newc cpio on stdout (appended to a base initramfs), the same
# bytes from run to run: sorted names, one fixed mtime, no host inode or device numbers
lab_overlay() {
    (cd "$1" && find . -exec touch -h -d @1767225600 {} + &&
        find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 --reproducible)
}

# lab_pack_boot JOB: $work/xen and $work/Image, and JOB (a script) as the share's job.sh. Call
# with the images' shared lock held (lab_pack_lock).
lab_pack_boot() {
    [ -s "$LAB_XEN_IMAGE" ] || finish failed setup "no Xen image $LAB_XEN_IMAGE (XEN_BUILD=$LAB_XEN_BUILD): run scripts/lab/prepare.sh$([ "$LAB_XEN_BUILD" = source ] && echo " --xen-source")"
    ln "$LAB_XEN_IMAGE" "$work/xen" 2> /dev/null || cp "$LAB_XEN_IMAGE" "$work/xen"
    ln "$IMG/Image" "$work/Image" 2> /dev/null || cp "$IMG/Image" "$work/Image"
    mkdir -p "$share"
    cp "$1" "$share/job.sh"
}

# lab_pack_dom0: $work/dom0.cpio: base + /init + the whole packed share (every scenario's job,
# parameters, programs and DomU images; hard links kept, so the kernel is in it once) in /lab:
# in memory from the start, so no 9p request falls inside a measured window. /init mounts the
# share only when the job (one scenario, or a group) is done, to copy the results into it
# (docs/lab.md). Call last, once the share is packed, with the images' lock held.
lab_pack_dom0() {
    lab_pack_dom0_tree
    { cat "$IMG/dom0-base.cpio"; lab_overlay "$work/overlay/dom0"; } > "$work/dom0.cpio"
}
# lab_pack_dom0_tree: what lab_pack_dom0 adds to the base initramfs, as a folder
# ($work/overlay/dom0: /init and /lab); a LAVA job carries it as an overlay (scripts/lava)
lab_pack_dom0_tree() {
    local d=$work/overlay/dom0
    rm -rf "$d"
    mkdir -p "$d/lab"
    cp "$here/dom0-init.sh" "$d/init"
    chmod 755 "$d/init"
    cp -a "$share/." "$d/lab/"
}

# lab_pack_lock / lab_pack_unlock: the images are linked or copied into the run's folder under a
# shared lock, so that a concurrent prepare.sh (exclusive lock) never replaces them under a run.
lab_pack_lock() {
    exec 8> "$SMCLAT_CACHE/prepare.lock"
    flock -s 8
}
lab_pack_unlock() {
    flock -u 8
    exec 8>&-
}

# lab_pack_scenario DIR: the scenario's part of the share in DIR: params.env (also copied to the
# results folder $out), xen-build.env, bin/, img/ (the kernel and the DomU images: base + /init +
# the role's settings + its program; md5sums), out/ (empty: the Dom0 job's results)
lab_pack_scenario() {
    local s=$1 role d
    mkdir -p "$s/img" "$s/bin" "$s/out"
    lab_params_write "$s/params.env"
    lab_copy "$s/params.env" "$out/params.env" ||
        finish failed "$(lab_errno_kind "$LAB_COPY_ERR")" "cannot write $LAB_COPY_ERR"
    printf "%s='%s'\n" XEN_BUILD "$LAB_XEN_BUILD" XEN_SCHEDULERS "$LAB_XEN_SCHEDULERS" > "$s/xen-build.env"
    cp "$ARM_BIN"/smclat-* "$s/bin/"
    ln "$work/Image" "$s/img/Image" 2> /dev/null || cp "$work/Image" "$s/img/Image"
    [ -z "$STUB_IMAGE" ] || cp "$STUB_IMAGE" "$s/img/stub.Image"
    for role in client mediator noise; do
        d=$work/overlay/$role
        rm -rf "$d"
        mkdir -p "$d/bin" "$d/etc"
        cp "$here/domu-init.sh" "$d/init"
        chmod 755 "$d/init"
        # only what the role's domain is made of: the programs' arguments go through xenstore
        # per job (dom0-job.sh), so scenarios that differ only in them have the same image and
        # a group keeps the domain (dom0-group.sh)
        {
            echo "ROLE=$role"
            case $role in
                noise) printf "%s='%s'\n" NOISE_VCPUS "$NOISE_VCPUS" NOISE_LOAD "$NOISE_LOAD" ;;
                *) printf "%s='%s'\n" TRANSPORT "$TRANSPORT" ;;
            esac
        } > "$d/etc/smclat-role.env"
        case $role in
            client)
                [ "$TRANSPORT" != none ] && cp "$ARM_BIN/smclat-gen" "$d/bin/"
                case $TRANSPORT in smc*)
                    mkdir -p "$d/lib/smclat"
                    cp "$KMOD" "$d/lib/smclat/"
                    ;;
                esac
                ;;
            mediator) [ "$TRANSPORT" != none ] && cp "$ARM_BIN/smclat-mediator" "$d/bin/" ;;
        esac
        lab_pack_image "$d" "$s/img/domu-$role.cpio.gz"
    done
    # what each image is, for Dom0 to tell whether a kept domain serves this scenario
    (cd "$s/img" && md5sum domu-*.cpio.gz > md5sums)
    for f in "$s"/bin/* "$s"/img/*; do lab_pack_link_same "$f"; done
}
# lab_pack_image OVERLAY IMAGE: the DomU image (the base initramfs + the overlay folder); an
# earlier scenario's of a group when its overlay was the same ($work/built: made once per group)
lab_pack_image() {
    local d=$1 img=$2 b=$work/built/${1##*/}
    if [ -d "$b" ] && diff -r -q "$d" "$b" > /dev/null 2>&1 && ln -f "$(cat "$b.image")" "$img" 2> /dev/null; then
        return 0
    fi
    { cat "$IMG/domu-base.cpio.gz"; lab_overlay "$d" | gzip -1 -n; } > "$img"
    mkdir -p "$work/built"
    rm -rf "$b"
    cp -a "$d" "$b"
    echo "$img" > "$b.image"
}
# lab_pack_link_same FILE: in a group's share ($share/sc/I), FILE hard-linked to the same file
# of an earlier scenario when their bytes are the same (the images and programs of scenarios
# that differ only in their arguments): Dom0's initramfs then holds it once (lab_pack_dom0)
lab_pack_link_same() {
    local f=$1 o
    for o in "$share"/sc/*/"${f#"$share"/sc/*/}"; do
        [ "$o" -ef "$f" ] && return 0
        [ -f "$o" ] && cmp -s "$o" "$f" && { ln -f "$o" "$f"; return 0; }
    done
}
