# ksurf who do_syslog names the process that reads and clears the kernel log
# (seed 002's case): busybox dmesg -c here (it has no -C).
# lab-timeout: 90
. /lab/lib.sh

tracefs_state >before
kx_bg 60 who do_syslog -d 6
trigger_while "$KX_PID" 50 dmesg -c
kx_wait
need_armed "ksurf who"
expect_rc0 "ksurf who do_syslog -d 6"
has 'dmesg' || fail "dmesg is not named"
state_same before "ksurf who do_syslog"
pass
