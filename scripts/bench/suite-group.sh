#!/bin/bash
# make bench section: the demo suite (workloads/demo.suite: 8 scenarios, deterministic mode,
# 5 s of load each) run through the lab with one boot per group of scenarios sharing a boot key
# (smclat suite run, the default) and with a boot per scenario (--boot-per-scenario), one after
# the other on this machine, each holding the lab lock, one boot at a time (--jobs 1); then both
# again with the host's cores (--jobs, the default: deterministic boots side by side). Wall
# times and, per scenario, the calls and the generator's e2e figures of the --jobs 1 runs, and
# how many scenarios gave the same trace.bin and calls.csv, byte for byte, with boots side by
# side. Goal (issue 16): grouped at most 40% of the wall time of --boot-per-scenario, call
# counts unchanged. Markdown on stdout; progress on stderr.
set -u
top=${SMCLAT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${SMCLAT_BIN:-$top/build/bin}
tmp=$(mktemp -d)
keep=${SMCLAT_BENCH_KEEP:-$top/build/bench-keep}/suite-group-$(date +%Y%m%d-%H%M%S)
trap 'rm -rf "$tmp"' EXIT
"$top/scripts/lab/prepare.sh" --no-kmod > /dev/null 2>&1 || { echo "suite-group bench: prepare failed" >&2; exit 1; }
jobs=$(nproc)
declare -A wall
for how in grouped per-scenario grouped-j per-scenario-j; do
    opt=(--jobs 1)
    case $how in *-j) opt=(--jobs "$jobs") ;; esac
    case $how in per-scenario*) opt+=(--boot-per-scenario) ;; esac
    echo "suite-group bench: demo suite, $how" >&2
    flock /tmp/smclat-lab.lock "$bin/smclat" suite run "$top/workloads/demo.suite" -o "$tmp/$how" \
        --lab "$top/scripts/lab/run.sh" "${opt[@]}" > /dev/null 2> "$tmp/$how.err"
    # the suite's own time (from its start, not from waiting for the lock)
    wall[$how]=$(sed -n 's/^suite: .* in \([0-9.]*\) s -> .*/\1/p' "$tmp/$how.err" | tail -1)
    echo "suite-group bench: $how: ${wall[$how]} s, $(jq -r '"\(.ok) ok, \(.failed) failed"' "$tmp/$how/suite.json")" >&2
done
pct() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.0f", 100 * a / b}'; }
ratio=$(pct "${wall[grouped]}" "${wall[per-scenario]}")
# same DIR_A DIR_B: how many scenarios of A have trace.bin and calls.csv byte for byte as in B,
# then those that differ with where (cmp's first differing byte)
same() {
    local n=0 d o diff=
    for d in "$1"/*/; do
        o=$2/$(basename "$d")
        if cmp -s "$d/trace.bin" "$o/trace.bin" && cmp -s "$d/calls.csv" "$o/calls.csv"; then
            n=$((n + 1))
        else
            diff="$diff; $(basename "$d"): $(cmp "$d/trace.bin" "$o/trace.bin" 2>&1 | sed 's/.*: //' | head -1)"
            # both folders kept for a look (the rest of the bench's folders are removed)
            mkdir -p "$keep/$(basename "$1")" "$keep/$(basename "$2")" &&
                cp -r "$d" "$keep/$(basename "$1")/" && cp -r "$o" "$keep/$(basename "$2")/" &&
                echo "suite-group bench: $(basename "$d") differs: both kept in $keep" >&2
        fi
    done
    echo "$n of 8${diff:+ (differ: ${diff#; })}"
}
boots=$(cat "$tmp"/grouped/*/run.json | jq -s '[.[] | select((.group.index // 1) == 1)] | length')

# e2e DIR: "calls p50 p99 max" of the generator's ok calls (us), "- - - -" when none
e2e() {
    [ -s "$1/calls.csv" ] || { echo "- - - -"; return; }
    awk -F, 'NR > 1 && $9 == "ok" {print ($6 - $5) / 1000}' "$1/calls.csv" | sort -g |
        awk '{v[NR] = $1} END { if (!NR) { print "- - - -"; exit }
            printf "%d %.1f %.1f %.1f\n", NR, v[int((NR - 1) * 0.5) + 1], v[int((NR - 1) * 0.99) + 1], v[NR] }'
}
cat << EOF2

## Suites: one boot per group of scenarios (scripts/bench/suite-group.sh)

\`smclat suite run workloads/demo.suite\` (8 scenarios, deterministic mode, 5 s of load each)
with its scenarios grouped by the lab's boot key (two groups: credit2 and credit; one boot
each, \`scripts/lab/run.sh --group\`) and with \`--boot-per-scenario\`, one after the other on
the same machine, each holding the lab lock. Goal: grouped at most 40% of the wall time.
Wall: the suite's own time (\`suite: ... in N s\`, the analysis included), not the wait for the lock.

| run | wall s | boots |
|---|---|---|
| grouped | ${wall[grouped]} | $boots |
| --boot-per-scenario | ${wall[per-scenario]} | 8 |

Grouped: **${ratio}%** of the wall time of --boot-per-scenario, one boot at a time.

With the host's ${jobs} cores (\`--jobs ${jobs}\`, the default: deterministic-mode boots side by
side, docs/lab.md "Boots side by side"):

| run | wall s | of --boot-per-scenario --jobs 1 | of --boot-per-scenario --jobs ${jobs} | scenarios byte for byte as with --jobs 1 |
|---|---|---|---|---|
| grouped --jobs ${jobs} | ${wall[grouped-j]} | $(pct "${wall[grouped-j]}" "${wall[per-scenario]}")% | $(pct "${wall[grouped-j]}" "${wall[per-scenario-j]}")% | $(same "$tmp/grouped-j" "$tmp/grouped") |
| --boot-per-scenario --jobs ${jobs} | ${wall[per-scenario-j]} | $(pct "${wall[per-scenario-j]}" "${wall[per-scenario]}")% | - | $(same "$tmp/per-scenario-j" "$tmp/per-scenario") |

Per scenario, the generator's calls and e2e latency (us, from calls.csv), grouped / per boot,
and the calls the analyzer joined to the trace (analysis.json join.matched):

| scenario | calls | e2e p50 | e2e p99 | e2e max | joined |
|---|---|---|---|---|---|
EOF2
for d in "$tmp"/grouped/*/; do
    n=$(basename "$d")
    read -r c1 p1 q1 m1 < <(e2e "$d")
    read -r c2 p2 q2 m2 < <(e2e "$tmp/per-scenario/$n")
    j1=$(jq -r '.join.matched // "-"' "$d/analysis.json" 2> /dev/null || echo -)
    j2=$(jq -r '.join.matched // "-"' "$tmp/per-scenario/$n/analysis.json" 2> /dev/null || echo -)
    echo "| $n | $c1 / $c2 | $p1 / $p2 | $q1 / $q2 | $m1 / $m2 | $j1 / $j2 |"
done
for how in grouped per-scenario grouped-j per-scenario-j; do
    grep "^suite: failed" "$tmp/$how.err" | sed "s/^/$how: /; s/$/  /"
done

# phases DIR: host seconds of the scenario's steps from its part of the console (SMCLAT-JOB
# lines): "at create ready go trace finish" (at: its start from QEMU's start)
phases() {
    awk 'match($0, /^\[ *[0-9.]+\]/) { t = substr($0, 2, RLENGTH - 2) + 0 }
        /SMCLAT-JOB: scenario / { s = t } /SMCLAT-JOB: (created|kept) / { c = t }
        /SMCLAT-JOB: domains ready/ { r = t } /SMCLAT-JOB: trace started/ { g = t }
        /SMCLAT-JOB: trace done/ { d = t } /SMCLAT-JOB: finished/ { f = t }
        END { printf "%.1f %.1f %.1f %.1f %.1f %.1f\n", s, c - s, r - c, g - r, d - g, f - d }' "$1/console.log"
}
cat << EOF2

Where each scenario's time goes (host seconds, from the console's time stamps), in the order
the lab ran them: *boot* Xen, Dom0 and its tools up to the scenario's start (grouped: the first
of a boot only), *domains* creating the DomUs (or finding them kept), *ready* until the client
and the mediator are ready (a new domain's Linux boot; a kept one's new job), *go* applying the
configuration and starting the trace, *trace* the measured window, *finish* metadata, the
mediator's end, the logs; *part* the scenario's part of the lab's wall time (run.json wall_s:
grouped, begin to end in its boot; alone, the whole run):

| run | scenario | created | boot | domains | ready | go | trace | finish | part |
|---|---|---|---|---|---|---|---|---|---|
EOF2
for how in grouped per-scenario; do
    for r in $(jq -r '"\(.group.boot // 0) \(.group.index // 0) \(.name)"' "$tmp/$how"/*/run.json | sort -n -k1,1 -k2,2 |
        awk '{print $3}'); do
        d=$tmp/$how/$r
        read -r at cr rd go tr fin < <(phases "$d")
        idx=$(jq '.group.index // 1' "$d/run.json")
        boot=$at
        [ "$idx" = 1 ] || boot=-
        new=$(grep -c "SMCLAT-JOB: created " "$d/console.log")
        echo "| $how | $r | $new | $boot | $cr | $rd | $go | $tr | $fin | $(jq .wall_s "$d/run.json") |"
    done
done
lab_g=$(cat "$tmp"/grouped/*/run.json | jq -s '[.[] | {b: .group.boot, w: .group.boot_wall_s}] | unique | map(.w) | add * 10 | round / 10')
lab_p=$(cat "$tmp"/per-scenario/*/run.json | jq -s 'map(.wall_s) | add * 10 | round / 10')
cat << EOF2

The lab's own wall time (QEMU's boots; grouped: each boot whole, between-scenario resets and
the save included) against the suite's: grouped ${lab_g} of ${wall[grouped]} s,
per scenario ${lab_p} of ${wall[per-scenario]} s; the rest is the host's (packing the share and
the images, the analysis of each scenario, the suite's bookkeeping).
EOF2
