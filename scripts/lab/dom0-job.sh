#!/bin/sh
# One scenario inside the lab's Dom0 (run by /init from the 9p share as /mnt/share/job.sh).
# Reads /mnt/share/params.env (docs/lab.md), creates the DomUs (mediator, client, noise),
# applies and checks the scheduler configuration (smclat-record apply), records the trace
# while the client's generator runs (smclat-record trace), writes metadata.json
# (smclat-record metadata), and leaves everything in /mnt/share/out. Lines "SMCLAT-JOB: ..."
# on the console are its progress; "SMCLAT-JOB: FAIL: KIND: reason" ends a failed run, and
# out/failure.txt holds "KIND reason" (the kinds: scripts/lab/reasons.sh, docs/robustness.md).
# (in a group, dom0-group.sh gives the scenario's part of the share and a tmpfs folder for out/,
# and keeps the DomUs the next scenario needs: this job creates only the domains it does not find,
# and gives the client and the mediator their job through xenstore; `--specs` prints what each of
# its domains is made of, "NAME SPEC" a line, for dom0-group.sh to compare)
S=${SMCLAT_JOB_SHARE:-/mnt/share}
O=${SMCLAT_JOB_OUT:-$S/out}
CON=/var/log/xen/console
# shellcheck source=/dev/null
. $S/params.env
up() { cut -d' ' -f1 /proc/uptime; }
say() { echo "SMCLAT-JOB: $* [uptime $(up)]"; }
MARK=/tmp/con-mark # a kept domain's console log: this scenario's part starts at the mark
copy_logs() {
    for f in "$CON"/guest-*.log; do
        [ -e "$f" ] || continue
        m=$(cat "$MARK/${f##*/}" 2> /dev/null || echo 0)
        tail -c +$((m + 1)) "$f" | tr -d '\r' > "$O/${f##*/}"
    done
    xl dmesg > "$O/xen-dmesg.log" 2>&1
}
# wait_records FILE PID TENTHS: until FILE (xentrace's output) holds a record. 0 once it does
# ($waited: the tenths of a second it took), 1 when PID ended first, 2 after TENTHS tenths.
wait_records() {
    waited=0
    until [ -s "$1" ]; do
        kill -0 "$2" 2> /dev/null || return 1
        [ "$waited" -ge "$3" ] && return 2
        usleep 100000
        waited=$((waited + 1))
    done
    return 0
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
# domains: "NAME ROLE VCPUS" a line, in creation order (the stub after its client: it is told
# the client's domid when created)
domains() {
    if [ "${MEDIATOR_KIND:-linux}" = stub ]; then
        echo "client client $CLIENT_VCPUS"
        echo "mediator stub 1"
    else
        echo "mediator mediator $MEDIATOR_VCPUS"
        echo "client client $CLIENT_VCPUS"
    fi
    n=1
    while [ $n -le "$NOISE_DOMAINS" ]; do
        echo "noise$n noise $NOISE_VCPUS"
        n=$((n + 1))
    done
}
# spec ROLE VCPUS: what the domain is made of (its image's md5sum: pack.sh's img/md5sums); a
# domain with the same spec can serve this scenario (the stub cannot: its boot arguments are
# the scenario's)
spec() {
    case $1 in
    stub) echo "stub $$" ;;
    *) echo "$1 vcpus=$2 mem=$DOMU_MEM image=$(sed -n "s/  domu-$1.cpio.gz$//p" "$S/img/md5sums")" ;;
    esac
}
if [ "${1:-}" = --specs ]; then
    domains | while read -r dn role vcpus; do echo "$dn $(spec "$role" "$vcpus")"; done
    exit 0
fi
mkdir -p "$O"
REC=/tmp/smclat-record
cp $S/bin/smclat-record $REC 2> /dev/null || fail setup "no smclat-record in the share"
chmod +x $REC

last_line() { # FILE [PATTERN]: its last line (matching PATTERN), or "(none)"
    l=$(grep -e "${2:-.}" "$1" 2> /dev/null | grep -v '^SMCLAT-' | tail -1 | cut -c1-300)
    echo "${l:-(none)}"
}
# wait_xs PATH SECONDS [ABORT_PATH]: until the node exists (1: timeout, 2: ABORT_PATH exists),
# blocked on a xenstore watch (of PATH, or of ABORT_PATH's folder, which must hold PATH too):
# no polling, Dom0 leaves the pCPU to the DomUs; the watch's first event fires at registration
wait_xs() {
    xenstore-read "$1" > /dev/null 2>&1 && return 0
    rm -f /tmp/wait-xs.fifo
    mkfifo /tmp/wait-xs.fifo
    w=${3:+${3%/*}}
    timeout "$2" xenstore-watch "${w:-$1}" > /tmp/wait-xs.fifo 2> /dev/null &
    wp=$!
    wr=1
    while read -r _; do
        xenstore-read "$1" > /dev/null 2>&1 && { wr=0; break; }
        [ -n "$3" ] && xenstore-read "$3" > /dev/null 2>&1 && { wr=2; break; }
    done < /tmp/wait-xs.fifo
    kill "$wp" 2> /dev/null
    wait "$wp" 2> /dev/null
    return $wr
}
# domid NAME: the domain's id, from /tmp/domids ("NAME ID" lines: one `xl list` per scenario,
# then each creation's; every xl call costs Dom0 a fraction of a second under -icount)
domid() { awk -v n="$1" '$1 == n {print $2; f = 1} END {exit !f}' /tmp/domids; }
create() { # NAME ROLE VCPUS
    cat > "/tmp/$1.cfg" << CFG
name="$1"
kernel="$S/img/Image"
ramdisk="$S/img/domu-$2.cpio.gz"
memory=$DOMU_MEM
vcpus=$3
extra="console=hvc0 rdinit=/init loglevel=4 cryptomgr.notests=1"
CFG
    # paused: each learns its peer's domid from xenstore before it runs
    xl create -p "/tmp/$1.cfg" >> "$O/xl-create.log" 2>&1 || fail boot_failed "DomU $1: xl create failed: $(tail -1 "$O/xl-create.log")"
    echo "$1 $(xl domid "$1")" >> /tmp/domids
    say "created $1 d$(domid "$1")"
}

# The mediator as a minimal stub domain (MEDIATOR_KIND=stub, docs/stub.md): smclat-stub, no
# Linux, no xenstore client. stub_create NAME CLIENT_DOMID: created paused like the others, its
# boot arguments peer=CLIENT_DOMID and MEDIATOR_ARGS (table=N payload=BYTES work-us=US).
stub_create() {
    cat > "/tmp/$1.cfg" << CFG
name="$1"
kernel="$S/img/stub.Image"
memory=16
vcpus=1
extra="peer=$2${MEDIATOR_ARGS:+ $MEDIATOR_ARGS}"
CFG
    xl create -p "/tmp/$1.cfg" >> "$O/xl-create.log" 2>&1 || fail boot_failed "stub $1: xl create failed: $(tail -1 "$O/xl-create.log")"
    echo "$1 $(xl domid "$1")" >> /tmp/domids
    say "created $1 d$(domid "$1") (smclat-stub for d$2)"
}
# stub_publish NAME CLIENT_DOMID: the stub's console line "SMCLAT-STUB-READY ring-ref=R port=P"
# becomes the xenstore nodes smclat-gen reads (as smclat-mediator writes them: readable by the
# client only), and its data/ready.
stub_publish() {
    sd=$(domid "$1") i=0 line=
    while [ $i -lt 300 ]; do
        line=$(tr -d '\r' < "$CON/guest-$1.log" 2> /dev/null | grep -m1 -e '^SMCLAT-STUB-READY ' -e '^SMCLAT-STUB: error')
        [ -n "$line" ] && break
        usleep 100000
        i=$((i + 1))
    done
    case $line in
    SMCLAT-STUB-READY*) ;;
    '') copy_logs; fail boot_failed "stub $1 said nothing ready in 30 s; its console's last line: $(last_line "$O/guest-$1.log")" ;;
    *) copy_logs; fail guest_program_failed "stub $1: ${line#SMCLAT-STUB: }" ;;
    esac
    refs=$(echo "$line" | sed -n 's/.* ring-ref=\([0-9,]*\) .*/\1/p')
    port=$(echo "$line" | sed -n 's/.* port=\([0-9]*\).*/\1/p')
    if [ -z "$refs" ] || [ -z "$port" ]; then
        fail guest_program_failed "stub $1: cannot read its READY line: $line"
    fi
    dir=/local/domain/$sd/data/smclat
    if ! xenstore-write "$dir/ring-ref" "$refs" "$dir/port" "$port" "$dir/state" ready ||
        ! xenstore-chmod -r "$dir" "n$sd" "r$2" ||
        ! xenstore-write "/local/domain/$sd/data/ready" 1; then
        fail setup "stub $1: cannot write its channel in xenstore ($dir)"
    fi
    say "stub $1 d$sd published: ring-ref=$refs port=$port for d$2"
}
# log_has NAME LINE: the domain's console (this scenario's part) has the line; waits 10 s for it
log_has() {
    i=0
    while [ $i -lt 100 ]; do
        m=$(cat "$MARK/guest-$1.log" 2> /dev/null || echo 0)
        tail -c +$((m + 1)) "$CON/guest-$1.log" 2> /dev/null | tr -d '\r' | grep -q "^$2" && return 0
        usleep 100000
        i=$((i + 1))
    done
    return 1
}
# mediator_stop: smclat-mediator ends when its client is done, prints its summary and writes
# data/done (the domain waits for its next job); shut down if it has not in 10 s. The stub prints
# its summary once its client is done (it has no shutdown watch) and waits to be destroyed.
mediator_stop() {
    if [ "${MEDIATOR_KIND:-linux}" = stub ]; then
        log_has mediator "SMCLAT-FILE-END mediator-summary.json" || say "the stub printed no summary in 10 s"
        return 0
    fi
    wait_xs "/local/domain/$MED/data/done" 10 && log_has mediator "SMCLAT-FILE-END mediator-summary.json" &&
        return 0
    say "mediator not done in 10 s: shutting it down"
    xl shutdown -w mediator > /dev/null 2>&1 &
    SD=$!
    i=0
    while kill -0 $SD 2> /dev/null && [ $i -lt 100 ]; do
        usleep 100000
        i=$((i + 1))
    done
    kill -0 $SD 2> /dev/null && say "mediator did not shut down in 10 s"
}

say "scenario $NAME: mode=$MODE pcpus=$PCPUS transport=$TRANSPORT mediator=${MEDIATOR_KIND:-linux} noise=$NOISE_DOMAINS"
# The domains this scenario needs that Dom0 does not have yet (a group keeps those the
# previous scenario had with the same spec: dom0-group.sh)
mkdir -p "$MARK" /tmp/domspec
NEW=
KEPT=
for f in "$CON"/guest-*.log; do # a kept domain's console: this scenario's part starts here
    [ -e "$f" ] && wc -c < "$f" > "$MARK/${f##*/}"
done
domains > /tmp/domains.list
xl list | awk 'NR > 1 {print $1, $2}' > /tmp/domids
while read -r dn role vcpus; do
    if id=$(domid "$dn"); then
        KEPT="$KEPT $dn"
        say "kept $dn d$id"
        echo "kept $dn d$id: created by an earlier scenario of the group" >> "$O/xl-create.log"
    else
        NEW="$NEW $dn"
    fi
done < /tmp/domains.list
if [ -n "$NEW" ]; then
    # A trace over the domains' creation: each DOM_ADD's time stamp is (within microseconds)
    # the counter value Xen takes as the domain's virtual counter offset (CNTVOFF), which ties
    # the guests' CNTVCT to the trace's time (metadata: domains[].created_ticks). A kept
    # domain's DOM_ADD is in an earlier scenario's creation trace: the traces are appended.
    $REC trace --seconds 600 --allow-lost -o /tmp/create-new.bin > "$O/create-trace.log" 2>&1 &
    CT=$!
    usleep 500000
    while read -r dn role vcpus; do
        case " $NEW " in *" $dn "*) ;; *) continue ;; esac
        case $role in
        stub) stub_create "$dn" "$(domid client)" ;;
        *) create "$dn" "$role" "$vcpus" ;;
        esac
        spec "$role" "$vcpus" > "/tmp/domspec/$dn"
    done < /tmp/domains.list
    kill -TERM "$CT"
    wait "$CT"
    cat /tmp/create-new.bin >> /tmp/create-trace.bin
    rm -f /tmp/create-new.bin
else
    echo "no domain created: every one kept, create-trace.bin is the earlier scenarios'" > "$O/create-trace.log"
fi
MED=$(domid mediator)
CLI=$(domid client)
# Domain names for smclat-gen and smclat-mediator (docs/bench.md): Dom0 tells each the other's
# domid in its own xenstore folder, which the domain can read. A job each for the client and a
# Linux mediator: its arguments, then its number (the domain waits for a new one); what an
# earlier job of a kept domain left is cleared first.
JOB=$(($(cat /tmp/job.seq 2> /dev/null || echo 0) + 1))
echo $JOB > /tmp/job.seq
set --
for dn in mediator client; do
    case " $KEPT " in *" $dn "*)
        d=$(domid "$dn")
        for n in ready "done" go smclat; do set -- "$@" "/local/domain/$d/data/$n"; done ;;
    esac
done
# (one xenstore-rm for them all; one each if that fails: it stops at a node it cannot remove)
if [ $# -gt 0 ] && ! xenstore-rm "$@" 2> /dev/null; then
    for p; do xenstore-rm "$p" 2> /dev/null; done
fi
xenstore-write "/local/domain/$MED/data/peer" "$CLI" "/local/domain/$CLI/data/mediator" "$MED"
# (the arguments after a space: xenstore-write would take a value starting with - as its option)
[ "${MEDIATOR_KIND:-linux}" = stub ] ||
    xenstore-write "/local/domain/$MED/data/args" " $MEDIATOR_ARGS" "/local/domain/$MED/data/job" "$JOB" ||
    fail setup "cannot write the mediator's job in xenstore"
xenstore-write "/local/domain/$CLI/data/args" " $GEN_ARGS" "/local/domain/$CLI/data/job" "$JOB" ||
    fail setup "cannot write the client's job in xenstore"
for d in $NEW; do
    xl unpause "$d" || fail boot_failed "DomU $d: xl unpause failed"
done
[ "${MEDIATOR_KIND:-linux}" = stub ] && stub_publish mediator "$CLI"
for d in mediator client $(n=1; while [ $n -le "$NOISE_DOMAINS" ]; do echo noise$n; n=$((n + 1)); done); do
    wait_xs "/local/domain/$(domid "$d")/data/ready" 120 || { copy_logs; fail boot_failed "DomU $d did not start (no data/ready in 120 s); its console's last line: $(last_line "$O/guest-$d.log")"; }
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
# kept noise domains the previous scenario paused (below) run again from here, as a new one's
# busy loops start at the end of its boot, shortly before the trace
for dn in $KEPT; do
    grep -qx "$dn" /tmp/paused 2> /dev/null || continue
    xl unpause "$dn" || fail setup "DomU $dn: xl unpause failed"
done
rm -f /tmp/paused
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
rm -f /tmp/trace.bin
$REC trace --seconds "$TRACE_SECONDS" -o /tmp/trace.bin > "$O/trace.log" 2>&1 &
XT=$!
# The client goes once xentrace records: its first records in the file (other domains are
# scheduled all the time), not a fixed delay. A busy Dom0 delays xentrace's start by a second
# or more, and the generator's first calls then fell before the trace.
wait_records /tmp/trace.bin "$XT" 100
case $? in
0) say "xentrace recording after $((waited / 10)).$((waited % 10)) s" ;;
2) # shellcheck disable=SC2086 # a list of pids
    kill "$XT" $LOADPIDS 2> /dev/null
    fail trace_failed "xentrace wrote no record in 10 s: $(tail -1 "$O/trace.log")" ;;
esac # 1: xentrace ended: its status, below
xenstore-write "$GO" 1
say "trace started, client go"
wait "$XT"
trc=$?
# shellcheck disable=SC2086 # a list of pids
[ -n "$LOADPIDS" ] && kill $LOADPIDS 2> /dev/null
say "trace done rc=$trc"
# in a group with a scenario after this one (dom0-group.sh): the noise domains, done with once
# the trace is (the metadata does not show a pause), are paused (the next scenario unpauses
# those it keeps), so that their busy loops do not slow Dom0's work between the scenarios
if [ -n "${SMCLAT_JOB_NEXT:-}" ]; then
    n=1
    while [ $n -le "$NOISE_DOMAINS" ]; do
        xl pause "noise$n" && echo "noise$n" >> /tmp/paused
        n=$((n + 1))
    done
fi
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
$REC metadata "$@" --mediator-kind "${MEDIATOR_KIND:-linux}" --trace /tmp/trace.bin --duration-s "$TRACE_SECONDS" -o "$O/metadata.json" \
    > "$O/metadata.log" 2>&1 ||
    { rc=$?; fail guest_program_failed "smclat-record metadata exited with $rc: $(tail -1 "$O/metadata.log")"; }
if ! err=$(cp /tmp/trace.bin "$O/trace.bin" 2>&1); then
    case $err in *"No space left"*) k=no_space ;; *) k=io_error ;; esac
    fail $k "the share's trace.bin (host folder $S): ${err##*: }"
fi
cp /tmp/create-trace.bin "$O/create-trace.bin"
say "metadata written"
mediator_stop
# the client's files are on its console before its data/done; xenconsoled may be a little behind
log_has client "SMCLAT-FILE-END gen-summary.json" || say "the client's console has no gen-summary.json"
copy_logs
# smclat-gen's 1 after a complete run in which some calls were not ok (a timeout: no answer in
# --call-timeout, say) is a result, not a failed run: its calls.csv says which calls, the host
# counts them (run.json calls_not_ok). A partial run, or one with no call ok, failed.
# gen_complete TEXT: TEXT (smclat-gen's summary, as it writes it) shows such a run
gen_complete() {
    printf '%s\n' "$1" | grep -q '^  "partial": false,' &&
        printf '%s\n' "$1" | grep -q '^  "stop_reason": "done",' &&
        printf '%s\n' "$1" | sed -n '/^  "calls": {/,/^  }/p' | grep -q '^    "ok": [1-9]'
}
# gen_log_complete LOG: so does the summary on the client's console part LOG (domu-init.sh
# put_file: between markers)
gen_log_complete() {
    gen_complete "$(sed -n '/^SMCLAT-FILE-BEGIN gen-summary.json$/,/^SMCLAT-FILE-END gen-summary.json$/p' "$1" 2> /dev/null)"
}
if [ "$GRC" = 1 ] && gen_log_complete "$O/guest-client.log"; then
    say "smclat-gen exited with 1: a complete run, some calls not ok (calls.csv status)"
elif [ "$GRC" != 0 ]; then
    fail guest_program_failed "smclat-gen exited with $GRC: $(last_line "$O/guest-client.log" 'smclat gen')"
fi
say "finished"
