#!/bin/bash
# smclat suite run SUITE --lava-jobs DIR (docs/lava.md): for every shipped suite, one LAVA job
# per boot and the payloads by content hash, nothing run; every job passes lava-common's own
# schema check (lava_common.schemas.validate, strict) checked again here, each group's
# scenarios are named in its job, the common files are there once. The lab's QEMU device
# rendered from LAVA's templates fits a deterministic job. Bad input: a job with an unknown
# key, a device that does not fit (another pCPU count, not a QEMU device), no lava-run, no
# lava_common: each a one-line reason, exit 1, in suite.json. Needs no lab lock (no boot).
# Env: SMCLAT_BIN, SMCLAT_TOP, SMCLAT_CACHE.
set -u
top=${SMCLAT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/e2e/lab-lib.sh"
lab_prepare
cd "$top" || exit 1
py=/usr/bin/python3
lava=$top/scripts/lava/lava.py
"$top/scripts/lava/templates.sh" || { echo "FAIL: scripts/lava/templates.sh"; exit 1; }
tpl=$("$top/scripts/lava/templates.sh" --dir)

for s in workloads/*.suite; do
    n=$(basename "$s" .suite)
    j=$tmp/jobs-$n
    "$bin/smclat" suite run "$s" --lava-jobs "$j" --lava-url https://artifacts.example.org/smclat 2> "$tmp/$n.log"
    rc=$?
    scen=$("$bin/smclat" suite list "$s" | wc -l)
    written=$(jq '[.scenarios[] | select(.status == "job written")] | length' "$j/scenarios/suite.json")
    echo "$n: $scen scenarios, $written jobs written, $(ls "$j"/*.yaml | wc -l) job files, exit $rc"
    [ $rc = 0 ] && [ "$written" = "$scen" ] || { bad "$n: $written of $scen written (exit $rc)"; tail -3 "$tmp/$n.log"; }
    "$py" "$lava" validate "$j"/*.yaml || bad "$n: a job fails the schema"
    named=$(cat "$j"/*.yaml | sed -n 's/^  smclat.scenarios: //p' | tr ',' '\n' | sort)
    [ "$named" = "$("$bin/smclat" suite list "$s" | cut -f1 | sort)" ] || bad "$n: the jobs do not name each scenario once"
    # each payload once: the files are the jobs' distinct URLs (one kernel, one Dom0 base)
    urls=$(sed -n 's|^ *url: https://artifacts.example.org/smclat/||p' "$j"/*.yaml | sort -u)
    [ "$urls" = "$(ls "$j"/payloads | sort)" ] || bad "$n: the payloads are not the jobs' distinct URLs"
    [ "$(ls "$j"/payloads/Image-* | wc -l)" = 1 ] && [ "$(ls "$j"/payloads/dom0-base-* | wc -l)" = 1 ] ||
        bad "$n: the kernel and Dom0's base are not there once"
    for f in "$j"/payloads/*; do # named by content hash
        h=$(sha256sum "$f" | cut -c1-64)
        case ${f##*/} in *"$h"*) ;; *) bad "$n: payload ${f##*/} is not named by its hash $h" ;; esac
    done
    grep -q "url: https://artifacts.example.org/smclat/dom0-overlay-" "$j"/*.yaml || bad "$n: --lava-url not in the jobs"
done

# the device: rendered from the templates, fits a deterministic 1-pCPU job, not a 2-pCPU one
job=$(ls "$tmp"/jobs-demo/*.yaml | head -1)
"$py" "$lava" device --templates "$tpl" -o "$tmp/dev1.yaml" || bad "lava.py device failed"
"$py" "$lava" fits "$tmp/dev1.yaml" "$job" || bad "the rendered device does not fit a demo job"
"$py" "$lava" device --templates "$tpl" --pcpus 2 -o "$tmp/dev2.yaml"
err=$("$py" "$lava" fits "$tmp/dev2.yaml" "$job" 2>&1) && bad "a 2-pCPU device fits a 1-pCPU job"
echo "$err" | grep -q "does not fit: its extra QEMU options.*-smp 2" || bad "2-pCPU device: '$err'"
[ "$(echo "$err" | wc -l)" = 1 ] || bad "not one line: $err"
printf 'device_type: qemu\nactions: {}\n' > "$tmp/notqemu.yaml"
err=$("$py" "$lava" fits "$tmp/notqemu.yaml" "$job" 2>&1) && bad "a device without QEMU fits"
echo "$err" | grep -q "notqemu.yaml: does not fit: no actions.boot.methods.qemu" || bad "no-QEMU device: '$err'"

# a mistyped key: lava_common names it
sed 's/^visibility: public/visibilty: public/' "$job" > "$tmp/typo.yaml"
err=$("$py" "$lava" validate "$tmp/typo.yaml" 2>&1) && bad "a job with a mistyped key is valid"
echo "$err" | grep -q "typo.yaml: not a valid LAVA job: .*visibilty" || bad "mistyped key: '$err'"
[ "$(echo "$err" | wc -l)" = 1 ] || bad "not one line: $err"

# --lava-local: the device does not fit; lava-run missing; lava_common missing
sc=workloads/drm-base.ini
"$bin/smclat" suite run "$sc" --lava-local "$tmp/dev2.yaml" -o "$tmp/nofit" 2> "$tmp/nofit.log" &&
    bad "--lava-local with a device that does not fit succeeded"
r=$(jq -r '.scenarios[0] | .reason_kind + ": " + .reason' "$tmp/nofit/suite.json")
echo "device that does not fit: $r"
echo "$r" | grep -q "^setup: .*dev2.yaml: does not fit" || bad "device that does not fit: suite.json '$r'"
grep -q "dev2.yaml: does not fit" "$tmp/nofit.log" || bad "device that does not fit: not on stderr"
SMCLAT_LAVA_RUN=no-lava-run-here "$bin/smclat" suite run "$sc" --lava-local "$tmp/dev1.yaml" -o "$tmp/norun" 2> "$tmp/norun.log" &&
    bad "--lava-local without lava-run succeeded"
r=$(jq -r '.scenarios[0].reason' "$tmp/norun/suite.json")
[ "$r" = "lava-dispatcher is not installed (no no-lava-run-here): run scripts/deps.sh lava" ] || bad "no lava-run: '$r'"
mkdir -p "$tmp/nolava"
printf 'raise ImportError("no lava_common")\n' > "$tmp/nolava/lava_common.py"
err=$(PYTHONPATH=$tmp/nolava "$py" "$lava" validate "$job" 2>&1) && bad "validate without lava_common succeeded"
[ "$err" = "lava: lava-common is not installed (no lava_common for /usr/bin/python3): run scripts/deps.sh lava" ] ||
    bad "no lava_common: '$err'"
echo "$(($(date +%s) - t0)) s"
[ $fails = 0 ] && echo "lava-jobs: ok"
exit $((fails > 0))
