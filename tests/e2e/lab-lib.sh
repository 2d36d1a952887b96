# Sourced by the lab's end-to-end tests (lab-deterministic.sh, lab-smc.sh): the calls the
# generator made against the complete calls of the trace, from `smclat analyze --calls-csv`
# on a results folder (joined with its calls.csv). Needs bad() and gen_calls from the caller.
#
# Every generator call must join to one complete call of the trace. Complete calls with no log
# line are timer coincidences that look exactly like a call on one pCPU (docs/calls.md): they
# are listed, and at most a tenth of the generator's calls.
check_trace_calls() { # ANALYSIS_JSON CALLS_CSV
    local a=$1 ct=$2 complete matched matched_complete extra
    complete=$(jq .calls.complete "$a")
    matched=$(jq .join.matched "$a")
    read -r matched_complete extra < <(awk -F, '
        NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        $c["reason"] == "complete" && $c["join"] == "matched" { m++ }
        $c["reason"] == "complete" && $c["join"] != "matched" { e++ }
        END { print m + 0, e + 0 }' "$ct")
    echo "generator calls $gen_calls; complete calls in the trace $complete: $matched_complete joined" \
        "to the generator's, $extra with no log line; incomplete $(jq .calls.incomplete "$a")"
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        $c["reason"] == "complete" && $c["join"] != "matched" {
            print "  no log line (a timer coincidence): notify at tick " $c["t_notify"] ", " $c["shape"] }' "$ct"
    [ "$matched" = "$gen_calls" ] || bad "join: $matched of $gen_calls generator calls matched in the trace"
    [ "$matched_complete" = "$gen_calls" ] ||
        bad "$matched_complete of $gen_calls generator calls are complete calls in the trace"
    [ "$complete" = $((matched_complete + extra)) ] || bad "calls.complete $complete != $matched_complete + $extra"
    [ "$extra" -le $((gen_calls / 10)) ] ||
        bad "$extra complete calls in the trace that the generator did not make (at most $((gen_calls / 10)))"
}
