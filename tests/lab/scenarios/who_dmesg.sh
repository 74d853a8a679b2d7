# ksurf who do_syslog names the process that reads and clears the kernel log
# (seed 002's case): busybox dmesg -c here (it has no -C).
# lab-timeout: 90
. /lab/lib.sh

tracefs_state >before
kx_bg 60 who do_syslog -d 6
# Both by path and by bare name: busybox sh runs a bare applet name by
# re-executing /proc/self/exe, and the applet then renames itself (prctl) to
# dmesg, the comm the kernel has when do_syslog is called.
clear_log() { /bin/dmesg -c; dmesg -c; }
trigger_while "$KX_PID" 50 clear_log
kx_wait
need_armed "ksurf who"
expect_rc0 "ksurf who do_syslog -d 6"
has 'dmesg' || fail "dmesg is not named"
has '[0-9] +exe ' && fail "ksurf who names the comm at exec time (exe), not the one at the call (dmesg)"
state_same before "ksurf who do_syslog"
pass
