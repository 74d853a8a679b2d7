# Two ksurf runs at once on the same function, one kprobe and one kretprobe:
# each sees its own events only (surftrace's global probe names collide
# here), both exit 0, and tracefs is left as it was.
# lab-timeout: 120
. /lab/lib.sh

a='p do_sys_openat2 name=%1'
b='r do_sys_openat2 fd=$retval'
need_show "kprobes" "$a"
tracefs_state >before
kx_bg 60 "$a" -d 8
pa=$KX_PID
oa=$KX_OUT
kx_bg 60 "$b" -d 8
pb=$KX_PID
ob=$KX_OUT
trigger_while "$pa" 50 cat /proc/version
KX_PID=$pa; KX_OUT=$oa; kx_wait; ra=$KX_RC
KX_PID=$pb; KX_OUT=$ob; kx_wait; rb=$KX_RC
need_armed "kprobe arming" "$oa"
need_armed "kretprobe arming" "$ob"
[ "$ra" = 0 ] || fail "run A exited $ra"
[ "$rb" = 0 ] || fail "run B exited $rb"
has 'name=.*/proc/version' "$oa" || fail "run A saw no open of /proc/version"
has 'fd=' "$oa" && fail "run A shows run B's field fd="
has 'fd=' "$ob" || fail "run B saw no return of do_sys_openat2"
has 'name=' "$ob" && fail "run B shows run A's field name="
state_same before "two runs at once"
pass
