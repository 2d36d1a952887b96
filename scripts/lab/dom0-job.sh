#!/bin/sh
# One scenario inside the lab's Dom0 (run by /init from the 9p share as /mnt/share/job.sh).
# Reads /mnt/share/params.env (docs/lab.md), creates the DomUs (mediator, client, noise),
# applies and checks the scheduler configuration (smclat-record apply), records the trace
# while the client's generator runs (smclat-record trace), writes metadata.json
# (smclat-record metadata), and leaves everything in /mnt/share/out. Lines "SMCLAT-JOB: ..."
# on the console are its progress; "SMCLAT-JOB: FAIL: KIND: reason" ends a failed run, and
# out/failure.txt holds "KIND reason" (the kinds: scripts/lab/reasons.sh, docs/robustness.md).
# (in a group, dom0-group.sh gives the scenario's part of the share and a tmpfs folder for out/)
S=${SMCLAT_JOB_SHARE:-/mnt/share}
O=${SMCLAT_JOB_OUT:-$S/out}
CON=/var/log/xen/console
mkdir -p "$O" /tmp/img
# shellcheck source=/dev/null
. $S/params.env
up() { cut -d' ' -f1 /proc/uptime; }
say() { echo "SMCLAT-JOB: $* [uptime $(up)]"; }
copy_logs() {
    for f in "$CON"/guest-*.log; do
        [ -e "$f" ] && tr -d '\r' < "$f" > "$O/${f##*/}"
    done
    xl dmesg > "$O/xen-dmesg.log" 2>&1
}
fail() { # KIND REASON
    k=$1
    shift
    say "FAIL: $k: $*"
    xenstore-ls -fp /local/domain > "$O/xenstore.txt" 2>&1
    echo "$k $*" > "$O/failure.txt"
    copy_logs
    exit 1
}
REC=/tmp/smclat-record
cp $S/bin/smclat-record $REC 2> /dev/null || fail setup "no smclat-record in the share"
chmod +x $REC
# xl mmaps the kernel: from 9p that costs ~10 s per xl create, from tmpfs ~3 s
cp $S/img/* /tmp/img/ || fail io_error "cannot copy the DomU images to Dom0's /tmp"

last_line() { # FILE [PATTERN]: its last line (matching PATTERN), or "(none)"
    l=$(grep -e "${2:-.}" "$1" 2> /dev/null | grep -v '^SMCLAT-' | tail -1 | cut -c1-300)
    echo "${l:-(none)}"
}
wait_xs() { # PATH SECONDS [ABORT_PATH]: until the node exists (1: timeout, 2: ABORT_PATH exists)
    i=0
    while ! xenstore-read "$1" > /dev/null 2>&1; do
        i=$((i + 1))
        [ $i -gt $(($2 * 10)) ] && return 1
        [ -n "$3" ] && xenstore-read "$3" > /dev/null 2>&1 && return 2
        usleep 100000
    done
}
create() { # NAME ROLE VCPUS
    cat > "/tmp/$1.cfg" << CFG
name="$1"
kernel="/tmp/img/Image"
ramdisk="/tmp/img/domu-$2.cpio.gz"
memory=$DOMU_MEM
vcpus=$3
extra="console=hvc0 rdinit=/init loglevel=4 cryptomgr.notests=1"
CFG
    # paused: each learns its peer's domid from xenstore before it runs
    xl create -p "/tmp/$1.cfg" >> "$O/xl-create.log" 2>&1 || fail boot_failed "DomU $1: xl create failed: $(tail -1 "$O/xl-create.log")"
    say "created $1 d$(xl domid "$1")"
}

say "scenario $NAME: mode=$MODE pcpus=$PCPUS transport=$TRANSPORT noise=$NOISE_DOMAINS"
# A trace over the domains' creation: each DOM_ADD's time stamp is (within microseconds) the
# counter value Xen takes as the domain's virtual counter offset (CNTVOFF), which ties the
# guests' CNTVCT to the trace's time (metadata: domains[].created_ticks).
$REC trace --seconds 600 --allow-lost -o /tmp/create-trace.bin > "$O/create-trace.log" 2>&1 &
CT=$!
usleep 500000
create mediator mediator "$MEDIATOR_VCPUS"
create client client "$CLIENT_VCPUS"
n=1
while [ $n -le "$NOISE_DOMAINS" ]; do
    create noise$n noise "$NOISE_VCPUS"
    n=$((n + 1))
done
kill -TERM "$CT"
wait "$CT"
MED=$(xl domid mediator)
CLI=$(xl domid client)
# Domain names for smclat-gen and smclat-mediator (docs/bench.md): Dom0 tells each the other's
# domid in its own xenstore folder, which the domain can read.
xenstore-write "/local/domain/$MED/data/peer" "$CLI" "/local/domain/$CLI/data/mediator" "$MED"
for d in mediator client $(n=1; while [ $n -le "$NOISE_DOMAINS" ]; do echo noise$n; n=$((n + 1)); done); do
    xl unpause "$d" || fail boot_failed "DomU $d: xl unpause failed"
done
for d in mediator client $(n=1; while [ $n -le "$NOISE_DOMAINS" ]; do echo noise$n; n=$((n + 1)); done); do
    wait_xs "/local/domain/$(xl domid "$d")/data/ready" 120 || { copy_logs; fail boot_failed "DomU $d did not start (no data/ready in 120 s); its console's last line: $(last_line "$O/guest-$d.log")"; }
done
# The client is ready to go: for the xen transports when smclat-gen has connected
case $TRANSPORT in
*xen)
    READY=/local/domain/$CLI/data/smclat/ready
    GO=/local/domain/$CLI/data/smclat/go
    ;;
*)
    READY=/local/domain/$CLI/data/ready
    GO=/local/domain/$CLI/data/go
    ;;
esac
wait_xs "$READY" 120 "/local/domain/$CLI/data/done"
case $? in
1) copy_logs
   fail guest_program_failed "smclat-gen did not connect to the mediator (no $READY in 120 s): $(last_line "$O/guest-client.log" 'smclat')" ;;
2) copy_logs
   fail guest_program_failed "smclat-gen exited with $(xenstore-read "/local/domain/$CLI/data/done") before the run: $(last_line "$O/guest-client.log" 'smclat gen')" ;;
esac
say "domains ready"

# Scheduler configuration, applied and read back
set --
for p in $POOLS; do set -- "$@" --pool "$p"; done
[ -n "$MEDIATOR_POOL" ] && set -- "$@" --move "mediator:$MEDIATOR_POOL"
[ -n "$CLIENT_POOL" ] && set -- "$@" --move "client:$CLIENT_POOL"
n=1
while [ $n -le "$NOISE_DOMAINS" ]; do
    [ -n "$NOISE_POOL" ] && set -- "$@" --move "noise$n:$NOISE_POOL"
    [ -n "$PIN_NOISE" ] && set -- "$@" --pin "noise$n:$PIN_NOISE"
    [ -n "$WEIGHT_NOISE" ] && set -- "$@" --weight "noise$n:$WEIGHT_NOISE"
    [ -n "$CAP_NOISE" ] && set -- "$@" --cap "noise$n:$CAP_NOISE"
    n=$((n + 1))
done
[ -n "$PIN_MEDIATOR" ] && set -- "$@" --pin "mediator:$PIN_MEDIATOR"
[ -n "$PIN_CLIENT" ] && set -- "$@" --pin "client:$PIN_CLIENT"
[ -n "$PIN_DOM0" ] && set -- "$@" --pin "Domain-0:$PIN_DOM0"
[ -n "$WEIGHT_MEDIATOR" ] && set -- "$@" --weight "mediator:$WEIGHT_MEDIATOR"
[ -n "$WEIGHT_CLIENT" ] && set -- "$@" --weight "client:$WEIGHT_CLIENT"
[ -n "$WEIGHT_DOM0" ] && set -- "$@" --weight "Domain-0:$WEIGHT_DOM0"
[ -n "$CAP_MEDIATOR" ] && set -- "$@" --cap "mediator:$CAP_MEDIATOR"
[ -n "$CAP_CLIENT" ] && set -- "$@" --cap "client:$CAP_CLIENT"
[ -n "$CAP_DOM0" ] && set -- "$@" --cap "Domain-0:$CAP_DOM0"
[ -n "$RATELIMIT_US" ] && set -- "$@" --ratelimit-us "$RATELIMIT_US"
[ -n "$TSLICE_MS" ] && set -- "$@" --tslice-ms "$TSLICE_MS"
[ -n "$RTDS_MEDIATOR" ] && set -- "$@" --rtds "mediator:$RTDS_MEDIATOR"
[ -n "$RTDS_CLIENT" ] && set -- "$@" --rtds "client:$RTDS_CLIENT"
[ -n "$RTDS_DOM0" ] && set -- "$@" --rtds "Domain-0:$RTDS_DOM0"
n=1
while [ $n -le "$NOISE_DOMAINS" ]; do
    [ -n "$RTDS_NOISE" ] && set -- "$@" --rtds "noise$n:$RTDS_NOISE"
    n=$((n + 1))
done
[ -n "$ARINC653" ] && set -- "$@" --arinc653 "$ARINC653"
echo "smclat-record apply $*" > "$O/apply.log"
$REC apply "$@" >> "$O/apply.log" 2>&1 ||
    { rc=$?; fail guest_program_failed "smclat-record apply exited with $rc: $(tail -1 "$O/apply.log")"; }
say "configuration applied and checked"

# Roles for the metadata
set -- --role "client=client" --role "mediator=mediator"
n=1
while [ $n -le "$NOISE_DOMAINS" ]; do
    set -- "$@" --role "noise=noise$n"
    n=$((n + 1))
done

# Dom0 load
LOADPIDS=
case $DOM0_LOAD in busy:*)
    i=0
    while [ $i -lt "${DOM0_LOAD#busy:}" ]; do
        (while :; do :; done) &
        LOADPIDS="$LOADPIDS $!"
        i=$((i + 1))
    done
    say "dom0 load: ${DOM0_LOAD#busy:} busy loops"
    ;;
esac

# The trace, with the generator inside it; Dom0 stays blocked meanwhile
$REC trace --seconds "$TRACE_SECONDS" -o /tmp/trace.bin > "$O/trace.log" 2>&1 &
XT=$!
usleep 300000
xenstore-write "$GO" 1
say "trace started, client go"
wait "$XT"
trc=$?
# shellcheck disable=SC2086 # a list of pids
[ -n "$LOADPIDS" ] && kill $LOADPIDS 2> /dev/null
say "trace done rc=$trc"
[ $trc = 0 ] || fail trace_failed "smclat-record trace (xentrace) exited with $trc: $(tail -1 "$O/trace.log")"
# The generator should be done (TRACE_SECONDS covers it); give it a little more
wait_xs "/local/domain/$CLI/data/done" 30 || { copy_logs; fail guest_program_failed "smclat-gen still running 30 s after the trace: $(last_line "$O/guest-client.log" 'smclat gen')"; }
GRC=$(xenstore-read "/local/domain/$CLI/data/done")
[ -s /tmp/create-trace.bin ] && set -- "$@" --creation-trace /tmp/create-trace.bin
if [ -r $S/xen-build.env ]; then
    # shellcheck source=/dev/null
    . $S/xen-build.env
    set -- "$@" --xen-build "$XEN_BUILD" --xen-schedulers "$XEN_SCHEDULERS"
fi
$REC metadata "$@" --trace /tmp/trace.bin --duration-s "$TRACE_SECONDS" -o "$O/metadata.json" \
    > "$O/metadata.log" 2>&1 ||
    { rc=$?; fail guest_program_failed "smclat-record metadata exited with $rc: $(tail -1 "$O/metadata.log")"; }
if ! err=$(cp /tmp/trace.bin "$O/trace.bin" 2>&1); then
    case $err in *"No space left"*) k=no_space ;; *) k=io_error ;; esac
    fail $k "the share's trace.bin (host folder $S): ${err##*: }"
fi
cp /tmp/create-trace.bin "$O/create-trace.bin"
say "metadata written"
# The mediator prints its summary when shut down
xl shutdown -w mediator > /dev/null 2>&1 &
SD=$!
i=0
while kill -0 $SD 2> /dev/null && [ $i -lt 100 ]; do
    usleep 100000
    i=$((i + 1))
done
kill -0 $SD 2> /dev/null && say "mediator did not shut down in 10 s"
for d in $(xl list | awk 'NR > 2 {print $1}'); do xl destroy "$d" > /dev/null 2>&1; done
copy_logs
[ "$GRC" = 0 ] || fail guest_program_failed "smclat-gen exited with $GRC: $(last_line "$O/guest-client.log" 'smclat gen')"
say "finished"
