#!/bin/sh
# Process start to all lines printed for `-S` with 1 and with 100 expressions
# against the host BTF. Uses `ksurf -S` when the CLI has it, and always the
# compile API alone (compile_bench, built here from the build directory's
# libksurf_core.a).
# Usage: bench/compile/run.sh [BUILD_DIR]   (default build-compile)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${1:-$src/build-compile}
runs=${RUNS:-30}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --build "$build" --target ksurf_core >/dev/null
g++ -std=c++23 -O2 -I"$src/src" "$here/compile_bench.cpp" "$build/libksurf_core.a" \
    $(pkg-config --libs libbpf libelf) -o "$work/compile_bench"

# 100 expressions: the typed forms (member chains, casts, packets, filters).
one='p wake_up_new_task users=S%0->mm->mm_users comm=%0->comm'
i=0
: > "$work/100.txt"
while [ $i -lt 25 ]; do
    cat >> "$work/100.txt" <<EXPRS
p wake_up_new_task users=S%0->mm->mm_users comm=%0->comm pid=%0->pid
p do_sys_openat2 name=filename:ustring fd=dfd f:fd>=0
r alloc_file_pseudo m=\$retval->f_mode pos=\$retval->f_pos
p netif_receive_skb proto=@(struct iphdr *)l3%0->protocol ip_src=@(struct iphdr *)%0->saddr f:proto==1&&ip_src==127.0.0.1
EXPRS
    i=$((i + 1))
done

# median and min wall time in ms of a command, over $runs runs
measure() {
    python3 - "$runs" "$@" <<'PY'
import subprocess, sys, time
runs = int(sys.argv[1]); cmd = sys.argv[2:]
times = []
for _ in range(runs):
    t = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    times.append((time.perf_counter() - t) * 1000)
    if r.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(cmd), r.stderr.decode()))
times.sort()
print("median %6.1f ms  min %6.1f ms" % (times[len(times) // 2], times[0]))
PY
}

echo "compile API (compile_bench), $runs runs each:"
printf '  1 expression:    '; measure "$work/compile_bench" "$one"
printf '  100 expressions: '; measure "$work/compile_bench" -f "$work/100.txt"
printf '  e/untyped only:  '; measure "$work/compile_bench" 'p kernel_clone+21 r=%r12'
if [ -x "$build/ksurf" ] && "$build/ksurf" -S "$one" 2>/dev/null | grep -q '^p:'; then
    echo "ksurf -S:"
    printf '  1 expression:    '; measure "$build/ksurf" -S "$one"
    printf '  100 expressions: '; measure "$build/ksurf" -S -f "$work/100.txt"
else
    echo "ksurf -S: not wired in this build yet"
fi
