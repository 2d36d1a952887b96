# shellcheck shell=bash disable=SC2154 # top, tmp, bad: from the test and lab-lib.sh
# Sourced by the LAVA end-to-end tests (lava-local.sh, lava-farm.sh) after lab-lib.sh: the lab
# prepared, LAVA's templates, the lab's QEMU device ($dev) rendered from them, one short
# deterministic scenario ($tmp/lava-e2e.ini), and what is left running of a test.
lab_prepare --no-kmod
cd "$top" || exit 1
command -v lava-run > /dev/null || { echo "FAIL: no lava-run (scripts/deps.sh lava)"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "FAIL: lava-run runs jobs as root"; exit 1; }
"$top/scripts/lava/templates.sh" || { echo "FAIL: scripts/lava/templates.sh"; exit 1; }
dev=$tmp/lab-qemu.yaml
/usr/bin/python3 scripts/lava/lava.py device --templates "$("$top/scripts/lava/templates.sh" --dir)" -o "$dev" ||
    { echo "FAIL: lava.py device"; exit 1; }
cat > "$tmp/lava-e2e.ini" << 'I'
[scenario]
description = one short deterministic scenario through LAVA (tests/e2e/lava-*.sh)
[load]
flow = unoptimized
fps = 20
duration_s = 2
transport = xen
[topology]
mode = deterministic
pcpus = 1
noise_domains = 0
[sched]
scheduler = credit2
[target]
kind = lab
timeout_s = 240
I
left_behind() { # processes whose command line names this test's folder
    local p
    for p in /proc/[0-9]*; do
        [ "${p#/proc/}" = "${1:-}" ] && continue
        case $({ tr '\0' ' ' < "$p/cmdline"; } 2> /dev/null) in *"$tmp"*) echo "${p#/proc/}" ;; esac
    done
}
# check_folder DIR: a results folder that came back through LAVA, complete and analyzed, every
# generator call joined (lab-lib.sh's check_trace_calls), its LAVA test case and measurement
check_folder() {
    local out=$1 f a
    [ "$(jq -r .status "$out/run.json")" = ok ] || bad "run.json: $(jq -c . "$out/run.json")"
    for f in trace.bin metadata.json calls.csv gen-summary.json mediator-summary.json console.log \
        guest-client.log params.env analysis.json calls-trace.csv lava.log; do
        [ -s "$out/$f" ] || bad "$out: no $f"
    done
    a=$out/analysis.json
    if [ -s "$a" ]; then
        gen_calls=$(jq .calls.total "$out/gen-summary.json")
        [ "$gen_calls" -gt 20 ] 2> /dev/null || bad "the generator made $gen_calls calls"
        [ "$(jq .join.log_only "$a")" = 0 ] || bad "join.log_only $(jq .join.log_only "$a")"
        check_trace_calls "$a" "$out/calls-trace.csv"
    fi
    grep -q '"case": "lava-e2e.service-p50".*"measurement".*"result": "pass".*"units": "us"' "$out/lava.log" ||
        bad "no LAVA measurement lava-e2e.service-p50 in the job's log"
}
