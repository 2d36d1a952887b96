#!/bin/sh
# Turns the EVCALL lines of the lab's evping client console (guest-cli.log:
# "EVCALL i t0_cntvct t1_cntvct rtt_ns", rtt_ns -1 for a timeout) into the call log CSV that
# `smclat analyze --calls-log` reads (docs/join.md).
# usage: evcall2csv.sh GUEST_LOG > calls.csv
set -eu
if [ $# -ne 1 ]; then
    echo "usage: evcall2csv.sh GUEST_LOG > calls.csv" >&2
    exit 2
fi
[ -r "$1" ] || { echo "evcall2csv: $1: cannot read" >&2; exit 2; }
tr -d '\r' < "$1" | awk -v file="$1" '
BEGIN { print "seq,start_cntvct,end_cntvct,rtt_ns,status" }
$1 == "EVCALL" && $2 ~ /^[0-9]+$/ {
    if (NF != 5 || $3 !~ /^[0-9]+$/ || $4 !~ /^[0-9]+$/ || $5 !~ /^-?[0-9]+$/) {
        printf "evcall2csv: %s:%d: expected EVCALL i t0_cntvct t1_cntvct rtt_ns, found %s\n",
            file, NR, $0 > "/dev/stderr"
        bad = 1; exit 2
    }
    printf "%s,%s,%s,%s,%s\n", $2, $3, $4, $5, ($5 == -1 ? "timeout" : "ok"); n++
}
END {
    if (bad) exit 2
    if (n == 0) { printf "evcall2csv: %s: no EVCALL lines\n", file > "/dev/stderr"; exit 2 }
}'
