#!/bin/busybox sh
# /init of the lab's DomUs (added to the base initramfs by run.sh, with /etc/smclat-role.env
# giving ROLE=client|mediator|noise and the role's settings). Protocol with Dom0
# (scripts/lab/dom0-job.sh), through the domain's own xenstore folder data/:
#   - every role writes data/ready when it is up;
#   - client: waits for data/go, runs smclat-gen, prints its files on the console between
#     "SMCLAT-FILE-BEGIN NAME" and "SMCLAT-FILE-END NAME" lines, then writes data/done=RC;
#   - mediator: runs smclat-mediator until `xl shutdown` (SIGUSR2 to /init via poweroff),
#     sends it SIGTERM, prints its summary file the same way, powers off;
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
. /etc/smclat-role.env
say() { echo "SMCLAT-DOMU: $ROLE: $*"; }
put_file() { # NAME PATH: the file on the console, between markers
    echo "SMCLAT-FILE-BEGIN $1"
    [ -r "$2" ] && cat "$2"
    echo "SMCLAT-FILE-END $1"
}
say "up cpus=$(grep -c ^processor /proc/cpuinfo)"
case $ROLE in client | mediator)
    for m in xen-evtchn xen-gntalloc xen-gntdev $EXTRA_MODULES; do
        modprobe $m || say "error: modprobe $m failed"
    done
    i=0
    while [ ! -e /dev/xen/evtchn ] && [ $i -lt 50 ]; do
        usleep 100000
        i=$((i + 1))
    done
    ;;
esac
case $ROLE in
client)
    xenstore-write data/ready 1
    # blocks until Dom0 writes data/go (the first event fires at registration)
    xenstore-watch -n 2 data/go > /dev/null
    say "go"
    if [ "$TRANSPORT" = none ]; then
        rc=0
    else
        # shellcheck disable=SC2086
        smclat-gen --transport "$TRANSPORT" --calls-csv /tmp/calls.csv \
            --json /tmp/gen-summary.json $GEN_ARGS > /tmp/gen.out 2>&1
        rc=$?
        cat /tmp/gen.out
    fi
    say "generator rc=$rc"
    put_file calls.csv /tmp/calls.csv
    put_file gen-summary.json /tmp/gen-summary.json
    xenstore-write data/done "$rc"
    ;;
mediator)
    stop() {
        if [ -n "$MPID" ]; then
            kill -TERM "$MPID" 2> /dev/null
            wait "$MPID"
            say "mediator stopped rc=$?"
        fi
        put_file mediator-summary.json /tmp/mediator-summary.json
        say "poweroff"
        poweroff -f
    }
    trap stop USR2 TERM
    MPID=
    if [ "$TRANSPORT" != none ]; then
        # shellcheck disable=SC2086
        smclat-mediator --transport "$TRANSPORT" --json /tmp/mediator-summary.json \
            $MEDIATOR_ARGS &
        MPID=$!
    fi
    xenstore-write data/ready 1
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
