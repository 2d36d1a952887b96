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
echo ok
