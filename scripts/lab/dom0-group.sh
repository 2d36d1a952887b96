#!/bin/sh
# A group of scenarios in one boot, inside the lab's Dom0 (run by /init as /lab/job.sh
# when run.sh --group packed the share; docs/lab.md "Groups"). For each scenario I in
# group.list: dom0-job.sh (scenario-job.sh) with sc/I as its share and its results in Dom0's
# tmpfs (/tmp/group/I: nothing goes to the share until the last scenario is done), then what it
# changed is undone: the DomUs the next scenario needs as they are (same image, memory, vCPUs)
# are kept, back in Pool-0, unpinned, with the scheduler's default weight, cap or budget (a
# Linux DomU then runs the next scenario's generator or mediator as a new job: domu-init.sh),
# the others destroyed; pools back into Pool-0, Xen's log cleared.
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

# keep NAME: the next scenario needs the domain NAME as it is: same image, memory, vCPUs (its
# spec, recorded by dom0-job.sh when it created it, against $WANT: the next one's specs)
keep() {
    [ -s "/tmp/domspec/$1" ] || return 1
    want=$(echo "$WANT" | sed -n "s/^$1 //p")
    [ -n "$want" ] && [ "$want" = "$(cat "/tmp/domspec/$1")" ]
}
# unset_dom NAME: a kept domain back to what a new one has: in Pool-0, unpinned, the scheduler's
# default parameters (a scenario's apply sets only what it names)
unset_dom() {
    pool=$(xl list -c "$1" | awk 'NR == 2 {print $NF}')
    [ "$pool" = Pool-0 ] || xl cpupool-migrate "$1" Pool-0 || return 1
    xl vcpu-pin "$1" all all all || return 1
    case $(xl cpupool-list | awk '$1 == "Pool-0" {print $3}') in
    credit2) xl sched-credit2 -d "$1" -w 256 -c 0 ;;
    credit) xl sched-credit -d "$1" -w 256 -c 0 ;;
    rtds) xl sched-rtds -d "$1" -v all -p 10000 -b 4000 ;;
    *) return 1 ;;
    esac
}
# touched NAME PREV: what scenario PREV's `smclat record apply` set of the domain NAME (its
# arguments, apply.log's first line: --move NAME:POOL, --pin NAME:CPUS, --weight NAME:W ...),
# a word each (move, pin, weight...); a move into Pool-0, where the domain was, is none
touched() {
    head -1 "$G/$2/apply.log" 2> /dev/null | tr ' ' '\n' | awk -v n="$1" '
        p != "" && index($0, n ":") == 1 && !(p == "move" && $0 == n ":Pool-0") { print p }
        { p = "" } /^--/ { p = substr($0, 3) }' | sort -u
}
# reset PREV NEXT: what scenario PREV leaves in Xen that NEXT must not inherit; the DomUs NEXT
# needs unchanged are kept (what PREV set of them undone), the others destroyed. The pools are
# looked at only when PREV made some (its POOLS): each xl call costs Dom0 a fraction of a second.
reset() {
    WANT=$(SMCLAT_JOB_SHARE=$S/sc/$2 sh "$S/scenario-job.sh" --specs)
    doms=$(awk '$1 != "Domain-0" {print $1}' /tmp/domids) # dom0-job.sh's list
    for d in $doms; do
        if keep "$d" && { [ -z "$(touched "$d" "$1")" ] || unset_dom "$d" > /dev/null 2>&1; }; then
            continue
        fi
        xl destroy "$d" > /dev/null 2>&1
        rm -f "$CON/guest-$d.log" "/tmp/domspec/$d" "/tmp/con-mark/guest-$d.log"
    done
    grep -q "^POOLS=''" "$S/sc/$1/params.env" || reset_pools
    rm -f /tmp/trace.bin
    xl dmesg -c > /dev/null 2>&1
}
reset_pools() {
    for p in $(xl cpupool-list | awk 'NR > 1 && $1 != "Pool-0" {print $1}'); do
        for c in $(xl cpupool-list -c | awk -v p="$p" '$1 == p {print $2}' | tr ',' ' '); do
            xl cpupool-cpu-remove "$p" "$c" && xl cpupool-cpu-add Pool-0 "$c"
        done
        xl cpupool-destroy "$p" || say "cannot destroy pool $p"
    done
}

# save: every scenario's results to the share (after the last one)
save() {
    sh /init --share # dom0-init.sh: mounts the 9p share at $D (or says why not)
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
    next=$(echo "$LIST" | tr ' ' '\n' | awk -v i="$i" 'f {print; exit} $1 == i {f = 1}')
    name=$(sed -n "s/^NAME='\(.*\)'$/\1/p" "$S/sc/$i/params.env")
    mkdir -p "$G/$i"
    say "begin $i $name"
    SMCLAT_JOB_SHARE=$S/sc/$i SMCLAT_JOB_OUT=$G/$i SMCLAT_JOB_NEXT=$next sh "$S/scenario-job.sh"
    rc=$?
    say "end $i rc=$rc"
    [ $rc = 0 ] || break
    [ -n "$next" ] && reset "$i" "$next"
done
save
