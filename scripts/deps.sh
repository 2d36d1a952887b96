#!/bin/sh
# Install the Debian packages a part of smclat needs, only those missing.
# usage: scripts/deps.sh GROUP...   (groups: files scripts/deps/GROUP.txt, one package a line)
# As root it runs apt-get (apt-get update first, once, only when something is missing);
# otherwise it prints the apt-get command to run and fails.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
missing=
for g in "$@"; do
    f="$here/deps/$g.txt"
    [ -r "$f" ] || { echo "deps: unknown group '$g' (no $f)" >&2; exit 2; }
    for p in $(sed 's/#.*//' "$f"); do
        st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
        case $st in *" installed") ;; *) missing="$missing $p" ;; esac
    done
done
# after the packages: what a group needs beyond them (lava: lava-server's templates, unpacked)
extras() {
    for g in "$@"; do
        [ "$g" != lava ] || "$here/lava/templates.sh" || return 1
    done
}
[ -n "$missing" ] || { extras "$@"; exit; }
echo "deps: installing$missing" >&2
if [ "$(id -u)" != 0 ]; then
    echo "deps: not root; run: sudo apt-get install --no-install-recommends$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2 || { echo "deps: apt-get update failed" >&2; exit 1; }
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2 || {
    echo "deps: apt-get install failed for:$missing" >&2; exit 1; }
extras "$@"
