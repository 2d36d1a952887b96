#!/bin/bash
# The lab's parameter file (docs/lab.md): good files resolve with their defaults, bad ones are
# refused with exit 2 and a "run.sh: FILE:LINE: KEY: problem" message. No QEMU involved.
set -u
top=${SMCLAT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
run=$top/scripts/lab/run.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# a good file: given keys kept, defaults filled in, quotes removed
cat > "$tmp/good.env" << 'P'
# a comment
NAME=pool-test
MODE=smp
PCPUS=2
POOLS="med:credit2:1"
MEDIATOR_POOL=med
PIN_CLIENT=0
GEN_ARGS="--flow optimized --fps 24"
P
out=$("$run" --check "$tmp/good.env") || bad "good file refused (exit $?)"
( eval "$out"
  [ "$NAME" = pool-test ] || echo "FAIL: NAME=$NAME"
  [ "$POOLS" = "med:credit2:1" ] || echo "FAIL: POOLS=$POOLS"
  [ "$GEN_ARGS" = "--flow optimized --fps 24" ] || echo "FAIL: GEN_ARGS=$GEN_ARGS"
  [ "$DOM0_VCPUS" = 2 ] || echo "FAIL: DOM0_VCPUS default $DOM0_VCPUS, expected PCPUS=2"
  [ "$TRANSPORT" = xen ] || echo "FAIL: TRANSPORT default $TRANSPORT"
  [ "$TRACE_SECONDS" = 10 ] || echo "FAIL: TRACE_SECONDS default $TRACE_SECONDS"
) | grep FAIL && fails=$((fails + 1))
# deterministic is the default mode, with one pCPU
printf 'NAME=x\n' > "$tmp/min.env"
out=$("$run" --check "$tmp/min.env") || bad "minimal file refused"
echo "$out" | grep -qx "MODE='deterministic'" || bad "default MODE: $out"
echo "$out" | grep -qx "PCPUS='1'" || bad "default PCPUS"

# bad files: exit 2, the message names file, line and key
check_bad() { # CONTENT LINE KEY WORDS
    printf '%b' "$1" > "$tmp/bad.env"
    msg=$("$run" --check "$tmp/bad.env" 2>&1 > /dev/null)
    rc=$?
    [ $rc = 2 ] || bad "'$1': exit $rc, expected 2"
    case $msg in "run.sh: $tmp/bad.env:$2: $3: "*"$4"*) ;; *) bad "'$1': message '$msg'" ;; esac
}
check_bad 'MODE=smp\nPCPUZ=2\n' 2 PCPUZ "unknown key"
check_bad 'MODE=fast\n' 1 MODE "deterministic smp"
check_bad 'MODE=deterministic\nPCPUS=2\n' 2 PCPUS "one pCPU"
check_bad 'MODE=smp\nPCPUS=2\nPIN_MEDIATOR=2\n' 3 PIN_MEDIATOR "does not exist"
check_bad 'MODE=smp\nPCPUS=2\nPOOLS="med:null:1"\n' 3 POOLS "credit2|credit"
check_bad 'MODE=smp\nPCPUS=2\nMEDIATOR_POOL=med\n' 3 MEDIATOR_POOL "no pool"
check_bad 'WEIGHT_CLIENT=0\n' 1 WEIGHT_CLIENT "1..65535"
check_bad 'GEN_ARGS=--fps 24\n' 1 GEN_ARGS "quote"
# shellcheck disable=SC2016 # the file must hold a literal $(...)
check_bad 'GEN_ARGS="$(reboot)"\n' 1 GEN_ARGS "plain text"
check_bad 'DOM0_LOAD=busy\n' 1 DOM0_LOAD "busy:N"
check_bad 'TRANSPORT=tcp\n' 1 TRANSPORT "none xen smc smc+xen"
check_bad 'this is not an assignment\n' 1 "this is not an assignment" "KEY=VALUE"
# a missing file and a bad command line
"$run" --check "$tmp/none.env" 2> /dev/null
[ $? = 2 ] || bad "missing file: exit not 2"
"$run" only-one-argument 2> /dev/null
[ $? = 2 ] || bad "one argument: exit not 2"
[ $fails = 0 ] && echo "lab-params: ok"
exit $((fails > 0))
