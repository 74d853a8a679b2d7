# --stats: hit counts per probe (kprobe_profile) at the end of a run, equal to
# the number of calls the scenario made: three sync(2) calls, three ksys_sync hits.
# lab-timeout: 90
. /lab/lib.sh

grep -qw ksys_sync /proc/kallsyms || skip "this kernel has no ksys_sync symbol"
expr='p ksys_sync'
need_show "kprobes" "$expr"
tracefs_state >before
kx 60 --stats "$expr" -- sh -c 'sync; sync; sync'
need_armed "--stats"
expect_rc0 "ksurf --stats -- sh -c 'sync; sync; sync'"
has "'p ksys_sync': 3 hits, 0 missed" || fail "kprobe_profile hits are not 3"
[ "$(grep -c ': p0:' "$KX_OUT")" = 3 ] || fail "not 3 events streamed"
state_same before "--stats $expr"
pass
