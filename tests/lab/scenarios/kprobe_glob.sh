# Function globs: `ksurf count 'p vfs_*' --by func -- CMD` arms one
# kprobe per probe-able vfs_ function and names the function of each row
# (vfs_open and vfs_read among them); the cap refuses `p *` naming the number
# matched; nothing is left in tracefs. Measures how long arming N kprobes takes.
# lab-timeout: 300
. /lab/lib.sh

[ -e $T/kprobe_events ] || skip "no kprobes (no kprobe_events)"
now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
no_hist_triggers() {
    if grep -l '^hist:' $T/events/*/*/trigger $T/instances/*/events/*/*/trigger 2>/dev/null; then
        fail "$1: a hist trigger was left"
    fi
}
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
pass
