#!/bin/sh
# A group of scenarios in one boot, inside the lab's Dom0 (run by /init as /lab/job.sh
# when run.sh --group packed the share; docs/lab.md "Groups"). For each scenario I in
# group.list: dom0-job.sh (scenario-job.sh) with sc/I as its share and its results in Dom0's
# tmpfs (/tmp/group/I: nothing goes to the share until the last scenario is done), then what it
# changed is undone (DomUs destroyed, pools back into Pool-0, guest logs and Xen's log cleared).
# A failed scenario ends the group: the host boots afresh for the rest. At the end every
# scenario's results are copied to sc/I/out. Console lines "SMCLAT-GROUP: begin I NAME",
# "SMCLAT-GROUP: end I rc=N", "SMCLAT-GROUP: saved" are read by run.sh.
# S: the group's inputs (/lab in Dom0's initramfs: no 9p request until the last scenario is
# done); D: the 9p share, mounted by save (or already, by an older /init)
S=${SMCLAT_JOB_SHARE:-/mnt/share}
D=/mnt/share
G=/tmp/group
CON=/var/log/xen/console
up() { cut -d' ' -f1 /proc/uptime; }
say() { echo "SMCLAT-GROUP: $* [uptime $(up)]"; }

# reset: what a scenario leaves in Xen that the next must not inherit
reset() {
    for d in $(xl list | awk 'NR > 2 {print $1}'); do xl destroy "$d" > /dev/null 2>&1; done
    for p in $(xl cpupool-list | awk 'NR > 1 && $1 != "Pool-0" {print $1}'); do
        for c in $(xl cpupool-list -c | awk -v p="$p" '$1 == p {print $2}' | tr ',' ' '); do
            xl cpupool-cpu-remove "$p" "$c" && xl cpupool-cpu-add Pool-0 "$c"
        done
        xl cpupool-destroy "$p" || say "cannot destroy pool $p"
    done
    rm -f "$CON"/guest-*.log /tmp/trace.bin /tmp/create-trace.bin
    xl dmesg -c > /dev/null 2>&1
}

# save: every scenario's results to the share (after the last one)
save() {
    grep -q " $D " /proc/mounts || mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 host0 "$D" ||
        say "error: 9p mount failed"
    for i in $LIST; do
        [ -d "$G/$i" ] || continue
        for f in "$G/$i"/*; do
            [ "${f##*/}" = trace.bin ] || cp "$f" "$D/sc/$i/out/"
        done
        # trace.bin last and checked: the host marks a short copy partial
        [ -e "$G/$i/trace.bin" ] && cp "$G/$i/trace.bin" "$D/sc/$i/out/trace.bin"
    done
    sync
    say "saved"
}

LIST=$(cat "$S/group.list")
xl dmesg -c > /dev/null 2>&1
for i in $LIST; do
    name=$(sed -n "s/^NAME='\(.*\)'$/\1/p" "$S/sc/$i/params.env")
    mkdir -p "$G/$i"
    say "begin $i $name"
    SMCLAT_JOB_SHARE=$S/sc/$i SMCLAT_JOB_OUT=$G/$i sh "$S/scenario-job.sh"
    rc=$?
    say "end $i rc=$rc"
    [ $rc = 0 ] || break
    reset
done
save
