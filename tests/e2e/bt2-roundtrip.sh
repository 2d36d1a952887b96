#!/bin/bash
# xentrace -> CTF with babeltrace2 (-o ctf) -> read back: babeltrace2 prints the CTF trace as it
# printed the xentrace file, and `smclat analyze --json` gives the same output on both.
set -euo pipefail
: "${SMCLAT_BIN:?}" "${SMCLAT_BUILD:?}" "${SHARED:?}"
P=$SMCLAT_BUILD/lib/babeltrace2/plugins
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

for T in "$SHARED/traces/final-basic/t2.bin" "$SHARED/traces/sched-pool-c/t.bin"; do
    name=$(basename "$(dirname "$T")")
    src=(--plugin-path="$P" --component=source.xentrace.reader
         --params="inputs=[\"$T\"],cpu-hz=62500000")
    timeout 300 babeltrace2 "${src[@]}" > "$tmp/$name.direct.txt"
    timeout 300 babeltrace2 "${src[@]}" -o ctf -w "$tmp/$name.ctf" > /dev/null
    [ -f "$tmp/$name.ctf/$(basename "$T")/metadata" ] || fail "$name: no CTF metadata written"
    # sink.ctf.fs adds a length member to each dynamic array: drop it before comparing
    timeout 300 babeltrace2 "$tmp/$name.ctf" | sed 's/__data_len = [0-9]*, //' > "$tmp/$name.back.txt"
    n=$(wc -l < "$tmp/$name.direct.txt")
    [ "$n" -gt 1000 ] || fail "$name: too few events ($n)"
    cmp -s "$tmp/$name.direct.txt" "$tmp/$name.back.txt" ||
        { diff "$tmp/$name.direct.txt" "$tmp/$name.back.txt" | head; fail "$name: CTF read back differs"; }
    echo "$name: $n events, identical after the CTF round trip"

    if "$SMCLAT_BIN/smclat" --help | grep -q '^  analyze '; then
        # the CTF folder carries its timer rate (the clock class): no --cpu-hz for it
        timeout 300 "$SMCLAT_BIN/smclat" analyze --cpu-hz 62.5M --roles auto --json "$T" \
            > "$tmp/$name.xt.json" 2> /dev/null
        timeout 300 "$SMCLAT_BIN/smclat" analyze --roles auto --json "$tmp/$name.ctf" \
            > "$tmp/$name.ctf.json" 2> /dev/null
        [ -s "$tmp/$name.xt.json" ] || fail "$name: analyze printed nothing"
        # the JSON names its input: compare everything else
        grep -v "\"$T\"\|\"$tmp/$name.ctf\"" "$tmp/$name.xt.json" > "$tmp/a.json" || true
        grep -v "\"$T\"\|\"$tmp/$name.ctf\"" "$tmp/$name.ctf.json" > "$tmp/b.json" || true
        cmp -s "$tmp/a.json" "$tmp/b.json" ||
            { diff "$tmp/a.json" "$tmp/b.json" | head; fail "$name: analyze --json differs on CTF"; }
        echo "$name: smclat analyze --json identical on the xentrace file and the CTF folder"
    else
        echo "$name: smclat analyze not built: JSON comparison not run"
    fi
done
# bad CTF input for smclat analyze: exit 2 and one line, never a crash
if "$SMCLAT_BIN/smclat" --help | grep -q '^  analyze '; then
    A=$SHARED/traces/final-basic/t2.bin; B=$SHARED/traces/icount-smp1-a/t2.bin
    timeout 300 babeltrace2 --plugin-path="$P" --component=source.xentrace.reader \
        --params="inputs=[\"$A\",\"$B\"],cpu-hz=62500000" -o ctf -w "$tmp/two" > /dev/null 2>&1
    expect_bad() { # dir needle
        local rc=0
        timeout 60 "$SMCLAT_BIN/smclat" analyze "$1" > /dev/null 2> "$tmp/err" || rc=$?
        [ $rc = 2 ] || { cat "$tmp/err" >&2; fail "analyze $1: exit $rc, expected 2"; }
        [ "$(wc -l < "$tmp/err")" = 1 ] || { cat "$tmp/err" >&2; fail "analyze $1: not one line"; }
        grep -qF -- "$2" "$tmp/err" || { cat "$tmp/err" >&2; fail "analyze $1: no '$2'"; }
    }
    expect_bad "$tmp/two" "smclat: $tmp/two: expected one CTF trace, found several"
    cp -r "$tmp/two/t2.bin" "$tmp/broken"
    printf 'garbage' | dd of="$tmp/broken/cpu0" conv=notrunc status=none
    expect_bad "$tmp/broken" "smclat: $tmp/broken: babeltrace2: "
    echo "bad CTF folders: exit 2 with a one-line error"
fi
echo ok
