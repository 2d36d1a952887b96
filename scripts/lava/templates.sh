#!/bin/sh
# Unpacks lava-server's device-type templates (qemu.jinja2, base.jinja2, ...) into the cache,
# without installing the server: apt-get download + dpkg-deb -x, once per version.
# usage: scripts/lava/templates.sh [--dir]   (--dir: print the templates folder only; exit 1
#        when they are not unpacked)
# env: SMCLAT_CACHE (~/.cache/smclat): the templates go to $SMCLAT_CACHE/lava/VERSION/
set -eu
cache=${SMCLAT_CACHE:-$HOME/.cache/smclat}/lava
rel=usr/share/lava-server/device-types
if [ "${1:-}" = --dir ]; then
    d=$(ls -d "$cache"/*/"$rel" 2> /dev/null | sort -V | tail -1)
    [ -n "$d" ] && [ -r "$d/qemu.jinja2" ] || {
        echo "lava: no LAVA device-type templates in $cache: run scripts/deps.sh lava" >&2; exit 1; }
    echo "$d"
    exit 0
fi
# the version the dispatcher has (the templates must match it), else the candidate
ver=$(dpkg-query -W -f='${Version}' lava-dispatcher 2> /dev/null || true)
[ -n "$ver" ] || ver=$(apt-cache policy lava-server 2> /dev/null | sed -n 's/ *Candidate: *//p')
[ -n "$ver" ] || { echo "lava: cannot tell which lava-server version to unpack" >&2; exit 1; }
[ -r "$cache/$ver/$rel/qemu.jinja2" ] && exit 0
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/dl.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download -q "lava-server=$ver" > /dev/null 2>&1) ||
    (cd "$tmp" && apt-get download -q lava-server > /dev/null) ||
    { echo "lava: apt-get download lava-server failed" >&2; exit 1; }
mkdir -p "$tmp/x"
dpkg-deb -x "$tmp"/lava-server_*.deb "$tmp/x"
[ -r "$tmp/x/$rel/qemu.jinja2" ] || { echo "lava: no $rel/qemu.jinja2 in the lava-server package" >&2; exit 1; }
rm -rf "${cache:?}/$ver"
mkdir -p "$cache/$ver/$rel"
cp -a "$tmp/x/$rel/." "$cache/$ver/$rel/"
echo "lava: device-type templates of lava-server $ver in $cache/$ver/$rel" >&2
