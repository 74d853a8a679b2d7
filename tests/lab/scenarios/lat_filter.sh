# ksurf lat FUNC f:FILTER in the kernel: the entry's filter gates the
# synthetic event's start histogram (libtracefs's start filter), so only the
# calls whose entry matched are timed: as many as `ksurf count` with the same
# filter on the same command. Filters on comm, on an argument ksurf fetches
# by its BTF name (f:dfd...), on a string argument the expression defines;
# --by pid and --by stack time in user space, saying why. Nothing is left.
# lab-timeout: 300
. /lab/lib.sh

grep -q 'hist:' $T/README || skip "this kernel has no hist triggers (no hist: in README)"
grep -q 'synthetic_events' $T/README || skip "this kernel has no synthetic events"
[ -e $T/kprobe_events ] || skip "no kprobes"
total() { sed -n 's/.*"total":\([0-9]*\).*/\1/p' "$KX_OUT"; }
tracefs_state >before

# Why the start histogram carries the filter: does an event's own filter
# gate a hist trigger on it? (A fact, asked of the kernel by hand.)
echo 'p:labexp/e do_sys_openat2' >>$T/kprobe_events
echo 'comm == "no-such-comm"' >$T/events/labexp/e/filter
echo 'hist:keys=common_pid' >$T/events/labexp/e/trigger
cat /proc/version >/dev/null
hits=$(sed -n 's/^ *Hits: *//p' $T/events/labexp/e/hist)
echo '!hist:keys=common_pid' >$T/events/labexp/e/trigger
echo 0 >$T/events/labexp/e/filter
echo '-:labexp/e' >>$T/kprobe_events
fact "hist trigger hits under an event filter matching nothing: $hits (0: the filter gates triggers)"

cmd='cat /proc/version; cat /proc/version; ls / >/dev/null'
kx 90 count 'p do_sys_openat2 f:comm=="cat"' --json -- sh -c "$cmd"
expect_rc0 "ksurf count with a filter"
count_cat=$(total)
[ -n "$count_cat" ] && [ "$count_cat" -ge 2 ] || fail "count saw fewer than 2 opens by cat"

kx 90 lat do_sys_openat2 --json -- sh -c "$cmd"
expect_rc0 "ksurf lat"
all=$(total)

kx 90 lat do_sys_openat2 'f:comm=="cat"' --json -- sh -c "$cmd"
need_armed "lat with a filter"
expect_rc0 "ksurf lat f:comm"
has 'timing in the kernel' || fail "lat with a filter did not time in the kernel"
lat_cat=$(total)
fact "lat f:comm==cat: $lat_cat (count: $count_cat; lat without the filter: $all)"
[ "$lat_cat" = "$count_cat" ] || fail "lat f:comm==cat timed $lat_cat calls, count $count_cat"
[ "$all" -gt "$lat_cat" ] || fail "the filter kept every call ($all): ls's opens too"
no_fold_leftovers "after lat f:comm"

# The filter inside FUNC's argument, on a string argument it defines.
kx 90 lat 'do_sys_openat2 name=filename:ustring f:name=="/proc/version"' --json -- sh -c "$cmd"
expect_rc0 "ksurf lat with a string filter"
[ "$(total)" = 2 ] || fail "lat f:name==/proc/version timed $(total) calls, not 2"
has '"where":"kernel"' || fail "not timed in the kernel"

# A BTF argument the filter names, fetched by ksurf: cat opens at AT_FDCWD.
kx 90 lat do_sys_openat2 'f:dfd!=-100' --json -- cat /proc/version
expect_rc0 "ksurf lat f:dfd"
[ "$(total)" = 0 ] || fail "f:dfd!=-100 timed $(total) calls of cat"
kx 90 lat do_sys_openat2 'f:dfd==-100 && comm=="cat"' --json -- cat /proc/version
expect_rc0 "ksurf lat f:dfd==-100"
[ "$(total)" -ge 1 ] || fail "f:dfd==-100 timed no call of cat"
# cpu is no field libtracefs's start filter takes: user space, saying so.
kx 90 lat do_sys_openat2 'f:cpu>=0 && comm=="cat"' --json -- cat /proc/version
expect_rc0 "ksurf lat f:cpu"
has 'timing in user space: f: on cpu' || fail "lat f:cpu did not say why it timed in user space"
[ "$(total)" -ge 1 ] || fail "f:cpu>=0 timed no call of cat"
no_fold_leftovers "after lat f:dfd"
state_same before "ksurf lat with filters"

# --by pid: user space, with the reason; the same calls.
kx 90 lat do_sys_openat2 'f:comm=="cat"' --by pid --json -- sh -c "$cmd"
expect_rc0 "ksurf lat --by pid"
has 'timing in user space: --by pid' || fail "lat --by pid did not say why it timed in user space"
has '"where":"user space"' || fail "lat --by pid: where is not user space"
[ "$(total)" = "$count_cat" ] || fail "lat --by pid timed $(total) calls, count $count_cat"
[ "$(grep -o '"pid":"[0-9]*"' "$KX_OUT" | sort -u | wc -l)" = 2 ] ||
    fail "lat --by pid: not one row per cat process"

# --by stack: the kernel stack at each return, in user space.
kx 90 lat do_sys_openat2 --by stack -- cat /proc/version
expect_rc0 "ksurf lat --by stack"
has 'timing in user space: --by stack' || fail "lat --by stack did not say why"
has 'sys_openat\+0x' || fail "lat --by stack shows no frames of the openat syscall"
state_same before "ksurf lat --by pid/stack"

# A filtered lat killed: reset removes its filtered start histogram too.
kx_bg 60 lat vfs_read 'f:comm=="no-such-comm"' -d 50
wait_until 40 sh -c "grep -q ksurf_ $T/synthetic_events || ! kill -0 $KX_PID"
grep -h '^hist:' $T/events/ksurf_*/*/trigger || fail "no start histogram while lat ran"
grep -h '^hist:.*if ' $T/events/ksurf_*/*/trigger || fail "the start histogram has no filter"
kill -9 "$KX_PID"
kx_wait
kx 30 reset
expect_rc0 "ksurf reset after a SIGKILLed filtered lat"
no_fold_leftovers "after kill -9 and reset"
state_same before "ksurf reset after a SIGKILLed filtered lat"
pass
