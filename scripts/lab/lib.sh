# Shared by the lab's host-side scripts (sourced, bash).
# shellcheck disable=SC2034 # the variables are for the scripts that source this file
# SMCLAT_CACHE: the cache outside git (arm64 .debs, unpacked trees, images), flock'ed.
SMCLAT_CACHE=${SMCLAT_CACHE:-$HOME/.cache/smclat}
LAB_CACHE=$SMCLAT_CACHE/lab
LAB_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB_SCRIPTS=$LAB_TOP/scripts/lab
LAB_ARCH=aarch64-linux-gnu
# The arm64 sysroot (headers and libraries of libxen-dev, libjansson-dev) for cross builds.
LAB_SYSROOT=${SYSROOT:-$SMCLAT_CACHE/sysroot-arm64}

lab_log() { echo "${LAB_PROG:-lab}: $*" >&2; }
lab_die() { # code message
    local rc=$1; shift
    echo "${LAB_PROG:-lab}: $*" >&2
    exit "$rc"
}
# lab_lock NAME: an exclusive lock on $SMCLAT_CACHE/NAME.lock held on fd 9 until the script exits.
lab_lock() {
    mkdir -p "$SMCLAT_CACHE"
    exec 9> "$SMCLAT_CACHE/$1.lock"
    if ! flock -n 9; then
        lab_log "waiting for the lock $SMCLAT_CACHE/$1.lock (another lab run)"
        flock 9
    fi
}
