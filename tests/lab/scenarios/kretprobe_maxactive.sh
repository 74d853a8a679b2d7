# r16: a kretprobe with maxactive 16. The kernel must get "r16:" (it lists the
# probe with its maxactive while ksurf runs) and the probe must still fire.
# lab-timeout: 90
. /lab/lib.sh

expr='r16 do_sys_openat2 fd=$retval f:fd==-2'
need_show "kretprobes with maxactive" "$expr"
ksurf -S "$expr" | grep -q '^r16:' || fail "-S does not write r16:"
tracefs_state >before
kx_bg 60 "$expr" -n 1
# While it runs, the kernel's own list shows the maxactive.
armed=
for i in $(seq 1 100); do
    if grep -q '^r16:ksurf_' $T/kprobe_events; then armed=1; break; fi
    sleep 0.1
done
trigger_while "$KX_PID" 50 cat /nonexistent-lab-file
kx_wait
need_armed "kretprobe arming"
expect_rc0 "no event within 60 s, or ksurf failed"
[ -n "$armed" ] || fail "kprobe_events never listed an r16: probe of ksurf's"
has 'fd=-2([^0-9]|$)' || fail "\$retval is not shown as the signed -2"
state_same before "$expr"
pass
