# A function that is inlined on this kernel (dev_queue_xmit on 6.1 is an
# inline wrapper of __dev_queue_xmit) fails before anything is armed, with a
# message that names the function doing the work; -S says so too.
# lab-timeout: 90
. /lab/lib.sh

note "kallsyms: $(grep -w -E '(__)?dev_queue_xmit' /proc/kallsyms | tr '\n' ';')"
note "blacklist: $(grep -w dev_queue_xmit /sys/kernel/debug/kprobes/blacklist 2>/dev/null | tr '\n' ';')"
note "filter functions: $(grep -w dev_queue_xmit $T/available_filter_functions | tr '\n' ';')"
if echo 'p:ksurf_lab_probe dev_queue_xmit' >>$T/kprobe_events 2>/dev/null; then
    note "the kernel accepts p dev_queue_xmit"
    echo '-:ksurf_lab_probe' >>$T/kprobe_events
else
    note "the kernel refuses p dev_queue_xmit: $(tail -n 2 $T/error_log | tr '\n' ' ')"
fi
grep -qw __dev_queue_xmit /proc/kallsyms || skip "no __dev_queue_xmit in this kernel"
tracefs_state >before
kx 40 -S 'p dev_queue_xmit skb=%0'
skip_if_not_impl "function checks under -S"
[ "$KX_RC" = 2 ] || fail "-S of an inlined function exited $KX_RC, not 2"
has '__dev_queue_xmit' || fail "-S does not name __dev_queue_xmit"
kx 40 'p dev_queue_xmit' -d 1
[ "$KX_RC" = 2 ] || fail "probing an inlined function exited $KX_RC, not 2"
has '__dev_queue_xmit' || fail "the error does not name __dev_queue_xmit"
has 'Failed to register' && fail "the probe reached the kernel"
kx 40 -S 'p no_such_function_xyz a=%0'
[ "$KX_RC" = 2 ] || fail "-S of an unknown function exited $KX_RC, not 2"
state_same before "inlined function"
pass
