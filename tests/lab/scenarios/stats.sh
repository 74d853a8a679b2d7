# --stats: hit counts per probe (kprobe_profile) at the end of a run.
# lab-timeout: 90
. /lab/lib.sh

expr='p do_sys_openat2'
need_show "kprobes" "$expr"
tracefs_state >before
kx_bg 60 --stats "$expr" -d 4
trigger_while "$KX_PID" 50 cat /proc/version
kx_wait
need_armed "--stats"
expect_rc0 "ksurf --stats -d 4"
# A line about the probe holding a count of at least one (the symbol's own
# digit does not count).
grep -iE 'do_sys_openat2|hit' "$KX_OUT" | sed 's/do_sys_openat2//g' |
    grep -qE '(^|[^0-9A-Za-z_.])[1-9][0-9]*([^0-9A-Za-z_.]|$)' ||
    fail "no hit count for do_sys_openat2"
state_same before "--stats $expr"
pass
