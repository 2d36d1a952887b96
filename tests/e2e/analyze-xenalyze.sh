#!/bin/bash
# Runs smclat analyze and xenalyze -s on every trace in $SHARED/traces and compares each vCPU's
# running, runnable and blocked totals (tests/tools/xenalyze-compare.py: within 0.5%).
set -u
: "${SMCLAT_BIN:?}" "${SHARED:?}" "${SMCLAT_TOP:?}"
XENALYZE=${XENALYZE:-/usr/bin/xenalyze}
[ -x "$XENALYZE" ] || { echo "analyze-xenalyze: $XENALYZE missing (scripts/deps.sh test)"; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
n=0; bad=0
for t in "$SHARED"/traces/*/*.bin; do
    [ -e "$t" ] || continue
    n=$((n + 1))
    name=$(basename "$(dirname "$t")")
    timeout 120 "$XENALYZE" --cpu-hz=62.5M -s "$t" > "$tmp/xa.txt" 2>&1 || {
        echo "note: $name: xenalyze exit $? (compared on what it printed)"; }
    if ! timeout 120 "$SMCLAT_BIN/smclat" analyze --cpu-hz 62.5M --json "$t" > "$tmp/sm.json"; then
        echo "FAIL $name: smclat analyze failed"; bad=$((bad + 1)); continue
    fi
    python3 "$SMCLAT_TOP/tests/tools/xenalyze-compare.py" "$tmp/xa.txt" "$tmp/sm.json" > "$tmp/cmp.txt"
    rc=$?
    if [ $rc = 0 ]; then
        echo "ok   $name: $(tail -n 1 "$tmp/cmp.txt")"
    elif [ $rc = 3 ]; then
        echo "note $name: $(tail -n 1 "$tmp/cmp.txt")"
    else
        echo "FAIL $name:"; grep -v '^ok' "$tmp/cmp.txt"; bad=$((bad + 1))
    fi
done
[ "$n" -gt 0 ] || { echo "no traces in $SHARED/traces"; exit 1; }
echo "analyze-xenalyze: $n traces, $bad failed"
[ "$bad" = 0 ]
