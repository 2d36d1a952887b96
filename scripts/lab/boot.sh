#!/bin/bash
# Boots Xen 4.17 arm64 and the Dom0 under qemu-system-aarch64, stopped after TIMEOUT_S.
# usage: boot.sh XEN KERNEL DOM0_INITRD SHARE_DIR CONSOLE_LOG
# env: MODE (deterministic|smp)  PCPUS  MEM_MB (2048)  XEN_CMDLINE  TIMEOUT_S (300)
#      BOOT_STATUS (a file: how QEMU ended, below)  SMCLAT_QEMU (qemu-system-aarch64: the
#      emulator; tests put a stand-in here)
# The console goes to CONSOLE_LOG with host time stamps ("[  12.345] ..."). Exit status:
# QEMU's (128+N when a signal ended it), 124 when the timeout stopped it. BOOT_STATUS gets
# shell assignments: qemu_exit (QEMU's status), qemu_signal (SIGKILL... when a signal ended it),
# timeout (1: this script's TIMEOUT_S fired and it stopped QEMU), stopped (1: this script was
# told to stop, SIGTERM/SIGINT/SIGHUP, and stopped QEMU), qemu_pid, qemu_nice (the nice QEMU
# ran at: SMCLAT_LAB_NICE below), xen_hung (panic or halt: Xen had panicked, or halted the
# machine after Dom0's poweroff, and QEMU went on running until this script stopped it, below;
# empty otherwise). So a QEMU killed from
# outside (exit 137, timeout 0) is never taken for a timeout. In smp mode QEMU's vCPU thread i
# is pinned to host core i (when the host has that many cores): unpinned, both often share one
# core and a wake in the guest waits milliseconds for the host.
set -uo pipefail
[ $# = 5 ] || { echo "usage: boot.sh XEN KERNEL DOM0_INITRD SHARE_DIR CONSOLE_LOG" >&2; exit 2; }
xen=$1 kernel=$2 initrd=$3 share=$4 console=$5
MODE=${MODE:-deterministic} PCPUS=${PCPUS:-1} MEM_MB=${MEM_MB:-2048} TIMEOUT_S=${TIMEOUT_S:-300}
XEN_CMDLINE=${XEN_CMDLINE:-dom0_mem=512M console=dtuart dtuart=/pl011@9000000 xsm=dummy}
BOOT_STATUS=${BOOT_STATUS:-/dev/null}
# Deterministic mode: instruction counting, and nothing the guests can see that depends on the
# host: the RTC starts at a fixed date and runs on guest time, the device tree has no random
# seeds (kaslr-seed, rng-seed), QEMU's own random numbers are seeded (docs/lab.md).
accel=() machine=virt,virtualization=on,gic-version=3
if [ "$MODE" = deterministic ]; then
    accel=(-icount "shift=3,sleep=off" -rtc "base=2026-01-01T00:00:00,clock=vm" -seed 1)
    machine=$machine,dtb-randomness=off
fi
# The Dom0 initrd goes at 0x49000000: QEMU puts the device tree at RAM base + 128 MiB
# (0x48000000), so an initrd below it would have to stay under 16 MiB.
tag=smclat-lab-$$
# smp mode: QEMU runs at nice SMCLAT_LAB_NICE (-10, relative) where this host lets it, so that
# other work on the host takes its cores from the emulated pCPUs less often (a descheduled vCPU
# thread stalls its pCPU and the guests' timings with it: docs/lab.md, run.json's host).
prio=() qnice=$(nice) want=${SMCLAT_LAB_NICE:--10}
if ! [[ $want =~ ^-?(0|[1-9][0-9]?)$ ]]; then
    echo "boot: SMCLAT_LAB_NICE='$want': expected a whole number (-20 to 19): QEMU stays at nice $qnice" >&2
    want=0
fi
if [ "$MODE" = smp ] && [ "$want" != 0 ]; then
    exp=$((qnice + want < -20 ? -20 : qnice + want > 19 ? 19 : qnice + want))
    if [ "$(nice -n "$want" nice 2> /dev/null)" = "$exp" ]; then
        prio=(nice -n "$want")
        qnice=$exp
    else
        echo "boot: QEMU stays at nice $qnice: this host does not let it run at nice $exp" >&2
    fi
fi
# The console filter (host time stamps) is this script's child, reading QEMU's output from a
# FIFO: it is waited for, never left behind.
fifo=$(mktemp -u "${TMPDIR:-/tmp}/smclat-boot.XXXXXX.fifo")
mkfifo -m 600 "$fifo" || { echo "boot: cannot make a FIFO $fifo" >&2; exit 1; }
perl -MTime::HiRes=time -ne 'BEGIN{$|=1;$t0=time} s/\r//g; printf "[%8.3f] %s", time-$t0, $_' \
    < "$fifo" > "$console" &
fpid=$!
"${prio[@]}" "${SMCLAT_QEMU:-qemu-system-aarch64}" -name "$tag",debug-threads=on \
    -machine "$machine" -cpu cortex-a57 -smp "$PCPUS" -m "$MEM_MB" \
    "${accel[@]}" -nographic -no-reboot -nic none -monitor none -serial stdio \
    -kernel "$xen" -append "$XEN_CMDLINE" \
    -device "guest-loader,addr=0x42000000,kernel=$kernel,bootargs=console=hvc0 earlycon=xen rdinit=/init cryptomgr.notests=1" \
    -device "guest-loader,addr=0x49000000,initrd=$initrd" \
    -fsdev "local,id=fs0,path=$share,security_model=none" \
    -device virtio-9p-device,fsdev=fs0,mount_tag=host0 \
    < /dev/null > "$fifo" 2>&1 &
qpid=$!
# This script's messages go to fd 3: bash's own "Killed" job notices (the status file says
# how QEMU ended) go nowhere.
exec 3>&2 2> /dev/null
timed_out=0 stopped=0
# Stopped from outside (run.sh interrupted): QEMU gets SIGTERM, SIGKILL 5 s later (below).
# shellcheck disable=SC2317 # the trap
stop() {
    [ "$stopped" = 1 ] && return
    stopped=1
    kill -TERM "$qpid" 2> /dev/null
    kill_at=$((SECONDS + 5))
}
trap stop TERM INT HUP

# Xen's end on the console: after its panic, or once it halts the machine at Dom0's poweroff,
# QEMU (-no-reboot) exits within seconds. It may not: a pCPU stuck in a panic keeps Xen's halt
# waiting forever, while Dom0 may still run on another pCPU and save its results. So QEMU is
# stopped SMCLAT_LAB_PANIC_GRACE_S (120) after a panic, SMCLAT_LAB_HALT_GRACE_S (10) after the
# halt, rather than at the timeout: the console says what happened (collect.sh's verdict).
panic_grace=${SMCLAT_LAB_PANIC_GRACE_S:-120} halt_grace=${SMCLAT_LAB_HALT_GRACE_S:-10}
xen_hung='' xen_end='' end_at='' next_scan=0
xen_end_scan() {
    [ "$xen_end" = halt ] || [ $SECONDS -lt $next_scan ] && return
    next_scan=$((SECONDS + 1))
    if grep -q "Hardware Dom0 \(halted\|shutdown\|crashed\)" "$console"; then
        xen_end=halt
        end_at=$((SECONDS + halt_grace))
    elif [ -z "$xen_end" ] && grep -q "Panic on CPU" "$console"; then
        xen_end=panic
        end_at=$((SECONDS + panic_grace))
    fi
}
pinned=0 tries=0 deadline=$((SECONDS + TIMEOUT_S)) kill_at=
while kill -0 "$qpid" 2> /dev/null; do
    xen_end_scan
    if [ -n "$end_at" ] && [ -z "$kill_at" ] && [ $SECONDS -ge "$end_at" ]; then
        xen_hung=$xen_end
        echo "boot: QEMU still running $( [ "$xen_end" = halt ] && echo "$halt_grace s after Xen halted the machine" ||
            echo "$panic_grace s after Xen's panic"): stopping it" >&3
        kill -TERM "$qpid" 2> /dev/null
        kill_at=$((SECONDS + 5))
    fi
    if [ $timed_out = 0 ] && [ $stopped = 0 ] && [ $SECONDS -ge $deadline ]; then
        timed_out=1
        echo "boot: QEMU still running after TIMEOUT_S=$TIMEOUT_S s: stopping it" >&3
        kill -TERM "$qpid" 2> /dev/null
        kill_at=$((SECONDS + 5))
    fi
    [ -n "$kill_at" ] && [ $SECONDS -ge "$kill_at" ] && kill -KILL "$qpid" 2> /dev/null
    if [ "$MODE" = smp ] && [ $pinned -lt "$PCPUS" ] && [ $tries -lt 100 ]; then
        tries=$((tries + 1))
        if [ "$(nproc)" -lt "$PCPUS" ]; then
            echo "warning: $PCPUS pCPUs on a $(nproc)-core host: QEMU's vCPU threads are not pinned" >&3
            tries=100
        else
            pinned=0
            for t in /proc/"$qpid"/task/*; do
                c=$(cat "$t/comm" 2> /dev/null) || continue
                case $c in "CPU "*"/TCG")
                    i=${c#CPU }
                    i=${i%/TCG}
                    taskset -pc "$i" "${t##*/}" > /dev/null && pinned=$((pinned + 1))
                    ;;
                esac
            done
            [ $pinned -ge "$PCPUS" ] && echo "boot: pinned $pinned QEMU vCPU thread(s) to host cores" >&3
        fi
    fi
    sleep 0.1
done
wait "$qpid"
rc=$?
wait "$fpid" # the console filter ends at QEMU's last byte
rm -f "$fifo"
sig=
[ $rc -gt 128 ] && sig=$(kill -l $((rc - 128)) 2> /dev/null) && sig=SIG$sig
printf 'qemu_exit=%s\nqemu_signal=%s\ntimeout=%s\nstopped=%s\nqemu_pid=%s\nqemu_nice=%s\nxen_hung=%s\n' \
    "$rc" "$sig" "$timed_out" "$stopped" "$qpid" "$qnice" "$xen_hung" > "$BOOT_STATUS"
[ $timed_out = 1 ] && exit 124
exit $rc
