#!/bin/bash
# shellcheck disable=SC2034 # py, lava_py, device, identity: read by the sourced gen.sh, run-local.sh, farm.sh
# The lab command of `smclat suite run --lava-jobs/--lava-local/--lava` (docs/lava.md): the
# same interface as scripts/lab/run.sh (PARAMS_FILE OUTDIR, --group DIR..., --boot-key), each
# group (one boot) packed as run.sh packs it, as one LAVA job plus its payloads.
# usage: lab.sh jobs JOBDIR URL  {PARAMS_FILE OUTDIR | --group DIR...}
#            write the group's job (JOBDIR/NAME.yaml, validated) and payloads (JOBDIR/payloads,
#            named by content hash; URL: where the farm fetches them, "-": file://JOBDIR/payloads)
#        lab.sh local DEVICE.yaml  {PARAMS_FILE OUTDIR | --group DIR...}
#            the job run here by lava-run (root), the results folders made from its log
#        lab.sh submit IDENTITY URL JOBDIR {...} / lab.sh wait IDENTITY {...}   (farm: lavacli)
#        lab.sh MODE ARGS... --boot-key PARAMS_FILE     (as run.sh --boot-key)
# env: SMCLAT_LAB_LOCK (/tmp/smclat-lab.lock: held around lava-run; "-": none), SMCLAT_LAVA_RUN
#      (lava-run), SMCLAT_LAVACLI (lavacli), SMCLAT_CACHE
# exit: 0 every scenario ok (jobs: written), 1 one failed (its run.json says why), 2 usage.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lab=$here/../lab/run.sh
py=/usr/bin/python3
lava_py=$here/lava.py
say() { echo "lava: $*" >&2; }
usage() { sed -n '3,18p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

[ $# -ge 1 ] || usage
mode=$1
shift
case $mode in
    jobs) [ $# -ge 2 ] || usage; jobdir=$1 url=$2; shift 2 ;;
    local) [ $# -ge 1 ] || usage; device=$1; shift ;;
    submit) [ $# -ge 3 ] || usage; identity=$1 url=$2 jobdir=$3; shift 3 ;;
    wait) [ $# -ge 1 ] || usage; identity=$1; shift ;;
    *) usage ;;
esac
if [ "${1:-}" = --boot-key ]; then
    exec "$lab" "$@"
fi
if [ "${1:-}" = --group ]; then
    shift
    dirs=("$@")
elif [ $# = 2 ]; then # one scenario: a group of one (its parameters as DIR/lab-params.env)
    mkdir -p "$2" || exit 2
    [ "$1" -ef "$2/lab-params.env" ] || cp "$1" "$2/lab-params.env" || exit 2
    dirs=("$2")
else
    usage
fi
[ ${#dirs[@]} -gt 0 ] || usage

# fail_all KIND REASON [DIR...]: run.json "failed" for those folders (default: every one)
fail_all() {
    local kind=$1 reason=$2 d
    shift 2
    [ $# -gt 0 ] || set -- "${dirs[@]}"
    say "$reason"
    for d in "$@"; do
        jq -n --arg name "$(sed -n "s/^NAME='\(.*\)'$/\1/p" "$d/params.env" 2> /dev/null)" \
            --arg kind "$kind" --arg reason "$reason" \
            '{smclat_run: 1, name: $name, status: "failed", reason_kind: $kind, reason: $reason}' \
            > "$d/run.json"
    done
}

. "$here/gen.sh"
. "$here/run-local.sh"
case $mode in
    jobs) lava_gen "$jobdir" "$url" ;;
    local) lava_local ;;
    submit | wait) . "$here/farm.sh" && lava_farm_"$mode" ;;
esac
