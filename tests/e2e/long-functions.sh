#!/bin/bash
# No C function of the tree is longer than 120 lines (issue 15: functions split into named
# phases), as scripts/long-functions.sh counts them; and the script finds one that is.
set -u
top=${SMCLAT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# the script itself: a 130-line function is listed with its length, file and name; a table and
# a short function are not
{
    echo 'static const int table[] = {'
    for i in $(seq 200); do echo "    $i,"; done
    echo '};'
    printf 'static int short_one(void)\n{\n    return 0;\n}\n'
    printf 'int long_one(int a,\n             int b)\n{\n'
    for i in $(seq 127); do echo "    a += b;"; done
    printf '    return a;\n}\n'
} > "$tmp/t.c"
got=$("$top/scripts/long-functions.sh" 120 "$tmp")
[ "$got" = "130 $tmp/t.c:207 long_one" ] || bad "synthetic file: got '$got', expected '130 $tmp/t.c:207 long_one'"
[ -z "$("$top/scripts/long-functions.sh" 130 "$tmp")" ] || bad "a function of 130 lines is not longer than 130"

long=$("$top/scripts/long-functions.sh" 120) || bad "scripts/long-functions.sh exited $?"
[ -z "$long" ] || bad "functions over 120 lines (split them into named phases):
$long"
[ "$fails" = 0 ] || { echo "$fails failed"; exit 1; }
echo "long-functions: none over 120 lines"
