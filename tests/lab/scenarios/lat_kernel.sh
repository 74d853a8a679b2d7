# ksurf lat in the kernel: a synthetic event between do_sys_openat2's entry
# and return (onmatch().trace()), bucketed by a hist trigger on ksurf's
# instance. Its total equals `ksurf count` of the entry on the same command,
# and nothing is left: no hist trigger in any trigger file, no synthetic
# event, no dynamic event, no instance; also after kill -9 and `ksurf reset`.
# lab-timeout: 300
. /lab/lib.sh

grep -q 'hist:' $T/README || skip "this kernel has no hist triggers (no hist: in README)"
grep -q 'synthetic_events' $T/README || skip "this kernel has no synthetic events"
[ -e $T/kprobe_events ] || skip "no kprobes"
tracefs_state >before
kx 90 count 'p do_sys_openat2' --json -- cat /proc/version
expect_rc0 "ksurf count"
count_total=$(sed -n 's/.*"total":\([0-9]*\).*/\1/p' "$KX_OUT")
[ -n "$count_total" ] && [ "$count_total" -gt 0 ] || fail "no total in count's JSON"

kx 90 lat do_sys_openat2 --json -- cat /proc/version
need_armed "lat in the kernel"
expect_rc0 "ksurf lat"
has 'timing in the kernel' || fail "lat did not say it timed in the kernel"
has '"where":"kernel"' || fail "lat's JSON does not say where=kernel"
has '"lost":0' || fail "lat's JSON reports a loss"
lat_total=$(sed -n 's/.*"total":\([0-9]*\).*/\1/p' "$KX_OUT")
fact "lat (kernel) do_sys_openat2 of cat: $lat_total, count: $count_total"
[ "$lat_total" = "$count_total" ] || fail "lat counted $lat_total calls, count $count_total"
no_fold_leftovers "after lat"
state_same before "ksurf lat"

kx 90 lat do_sys_openat2 --by comm --unit ns -- cat /proc/version
expect_rc0 "ksurf lat --by comm"
has '^@\[cat\]:$' || fail "no histogram for cat"
has "^count $count_total, mean [0-9.]+ ns$" || fail "no count and mean line for cat"
no_fold_leftovers "after lat --by comm"

# The entry's histogram (top level, by thread) keeps a row for every thread
# that ever called the function, 2048 at most, never forgotten: past that,
# calls go untimed. They are reported as dropped. 2100 subshells, each a new
# pid, each one write to /dev/null.
kx 150 lat vfs_write --json -- sh -c 'i=0; while [ $i -lt 2100 ]; do (echo x >/dev/null); i=$((i+1)); done'
expect_rc0 "ksurf lat over 2100 threads"
dropped=$(sed -n 's/.*"dropped":\([0-9]*\).*/\1/p' "$KX_OUT")
fact "lat vfs_write of 2100 subshells: dropped $dropped, total $(sed -n 's/.*"total":\([0-9]*\).*/\1/p' "$KX_OUT")"
[ -n "$dropped" ] && [ "$dropped" -gt 0 ] || fail "the calls the full entry table left untimed are not reported"
has "hist dropped [0-9]+ events" || fail "no word on stderr of the untimed calls"
no_fold_leftovers "after lat over 2100 threads"

kx_bg 60 lat vfs_read -d 50
wait_until 40 sh -c "grep -q ksurf_ $T/synthetic_events || ! kill -0 $KX_PID"
grep ksurf_ $T/synthetic_events || fail "no synthetic event while lat ran"
kill -9 "$KX_PID"
kx_wait
kx 30 reset
expect_rc0 "ksurf reset after a SIGKILLed lat"
has 'removed dynamic event synthetic/ksurf_[0-9]+_lat' || fail "reset did not remove the synthetic event"
no_fold_leftovers "after kill -9 and reset"
state_same before "ksurf reset after a SIGKILLed lat"

# The next run cleans up too, without reset.
kx_bg 60 lat vfs_read -d 50
wait_until 40 sh -c "grep -q ksurf_ $T/synthetic_events || ! kill -0 $KX_PID"
kill -9 "$KX_PID"
kx_wait
kx 90 lat do_sys_openat2 -- cat /proc/version
expect_rc0 "ksurf lat after a SIGKILLed one"
has 'removed dynamic event synthetic/ksurf_' || fail "the next run did not remove the synthetic event"
no_fold_leftovers "after kill -9 and the next run"
state_same before "the run after a SIGKILLed lat"
pass
