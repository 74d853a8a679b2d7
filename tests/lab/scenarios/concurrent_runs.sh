# Two ksurf runs at once, both on do_sys_openat2 with different filters: each
# sees its own events only, and both leave tracefs as it was (surftrace's
# global probe names collide here).
# lab-timeout: 120
. /lab/lib.sh

a='p do_sys_openat2 name=%1 f:comm==cat'
b='p do_sys_openat2 name=%1 f:comm==head'
need_show "kprobes" "$a"
tracefs_state >before
kx_bg 60 "$a" -d 8
pa=$KX_PID
oa=$KX_OUT
kx_bg 60 "$b" -d 8
pb=$KX_PID
ob=$KX_OUT
trigger_while "$pa" 50 sh -c 'head -c 1 /proc/cmdline; cat /proc/version'
KX_PID=$pa; KX_OUT=$oa; kx_wait; ra=$KX_RC
KX_PID=$pb; KX_OUT=$ob; kx_wait; rb=$KX_RC
need_armed "kprobe arming" "$oa"
need_armed "kprobe arming" "$ob"
[ "$ra" = 0 ] || fail "run A exited $ra"
[ "$rb" = 0 ] || fail "run B exited $rb"
has '/proc/version' "$oa" || fail "run A saw no open of /proc/version"
has '/proc/cmdline' "$oa" && fail "run A saw run B's event (/proc/cmdline)"
has '/proc/cmdline' "$ob" || fail "run B saw no open of /proc/cmdline"
has '/proc/version' "$ob" && fail "run B saw run A's event (/proc/version)"
state_same before "two runs at once"
pass
