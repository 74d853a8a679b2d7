#!/bin/sh
# `ksurf run` (event mode on a kernel without the function tracer) at its
# defaults on a command making N = 1,000,000 getppid() calls, beside the
# command alone, `perf trace -s` and `strace -f -c` on the same command, in
# the same run. Reports, as medians over RUNS runs:
#   loop   - the command's own loop time (how much tracing slows the command)
#   wall   - start to exit of the whole thing (ksurf: arming, streaming, the
#            report written to /dev/null, teardown)
#   rss    - peak RSS of the tracer (/usr/bin/time %M)
# and, for ksurf, the events it read and lost (lost must be 0) and the calls
# the summary counted (must be N).
# Usage: bench/run/run.sh [BUILD_DIR]   (default build-run); N=... RUNS=...
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${1:-$src/build-run}
n=${N:-1000000}
runs=${RUNS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --build "$build" --target ksurf >/dev/null
cc -O2 -o "$work/syscalls" "$here/syscalls.c"
ksurf=$build/ksurf

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
max() { sort -g | tail -n 1; }
# timed NAME CMD...: wall, loop and peak RSS of one run into $work/NAME.*
timed() {
    name=$1
    shift
    t0=$(now)
    /usr/bin/time -f %M -o "$work/rss" "$@" >"$work/out" 2>"$work/err" || true
    t1=$(now)
    echo "$t1 - $t0" | bc -l >>"$work/$name.wall"
    awk '/^loop/ {print $2}' "$work/err" >>"$work/$name.loop"
    tail -n 1 "$work/rss" >>"$work/$name.rss"
}

for t in alone ksurf folded perf strace; do : >"$work/$t.wall"; : >"$work/$t.loop"; : >"$work/$t.rss"; done
: >"$work/ksurf.lost"; : >"$work/ksurf.read"; : >"$work/ksurf.calls"
i=0
while [ $i -lt "$runs" ]; do
    timed alone "$work/syscalls" "$n"

    timed ksurf "$ksurf" run -- "$work/syscalls" "$n"
    # "ksurf: 2000165 events read; lost: none" (or "lost: cpu0 12, cpu1 3")
    summary=$(grep 'events read' "$work/err" | tail -n 1)
    echo "$summary" | sed -n 's/.*ksurf: \([0-9]*\) events read.*/\1/p' >>"$work/ksurf.read"
    echo "$summary" | sed -n 's/.*lost: //p' | tr ',' '\n' |
        awk '/none/ {s += 0} /cpu/ {s += $2} END {print s + 0}' >>"$work/ksurf.lost"
    # The summary table's getppid row: CALLS first.
    awk '$NF == "getppid" && $1 ~ /^[0-9]+$/ {print $1; exit}' "$work/out" >>"$work/ksurf.calls"
    cp "$work/out" "$work/ksurf.out"

    timed folded "$ksurf" run --folded -- "$work/syscalls" "$n"
    timed perf perf trace -s -- "$work/syscalls" "$n"
    timed strace strace -f -c -o /dev/null -- "$work/syscalls" "$n"
    i=$((i + 1))
done

echo "ksurf run bench: $n getppid() calls, median of $runs runs, $(nproc) CPUs, $(uname -r)," \
    "load $(cut -d' ' -f1-3 /proc/loadavg)"
head -n 2 "$work/ksurf.out" | tail -n 1
printf '  %-28s %9s %9s %12s\n' "" "loop (s)" "wall (s)" "peak RSS KB"
for t in alone ksurf folded perf strace; do
    case $t in
    alone) label="command alone" ;;
    ksurf) label="ksurf run (defaults)" ;;
    folded) label="ksurf run --folded" ;;
    perf) label="perf trace -s" ;;
    strace) label="strace -f -c" ;;
    esac
    printf '  %-28s %9.3f %9.3f %12s\n' "$label" "$(median <"$work/$t.loop")" \
        "$(median <"$work/$t.wall")" "$(median <"$work/$t.rss")"
done
echo "  ksurf run: events read (median) $(median <"$work/ksurf.read"), lost per run:" \
    "$(tr '\n' ' ' <"$work/ksurf.lost")(max $(max <"$work/ksurf.lost")), getppid calls in" \
    "the summary per run: $(tr '\n' ' ' <"$work/ksurf.calls")"
grep '^# the trees stop' "$work/ksurf.out" || true
