# Function globs: `ksurf count 'p vfs_*' --by func -- CMD` arms one
# kprobe per probe-able vfs_ function and names the function of each row
# (vfs_open and vfs_read among them); the cap refuses `p *` naming the number
# matched; nothing is left in tracefs. Measures how long arming N kprobes takes.
# With --fprobe-funcs N, where the README has fprobe events (6.12), the same
# globs are armed as f events (dynamic_events shows f: lines while armed),
# count/who/hist/streams still name each function, and kill -9 + ksurf reset
# leave nothing; without them (6.1) the option keeps kprobes.
# lab-timeout: 700
. /lab/lib.sh

[ -e $T/kprobe_events ] || skip "no kprobes (no kprobe_events)"
now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
F=$PWD/glob-file.txt
echo "sixteen bytes..." >"$F"

need_show "a function glob" 'p vfs_*'
kx 60 -S 'p vfs_*'
expect_rc0 "ksurf -S 'p vfs_*'"
n=$(grep -c '^p:ksurf/p[0-9]* vfs_' "$KX_OUT")
fact "p vfs_* matches: $n probe-able functions"
[ "$n" -gt 2 ] || fail "'p vfs_*' expanded to $n probes"
has '^p:ksurf/p[0-9]* vfs_read$' || fail "-S has no probe on vfs_read"
has '^p:ksurf/p[0-9]* vfs_open$' || fail "-S has no probe on vfs_open"

# The cap: every function is far more than 1000.
kx 60 -S 'p *'
[ "$KX_RC" = 2 ] || fail "'p *' was not refused as bad input (exit $KX_RC)"
has "matches [0-9]+ probe-able functions, over the cap of 1000" ||
    fail "the refusal does not name the number matched and the cap"
fact "p * matches: $(sed -n "s/.*'\*' matches \([0-9]*\) probe-able.*/\1/p" "$KX_OUT" | head -n 1)"
kx 60 -S 'p vfs_*' --max-funcs 2
[ "$KX_RC" = 2 ] || fail "--max-funcs 2 did not refuse 'p vfs_*' (exit $KX_RC)"

tracefs_state >before
# busybox cat sendfile()s (vfs_iter_write, no vfs_read); dd read()s.
t0=$(now_ms)
kx 240 count 'p vfs_*' --by func -- sh -c "cat $F; dd if=$F of=/dev/null bs=16 count=1"
t1=$(now_ms)
need_armed "count over a glob"
expect_rc0 "ksurf count 'p vfs_*' --by func"
has '^ +[0-9]+  p vfs_open$' || fail "no row for vfs_open"
has '^ +[0-9]+  p vfs_read$' || fail "no row for vfs_read"
no_hist_triggers "after count over a glob"
state_same before "ksurf count 'p vfs_*'"

# Arming cost: the same run with one function, against all of them.
t2=$(now_ms)
kx 60 count 'p vfs_open' --by func -- sh -c "cat $F; dd if=$F of=/dev/null bs=16 count=1"
t3=$(now_ms)
expect_rc0 "ksurf count 'p vfs_open'"
all=$((t1 - t0))
one=$((t3 - t2))
fact "count 'p vfs_*' ($n kprobes) -- cat: ${all} ms; 'p vfs_open' (1): ${one} ms; about $(((all - one) / (n - 1))) ms per extra kprobe (arm + remove, TCG)"

# Kprobes alone (no hist triggers): arm, stream nothing much, remove.
t4=$(now_ms)
kx 240 'p vfs_*' -- true
t5=$(now_ms)
expect_rc0 "ksurf 'p vfs_*' -- true"
kx 60 'p vfs_open' -- true
t6=$(now_ms)
expect_rc0 "ksurf 'p vfs_open' -- true"
all=$((t5 - t4))
one=$((t6 - t5))
fact "stream 'p vfs_*' ($n kprobes) -- true: ${all} ms; 'p vfs_open': ${one} ms; about $(((all - one) / (n - 1))) ms per extra kprobe (arm + remove, TCG)"

# Streaming: each event names its function.
kx 120 'p vfs_*' -n 3 -- cat "$F"
expect_rc0 "ksurf 'p vfs_*' -n 3"
has ': p[0-9]+: \(vfs_[a-z_]+\+0x[0-9a-f]+/' || fail "the streamed events do not name their functions"
state_same before "ksurf 'p vfs_*' streaming"

# --fprobe-funcs: fprobe events where the kernel has them, kprobes elsewhere.
if ! grep -qF 'f[:[<group>/][<event>]] <func-name>[%return]' $T/README; then
    kx 60 -S 'p vfs_*' --fprobe-funcs 2
    expect_rc0 "ksurf -S 'p vfs_*' --fprobe-funcs 2"
    has '^p:ksurf/p[0-9]+ vfs_read$' || fail "no fprobe events, yet no kprobe on vfs_read"
    ! has '^f:' || fail "f: lines on a kernel without fprobe events"
    kx 240 count 'p vfs_*' --by func --fprobe-funcs 2 -- sh -c \
        "dd if=$F of=/dev/null bs=16 count=1; grep -c \"^p:ksurf_\$PPID/\" $T/kprobe_events >kcount"
    expect_rc0 "ksurf count 'p vfs_*' --fprobe-funcs 2 (kprobes)"
    has '^ +[0-9]+  p vfs_read$' || fail "no row for vfs_read"
    [ "$(cat kcount)" = "$n" ] || fail "$(cat kcount) kprobes armed, not $n"
    state_same before "--fprobe-funcs on a kernel without fprobe events"
    fact "fprobe globs: no fprobe events, $n kprobes"
    pass
fi
kx 60 -S 'p vfs_*' --fprobe-funcs 2
expect_rc0 "ksurf -S 'p vfs_*' --fprobe-funcs 2"
[ "$(grep -c '^f:ksurf/p[0-9]* vfs_' "$KX_OUT")" = "$n" ] || fail "-S has not $n f: lines"
has '^f:ksurf/p[0-9]+ vfs_read$' || fail "-S has no fprobe on vfs_read"
has "'vfs_\*': $n fprobe events \(f FUNC\), not kprobes" || fail "no note saying fprobes"
kx 60 -S 'r vfs_* n=$retval' --fprobe-funcs 2
has '^f:ksurf/p[0-9]+ vfs_read%return n=\$retval:s64$' || fail "-S has no fprobe exit on vfs_read"
kx 60 -S "p vfs_* a=$(argreg 0)" --fprobe-funcs 2
has "^p:ksurf/p[0-9]+ vfs_read a=$(argreg 0)\$" || fail "a register argument did not keep kprobes"
! has '^f:' || fail "f: lines for a glob reading a register"
kx 60 -S 'p vfs_*' --fprobe-funcs 1000
! has '^f:' || fail "f: lines below the --fprobe-funcs threshold"

t0=$(now_ms)
kx 240 count 'p vfs_*' --by func --fprobe-funcs 2 -- sh -c \
    "cat $F; dd if=$F of=/dev/null bs=16 count=1; grep -c \"^f:ksurf_\$PPID/\" $T/dynamic_events >fcount"
t1=$(now_ms)
expect_rc0 "ksurf count 'p vfs_*' --fprobe-funcs 2"
has '^ +[0-9]+  p vfs_open$' || fail "fprobes: no row for vfs_open"
has '^ +[0-9]+  p vfs_read$' || fail "fprobes: no row for vfs_read"
[ "$(cat fcount)" = "$n" ] || fail "$(cat fcount) f: events armed, not $n"
no_hist_triggers "after count over a glob of fprobes"
state_same before "ksurf count 'p vfs_*' --fprobe-funcs 2"
fact "count 'p vfs_*' --fprobe-funcs 2 ($n fprobe events) -- cat: $((t1 - t0)) ms"

kx 240 hist 'r vfs_* n=$retval' --of n --fprobe-funcs 2 -- dd if=$F of=/dev/null bs=16 count=1
expect_rc0 "ksurf hist 'r vfs_* n=\$retval' --fprobe-funcs 2"
has '^\[16, 32\) +[1-9]' || fail "fprobe exits: the 16-byte read is not in the [16, 32) bucket"
state_same before "ksurf hist 'r vfs_*' --fprobe-funcs 2"

kx 240 'p vfs_*' -n 3 --fprobe-funcs 2 -- cat "$F"
expect_rc0 "ksurf 'p vfs_*' -n 3 --fprobe-funcs 2"
has ': p[0-9]+: \(vfs_[a-z_]+\+0x[0-9a-f]+/' || fail "fprobes: the streamed events do not name their functions"
state_same before "ksurf 'p vfs_*' --fprobe-funcs 2 streaming"

kx 240 who 'vfs_*' --fprobe-funcs 2 -- cat "$F"
expect_rc0 "ksurf who 'vfs_*' --fprobe-funcs 2"
has ' vfs_[a-z_]+\(' || fail "who over fprobes does not name the functions called"
state_same before "ksurf who 'vfs_*' --fprobe-funcs 2"

# kill -9 while armed: ksurf reset removes the f events.
kx_bg 300 'p vfs_*' --fprobe-funcs 2 -d 250
wait_until 200 grep -q '^f:ksurf_[0-9]*/' $T/dynamic_events || fail "no f: events appeared"
owner=$(sed -n 's/^f:ksurf_\([0-9]*\)\/.*/\1/p' $T/dynamic_events | head -n 1)
# every event defined: the instance's tracing is on
wait_until 200 grep -q 1 "$T/instances/ksurf-$owner/tracing_on" || fail "never armed"
kill -9 "$owner"
kx_wait
grep -q "^f:ksurf_$owner/" $T/dynamic_events || fail "no f: events left to reset after kill -9"
kx 300 reset
expect_rc0 "ksurf reset"
has "removed dynamic event ksurf_$owner/p" || fail "reset did not say it removed the f events"
! grep -q "ksurf_$owner/" $T/dynamic_events || fail "ksurf reset left f: events"
state_same before "kill -9 with fprobe events, then ksurf reset"
fact "fprobe globs: $n f: events armed, counted, removed"
pass
