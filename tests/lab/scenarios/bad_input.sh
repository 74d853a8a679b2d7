# Unknown, blacklisted and malformed probes fail cleanly: non-zero exit, a
# message naming the problem, and kprobe_events, instances/ and the rest of
# tracefs exactly as before.
# lab-timeout: 120
. /lab/lib.sh

# Only meaningful once ksurf arms kprobes at all.
tracefs_state >before
kx 40 'p do_sys_openat2' -d 1
need_armed "kprobe arming"
expect_rc0 "a valid probe: ksurf 'p do_sys_openat2' -d 1"
state_same before "a valid probe"

bl=$(blacklisted_function)
[ -n "$bl" ] || fail "no blacklisted function found in /sys/kernel/debug/kprobes/blacklist"
note "blacklisted: $bl"

bad() {
    what=$1; shift
    kx 40 "$@" -d 1
    [ "$KX_RC" = 137 ] && fail "$what: ksurf hung"
    [ "$KX_RC" = 0 ] && fail "$what: ksurf exited 0"
    [ -s "$KX_OUT" ] || fail "$what: ksurf failed without a word"
    state_same before "$what"
}
bad "unknown symbol" 'p no_such_function_ksurf_lab'
has 'no_such_function_ksurf_lab' || fail "the error does not name the unknown symbol"
bad "blacklisted symbol" "p $bl"
has "$bl" || fail "the error does not name the blacklisted symbol"
bad "dangling ->" 'p do_sys_openat2 x=%0->'
bad "unknown member" 'p do_sys_openat2 x=%1->no_such_member'
bad "unknown probe type" 'q do_sys_openat2'
bad "bad register" 'p do_sys_openat2 x=%zz'
# One good probe and one bad one: nothing of the good one may stay behind.
bad "good then unknown" 'p do_sys_openat2' 'p no_such_function_ksurf_lab'
pass
