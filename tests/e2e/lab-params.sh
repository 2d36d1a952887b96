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
check_bad 'MODE=smp\nPCPUS=2\nPOOLS="med:fifo:1"\n' 3 POOLS "credit2|credit|null|rtds|arinc653"
# the schedulers only the source build has: the checks made before anything boots
check_bad 'MODE=smp\nPOOLS=med:null:1\nMEDIATOR_POOL=med\nMEDIATOR_VCPUS=2\n' 2 POOLS "null pool med has 1 pCPU(s) for 2 vCPU(s) (mediator:2)"
check_bad 'MODE=smp\nPCPUS=3\nPOOLS=med:null:1-2\nMEDIATOR_POOL=med\nCLIENT_POOL=med\nCLIENT_VCPUS=2\n' 3 POOLS "null pool med has 2 pCPU(s) for 3 vCPU(s) (mediator:1 client:2)"
check_bad 'XEN_SCHED=rtds\nRTDS_MEDIATOR=1000:2000\n' 2 RTDS_MEDIATOR "budget 2000 us is above the period 1000 us"
check_bad 'XEN_SCHED=rtds\nRTDS_CLIENT=1000:5\n' 2 RTDS_CLIENT "10 us <= budget"
check_bad 'RTDS_MEDIATOR=10000:4000\n' 1 RTDS_MEDIATOR "Pool-0, whose scheduler is credit2, not rtds"
check_bad 'XEN_BUILD=debian\nXEN_SCHED=rtds\n' 1 XEN_BUILD "Debian's binary Xen has only credit credit2; XEN_SCHED asks for rtds"
check_bad 'MODE=smp\nXEN_BUILD=debian\nPOOLS=med:null:1\n' 2 XEN_BUILD "POOLS asks for null"
check_bad 'XEN_BUILD=fedora\n' 1 XEN_BUILD "auto debian source"
check_bad 'XEN_SCHED=null\n' 1 XEN_SCHED "give it to a pool in POOLS"
check_bad 'MODE=smp\nPOOLS=a:arinc653:1\nMEDIATOR_POOL=a\nARINC653=1000:mediator=4000\n' 4 ARINC653 "the windows take 4000 us, more than the major frame 1000 us"
check_bad 'MODE=smp\nPOOLS=a:arinc653:1\nMEDIATOR_POOL=a\nARINC653=10000:client=4000\n' 4 ARINC653 "client runs in Pool-0, whose scheduler is credit2, not arinc653"
# which Xen a scenario boots (run.sh --xen): auto takes the source build only when needed
xen_of() { printf '%b' "$1" > "$tmp/xen.env"; "$run" --xen "$tmp/xen.env" | sed -n "s/^$2='\\(.*\\)'$/\\1/p"; }
[ "$(xen_of 'XEN_SCHED=credit\n' XEN_BUILD)" = debian ] || bad "--xen: credit should boot the debian build"
[ "$(xen_of 'XEN_SCHED=rtds\n' XEN_BUILD)" = source ] || bad "--xen: rtds should boot the source build"
[ "$(xen_of 'MODE=smp\nPOOLS=med:null:1\n' XEN_BUILD)" = source ] || bad "--xen: a null pool should boot the source build"
[ "$(xen_of 'XEN_BUILD=source\n' XEN_BUILD)" = source ] || bad "--xen: XEN_BUILD=source"
case $(xen_of 'XEN_SCHED=rtds\nXEN_EXTRA=vwfi=native\n' XEN_CMDLINE) in
    *" sched=rtds xsm=dummy vwfi=native") ;;
    *) bad "--xen: command line '$(xen_of 'XEN_SCHED=rtds\nXEN_EXTRA=vwfi=native\n' XEN_CMDLINE)'" ;;
esac
check_bad 'MODE=smp\nPCPUS=2\nMEDIATOR_POOL=med\n' 3 MEDIATOR_POOL "no pool"
check_bad 'WEIGHT_CLIENT=0\n' 1 WEIGHT_CLIENT "1..65535"
check_bad 'GEN_ARGS=--fps 24\n' 1 GEN_ARGS "quote"
# shellcheck disable=SC2016 # the file must hold a literal $(...)
check_bad 'GEN_ARGS="$(reboot)"\n' 1 GEN_ARGS "plain text"
check_bad 'DOM0_LOAD=busy\n' 1 DOM0_LOAD "busy:N"
check_bad 'TRANSPORT=tcp\n' 1 TRANSPORT "none xen smc smc+xen"
check_bad 'MEDIATOR_KIND=bare\n' 1 MEDIATOR_KIND "linux stub"
check_bad 'TRANSPORT=smc\nMEDIATOR_KIND=stub\n' 2 MEDIATOR_KIND "the stub serves TRANSPORT=xen or smc+xen, found TRANSPORT=smc"
check_bad 'MEDIATOR_VCPUS=2\nMEDIATOR_KIND=stub\n' 2 MEDIATOR_KIND "the stub has one vCPU"
printf 'NAME=x\nMEDIATOR_KIND=stub\n' > "$tmp/stub.env"
"$run" --check "$tmp/stub.env" | grep -qx "MEDIATOR_KIND='stub'" || bad "MEDIATOR_KIND=stub not kept"
"$run" --check "$tmp/min.env" | grep -qx "MEDIATOR_KIND='linux'" || bad "MEDIATOR_KIND default not linux"
check_bad 'this is not an assignment\n' 1 "this is not an assignment" "KEY=VALUE"
# a missing file and a bad command line
"$run" --check "$tmp/none.env" 2> /dev/null
[ $? = 2 ] || bad "missing file: exit not 2"
"$run" only-one-argument 2> /dev/null
[ $? = 2 ] || bad "one argument: exit not 2"
[ $fails = 0 ] && echo "lab-params: ok"
exit $((fails > 0))
