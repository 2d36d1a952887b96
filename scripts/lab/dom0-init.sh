#!/bin/busybox sh
# /init of the lab's Dom0 (added to the base initramfs by run.sh): mounts, Xen's modules,
# xenfs, xenstored, xen-init-dom0, xenconsoled; then runs /lab/job.sh (scripts/lab/dom0-job.sh,
# put in the initramfs by run.sh with its inputs), mounts the 9p share (mount_tag host0) only
# then, copies /tmp/out into it and powers off (an older run.sh's /mnt/share/job.sh: the share
# first, as before). Lines starting "SMCLAT-DOM0:"
# are read by run.sh on the console.
export PATH=/usr/lib/xen-4.17/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LD_LIBRARY_PATH=/usr/lib/aarch64-linux-gnu:/lib/aarch64-linux-gnu
up() { cut -d' ' -f1 /proc/uptime; }
say() { echo "SMCLAT-DOM0: $* uptime=$(up)"; }
share() { grep -q " /mnt/share " /proc/mounts || mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 host0 /mnt/share ||
    say "error: 9p mount failed"; }
# `sh /init --share`: only the share's mount (a group's job saves its results itself)
[ "${1:-}" = --share ] && { share; exit; }
/bin/busybox mkdir -p /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mkdir -p /run/xen /run/xenstored /var/log/xen/console /var/lib/xen /var/lock
say "init"
for m in xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs virtio_mmio 9pnet 9pnet_virtio \
    netfs fscache 9p; do
    modprobe $m || say "error: modprobe $m failed"
done
mount -t xenfs xenfs /proc/xen || say "error: xenfs mount failed"
# The job's inputs are in /lab (run.sh puts them in this initramfs): the share is mounted only
# after the job, to copy its results out, so no 9p I/O happens during the run.
[ -r /lab/job.sh ] || share
xenstored --pid-file=/run/xen/xenstored.pid
i=0
while [ ! -s /run/xen/xenstored.pid ] && [ $i -lt 100 ]; do
    usleep 100000
    i=$((i + 1))
done
xen-init-dom0 > /dev/null || say "error: xen-init-dom0 failed"
xenconsoled --log=guest --log-dir=/var/log/xen/console --pid-file=/run/xen/xenconsoled.pid
say "tools up"
if [ -r /lab/job.sh ]; then
    SMCLAT_JOB_SHARE=/lab SMCLAT_JOB_OUT=/tmp/out sh /lab/job.sh
    say "job rc=$?"
    share
    mkdir -p /mnt/share/out
    # the small files first, trace.bin last (a full host disk keeps the logs)
    for f in /tmp/out/*; do
        [ -e "$f" ] || continue # a group keeps its results apart and saves them itself
        [ "${f##*/}" = trace.bin ] || cp "$f" /mnt/share/out/ || say "error: copying ${f##*/} to the share failed"
    done
    [ -e /tmp/out/trace.bin ] && { cp /tmp/out/trace.bin /mnt/share/out/ ||
        say "error: copying trace.bin to the share failed"; }
elif [ -r /mnt/share/job.sh ]; then
    sh /mnt/share/job.sh
    say "job rc=$?"
else
    say "error: no /mnt/share/job.sh"
fi
sync
umount /mnt/share 2> /dev/null
say "poweroff"
poweroff -f
