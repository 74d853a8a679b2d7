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

# A process names itself (here through /proc/self/comm, from the shell's
# builtins): 15 bytes with newlines and "} hitcount:". The kernel's hist prints
# it as it is; ksurf reads it by position, shows it escaped, makes up no row.
kx 90 count 'p vfs_read' --by comm -- sh -c 'echo -ne "\n} hitcount:99\n" >/proc/$$/comm; read x </proc/version; read x </proc/version'
expect_rc0 "ksurf count of a process named with newlines"
has 'counting in the kernel' || fail "count --by comm did not count in the kernel"
has '^ +[0-9]+  \\x0a} hitcount:99\\x0a$' || fail "the self-named process's row is not there, escaped"
has '^ +99 *$' && fail "a row was made up from a process name"
has 'could not be read' && fail "the self-named process's row could not be read"

# --linear in the kernel: .buckets=STEP divides the u64 value and knows no
# MIN,MAX; ksurf puts each bucket where user space puts its values. dd's read
# of a directory is EISDIR (-21): [-30, -20), not the kernel's -26; a 200-byte
# read is above MAX: the last bucket, [90, 100).
kx 90 hist 'r vfs_read n=$retval' --of n --linear -100,100,10 -- \
    sh -c 'dd if=/ of=/dev/null bs=16 count=1; dd if=/dev/zero of=/dev/null bs=200 count=1'
expect_rc0 "ksurf hist --linear"
has 'counting in the kernel' || fail "hist --linear did not count in the kernel"
has '^\[-30, -20\) +[1-9][0-9]* \|' || fail "hist --linear in the kernel: EISDIR's -21 is not in [-30, -20)"
has '^\[90, 100\) +[1-9][0-9]* \|' || fail "hist --linear in the kernel: the 200-byte read is not in [90, 100)"
has '^\[200, 210\)' && fail "hist --linear in the kernel: a bucket above MAX"
no_hist_triggers "after hist --linear"
state_same before "ksurf hist --linear"

# A signed key: the kernel's hist prints it as a u64 (%llu); ksurf shows -2,
# in the kernel as in user space (-n folds in user space).
if [ -e $T/events/syscalls/sys_exit_openat ]; then
    kx 90 count 'e syscalls/sys_exit_openat' --by ret -- cat /nonexistent
    has 'counting in the kernel' || fail "count --by ret did not count in the kernel"
    has '^ +[0-9]+  -2$' || fail "count --by ret in the kernel: no row for ENOENT's -2"
    has '18446744073709551614' && fail "count --by ret in the kernel: -2 shown as a u64"
    kx 90 count 'e syscalls/sys_exit_openat' --by ret -n 1000000 -- cat /nonexistent
    has 'counting in user space' || fail "count --by ret -n did not count in user space"
    has '^ +[0-9]+  -2$' || fail "count --by ret in user space: no row for ENOENT's -2"
    no_hist_triggers "after count --by ret"
    state_same before "ksurf count --by ret"
else
    note "no syscalls/sys_exit_openat: the signed key is not checked"
fi

kx_bg 60 count 'p vfs_read' --by comm -d 50
wait_until 40 sh -c "grep -q vfs_read $T/kprobe_events || ! kill -0 $KX_PID"
kill -9 "$KX_PID"
kx_wait
kx 30 reset
expect_rc0 "ksurf reset after a SIGKILLed count"
no_hist_triggers "after kill -9 and reset"
state_same before "ksurf reset after a SIGKILLed count"
pass
