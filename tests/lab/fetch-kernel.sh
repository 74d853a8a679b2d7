#!/bin/sh
# Finds Debian's newest linux-image-6.1.0-N-amd64 (not rt, cloud, dbg or
# unsigned), fetches it with apt-get download unless it is cached, and keeps
# only what the lab boots from: vmlinuz and its config.
#
#   fetch-kernel.sh        prints the cached kernel's directory on its last line
#
# The cache lives outside the repo (KSURF_LAB_CACHE, default
# /var/cache/ksurf-lab) so a rebuild or a fresh clone on the same machine does
# not fetch again. Exit 77 with "SKIP: reason" when no kernel can be had.
set -u

CACHE=${KSURF_LAB_CACHE:-/var/cache/ksurf-lab}
say() { echo "fetch-kernel: $*" >&2; }
skip() { echo "SKIP: $*"; exit 77; }

mkdir -p "$CACHE" 2>/dev/null || skip "cannot create kernel cache $CACHE"
[ -w "$CACHE" ] || skip "kernel cache $CACHE is not writable (run as root or set KSURF_LAB_CACHE)"

# Two lab runs at once (ctest -j, two clones) must not fetch into each other.
exec 9>"$CACHE/.lock"
flock -w 600 9 || skip "timed out waiting for the lock on $CACHE"

# Newest cached kernel: the fallback when apt cannot tell us or cannot fetch.
# Names are linux-image-6.1.0-N-amd64_VERSION: the ABI number N is field 4.
cached() {
    for d in "$CACHE"/linux-image-6.1.0-*-amd64_*; do
        [ -s "$d/vmlinuz" ] && basename "$d"
    done | sort -t- -k4,4n
}
newest_cached() {
    c=$(cached | tail -n 1)
    [ -n "$c" ] && echo "$CACHE/$c"
}

# Newest linux-image-6.1.0-N-amd64 that has an installable candidate.
# Prints "package version".
newest_candidate() {
    apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' 2>/dev/null |
        awk '{print $1}' | grep -E '^linux-image-6\.1\.0-[0-9]+-amd64$' |
        sort -t- -k4,4nr |
        while read -r pkg; do
            ver=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2; exit}')
            if [ -n "$ver" ] && [ "$ver" != "(none)" ]; then
                echo "$pkg $ver"
                break
            fi
        done
}

use() {
    say "using $1"
    echo "$1"
    exit 0
}

cand=$(newest_candidate)
if [ -z "$cand" ]; then
    # A fresh machine may never have read the package lists.
    say "apt knows no linux-image-6.1.0-*-amd64; running apt-get update"
    timeout 300 apt-get update -qq >&2 2>&1 || say "apt-get update failed"
    cand=$(newest_candidate)
fi
if [ -z "$cand" ]; then
    c=$(newest_cached)
    [ -n "$c" ] && use "$c"
    skip "no linux-image-6.1.0-*-amd64 known to apt and none cached in $CACHE"
fi

pkg=${cand% *}
ver=${cand#* }
dir="$CACHE/${pkg}_$ver"
[ -s "$dir/vmlinuz" ] && use "$dir"

say "fetching $pkg $ver"
tmp=$(mktemp -d "$CACHE/.fetch.XXXXXX") || skip "cannot create a temporary directory in $CACHE"
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
# _apt cannot write into a root-only directory; fetching as root is fine here.
if ! (cd "$tmp" && timeout 600 apt-get download -q -o APT::Sandbox::User=root "$pkg=$ver" >&2); then
    c=$(newest_cached)
    [ -n "$c" ] && { say "apt-get download failed; falling back to the cached kernel"; use "$c"; }
    skip "apt-get download $pkg=$ver failed (no network?) and no kernel is cached in $CACHE"
fi
deb=$(ls "$tmp"/*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || skip "apt-get download left no .deb"
dpkg-deb -x "$deb" "$tmp/x" || skip "dpkg-deb -x $deb failed"
mkdir -p "$tmp/keep"
cp "$tmp"/x/boot/vmlinuz-* "$tmp/keep/vmlinuz" &&
    cp "$tmp"/x/boot/config-* "$tmp/keep/config" ||
    skip "$pkg has no /boot/vmlinuz or config"
echo "$pkg $ver" >"$tmp/keep/package"
rm -rf "$dir"
mv "$tmp/keep" "$dir"
say "fetched and extracted $pkg $ver in $(( $(date +%s) - start )) s"
# Keep the two newest kernels (8 MB each); older ones are never booted again.
cached | head -n -2 | while read -r d; do rm -rf "${CACHE:?}/$d"; done
use "$dir"
