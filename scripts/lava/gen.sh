# shellcheck shell=bash disable=SC2154,SC2034 # sourced by scripts/lava/lab.sh: dirs, lab, py, lava_py; sets gen_*
# lava_gen JOBDIR URL: the group ($dirs) packed by run.sh --pack, its LAVA job in JOBDIR/NAME.yaml
# (validated strictly) and its payloads in JOBDIR/payloads, each named by its content hash (a
# file already there is not written again: the common files are there once for all jobs).
# Sets gen_job (the job file) and gen_packed (the packed scenarios' folders). 0 when written.
lava_gen() {
    local jd=$1 url=$2 pk i d names=() t=0 key xenv spec ov
    gen_job='' gen_packed=()
    mkdir -p "$jd/payloads" || { fail_all setup "$jd: cannot make the jobs folder"; return 1; }
    jd=$(cd "$jd" && pwd)
    [ "$url" != - ] || url=file://$jd/payloads
    pk=$(mktemp -d "${TMPDIR:-/tmp}/smclat-lava.XXXXXX") || { fail_all setup "cannot make a working folder"; return 1; }
    if ! "$lab" --pack "$pk/w" "$here/dom0-shell.sh" "${dirs[@]}"; then
        rm -rf "$pk"
        return 1 # each folder's run.json says why
    fi
    cp "$here/dom0-group.sh" "$pk/w/overlay/dom0/lab/lava-group.sh"
    gen_idx=$(cat "$pk/w/packed")
    for i in $(cat "$pk/w/packed"); do
        d=${dirs[$((i - 1))]}
        gen_packed+=("$d")
        names+=("$(sed -n "s/^NAME='\(.*\)'$/\1/p" "$d/params.env")")
        t=$((t + $(. "$d/params.env" 2> /dev/null; echo "${TIMEOUT_S:-300}")))
    done
    key=$("$lab" --boot-key "${gen_packed[0]}/lab-params.env")
    xenv=$("$lab" --xen "${gen_packed[0]}/lab-params.env")
    ov=$pk/overlay.tar
    tar -C "$pk/w/overlay/dom0" --sort=name --mtime=@1767225600 --owner=0 --group=0 --numeric-owner \
        -cf "$ov" . || { fail_all setup "cannot write the Dom0 overlay $ov"; rm -rf "$pk"; return 1; }
    local xen kernel ramdisk overlay
    xen=$(payload "$jd" "$pk/w/xen" xen) && kernel=$(payload "$jd" "$pk/w/Image" Image) &&
        ramdisk=$(payload "$jd" "${SMCLAT_CACHE:-$HOME/.cache/smclat}/lab/img/dom0-base.cpio" dom0-base.cpio) &&
        overlay=$(payload "$jd" "$ov" dom0-overlay.tar) ||
        { fail_all io_error "cannot write the payloads in $jd/payloads"; rm -rf "$pk"; return 1; }
    # shellcheck source=/dev/null
    spec=$(. "${gen_packed[0]}/params.env"
        eval "$(printf '%s\n' "$xenv" | sed -n 's/^XEN_CMDLINE=/XEN_CMDLINE=/p')"
        jq -n --arg name "${names[0]}$([ ${#names[@]} -gt 1 ] && echo " +$((${#names[@]} - 1))")" \
            --arg suite "$(basename "$(dirname "$(cd "${gen_packed[0]}" && pwd)")")" \
            --args --arg key "$key" --arg url "$url" --arg xen "$xen" --arg kernel "$kernel" \
            --arg ramdisk "$ramdisk" --arg overlay "$overlay" --arg cmdline "$XEN_CMDLINE" \
            --arg mode "${MODE:-deterministic}" --argjson pcpus "${PCPUS:-1}" \
            --argjson mem "${MEM_MB:-2048}" --argjson t "$t" \
            '{name: $name, suite: $suite, scenarios: $ARGS.positional, boot_key: $key, url: $url,
              xen: $xen, kernel: $kernel, ramdisk: $ramdisk, overlay: $overlay,
              xen_cmdline: $cmdline, mode: $mode, pcpus: $pcpus, memory: $mem, timeout_s: $t}' \
            "${names[@]}")
    gen_job=$jd/${names[0]}.yaml
    rm -rf "$pk"
    local err
    err=$("$py" "$lava_py" job -o "$gen_job" --spec "$spec" 2>&1) ||
        { fail_all setup "${err#lava: }" "${gen_packed[@]}"; return 1; }
    for d in "${gen_packed[@]}"; do cp "$gen_job" "$d/lava-job.yaml"; done
    [ "$mode" != jobs ] || for d in "${gen_packed[@]}"; do rm -f "$d/.run.json.reserve"; done
    echo "$gen_job"
}

# payload JOBDIR FILE NAME: FILE as JOBDIR/payloads/NAME-SHA256 (linked or copied, once);
# prints that name
payload() {
    local h n
    h=$(sha256sum "$2" | cut -c1-64) || return 1
    n=${3%.*}-$h${3#"${3%.*}"}
    [ "$n" != "$3-$h" ] || n=$3-$h
    if [ ! -s "$1/payloads/$n" ]; then
        ln -f "$2" "$1/payloads/$n" 2> /dev/null || cp "$2" "$1/payloads/$n.tmp" &&
            mv -f "$1/payloads/$n.tmp" "$1/payloads/$n" 2> /dev/null
        [ -s "$1/payloads/$n" ] || return 1
    fi
    echo "$n"
}
