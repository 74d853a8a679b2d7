# A ksurf killed with SIGKILL cannot clean up; the next run must remove what
# it left (its probes and instance) and leave tracefs as it was before both.
# lab-timeout: 120
. /lab/lib.sh

tracefs_state >before
kx_bg 60 'p do_sys_openat2' -d 50
wait_until 40 sh -c "grep -q do_sys_openat2 $T/kprobe_events || ! kill -0 $KX_PID"
if ! grep -q do_sys_openat2 $T/kprobe_events; then
    kill -9 "$KX_PID" 2>/dev/null
    kx_wait
    need_armed "kprobe arming"
    fail "ksurf did not arm its probe within 40 s"
fi
kill -9 "$KX_PID"
kx_wait
tracefs_state >after-kill
note "left behind by the killed run:"
diff -u before after-kill
diff -q before after-kill >/dev/null && note "(nothing)"

kx 60 'p vfs_read' -d 2
need_armed "kprobe arming"
expect_rc0 "the run after the killed one"
state_same before "the run after a SIGKILLed run"
pass
