#!/bin/bash
# Lists the C functions longer than N lines (default 120), longest first, as
# "LINES FILE:LINE NAME". A function is a body that opens with "{" alone at column 0 and closes
# with "}" at column 0 (the layout clang-format gives every function here); declarative tables
# ("... = {" ... "};") are not counted.
# usage: scripts/long-functions.sh [N] [FILE|DIR...]   (default: every .c file of the project)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
limit=120
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then limit=$1; shift; fi
if [ $# -eq 0 ]; then
    cd "$top"
    files=$(git ls-files '*.c' 2> /dev/null) || files=.
    # shellcheck disable=SC2086
    set -- $files
fi
# shellcheck disable=SC2016
find "$@" -name '*.c' -not -path '*/build/*' -print0 | sort -z |
    xargs -0 awk -v limit="$limit" '
        FNR == 1 { sig = ""; start = 0 }
        /^[A-Za-z_].*\(/ { sig = $0; sigline = FNR }
        /^\{[[:space:]]*$/ { start = FNR; name = sig; nameline = sigline; next }
        /^\}/ && start {
            n = FNR - start + 1
            if (n > limit) {
                sub(/\(.*/, "", name); k = split(name, w, /[ *]+/)
                printf "%d %s:%d %s\n", n, FILENAME, nameline, w[k]
            }
            start = 0
        }' | sort -rn
