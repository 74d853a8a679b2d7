# t TRACEPOINT (tracepoint probes): sched_process_exec's arguments by name,
# with ksurf's own offsets from $argN: the exec'd file and the new pid. A
# kernel whose tracefs/README has no tprobe line (6.1) refuses it before
# arming, naming tracepoint probes; the README says which case this is.
# lab-timeout: 120
. /lab/lib.sh

expr='t sched_process_exec pid=p->pid old=old_pid file=bprm->filename'
tracefs_state >before
if grep -qF 't[:[<group>/][<event>]] <tracepoint>' $T/README; then
    fact "tracepoint probes: yes"
    need_show "tracepoint probes" "$expr"
    has '^t:ksurf/p0 sched_process_exec pid=\+0x[0-9a-f]+\(\$arg1\):s32 old=\$arg2:s32 file=\+0x0\(\+0x[0-9a-f]+\(\$arg3\)\):string' ||
        fail "-S does not print the kernel's tprobe line with \$argN bases"
    kx 60 "$expr" -- /bin/true
    need_armed "tracepoint probes"
    expect_rc0 "ksurf with a tracepoint probe"
    has 'p0: .*pid=([0-9]+) old=\1 file="?/bin/true' ||
        fail "sched_process_exec's pid, old_pid and file name are not those of /bin/true"
    state_same before "$expr"
    pass "tracepoint probe arguments by name"
fi
fact "tracepoint probes: no"
kx 60 "$expr" -- /bin/true
[ "$KX_RC" != 0 ] || fail "ksurf armed a tracepoint probe on a kernel without them"
has 'no tracepoint probes' || fail "the refusal does not name tracepoint probes"
has 'cannot arm|nothing was armed' || fail "the refusal is not one before arming"
state_same before "$expr"
pass "refused before arming, naming tracepoint probes"
