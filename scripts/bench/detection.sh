#!/bin/bash
# make bench section: the call detector against the generator's own log on the detection
# matrix (workloads/detection.suite: 2 pCPUs, a busy 2-vCPU noise domain, shared / pools /
# pinned apart, credit and credit2, 24 and 120 calls/s; docs/calls.md). Runs the suite on the
# lab (12 scenarios, about 15 minutes; DETECTION_RESULTS=DIR reuses a finished run), then per
# scenario: the logged calls inside the trace, those the trace-only detector missed (log only
# or inconsistent) and its false calls (trace calls inside the log's span without a log line,
# join.trace_only_in_log, which includes those found twice), by certainty. Prints a markdown
# section on stdout; progress on stderr. DETECTION_MEDIATOR=stub runs the same matrix with
# smclat-stub as the mediator (`--set topology.mediator=stub`, scripts/bench/detection-stub.sh).
set -u
top=${SMCLAT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${SMCLAT_BIN:-$top/build/bin}
out=${DETECTION_RESULTS:-}
mediator=${DETECTION_MEDIATOR:-linux}
case $mediator in
    linux) set_mediator=(); title="the detection matrix (scripts/bench/detection.sh)" ;;
    stub) set_mediator=(--set topology.mediator=stub)
        title="the detection matrix with smclat-stub as the mediator (scripts/bench/detection-stub.sh)" ;;
    *) echo "detection bench: DETECTION_MEDIATOR: expected linux or stub, found '$mediator'" >&2
        exit 2 ;;
esac
what=${set_mediator[*]:+ ${set_mediator[*]}} # the suite's options, as the section shows them
if [ -z "$out" ]; then
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
    "$top/scripts/lab/prepare.sh" --no-kmod > /dev/null 2>&1 ||
        { echo "detection bench: lab prepare failed" >&2; exit 1; }
    "$bin/smclat" suite run "$top/workloads/detection.suite" "${set_mediator[@]}" -o "$out" >&2 ||
        echo "detection bench: some scenarios failed (listed above)" >&2
fi
cat << EOF2

## The call detector on $title

\`smclat suite run workloads/detection.suite$what\` on the lab
(smp mode, 2 pCPUs, a busy 2-vCPU noise domain beside the client), then \`smclat analyze DIR
--json\` on each results folder: the generator's calls.csv is the truth. *missed*: logged
calls inside the trace that the trace-only detector did not find, or found with a window that
does not fit the guest's
(\`join.recovered + join.log_only_in_trace + join.inconsistent\`); *false*: trace calls inside
the log's span with no log line (\`join.trace_only_in_log\`, which includes the calls found
twice, \`join.trace_only_in_matched\`); *unmatched with the log*: logged calls inside the trace that
neither the detector nor the recovery placed (\`join.log_only_in_trace + join.inconsistent\`).
Target (issue 13): missed and false each at most 1.5% or 3 calls; unmatched at most one at
each edge of the trace.

| scenario | logged in trace | missed | false | missed % | false % | unmatched with the log | recovered by shape; unrecorded | detector's certain / likely / inferred | host's CPUs taken by other work |
|---|---|---|---|---|---|---|---|---|---|
EOF2
tm=0; tf=0; tn=0; tu=0; ns=0; ok=0; ok_shown=0
# within X: X calls of the scenario's n are on target: at most 1.5% or 3 (200 * X <= 3 * n)
within() { [ "$1" -le 3 ] || [ $((200 * $1)) -le $((3 * n)) ]; }
for d in "$out"/*/; do
    [ -f "$d/trace.bin" ] || continue
    name=$(basename "$d")
    if ! "$bin/smclat" analyze "$d" --json > "$d/bench-analysis.json" 2> /dev/null; then
        echo "| $name | analyze failed | | | | | | | | |"; continue
    fi
    read -r n m f u c l i un rs < <(jq -r '(.join.recovered_unrecorded // 0) as $unrec | [(.join.matched + .join.log_only_in_trace + .join.inconsistent),
        (.join.recovered + .join.log_only_in_trace + .join.inconsistent),
        .join.trace_only_in_log,
        (.join.log_only_in_trace + .join.inconsistent),
        .calls.by_certainty.certain, .calls.by_certainty.likely, .calls.by_certainty.inferred,
        $unrec, ([.join.recovered_by_shape | to_entries[] | select(.value > 0) | "\(.key) \(.value)"]
         | join(", ") | if . == "" then "-" else . + "; \($unrec) unrecorded" end)]
        | @tsv' "$d/bench-analysis.json")
    tn=$((tn + n)); tm=$((tm + m)); tf=$((tf + f)); tu=$((tu + u)); ns=$((ns + 1))
    within "$f" && within "$m" && ok=$((ok + 1))
    within "$f" && within $((m - un)) && ok_shown=$((ok_shown + 1))
    # the lab's run.json: how much of the host's CPUs other work took during the boot
    hs=$(jq -r 'if .host then "\(.host.other_share * 100 | round)%" else "-" end' "$d/run.json" 2> /dev/null)
    awk -v s="$name" -v n="$n" -v m="$m" -v f="$f" -v u="$u" -v c="$c" -v l="$l" -v i="$i" \
        -v rs="$rs" -v hs="${hs:--}" 'BEGIN {
        printf "| %s | %d | %d | %d | %.1f | %.1f | %d | %s | %d / %d / %d | %s |\n", s, n, m, f,
            n ? 100 * m / n : 0, n ? 100 * f / n : 0, u, rs, c, l, i, hs }'
done
awk -v n="$tn" -v m="$tm" -v f="$tf" -v u="$tu" 'BEGIN {
    printf "| all | %d | %d | %d | %.1f | %.1f | %d | | | |\n",
    n, m, f, n ? 100 * m / n : 0, n ? 100 * f / n : 0, u }'
echo
echo "Within the target (missed and false each at most 1.5% or 3 calls): $ok of $ns scenarios;"
echo "leaving out the missed calls the trace does not show (join.recovered_unrecorded: no notify,"
echo "no block of the client, no answer in the call's window): $ok_shown of $ns."
