#!/bin/bash
# Capture benchmark: a burst of syscalls/sys_enter_getppid from one pinned
# process, read by ksurf (text and JSON, to /dev/null), perf record and
# `cat trace_pipe`, side by side in the same run. Root only.
#
#   bench/capture.sh [burst|defaults|stream|reader] [BUILD_DIR]
#     burst    (default) N=2000000 events per run, RUNS=3 rounds of every tracer
#     defaults the CLI with no tuning options (`ksurf 'e ...' -p PID`, its own
#              buffer size and wake-up) against `perf record`, RUNS=5 rounds:
#              share kept (min and median), CPU seconds and peak RSS of each
#              (KSURF_BASE=/path/to/another/ksurf adds it as "ksurf base")
#     stream   60 s of sched/sched_switch through ksurf: peak RSS (SECS=60)
#     reader   the per-CPU reader alone: ksurf's read(2) against libtracefs'
#              tracefs_cpu_read and tracefs_cpu_buffered_read (splice), the
#              CLI's buffer settings (-b 16384, buffer_percent 1), RUNS=5 rounds
#   env: N, RUNS, GEN_CPU (0), TRACER_CPU (1), SECS,
#        KSURF=/path/to/ksurf to also run the CLI (`ksurf 'e ...' -p PID`)
#
# Every tracer is filtered to the generator's pid, pinned to TRACER_CPU, and
# timed by /usr/bin/time (user+sys CPU seconds, peak RSS of the tracer).
set -u
MODE=${1:-burst}
BUILD=${2:-$(dirname "$0")/../build-capture}
N=${N:-2000000}
RUNS_SET=${RUNS:-}
RUNS=${RUNS:-3}
GEN_CPU=${GEN_CPU:-0}
TRACER_CPU=${TRACER_CPU:-1}
SECS=${SECS:-60}
TRACEFS=/sys/kernel/tracing
B=$BUILD/bench
CAPTURE_BENCH=${CAPTURE_BENCH:-$B/capture_bench} # or a driver built elsewhere
TMP=$(mktemp -d /tmp/ksurf-bench.XXXXXX)
CAT_INST=$TRACEFS/instances/ksurf-bench-cat-$$

cleanup() {
    if [ -d "$CAT_INST" ]; then
        echo 0 >"$CAT_INST/tracing_on"
        echo 0 >"$CAT_INST/events/enable"
        rmdir "$CAT_INST"
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || { echo "capture.sh: run as root" >&2; exit 1; }
[ -e $TRACEFS/README ] || mount -t tracefs nodev $TRACEFS
cmake --build "$BUILD" --target capture_bench getppid_burst >/dev/null ||
    [ -x "$CAPTURE_BENCH" ] || exit 1

# Starts the generator, waiting on a fifo; sets GEN (pid).
start_gen() {
    rm -f "$TMP/go" "$TMP/gen.pid"
    mkfifo "$TMP/go"
    "$B/getppid_burst" "$N" "$GEN_CPU" <"$TMP/go" >"$TMP/gen.pid" &
    GEN_JOB=$!
    exec 3>"$TMP/go"
    until [ -s "$TMP/gen.pid" ]; do sleep 0.01; done
    GEN=$(head -1 "$TMP/gen.pid")
    [ -n "$GEN" ] || { echo "capture.sh: generator did not start" >&2; exit 1; }
}
# Releases the burst and waits for it; sets BURST_S (how long the calls took).
run_gen() {
    echo go >&3
    exec 3>&-
    wait "$GEN_JOB"
    BURST_S=$(sed -n 2p "$TMP/gen.pid")
}
wait_for() { # file pattern
    for _ in $(seq 500); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.01; done
    return 1
}
# Run as: $TIMED "$TMP/time" cmd... &  -- then $! is time's pid and the
# tracer is its only child (taskset execs it). time writes "user sys maxrss_kb".
TIMED="/usr/bin/time -f %U_%S_%M -o"
read_time() { tail -1 "$1" | tr _ ' '; }
tracer_of() { pgrep -P "$1"; }
row() { # name captured cpu_user cpu_sys rss_kb
    local pct cpu
    pct=$(echo "scale=3; 100 * $2 / $N" | bc)
    cpu=$(echo "$3 + $4" | bc)
    printf "%-14s %10s %8s%% %8s %8s %9s %7s\n" "$1" "$2" "$pct" "$cpu" "$3/$4" "$5" "$BURST_S" |
        tee -a "$TMP/rows"
}

bench_ksurf() { # name extra-args...
    local name=$1
    shift
    start_gen
    $TIMED "$TMP/time" taskset -c "$TRACER_CPU" "$CAPTURE_BENCH" -p "$GEN" --wait-pid "$GEN" \
        -d 120 -o /dev/null "$@" 2>"$TMP/err" &
    local job=$!
    wait_for "$TMP/err" ready || { cat "$TMP/err" >&2; return 1; }
    run_gen
    wait $job
    local got
    got=$(sed -n 's/.*records=\([0-9]*\).*/\1/p' "$TMP/err")
    read -r u s m < <(read_time "$TMP/time")
    row "$name" "${got:-0}" "$u" "$s" "$m"
}

bench_ksurf_cli() { # name extra-args...
    local name=$1 bin=$KSURF
    shift
    [ "$name" = "ksurf base" ] && bin=$KSURF_BASE
    start_gen
    $TIMED "$TMP/time" taskset -c "$TRACER_CPU" "$bin" 'e syscalls/sys_enter_getppid' \
        -p "$GEN" "$@" >/dev/null 2>"$TMP/err" &
    local job=$!
    sleep 1.5
    run_gen
    sleep 0.5
    local t
    t=$(tracer_of "$job")
    [ -n "$t" ] && kill -INT "$t" 2>/dev/null
    wait $job
    local got
    # The summary line, or with --json its object: {"events":N,...}
    got=$(sed -n -e 's/.*ksurf: \([0-9]*\) events read.*/\1/p' \
        -e 's/.*"events":\([0-9]*\).*/\1/p' "$TMP/err" | tail -1)
    read -r u s m < <(read_time "$TMP/time")
    row "$name" "${got:-0}" "$u" "$s" "$m"
}

bench_perf() {
    start_gen
    $TIMED "$TMP/time" taskset -c "$TRACER_CPU" perf record -q -e syscalls:sys_enter_getppid \
        -p "$GEN" -o "$TMP/perf.data" 2>"$TMP/err" &
    local job=$!
    sleep 1.5 # perf has no ready signal
    run_gen
    wait $job # perf record ends when its target exits
    local got
    got=$(perf script -i "$TMP/perf.data" -F pid 2>/dev/null | wc -l)
    read -r u s m < <(read_time "$TMP/time")
    row "perf record" "$got" "$u" "$s" "$m"
    rm -f "$TMP/perf.data"
}

bench_cat() {
    start_gen
    mkdir "$CAT_INST"
    echo "common_pid == $GEN" >"$CAT_INST/events/syscalls/sys_enter_getppid/filter"
    echo 1 >"$CAT_INST/events/syscalls/sys_enter_getppid/enable"
    $TIMED "$TMP/time" taskset -c "$TRACER_CPU" cat "$CAT_INST/trace_pipe" >"$TMP/cat.out" &
    local job=$!
    sleep 0.5
    run_gen
    sleep 1
    echo 0 >"$CAT_INST/tracing_on"
    local t
    t=$(tracer_of "$job")
    [ -n "$t" ] && kill -TERM "$t"
    wait $job 2>/dev/null
    local got
    got=$(grep -c "sys_getppid" "$TMP/cat.out")
    read -r u s m < <(read_time "$TMP/time")
    row "cat trace_pipe" "$got" "$u" "$s" "$m"
    echo 0 >"$CAT_INST/events/enable"
    rmdir "$CAT_INST"
}

if [ "$MODE" = defaults ]; then
    RUNS=${RUNS_SET:-5}
    KSURF=${KSURF:-$BUILD/ksurf}
    cmake --build "$BUILD" --target ksurf >/dev/null || exit 1
    echo "burst of $N getppid() on cpu$GEN_CPU; tracers on cpu$TRACER_CPU; $(nproc) CPUs;" \
        "load $(cut -d' ' -f1-3 /proc/loadavg); ksurf with no options, $RUNS runs"
    printf "%-14s %10s %9s %8s %8s %9s %7s\n" tracer captured share cpu_s user/sys rss_kb burst_s
    for run in $(seq "$RUNS"); do
        bench_ksurf_cli "ksurf CLI"
        grep -h "lost" "$TMP/err" | tail -1 | sed 's/^/    /'
        if [ -n "${KSURF_BASE:-}" ]; then
            bench_ksurf_cli "ksurf base"
            grep -h "lost" "$TMP/err" | tail -1 | sed 's/^/    /'
        fi
        bench_perf
    done
    echo
    echo "over $RUNS runs (share: min / median; cpu_s and rss_kb: median / max):"
    median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
    for t in "ksurf CLI" "ksurf base" "perf record"; do
        grep -q "^$t  " "$TMP/rows" || continue
        rows=$(grep "^$t  " "$TMP/rows" | sed "s/^$t  *//")
        share=$(echo "$rows" | awk '{ print $2 }' | tr -d %)
        cpu=$(echo "$rows" | awk '{ print $3 }')
        rss=$(echo "$rows" | awk '{ print $5 }')
        printf "%-12s share %s%% / %s%%  cpu_s %s / %s  rss_kb %s / %s\n" "$t" \
            "$(echo "$share" | sort -n | head -1)" "$(echo "$share" | median)" \
            "$(echo "$cpu" | median)" "$(echo "$cpu" | sort -n | tail -1)" \
            "$(echo "$rss" | median)" "$(echo "$rss" | sort -n | tail -1)"
    done
    exit 0
fi

if [ "$MODE" = reader ]; then
    RUNS=${RUNS_SET:-5}
    echo "burst of $N getppid() on cpu$GEN_CPU; reader on cpu$TRACER_CPU; $(nproc) CPUs;" \
        "load $(cut -d' ' -f1-3 /proc/loadavg); -b 16384 --buffer-percent 1, $RUNS runs"
    printf "%-14s %10s %9s %8s %8s %9s %7s\n" tracer captured share cpu_s user/sys rss_kb burst_s
    for run in $(seq "$RUNS"); do
        bench_ksurf "own read" --reader own -b 16384 --buffer-percent 1
        bench_ksurf "tracefs read" --reader read -b 16384 --buffer-percent 1
        bench_ksurf "tracefs splice" --reader splice -b 16384 --buffer-percent 1
    done
    echo
    echo "over $RUNS runs (median; sys_s is the reading's part):"
    median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
    for t in "own read" "tracefs read" "tracefs splice"; do
        rows=$(grep "^$t  " "$TMP/rows" | sed "s/^$t  *//")
        printf "%-14s share %s%%  cpu_s %s  sys_s %s  rss_kb %s\n" "$t" \
            "$(echo "$rows" | awk '{ print $2 }' | tr -d % | median)" \
            "$(echo "$rows" | awk '{ print $3 }' | median)" \
            "$(echo "$rows" | awk '{ split($4, a, "/"); print a[2] }' | median)" \
            "$(echo "$rows" | awk '{ print $5 }' | median)"
    done
    exit 0
fi

if [ "$MODE" = stream ]; then
    # Context switches to stream: two threads ping-ponging over a pipe.
    perf bench sched pipe -T -l 1000000000 >/dev/null 2>&1 &
    PINGPONG=$!
    trap 'kill $PINGPONG 2>/dev/null; cleanup' EXIT
    echo "ksurf capture, ${SECS}s of sched/sched_switch (all pids, with a pipe ping-pong" \
        "running) to /dev/null"
    for fmt in text json; do
        extra=()
        [ $fmt = json ] && extra=(--json)
        $TIMED "$TMP/time" "$CAPTURE_BENCH" -e sched/sched_switch -d "$SECS" -o /dev/null \
            "${extra[@]}" 2>"$TMP/err"
        read -r u s m < <(read_time "$TMP/time")
        got=$(sed -n 's/.*records=\([0-9]*\).*/\1/p' "$TMP/err")
        lost=$(sed -n 's/.*lost=\([0-9]*\).*/\1/p' "$TMP/err")
        printf "%-5s events=%s lost=%s cpu_s=%s peak_rss_kb=%s\n" $fmt "$got" "$lost" \
            "$(echo "$u + $s" | bc)" "$m"
    done
    kill $PINGPONG
    exit 0
fi

echo "burst of $N getppid() on cpu$GEN_CPU; tracers on cpu$TRACER_CPU; $(nproc) CPUs;" \
    "load $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-14s %10s %9s %8s %8s %9s %7s\n" tracer captured share cpu_s user/sys rss_kb burst_s
for run in $(seq "$RUNS"); do
    bench_ksurf "ksurf text"
    bench_ksurf "ksurf --json" --json
    [ -n "${KSURF:-}" ] && bench_ksurf_cli "ksurf CLI" && bench_ksurf_cli "ksurf CLI json" --json
    bench_perf
    bench_cat
done
echo
echo "median over $RUNS runs:"
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for t in "ksurf text" "ksurf --json" "ksurf CLI" "ksurf CLI json" "perf record" "cat trace_pipe"; do
    grep -q "^$t  " "$TMP/rows" || continue
    rows=$(grep "^$t  " "$TMP/rows" | sed "s/^$t  *//")
    printf "%-14s share %s%%  cpu_s %s  rss_kb %s\n" "$t" \
        "$(echo "$rows" | awk '{ print $2 }' | tr -d % | median)" \
        "$(echo "$rows" | awk '{ print $3 }' | median)" \
        "$(echo "$rows" | awk '{ print $5 }' | median)"
done
