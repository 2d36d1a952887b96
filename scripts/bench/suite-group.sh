#!/bin/bash
# make bench section: the demo suite (workloads/demo.suite: 8 scenarios, deterministic mode,
# 5 s of load each) run through the lab with one boot per group of scenarios sharing a boot key
# (smclat suite run, the default) and with a boot per scenario (--boot-per-scenario), one after
# the other on this machine, each holding the lab lock. Wall times and, per scenario, the calls
# and the generator's e2e figures of both runs. Goal (issue 16): grouped at most 40% of the wall
# time of --boot-per-scenario, call counts unchanged. Markdown on stdout; progress on stderr.
set -u
top=${SMCLAT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${SMCLAT_BIN:-$top/build/bin}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$top/scripts/lab/prepare.sh" --no-kmod > /dev/null 2>&1 || { echo "suite-group bench: prepare failed" >&2; exit 1; }
declare -A wall
for how in grouped per-scenario; do
    opt=()
    [ $how = per-scenario ] && opt=(--boot-per-scenario)
    echo "suite-group bench: demo suite, $how" >&2
    flock /tmp/smclat-lab.lock "$bin/smclat" suite run "$top/workloads/demo.suite" -o "$tmp/$how" \
        --lab "$top/scripts/lab/run.sh" "${opt[@]}" > /dev/null 2> "$tmp/$how.err"
    # the suite's own time (from its start, not from waiting for the lock)
    wall[$how]=$(sed -n 's/^suite: .* in \([0-9.]*\) s -> .*/\1/p' "$tmp/$how.err" | tail -1)
    echo "suite-group bench: $how: ${wall[$how]} s, $(jq -r '"\(.ok) ok, \(.failed) failed"' "$tmp/$how/suite.json")" >&2
done
ratio=$(awk -v a="${wall[grouped]}" -v b="${wall[per-scenario]}" 'BEGIN{printf "%.0f", 100 * a / b}')
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

Grouped: **${ratio}%** of the wall time of --boot-per-scenario.

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
for how in grouped per-scenario; do
    grep "^suite: failed" "$tmp/$how.err" | sed "s/^/$how: /; s/$/  /"
done
