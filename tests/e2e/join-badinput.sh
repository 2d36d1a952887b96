#!/bin/bash
# `smclat analyze --calls-log` on logs that must not join (docs/join.md, "Bad input"): each
# exits 2 with one line "smclat: FILE...: what does not fit", and prints no JSON.
set -u
: "${SMCLAT_BIN:?}" "${SHARED:?}" "${SMCLAT_TOP:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=0
fail() { echo "FAIL $*"; bad=$((bad + 1)); }
shared=$SHARED/traces/sched-shared-c
pool=$SHARED/traces/sched-pool-c
if [ ! -s "$shared/t.bin" ] || [ ! -s "$pool/t.bin" ]; then
    echo "FAIL no sched-*-c traces in $SHARED"
    exit 1
fi
"$SMCLAT_TOP/scripts/evcall2csv.sh" "$shared/guest-cli.log" > "$tmp/shared.csv" || exit 1
"$SMCLAT_TOP/scripts/evcall2csv.sh" "$pool/guest-cli.log" > "$tmp/pool.csv" || exit 1

# expect NAME LOG PATTERN [ANALYZE OPTIONS...]: exit 2, one stderr line naming LOG and matching
# PATTERN, nothing on stdout.
expect() {
    local name=$1 log=$2 pattern=$3
    shift 3
    timeout 120 "$SMCLAT_BIN/smclat" analyze --cpu-hz 62.5M --json --calls-log "$log" "$@" \
        > "$tmp/out" 2> "$tmp/err"
    local rc=$?
    local msg
    msg=$(grep -v '^warning:' "$tmp/err")
    if [ $rc != 2 ]; then
        fail "$name: exit $rc, expected 2 ($msg)"
    elif [ "$(printf '%s\n' "$msg" | wc -l)" != 1 ] || ! grep -q "^smclat: $log" <<< "$msg" ||
        ! grep -qE "$pattern" <<< "$msg"; then
        fail "$name: expected one line 'smclat: $log...$pattern', found: $msg"
    elif [ -s "$tmp/out" ]; then
        fail "$name: printed results anyway"
    else
        echo "ok   $name: $msg"
    fi
}

: > "$tmp/empty.csv"
expect "empty log" "$tmp/empty.csv" "found an empty file" --client 2 --mediator 1 "$shared/t.bin"
printf 'seq,op\n' > "$tmp/header-only.csv"
expect "header only" "$tmp/header-only.csv" "start_cntvct" --client 2 --mediator 1 "$shared/t.bin"
printf 'seq,start_cntvct,end_cntvct\n' > "$tmp/no-calls.csv"
expect "no calls" "$tmp/no-calls.csv" "found none" --client 2 --mediator 1 "$shared/t.bin"
printf 'seq,start_ns,end_ns\n0,1,2\n' > "$tmp/no-columns.csv"
expect "no CNTVCT columns" "$tmp/no-columns.csv" ":1: header: expected a column start_cntvct" \
    --client 2 --mediator 1 "$shared/t.bin"
expect "guest console, not a CSV" "$shared/guest-cli.log" "header: expected a column" \
    --client 2 --mediator 1 "$shared/t.bin"
sed '3s/^\([0-9]*\),[0-9]*,/\1,12z,/' "$tmp/shared.csv" > "$tmp/garbage.csv"
expect "garbage field" "$tmp/garbage.csv" ":3: column 2 \(start_cntvct\): expected an unsigned" \
    --client 2 --mediator 1 "$shared/t.bin"
expect "log of another run" "$tmp/pool.csv" "no consistent clock offset" \
    --client 2 --mediator 1 "$shared/t.bin"
expect "log of another run (2)" "$tmp/shared.csv" "no consistent clock offset" \
    --client 2 --mediator 1 "$pool/t.bin"
# another domain's calls keep another pace than the log's: the message names the domains
expect "wrong domain" "$tmp/shared.csv" "the trace's calls are not the log's \\(the wrong client/mediator domains" \
    --client 3 --mediator 1 "$shared/t.bin"
# The log's counter at 24 MHz against the trace's 62.5 MHz.
awk -F, 'NR == 1 { print; next } { printf "%s,%.0f,%.0f,%s,%s\n", $1, $2 * 0.384, $3 * 0.384, $4, $5 }' \
    "$tmp/shared.csv" > "$tmp/rate.csv"
expect "clock rate mismatch" "$tmp/rate.csv" "clock rate does not fit" \
    --client 2 --mediator 1 "$shared/t.bin"

# A results folder's own calls.csv is joined by itself; when it cannot be (here: no CNTVCT, as a
# log written on x86), the analysis goes on with a warning instead.
mkdir -p "$tmp/run"
ln -s "$shared/t.bin" "$tmp/run/trace.bin"
printf '{"smclat_metadata": 1, "physinfo": {"cpu_khz": 62500}, "roles": {"client": 2, "mediator": 1}}\n' \
    > "$tmp/run/metadata.json"
printf 'seq,start_ns,end_ns,start_cntvct,end_cntvct\n0,1,2,,\n' > "$tmp/run/calls.csv"
if timeout 120 "$SMCLAT_BIN/smclat" analyze --json --calls-csv "$tmp/run.csv" "$tmp/run" \
    > "$tmp/out" 2> "$tmp/err"; then
    if ! grep -q "^warning: not joined with the generator's log: $tmp/run/calls.csv:2: " "$tmp/err"; then
        fail "results folder: expected a warning, found: $(cat "$tmp/err")"
    elif [ "$(jq -r '.join // "none"' "$tmp/out")" != none ] ||
        [ "$(jq '.warnings | map(select(test("not joined"))) | length' "$tmp/out")" != 1 ]; then
        fail "results folder: the JSON has a join or lacks the warning"
    elif [ "$(head -n 1 "$tmp/run.csv" | tr ',' '\n' | grep -c '^join$')" != 0 ]; then
        fail "results folder: the calls CSV has join columns"
    else
        echo "ok   results folder with an unusable calls.csv: analysed, not joined, warned"
    fi
else
    fail "results folder with an unusable calls.csv: smclat analyze failed: $(cat "$tmp/err")"
fi
[ "$bad" = 0 ]
