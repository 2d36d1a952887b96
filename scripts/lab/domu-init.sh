#!/bin/busybox sh
# /init of the lab's DomUs (added to the base initramfs by run.sh, with /etc/smclat-role.env
# giving ROLE=client|mediator|noise and the role's settings). Protocol with Dom0
# (scripts/lab/dom0-job.sh), through the domain's own xenstore folder data/:
#   - every role writes data/ready when it is up;
#   - client: loads the SMC module if the image has one (/lib/smclat/*.ko); runs smclat-gen,
#     which for the xen transports writes data/smclat/ready and waits for data/smclat/go
#     (--wait-go), for the others after data/go; prints its files on the console between
#     "SMCLAT-FILE-BEGIN NAME" and "SMCLAT-FILE-END NAME" lines, then writes data/done=RC;
#   - mediator: runs smclat-mediator (xen transports) until the client is done, or until
#     `xl shutdown` (SIGUSR2 to /init via poweroff), prints its summary the same way;
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
case $ROLE in
client)
    for ko in /lib/smclat/*.ko; do
        [ -e "$ko" ] && { insmod "$ko" || say "error: insmod $ko failed"; }
    done
    rc=0
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
    xenstore-write data/done "$rc"
    ;;
mediator)
    MPID=
    DONE=
    dump() {
        [ -n "$DONE" ] && return
        DONE=1
        put_file mediator-summary.json /tmp/mediator-summary.json
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
    trap stop USR2 TERM
    case $TRANSPORT in *xen)
        # shellcheck disable=SC2086
        smclat-mediator --transport xen --until-client-done \
            --json-out /tmp/mediator-summary.json -q $MEDIATOR_ARGS &
        MPID=$!
        ;;
    esac
    xenstore-write data/ready 1
    if [ -n "$MPID" ]; then
        wait "$MPID"
        say "mediator rc=$?"
        MPID=
        dump
    fi
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
