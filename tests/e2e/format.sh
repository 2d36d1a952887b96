#!/bin/bash
# The tree keeps one style: every C file as clang-format (.clang-format) writes it.
set -u
cd "${SMCLAT_TOP:?}"
files=$(git ls-files '*.c' '*.h' 2>/dev/null)
[ -n "$files" ] || { echo "format: no C files found (not a git checkout?)"; exit 1; }
# shellcheck disable=SC2086
if ! clang-format --dry-run --Werror $files; then
    echo "format: run 'make format'"
    exit 1
fi
echo "format: $(echo "$files" | wc -l) files as clang-format writes them"
