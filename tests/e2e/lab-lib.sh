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
