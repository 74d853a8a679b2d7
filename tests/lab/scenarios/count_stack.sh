# ksurf count --by stack in the kernel (the hist's stacktrace key, or
# common_stacktrace as 6.5+ names it): the three syncs of one shell come from
# one stack, one row of 3 whose frames, one a line, reach the syscall entry.
# lab-timeout: 120
. /lab/lib.sh

grep -q 'hist:' $T/README || skip "this kernel has no hist triggers (no hist: in README)"
[ -e $T/kprobe_events ] || skip "no kprobes"
tracefs_state >before
kx 90 count 'p ksys_sync' --by stack -- sh -c 'sync; sync; sync'
need_armed "count --by stack in the kernel"
expect_rc0 "ksurf count --by stack"
has 'counting in the kernel' || fail "did not say it counted in the kernel"
has '^ +3$' || fail "the three syncs are not one row of 3"
has '^ +(do_syscall_64|el0_svc_common|invoke_syscall)[.a-z0-9]*\+0x[0-9a-f]+/0x[0-9a-f]+$' ||
    fail "no syscall entry frame (func+off/size) below the row"
state_same before "ksurf count --by stack"
pass
