#!/bin/sh
# /lab/lava-group.sh in Dom0, run by LAVA's test shell: the group's scenarios exactly as in a
# lab boot (/lab/group.sh: scripts/lab/dom0-group.sh), their results folders saved to a tmpfs at
# /mnt/share (no 9p share under LAVA), then per scenario a LAVA test case (pass: its Dom0 job
# finished with a trace and metadata) and its headline figures as LAVA measurements, and the
# results as a gzip'd tar in base64 between "SMCLAT-FILE-BEGIN/END results.tar.gz.b64" lines
# (scripts/lava/lava.py extract takes it from the job's log).
S=/lab
D=/mnt/share
mkdir -p "$D"
grep -q " $D " /proc/mounts || mount -t tmpfs tmpfs "$D"
for i in $(cat "$S/group.list"); do mkdir -p "$D/sc/$i/out"; done
SMCLAT_JOB_SHARE=$S sh "$S/group.sh"

# cut NAME FILE: the file the guest printed between SMCLAT-FILE-BEGIN/END NAME lines
cut_out() {
    awk -v n="$1" '$0 == "SMCLAT-FILE-BEGIN " n {f=1; next}
        f && index($0, "SMCLAT-FILE-END " n) { p = substr($0, 1, index($0, "SMCLAT-FILE-END " n) - 1)
            if (p != "") print p; f = 0; next } f' "$2"
}
# num KEY TEXT: the first number after "KEY": in TEXT
num() { echo "$2" | sed -n "s/.*\"$1\": *\([0-9.]*\).*/\1/p" | head -1; }
for i in $(cat "$S/group.list"); do
    o=$D/sc/$i/out
    name=$(sed -n "s/^NAME='\(.*\)'$/\1/p" "$S/sc/$i/params.env")
    if [ -s "$o/metadata.json" ] && [ -s "$o/trace.bin" ] && [ ! -s "$o/failure.txt" ]; then
        lava-test-case "$name" --result pass
    else
        lava-test-case "$name" --result fail
        continue
    fi
    [ -e "$o/guest-client.log" ] || continue
    s=$(cut_out gen-summary.json "$o/guest-client.log" | tr -d '\n')
    [ -n "$s" ] || continue
    ok=$(num ok "$s")
    svc=$(echo "$s" | sed -n 's/.*"service": *{\([^}]*\)}.*/\1/p')
    [ -n "$ok" ] && lava-test-case "$name.calls-ok" --result pass --measurement "$ok" --units calls
    for q in p50 p99; do
        v=$(num $q "$svc")
        [ -n "$v" ] && lava-test-case "$name.service-$q" --result pass --measurement \
            "$(awk -v v="$v" 'BEGIN{printf "%.1f", v / 1000}')" --units us
    done
done
cd "$D" && tar cf - sc | gzip -1 > /tmp/results.tar.gz
echo "SMCLAT-RESULTS $(wc -c < /tmp/results.tar.gz) $(md5sum < /tmp/results.tar.gz | cut -d' ' -f1)"
echo "SMCLAT-FILE-BEGIN results.tar.gz.b64"
base64 /tmp/results.tar.gz
echo "SMCLAT-FILE-END results.tar.gz.b64"
