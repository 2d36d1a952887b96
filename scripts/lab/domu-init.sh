#!/bin/busybox sh
# /init of the lab's DomUs (added to the base initramfs by run.sh, with /etc/smclat-role.env
# giving ROLE=client|mediator|noise and the role's settings). Protocol with Dom0
# (scripts/lab/dom0-job.sh), through the domain's own xenstore folder data/:
#   - client and mediator run one job per scenario: Dom0 writes data/args (GEN_ARGS or
#     MEDIATOR_ARGS) and data/job=N; the domain runs it, writes data/done=RC and waits (a
#     xenstore watch, JOB_WAIT_S at most) for the next N: a group's scenarios that need the
#     same domain keep it (dom0-group.sh); Dom0 clears data/ready, data/done, data/smclat first;
#   - every role writes data/ready when it is up (client, mediator: per job);
#   - client: loads the SMC module if the image has one (/lib/smclat/*.ko); runs smclat-gen,
#     which for the xen transports writes data/smclat/ready and waits for data/smclat/go
#     (--wait-go), for the others after data/go; prints its files on the console between
#     "SMCLAT-FILE-BEGIN NAME" and "SMCLAT-FILE-END NAME" lines, then writes data/done=RC;
#   - mediator: runs smclat-mediator (xen transports) until the client is done, or until
#     `xl shutdown` (SIGUSR2 to /init via poweroff), prints its summary the same way, then
#     writes data/done=RC;
#   - noise: NOISE_VCPUS busy loops (NOISE_LOAD=busy) or nothing (idle).
/bin/busybox mkdir -p /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/sbin:/bin
export LD_LIBRARY_PATH=/lib/aarch64-linux-gnu
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
ROLE=none
# shellcheck source=/dev/null
. /etc/smclat-role.env
say() { echo "SMCLAT-DOMU: $ROLE: $* [uptime $(cut -d" " -f1 /proc/uptime)]"; }
put_file() { # NAME PATH: the file on the console, between markers
    echo "SMCLAT-FILE-BEGIN $1"
    if [ -s "$2" ]; then
        cat "$2"
        [ -z "$(tail -c 1 "$2")" ] || echo # the marker on a line of its own
    fi
    echo "SMCLAT-FILE-END $1"
}
say "up cpus=$(grep -c ^processor /proc/cpuinfo)"
case $ROLE in client | mediator)
    for m in xen-evtchn xen-gntalloc xen-gntdev; do
        modprobe "$m" || say "error: modprobe $m failed"
    done
    i=0
    while [ ! -e /dev/xen/evtchn ] && [ $i -lt 50 ]; do
        usleep 100000
        i=$((i + 1))
    done
    ;;
esac
if [ "$ROLE" = client ]; then
    for ko in /lib/smclat/*.ko; do
        [ -e "$ko" ] && { insmod "$ko" || say "error: insmod $ko failed"; }
    done
fi
# job_wait LAST: the next job's number in $JOB (data/job, written by Dom0, differing from LAST),
# waiting on a xenstore watch (no polling) for at most JOB_WAIT_S; 1 when none came
JOB_WAIT_S=900
job_wait() {
    rm -f /tmp/job.fifo
    mkfifo /tmp/job.fifo
    timeout "$JOB_WAIT_S" xenstore-watch data/job > /tmp/job.fifo 2> /dev/null &
    w=$!
    exec 3< /tmp/job.fifo
    read -r _ <&3 # the watch's first event: it is registered, no change can be missed now
    JOB=$(xenstore-read data/job 2> /dev/null)
    while [ -z "$JOB" ] || [ "$JOB" = "$1" ]; do
        read -r _ <&3 || break # the timeout ended the watch
        JOB=$(xenstore-read data/job 2> /dev/null)
    done
    kill "$w" 2> /dev/null
    exec 3<&-
    [ -n "$JOB" ] && [ "$JOB" != "$1" ]
}
client_job() { # one run of smclat-gen (GEN_ARGS: data/args), its files printed; data/done=RC
    rc=0
    GEN_ARGS=$(xenstore-read data/args 2> /dev/null)
    if [ "$TRANSPORT" = none ]; then
        xenstore-write data/ready 1
        xenstore-watch -n 2 data/go > /dev/null
        say "go"
    else
        case $TRANSPORT in
        *xen)
            # smclat-gen connects to the mediator, writes data/smclat/ready and waits for
            # data/smclat/go from Dom0 (docs/bench.md)
            set -- --wait-go
            xenstore-write data/ready 1
            ;;
        *)
            set --
            xenstore-write data/ready 1
            # blocks until Dom0 writes data/go (the first event fires at registration)
            xenstore-watch -n 2 data/go > /dev/null
            say "go"
            ;;
        esac
        # shellcheck disable=SC2086
        smclat-gen --transport "$TRANSPORT" "$@" --log /tmp/calls.csv \
            --json-out /tmp/gen-summary.json -q $GEN_ARGS > /tmp/gen.out 2>&1
        rc=$?
        cat /tmp/gen.out
    fi
    say "generator rc=$rc"
    put_file calls.csv /tmp/calls.csv
    put_file gen-summary.json /tmp/gen-summary.json
    rm -f /tmp/calls.csv /tmp/gen-summary.json /tmp/gen.out
    xenstore-write data/done "$rc"
}
MPID=
DONE=
dump() {
    [ -n "$DONE" ] && return
    DONE=1
    put_file mediator-summary.json /tmp/mediator-summary.json
    rm -f /tmp/mediator-summary.json
}
stop() {
    if [ -n "$MPID" ]; then
        kill -TERM "$MPID" 2> /dev/null
        wait "$MPID"
        say "mediator stopped rc=$?"
    fi
    dump
    say "poweroff"
    poweroff -f
}
mediator_job() { # one smclat-mediator (MEDIATOR_ARGS: data/args) until its client is done
    MEDIATOR_ARGS=$(xenstore-read data/args 2> /dev/null)
    DONE=
    case $TRANSPORT in *xen)
        # shellcheck disable=SC2086
        smclat-mediator --transport xen --until-client-done \
            --json-out /tmp/mediator-summary.json -q $MEDIATOR_ARGS &
        MPID=$!
        ;;
    esac
    xenstore-write data/ready 1
    rc=0
    if [ -n "$MPID" ]; then
        wait "$MPID"
        rc=$?
        say "mediator rc=$rc"
        MPID=
        dump
    fi
    xenstore-write data/done "$rc"
}
# client and mediator: a job per scenario while Dom0 keeps the domain for the next one
# (dom0-group.sh): Dom0 clears data/ready, data/done and data/smclat, writes data/args and
# data/job=N; the domain runs it and waits for the next N
case $ROLE in
client | mediator)
    [ "$ROLE" = mediator ] && trap stop USR2 TERM
    last=
    while job_wait "$last"; do
        last=$JOB
        say "job $JOB"
        "${ROLE}_job"
    done
    say "no job in $JOB_WAIT_S s: idle"
    ;;
noise)
    if [ "$NOISE_LOAD" = busy ]; then
        n=${NOISE_VCPUS:-1}
        i=0
        while [ $i -lt "$n" ]; do
            (while :; do :; done) &
            i=$((i + 1))
        done
        say "busy loops n=$n"
    fi
    xenstore-write data/ready 1
    ;;
*) say "error: unknown role '$ROLE'" ;;
esac
while :; do
    sleep 3600 &
    wait $!
done
