#!/bin/bash
# make bench section: smclat report / compare / regress on synthetic results folders (36
# configurations of 5000 calls, as a drm-playback suite with longer runs would give).
# Prints markdown with the commands and the figures. Env: SMCLAT_BIN.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
S=${SMCLAT_BIN:-$top/build/bin}/smclat
t=$(mktemp -d /tmp/smclat-bench-report-XXXXXX)
trap 'rm -rf "$t"' EXIT
for i in $(seq 1 36); do
    d=$t/runs/c$i
    mkdir -p "$d"
    printf '[scenario]\nname = c%d\n' "$i" > "$d/scenario.ini"
    echo '{"smclat_analyze": 1, "partial": false}' > "$d/analysis.json"
    awk -v s="$i" 'BEGIN { srand(s); print "seq,start_ns,e2e_ns,switches,mediator_wake_ns"
        for (k = 0; k < 5000; k++)
            printf "%d,%.0f,%.0f,%d,%.0f\n", k, 1e9 + k * 1e7, 50000 * exp(0.3 * (rand() + rand() + rand() - 1.5)), 3 + k % 3, 20000 * (1 + rand()) }' > "$d/calls-trace.csv"
done
measure() { # LABEL CMD...: one table row with wall time and max RSS
    local label=$1; shift
    /usr/bin/time -f "%e %M" -o "$t/time" "$@" > /dev/null 2>&1 || echo "(failed: $*)" >&2
    read -r wall rss < "$t/time"
    local cmd="$*"
    cmd=${cmd//$S/smclat}
    cmd=${cmd//$t\//}
    printf '| %s | `%s` | %s s | %.1f MB |\n' "$label" "$cmd" "$wall" "$(echo "$rss / 1024" | bc -l)"
}
echo
echo "## Reports (smclat report, compare, regress)"
echo
echo "36 synthetic results folders (runs/c1..c36) of 5000 calls each (log-normal latencies"
echo "around 50 us), written by scripts/bench/report.sh; gnuplot $(gnuplot --version 2> /dev/null | awk '{print $2}')."
echo
echo "| what | command | wall | max RSS |"
echo "|---|---|---|---|"
measure "report, 36 configurations, PNG+SVG plots" "$S" report "$t/runs" -o "$t/rep" -q
measure "report without plots" "$S" report "$t/runs" -o "$t/rep2" -q --no-plots
measure "compare 2 configurations (2 x 2000 bootstrap resamples)" "$S" compare "$t/runs/c1" "$t/runs/c2"
measure "compare 8 configurations" "$S" compare "$t"/runs/c[1-8]
measure "regress, 36 configurations, first run" "$S" regress --history "$t/h.jsonl" "$t/runs" --commit a
measure "regress, 36 configurations, against it" "$S" regress --history "$t/h.jsonl" "$t/runs" --commit b
# a 50-run history (the first line under 50 commits): change points over every series
for k in $(seq 1 50); do head -1 "$t/h.jsonl" | sed "s/\"commit\":\"a\"/\"commit\":\"h$k\"/"; done > "$t/h50.jsonl"
measure "regress, 36 configurations, against a 50-run history" "$S" regress --history "$t/h50.jsonl" "$t/runs" --commit z -n
echo
echo "History size after two runs: $(du -k "$t/h.jsonl" | cut -f1) kB (2000 samples kept per series and configuration)."
