# SIGINT to ksurf run in function mode: the command is stopped and every
# top-level file ksurf changed (current_tracer, set_ftrace_pid, options ...)
# is put back, or, where it traced in its own instance, none was changed and
# the instance is gone.
# lab-timeout: 120
. /lab/lib.sh

# A buffer no tracer has used reads "7 (expanded: 1408)", and using any
# tracer expands it for good (then it reads 1410: whole pages). Expand it
# first, as ksurf run does, so that "as before" means the same thing.
exp=$(sed -n 's/.*(expanded: \([0-9]*\)).*/\1/p' $T/buffer_size_kb)
[ -n "$exp" ] && echo "$exp" >$T/buffer_size_kb

grep -qw function_graph $T/available_tracers || skip "no function_graph in this kernel"
snap() {
    for f in current_tracer tracing_on trace_clock buffer_size_kb set_ftrace_pid buffer_percent; do
        echo "## $f"
        cat $T/$f
    done
    grep . $T/options/function-fork $T/options/funcgraph-irqs
    ls $T/instances
}
snap >before
kx_bg 100 run -- sleep 60
# At the top level (6.1) or in ksurf's own instance (6.12, arm64).
armed() { grep -qw function_graph $T/current_tracer $T/instances/ksurf-*/current_tracer 2>/dev/null; }
wait_until 60 armed || {
    kill -9 "$KX_PID"
    kx_wait
    need_armed "ksurf run"
    fail "ksurf run did not start function_graph within 60 s"
}
sleep 1
kill -INT "$KX_PID"
kx_wait
need_armed "ksurf run"
for c in /proc/[0-9]*/comm; do
    [ "$(cat "$c" 2>/dev/null)" = sleep ] && fail "the command survived ksurf's SIGINT"
done
snap >after
diff -u before after || fail "tracefs was left changed after SIGINT"
pass
