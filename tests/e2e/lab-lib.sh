# Sourced by the lab's end-to-end tests (lab-deterministic.sh, lab-smc.sh), which set top (the
# project's root) first: the scratch folder, the failure count, preparing the lab, booting one
# scenario, and the calls the generator made against the complete calls of the trace.
set -u
bin=${SMCLAT_BIN:-$top/build/bin}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
t0=$(date +%s)

lab_prepare() { # [prepare.sh OPTIONS]: stops the test when the lab cannot be prepared
    "$top/scripts/lab/prepare.sh" "$@" || { echo "FAIL: scripts/lab/prepare.sh"; exit 1; }
    echo "prepare: $(($(date +%s) - t0)) s"
}

lab_run() { # PARAMS_FILE [OUTDIR]: boots that scenario into out=OUTDIR ($tmp/run); stops the test if it failed
    out=${2:-$tmp/run}
    local t1 rc
    t1=$(date +%s)
    "$top/scripts/lab/run.sh" "$1" "$out"
    rc=$?
    echo "run: $(($(date +%s) - t1)) s, exit $rc"
    [ $rc = 0 ] || { bad "run.sh exit $rc: $(jq -r '.reason_kind + ": " + .reason' "$out/run.json" 2> /dev/null)"; exit 1; }
}

# check_trace_calls: from `smclat analyze --calls-csv` on a results folder (joined with its
# calls.csv); needs gen_calls from the caller.
#
# Every generator call must join to one complete call of the trace (or, one in 10 at most, one
# the scheduler bent: below). Complete calls with no log
# line are timer coincidences that look exactly like a call on one pCPU (docs/calls.md): they
# are listed, and at most a tenth of the generator's calls.
check_trace_calls() { # ANALYSIS_JSON CALLS_CSV
    local a=$1 ct=$2 complete matched matched_complete extra
    complete=$(jq .calls.complete "$a")
    matched=$(jq .join.matched "$a")
    local bent
    read -r matched_complete extra bent < <(awk -F, '
        NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        $c["reason"] == "complete" && $c["join"] == "matched" { m++ }
        $c["reason"] == "complete" && $c["join"] != "matched" { e++ }
        $c["join"] == "matched" && ($c["reason"] == "client_never_blocked" ||
            $c["reason"] == "mediator_stayed_awake" || $c["reason"] == "mediator_already_awake") { p++ }
        END { print m + 0, e + 0, p + 0 }' "$ct")
    echo "generator calls $gen_calls; complete calls in the trace $complete: $matched_complete joined" \
        "to the generator's, $extra with no log line; incomplete $(jq .calls.incomplete "$a")"
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        $c["reason"] == "complete" && $c["join"] != "matched" {
            print "  no log line (a timer coincidence): notify at tick " $c["t_notify"] ", " $c["shape"] }' "$ct"
    [ "$matched" = "$gen_calls" ] || bad "join: $matched of $gen_calls generator calls matched in the trace"
    # The scheduler may bend a few calls out of the complete shape: the woken mediator preempts
    # the client at its notify (client_never_blocked), or is preempted after its answer and
    # serves the next call of the frame before it blocks (mediator_stayed_awake,
    # mediator_already_awake). Those are matched too; at most one call in 10.
    [ "$((matched_complete + bent))" = "$gen_calls" ] && [ "$((bent * 10))" -le "$gen_calls" ] ||
        bad "$matched_complete of $gen_calls generator calls are complete calls in the trace, $bent bent by the scheduler"
    [ "$complete" = $((matched_complete + extra)) ] || bad "calls.complete $complete != $matched_complete + $extra"
    [ "$extra" -le $((gen_calls / 10)) ] ||
        bad "$extra complete calls in the trace that the generator did not make (at most $((gen_calls / 10)))"
}

# check_identical A B: two deterministic runs of one scenario (results folders, each with the
# analysis.json and calls-trace.csv of `smclat analyze`: compare reads them) repeat call for call:
# at least 99% of the calls with the same e2e, mediator wake and switches, the same p50/p99/max,
# and `smclat compare` says identical (no significance test). Says whether trace.bin and
# calls.csv are byte for byte the same, and where they part when not.
check_identical() {
    local a=$1 b=$2 f k cj=$tmp/compare.json
    for f in trace.bin calls.csv; do
        if cmp -s "$a/$f" "$b/$f"; then
            echo "repeat: $f byte for byte identical"
        else
            echo "repeat: $f differs: $("$top/scripts/lab/repeat-diff.sh" --diff "$a" "$b" | grep -A3 'first differing')"
        fi
    done
    if ! "$bin/smclat" compare "$a" "$b" --json > "$cj" 2> "$tmp/compare.err"; then
        bad "smclat compare $a $b failed: $(head -3 "$tmp/compare.err")"
        return
    fi
    jq -c '.configurations[1] | {identical, same_calls, p50_ns, p99_ns}' "$cj"
    for k in e2e mediator_wake switches; do
        jq -e --arg k "$k" '.configurations[1].same_calls[$k] >= 0.99' "$cj" > /dev/null ||
            bad "repeat $b: $k the same in $(jq --arg k "$k" '.configurations[1].same_calls[$k]' "$cj") of the calls, expected >= 0.99"
    done
    jq -e '.configurations[1].same_calls.p50_p99_max_equal' "$cj" > /dev/null || bad "repeat $b: p50/p99/max differ"
    [ "$(jq .configurations[1].identical "$cj")" = true ] || bad "repeat $b: compare does not say identical"
    [ "$(jq -r .configurations[1].median "$cj")" = identical ] || bad "repeat $b: compare's median verdict $(jq .configurations[1].median "$cj")"
    "$bin/smclat" compare "$a" "$b" | grep -q "identical to" || bad "repeat $b: compare's table does not say identical"
}
