#!/bin/bash
# make bench section: the Linux-DomU mediator against smclat-stub, the mediator as a minimal stub
# domain (docs/stub.md), from workloads/stub.suite: the 24 fps optimized player for 3 s under
# credit2 and credit, in deterministic mode (1 pCPU) and smp mode (2 pCPUs): 8 scenarios, about
# 5 minutes (STUB_RESULTS=DIR reuses a finished run). Per scenario the calls and, from
# analysis.json, end to end, mediator wake latency, mediator run time and switches per call;
# then `smclat compare` of stub against linux for each mode and scheduler. Markdown on stdout.
set -u
top=${SMCLAT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${SMCLAT_BIN:-$top/build/bin}
out=${STUB_RESULTS:-}
if [ -z "$out" ]; then
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
    "$top/scripts/lab/prepare.sh" --no-kmod > /dev/null 2>&1 ||
        { echo "stub bench: lab prepare failed" >&2; exit 1; }
    "$bin/smclat" suite run "$top/workloads/stub.suite" -o "$out" >&2 ||
        echo "stub bench: some scenarios failed (listed above)" >&2
fi
us() { awk -v v="$1" 'BEGIN { if (v == "null" || v == "") print "-"; else printf "%.1f", v / 1000 }'; }
cat << EOF2

## The mediator without Linux: Linux DomU against smclat-stub (scripts/bench/stub.sh)

\`smclat suite run workloads/stub.suite\` on the lab: the 24 fps optimized player for 3 s through
the \`xen\` transport, the mediator either smclat-mediator in a Linux DomU (*linux*) or
smclat-stub, a freestanding guest blocked in SCHEDOP_poll between calls (*stub*, docs/stub.md),
under credit2 and credit, in deterministic mode (1 pCPU, -icount: reproducible) and smp mode
(2 pCPUs, noisy: single runs). Latencies from each analysis.json (us): end to end, the
mediator's wake latency (notify to running), its run time per call, and vCPU switches per call.

| scenario | calls (generator / joined / complete) | e2e p50 / p99 | mediator wake p50 / p99 | mediator run p50 | switches per call |
|---|---|---|---|---|---|
EOF2
for mode in det smp; do
    for s in credit2 credit; do
        for k in linux stub; do
            d=$out/$mode.$s.$k
            if [ ! -s "$d/analysis.json" ]; then
                echo "| $mode, $s, $k | not run | | | | |"
                continue
            fi
            a=$d/analysis.json
            echo "| $mode, $s, **$k** |" \
                "$(jq .calls.total "$d/gen-summary.json") / $(jq .join.matched "$a") / $(jq .calls.complete "$a") |" \
                "$(us "$(jq .calls.e2e_ns.p50 "$a")") / $(us "$(jq .calls.e2e_ns.p99 "$a")") |" \
                "$(us "$(jq .calls.mediator_wake_ns.p50 "$a")") / $(us "$(jq .calls.mediator_wake_ns.p99 "$a")") |" \
                "$(us "$(jq .calls.mediator_run_ns.p50 "$a")") |" \
                "$(jq '.calls.switches.mean // "-" | if type == "number" then (. * 100 | round / 100) else . end' "$a") |"
        done
    done
done
cat << EOF2

\`smclat compare\` of the stub against the Linux mediator under the same mode and scheduler
(alpha 0.05, Holm; median verdict, the change of the median and its 95% confidence interval):

| mode, scheduler | e2e median | mediator wake median |
|---|---|---|
EOF2
for mode in det smp; do
    for s in credit2 credit; do
        base=$out/$mode.$s.linux
        d=$out/$mode.$s.stub
        [ -s "$base/analysis.json" ] && [ -s "$d/analysis.json" ] || continue
        row="| $mode, $s |"
        for m in e2e mediator_wake; do
            v=$("$bin/smclat" compare "$base" "$d" --metric "$m" --json 2> /dev/null |
                jq -r '.configurations[1] | (.p50_ns - .p50_diff_ns.estimate) as $b |
                    def pc(x): (x / $b * 1000 | round) / 10 | if . > 0 then "+\(.)" else "\(.)" end;
                    "\(if .median == "no significant difference" then "=" else .median end)
                     \(pc(.p50_diff_ns.estimate))% (\(pc(.p50_diff_ns.lo))..\(pc(.p50_diff_ns.hi))%)"' \
                    2> /dev/null | tr -s ' \n' ' ' | sed 's/ $//')
            row="$row ${v:--} |"
        done
        echo "$row"
    done
done
