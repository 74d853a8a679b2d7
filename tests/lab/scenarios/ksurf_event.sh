# A tracepoint through ksurf on the lab kernel: the exec of the command it runs.
. /lab/lib.sh

before=state
tracefs_state >$before
kx 45 'e sched/sched_process_exec' -n 1 -- /bin/true
[ "$KX_RC" = 127 ] && fail "ksurf cannot start"
need_armed "'e' events with -n and -- CMD"
expect_rc0 "e sched/sched_process_exec -- /bin/true"
has 'sched_process_exec' || fail "no sched_process_exec event in the output"
has 'true' || fail "the event does not name /bin/true"
state_same $before "e sched/sched_process_exec"
pass
