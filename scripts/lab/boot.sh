#!/bin/bash
# Boots Xen 4.17 arm64 and the Dom0 under qemu-system-aarch64, always under timeout(1).
# usage: boot.sh XEN KERNEL DOM0_INITRD SHARE_DIR CONSOLE_LOG
# env: MODE (deterministic|smp)  PCPUS  MEM_MB (2048)  XEN_CMDLINE  TIMEOUT_S (300)
# The console goes to CONSOLE_LOG with host time stamps ("[  12.345] ..."). Exit status:
# QEMU's, 124 on timeout. In smp mode QEMU's vCPU thread i is pinned to host core i
# (when the host has that many cores): unpinned, both often share one core and a wake in the
# guest waits milliseconds for the host.
set -uo pipefail
[ $# = 5 ] || { echo "usage: boot.sh XEN KERNEL DOM0_INITRD SHARE_DIR CONSOLE_LOG" >&2; exit 2; }
xen=$1 kernel=$2 initrd=$3 share=$4 console=$5
MODE=${MODE:-deterministic} PCPUS=${PCPUS:-1} MEM_MB=${MEM_MB:-2048} TIMEOUT_S=${TIMEOUT_S:-300}
XEN_CMDLINE=${XEN_CMDLINE:-dom0_mem=512M console=dtuart dtuart=/pl011@9000000 xsm=dummy}
accel=()
[ "$MODE" = deterministic ] && accel=(-icount "shift=3,sleep=off")
# The Dom0 initrd goes at 0x49000000: QEMU puts the device tree at RAM base + 128 MiB
# (0x48000000), so an initrd below it would have to stay under 16 MiB.
tag=smclat-lab-$$
timeout -k 5 "$TIMEOUT_S" qemu-system-aarch64 -name "$tag",debug-threads=on \
    -machine virt,virtualization=on,gic-version=3 -cpu cortex-a57 -smp "$PCPUS" -m "$MEM_MB" \
    "${accel[@]}" -nographic -no-reboot -nic none -monitor none -serial stdio \
    -kernel "$xen" -append "$XEN_CMDLINE" \
    -device "guest-loader,addr=0x42000000,kernel=$kernel,bootargs=console=hvc0 earlycon=xen rdinit=/init cryptomgr.notests=1" \
    -device "guest-loader,addr=0x49000000,initrd=$initrd" \
    -fsdev "local,id=fs0,path=$share,security_model=none" \
    -device virtio-9p-device,fsdev=fs0,mount_tag=host0 \
    < /dev/null > >(perl -MTime::HiRes=time -ne \
        'BEGIN{$|=1;$t0=time} s/\r//g; printf "[%8.3f] %s", time-$t0, $_' > "$console") 2>&1 &
tpid=$!
# Stopped from outside (run.sh interrupted): timeout passes the signal on to QEMU.
trap 'kill -TERM $tpid 2> /dev/null; wait $tpid; exit 143' TERM INT HUP

if [ "$MODE" = smp ] && [ "$(nproc)" -ge "$PCPUS" ]; then
    pinned=0
    for _ in $(seq 100); do
        pinned=0
        qpid=$(pgrep -n -f "^qemu-system-aarch64 -name $tag," || true)
        if [ -n "$qpid" ]; then
            for t in /proc/"$qpid"/task/*; do
                c=$(cat "$t/comm" 2> /dev/null) || continue
                case $c in "CPU "*"/TCG")
                    i=${c#CPU }
                    i=${i%/TCG}
                    taskset -pc "$i" "${t##*/}" > /dev/null && pinned=$((pinned + 1))
                    ;;
                esac
            done
        fi
        [ $pinned -ge "$PCPUS" ] && break
        sleep 0.1
    done
    echo "boot: pinned $pinned QEMU vCPU thread(s) to host cores" >&2
elif [ "$MODE" = smp ]; then
    echo "warning: $PCPUS pCPUs on a $(nproc)-core host: QEMU's vCPU threads are not pinned" >&2
fi
wait $tpid
rc=$?
sleep 0.2 # the console filter flushes
exit $rc
