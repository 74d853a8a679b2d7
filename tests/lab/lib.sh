# Helpers for lab scenarios; each scenario starts with ". /lab/lib.sh".
# Runs under busybox sh inside the lab kernel, as root, in its own directory.
#
# A scenario ends with pass, skip REASON or fail REASON (exit 0, 77, 1).
# "FACT key: value" lines (fact) are collected into lab-facts.txt on the host.

T=/sys/kernel/tracing

# The guest's architecture (x86_64 or aarch64): scenarios that name registers
# or arch-specific kernel functions ask these instead of assuming x86.
ARCH=$(uname -m)
# argreg N: the kernel's name (with %) of the register holding integer
# argument N on function entry.
argreg() {
    case $ARCH in
    aarch64) echo "%x$1" ;;
    *) echo "%$(echo "di si dx cx r8 r9" | cut -d' ' -f$(($1 + 1)))" ;;
    esac
}
# Prefix of the system calls' entry functions (__x64_sys_openat,
# __arm64_sys_openat).
case $ARCH in
aarch64) SYS_PREFIX=__arm64_sys_ ;;
*) SYS_PREFIX=__x64_sys_ ;;
esac

pass() { [ $# -gt 0 ] && echo "PASS: $*"; exit 0; }
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
fact() { echo "FACT $*"; }
note() { echo "# $*"; }

# What ksurf would say of a form it does not implement. Every command the
# scenarios use exists, so meeting this fails the scenario: a scenario skips
# only on a missing kernel feature it detected itself, never on ksurf's own
# words, and a usage error (a renamed option) fails it through its exit code.
NOT_IMPL='not yet implemented|not implemented'

_n=0
# kx SECS ARGS...: run ksurf for at most SECS; output in $KX_OUT, status in $KX_RC.
kx() {
    _secs=$1; shift
    _n=$((_n + 1))
    KX_OUT=$PWD/kx.$_n.out
    printf '+ ksurf'; printf " '%s'" "$@"; echo
    timeout -s KILL "$_secs" ksurf "$@" >"$KX_OUT" 2>&1 </dev/null
    KX_RC=$?
    sed 's/^/  | /' "$KX_OUT"
    echo "  (exit $KX_RC)"
}

# kx_bg SECS ARGS...: the same in the background; $KX_PID, then kx_wait.
kx_bg() {
    _secs=$1; shift
    _n=$((_n + 1))
    KX_OUT=$PWD/kx.$_n.out
    printf '+ ksurf'; printf " '%s'" "$@"; echo ' &'
    timeout -s KILL "$_secs" ksurf "$@" >"$KX_OUT" 2>&1 </dev/null &
    KX_PID=$!
}
kx_wait() {
    wait "$KX_PID"
    KX_RC=$?
    echo "+ (background ksurf $KX_PID)"
    sed 's/^/  | /' "$KX_OUT"
    echo "  (exit $KX_RC)"
}

# said_not_impl [FILE]: did ksurf say the feature is not there yet?
said_not_impl() { grep -qiE "$NOT_IMPL" "${1:-$KX_OUT}"; }

# skip_if_not_impl WHAT [FILE]: (the name is kept for the scenarios) fails,
# never skips, when ksurf says WHAT is not implemented.
skip_if_not_impl() {
    if said_not_impl "${2:-$KX_OUT}"; then
        fail "ksurf: $1 not implemented ($(grep -iE "$NOT_IMPL" "${2:-$KX_OUT}" | head -n 1))"
    fi
}

# need_show WHAT EXPR...: `ksurf -S` must turn the expressions into kprobe
# lines (naming their functions); fails otherwise.
need_show() {
    _what=$1; shift
    kx 60 -S "$@"
    skip_if_not_impl "$_what (ksurf -S)"
    [ "$KX_RC" = 0 ] || fail "ksurf -S rejected a valid expression ($_what): exit $KX_RC"
    for _e in "$@"; do
        _sym=$(echo "$_e" | awk '{print $2}' | sed 's/+.*//')
        grep -q -- "$_sym" "$KX_OUT" || fail "ksurf -S printed no probe for $_sym"
    done
}

# need_armed WHAT [FILE]: after a real run, fail if ksurf said the feature is
# not implemented.
need_armed() { skip_if_not_impl "$1" "${2:-$KX_OUT}"; }

# expect_rc0 WHAT
expect_rc0() { [ "$KX_RC" = 0 ] || fail "$1: ksurf exited $KX_RC"; }

# has REGEX [FILE]: grep -E in ksurf's output
has() { grep -qE -- "$1" "${2:-$KX_OUT}"; }

# trigger_while PID SECS CMD...: run CMD every 0.2 s while PID lives (at most SECS).
trigger_while() {
    _pid=$1; _secs=$2; shift 2
    _i=0
    while kill -0 "$_pid" 2>/dev/null && [ "$_i" -lt $((_secs * 5)) ]; do
        "$@" >/dev/null 2>&1
        sleep 0.2
        _i=$((_i + 1))
    done
}

# wait_until SECS CMD...: poll CMD every 0.2 s until it succeeds.
wait_until() {
    _secs=$1; shift
    _i=0
    until "$@" 2>/dev/null; do
        [ "$_i" -ge $((_secs * 5)) ] && return 1
        sleep 0.2
        _i=$((_i + 1))
    done
}

# catch_one WHAT EXPR TRIGGER...: the usual scenario body. Saves tracefs
# (state_same before ... at the end), runs ksurf $KX_OPTS EXPR -n 1 in the
# background while TRIGGER runs every 0.2 s, skips while ksurf says WHAT is
# not there, fails if no event came within 60 s.
catch_one() {
    _what=$1; _expr=$2; shift 2
    tracefs_state >before
    # shellcheck disable=SC2086 # KX_OPTS is a list of options
    kx_bg 60 ${KX_OPTS:-} "$_expr" -n 1
    trigger_while "$KX_PID" 50 "$@"
    kx_wait
    need_armed "$_what"
    expect_rc0 "no event within 60 s, or ksurf failed"
}

# no_hist_triggers WHAT: fail if any trigger file (top level or an
# instance's) still holds a hist trigger.
no_hist_triggers() {
    if grep -l '^hist:' $T/events/*/*/trigger $T/instances/*/events/*/*/trigger 2>/dev/null; then
        fail "$1: a hist trigger was left"
    fi
}
# no_fold_leftovers WHAT: no hist trigger and no synthetic event of ksurf's.
no_fold_leftovers() {
    no_hist_triggers "$1"
    if grep ksurf $T/synthetic_events 2>/dev/null; then fail "$1: a synthetic event was left"; fi
}

# tracefs_state: what a ksurf run must leave as it found it.
tracefs_state() {
    echo "## kprobe_events"; cat $T/kprobe_events
    echo "## dynamic_events"; cat $T/dynamic_events 2>/dev/null
    echo "## uprobe_events"; cat $T/uprobe_events 2>/dev/null
    echo "## synthetic_events"; cat $T/synthetic_events 2>/dev/null
    echo "## instances"; ls $T/instances
    echo "## current_tracer"; cat $T/current_tracer
    echo "## tracing_on"; cat $T/tracing_on
    echo "## set_event"; cat $T/set_event
    echo "## options/stacktrace"; cat $T/options/stacktrace
}
# state_same BEFORE WHAT: fail with a diff if tracefs changed since BEFORE.
state_same() {
    tracefs_state >"$1.now"
    if ! diff -u "$1" "$1.now" >"$1.diff"; then
        cat "$1.diff"
        fail "$2: tracefs was left changed"
    fi
}

# A kprobe-able blacklisted function, read from debugfs.
blacklisted_function() {
    awk '{print $2}' /sys/kernel/debug/kprobes/blacklist 2>/dev/null |
        grep -E '^[a-z_][a-z0-9_]*$' | grep -v '^__' | head -n 1
}
