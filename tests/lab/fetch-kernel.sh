#!/bin/sh
# Finds Debian's newest kernel of one lab flavour (not rt, cloud, dbg or
# unsigned), fetches it with apt-get download unless it is cached, and keeps
# only what the lab boots from: vmlinuz and its config (and, for a foreign
# architecture, that architecture's busybox-static).
#
#   fetch-kernel.sh [FLAVOUR]   prints the cached kernel's directory on its last line
#
#   6.1     linux-image-6.1.0-N-amd64          (bookworm's own kernel)
#   6.12    linux-image-6.12.N+deb12-amd64     (bookworm's 6.12 LTS)
#   arm64   linux-image-6.12.N+deb12-arm64     (needs dpkg --add-architecture arm64)
#
# The cache lives outside the repo (KSURF_LAB_CACHE, default
# /var/cache/ksurf-lab) so a rebuild or a fresh clone on the same machine does
# not fetch again. Exit 77 with "SKIP: reason" when no kernel can be had.
set -u

FLAVOUR=${1:-6.1}
CACHE=${KSURF_LAB_CACHE:-/var/cache/ksurf-lab}
say() { echo "fetch-kernel($FLAVOUR): $*" >&2; }
skip() { echo "SKIP: $*"; exit 77; }

case $FLAVOUR in
6.1) prefix=linux-image-6.1.0-; pattern='linux-image-6\.1\.0-[0-9]+-amd64'; glob='linux-image-6.1.0-*-amd64_*'; arch=amd64 ;;
6.12) prefix=linux-image-6.12.; pattern='linux-image-6\.12\.[0-9]+\+deb12-amd64'; glob='linux-image-6.12.*+deb12-amd64_*'; arch=amd64 ;;
arm64) prefix=linux-image-6.12.; pattern='linux-image-6\.12\.[0-9]+\+deb12-arm64'; glob='linux-image-6.12.*+deb12-arm64_*'; arch=arm64 ;;
*) echo "fetch-kernel: unknown flavour $FLAVOUR (6.1, 6.12, arm64)" >&2; exit 2 ;;
esac
# apt names a foreign architecture's package PKG:ARCH.
native=$(dpkg --print-architecture 2>/dev/null)
suffix=""
[ "$arch" = "$native" ] || suffix=":$arch"

mkdir -p "$CACHE" 2>/dev/null || skip "cannot create kernel cache $CACHE"
[ -w "$CACHE" ] || skip "kernel cache $CACHE is not writable (run as root or set KSURF_LAB_CACHE)"

# Two lab runs at once (ctest -j, two clones) must not fetch into each other.
exec 9>"$CACHE/.lock"
flock -w 600 9 || skip "timed out waiting for the lock on $CACHE"

# Cached kernels of this flavour, oldest first (sort -V orders 6.1.0-9 before
# 6.1.0-57 and 6.12.9 before 6.12.117).
cached() {
    for d in "$CACHE"/$glob; do
        [ -s "$d/vmlinuz" ] && basename "$d"
    done | sort -V
}
newest_cached() {
    c=$(cached | tail -n 1)
    [ -n "$c" ] && echo "$CACHE/$c"
}

# Newest package of this flavour that has an installable candidate.
# Prints "package version". Two apt-cache calls in all: each rebuilds apt's
# package cache from the lists (this machine keeps none), seconds apiece.
newest_candidate() {
    # shellcheck disable=SC2046 # one policy call for every name
    apt-cache policy $(apt-cache pkgnames "$prefix" 2>/dev/null | grep -E "^$pattern\$" | sed "s/\$/$suffix/") 2>/dev/null |
        awk '/^[^ ]/ {pkg = $1; sub(/:.*/, "", pkg)} /Candidate:/ && $2 != "(none)" {print pkg, $2}' |
        sort -V | tail -n 1
}

# download PKG VERSION DIR: apt-get download and dpkg-deb -x into DIR/x.
download() {
    # _apt cannot write into a root-only directory; fetching as root is fine here.
    (cd "$3" && timeout 600 apt-get download -q -o APT::Sandbox::User=root "$1$suffix=$2" >&2) || return 1
    deb=$(ls "$3"/*.deb 2>/dev/null | head -n 1)
    [ -n "$deb" ] && dpkg-deb -x "$deb" "$3/x"
}

# A foreign architecture's guest also needs that architecture's busybox-static
# (the host's is amd64). Kept in the kernel's directory.
foreign_busybox() {
    [ -z "$suffix" ] && return 0
    [ -x "$1/busybox" ] && return 0
    ver=$(apt-cache policy "busybox-static$suffix" 2>/dev/null | awk '/Candidate:/ {print $2; exit}')
    [ -n "$ver" ] && [ "$ver" != "(none)" ] || { say "apt knows no busybox-static$suffix"; return 1; }
    t=$(mktemp -d "$CACHE/.fetch.XXXXXX") || return 1
    if download busybox-static "$ver" "$t" && [ -x "$t/x/bin/busybox" ]; then
        cp "$t/x/bin/busybox" "$1/busybox.tmp" && mv "$1/busybox.tmp" "$1/busybox"
    fi
    rm -rf "$t"
    [ -x "$1/busybox" ]
}

use() {
    foreign_busybox "$1" || skip "no busybox-static$suffix for the $arch guest (apt-get download busybox-static$suffix failed)"
    say "using $1"
    echo "$1"
    exit 0
}

# apt was asked less than a day ago: the cached kernel is still the newest
# (KSURF_LAB_REFRESH=1 asks again). Spares every lab run the apt calls.
stamp=$CACHE/.checked-$FLAVOUR
if [ -z "${KSURF_LAB_REFRESH:-}" ] && [ -n "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
    c=$(newest_cached)
    [ -n "$c" ] && use "$c"
fi

what="$(echo "$pattern" | sed 's/\\//g; s/\[0-9\]+/N/')"
cand=$(newest_candidate)
if [ -z "$cand" ]; then
    # A fresh machine may never have read the package lists.
    say "apt knows no $what; running apt-get update"
    timeout 300 apt-get update -qq >&2 2>&1 || say "apt-get update failed"
    cand=$(newest_candidate)
fi
if [ -z "$cand" ]; then
    c=$(newest_cached)
    [ -n "$c" ] && use "$c"
    if [ -n "$suffix" ] && ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
        skip "dpkg has no $arch architecture, so apt knows no $what (dpkg --add-architecture $arch && apt-get update, or scripts/setup deps)"
    fi
    skip "no $what known to apt and none cached in $CACHE"
fi

touch "$stamp"
pkg=${cand% *}
ver=${cand#* }
dir="$CACHE/${pkg}_$ver"
[ -s "$dir/vmlinuz" ] && use "$dir"

say "fetching $pkg$suffix $ver"
tmp=$(mktemp -d "$CACHE/.fetch.XXXXXX") || skip "cannot create a temporary directory in $CACHE"
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
if ! download "$pkg" "$ver" "$tmp"; then
    c=$(newest_cached)
    [ -n "$c" ] && { say "apt-get download failed; falling back to the cached kernel"; use "$c"; }
    skip "apt-get download $pkg$suffix=$ver failed (no network?) and no kernel is cached in $CACHE"
fi
mkdir -p "$tmp/keep"
cp "$tmp"/x/boot/vmlinuz-* "$tmp/keep/vmlinuz" &&
    cp "$tmp"/x/boot/config-* "$tmp/keep/config" ||
    skip "$pkg has no /boot/vmlinuz or config"
echo "$pkg $ver" >"$tmp/keep/package"
rm -rf "$dir"
mv "$tmp/keep" "$dir"
say "fetched and extracted $pkg $ver in $(( $(date +%s) - start )) s"
# Keep the two newest kernels of each flavour (8-30 MB each); older ones are
# never booted again.
cached | head -n -2 | while read -r d; do rm -rf "${CACHE:?}/$d"; done
use "$dir"
