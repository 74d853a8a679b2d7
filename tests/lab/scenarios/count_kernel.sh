# ksurf count in the kernel (hist triggers): three syncs of `sh -c` are
# counted exactly, by comm, and nothing is left behind: no hist trigger in any
# trigger file, no dynamic event, no instance. Then a SIGKILLed count is
# cleaned up by `ksurf reset`.
# lab-timeout: 180
. /lab/lib.sh

grep -q 'hist:' $T/README || skip "this kernel has no hist triggers (no hist: in README)"
[ -e $T/kprobe_events ] || skip "no kprobes"
tracefs_state >before
kx 90 count 'p ksys_sync' --by comm -- sh -c 'sync; sync; sync'
need_armed "count in the kernel"
expect_rc0 "ksurf count"
has 'counting in the kernel' || fail "did not say it counted in the kernel"
has '^ +3  sync$' || fail "sync was not counted exactly 3 times"
no_hist_triggers "after count"
state_same before "ksurf count"

kx 90 count 'p do_sys_openat2' --json -- cat /proc/version
expect_rc0 "ksurf count --json"
count_total=$(sed -n 's/.*"total":\([0-9]*\).*/\1/p' "$KX_OUT")
fact "count do_sys_openat2 of cat: $count_total"
[ -n "$count_total" ] && [ "$count_total" -gt 0 ] || fail "no total in the JSON"

kx 90 lat do_sys_openat2 --json -- cat /proc/version
expect_rc0 "ksurf lat"
lat_total=$(sed -n 's/.*"total":\([0-9]*\).*/\1/p' "$KX_OUT")
fact "lat do_sys_openat2 of cat: $lat_total"
[ "$lat_total" = "$count_total" ] || fail "lat counted $lat_total calls, count $count_total"

# busybox cat uses sendfile; dd reads with read(2): one 16-byte read.
kx 90 hist 'r vfs_read n=$retval' --of n -- dd if=/proc/version of=/dev/null bs=16 count=1
expect_rc0 "ksurf hist"
# bpftrace's buckets: 16 in [16, 32) (the kernel's .log2 alone puts it with 9..15).
has '^\[16, 32\) +1 \|@+ *\|$' || fail "the 16-byte read is not in the [16, 32) bucket"
no_hist_triggers "after hist"
state_same before "ksurf hist"
# Both sides of a power of two: 31 bytes in the same bucket, 15 in the one below.
kx 90 hist 'r vfs_read n=$retval' --of n -- dd if=/proc/version of=/dev/null bs=31 count=1
expect_rc0 "ksurf hist of a 31-byte read"
has '^\[16, 32\) +1 \|@+ *\|$' || fail "the 31-byte read is not in the [16, 32) bucket"
kx 90 hist 'r vfs_read n=$retval' --of n --json -- dd if=/proc/version of=/dev/null bs=15 count=1
expect_rc0 "ksurf hist --json of a 15-byte read"
has '"bucket":"\[8, 16\)","count":1,"max":15,"min":8' ||
    fail "the 15-byte read is not in the [8, 16) bucket (JSON min 8, max 15)"
no_hist_triggers "after hist --json"
state_same before "ksurf hist --json"
# A filter and a key: the powers-of-two trigger carries both, in the kernel.
kx 90 hist 'r vfs_read n=$retval f:n>0' --of n --by comm -- dd if=/proc/version of=/dev/null bs=16 count=1
expect_rc0 "ksurf hist with a filter, by comm"
has 'counting in the kernel' || fail "hist with a filter did not count in the kernel"
has '^@\[dd\]:' || fail "hist --by comm: no histogram for dd"
has '^\[16, 32\) +1 \|@+ *\|$' || fail "filtered, by comm: the 16-byte read is not in [16, 32)"
no_hist_triggers "after hist with a filter"
state_same before "ksurf hist with a filter"

kx_bg 60 count 'p vfs_read' --by comm -d 50
wait_until 40 sh -c "grep -q vfs_read $T/kprobe_events || ! kill -0 $KX_PID"
kill -9 "$KX_PID"
kx_wait
kx 30 reset
expect_rc0 "ksurf reset after a SIGKILLed count"
no_hist_triggers "after kill -9 and reset"
state_same before "ksurf reset after a SIGKILLed count"
pass
