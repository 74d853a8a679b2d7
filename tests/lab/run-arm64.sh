#!/bin/sh
# The lab-arm64 fixture: bring the aarch64 cross build of ksurf up to date,
# then boot it in Debian's arm64 6.12 kernel (run-lab.sh arm64).
#
#   run-arm64.sh OUT_DIR ARM64_BUILD_DIR LAB_SOURCE_DIR
#
# The cross build is configured by `KSURF_ARCH=arm64 scripts/setup build`
# (toolchain cmake/aarch64-linux-gnu.cmake). Without it, or when it cannot be
# built here, every arm64 scenario is skipped with that reason.
set -u
out=$1
bdir=$2
src=$3
res=$out/results

skip_all() {
    rm -rf "$res"
    mkdir -p "$res"
    echo "$*" >"$res/SKIP-ALL"
    echo "SKIP: $*"
    exit 77
}

[ -e "$bdir/CROSS-BUILD-SKIPPED" ] && skip_all "no aarch64 ksurf: $(cat "$bdir/CROSS-BUILD-SKIPPED")"
[ -e "$bdir/CMakeCache.txt" ] ||
    skip_all "no aarch64 cross build in $bdir (KSURF_ARCH=arm64 scripts/setup build makes one)"
mkdir -p "$out"
start=$(date +%s)
if ! cmake --build "$bdir" --target ksurf -j"${KSURF_LAB_BUILD_JOBS:-2}" >"$out/cross-build.log" 2>&1; then
    tail -n 30 "$out/cross-build.log"
    echo "FAIL: the aarch64 cross build in $bdir failed (log: $out/cross-build.log)"
    exit 1
fi
echo "cross build: up to date in $(($(date +%s) - start)) s"
exec sh "$src/run-lab.sh" "$out" "$bdir/ksurf" "$src" arm64
