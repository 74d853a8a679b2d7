# ksurf run with another tracer set at the top level. Where the kernel has
# function_graph inside instances (6.12), ksurf run -- cat FILE runs in
# function mode in its own instance and leaves the top-level tracer, its
# filter and what it recorded as they were; where it has it only at the top
# level (6.1), ksurf run refuses to take the tracer over, naming it.
# lab-timeout: 300
. /lab/lib.sh

grep -qw function_graph $T/available_tracers || skip "no function_graph in this kernel"
grep -qw function $T/available_tracers || skip "no function tracer to set at the top level"
mkdir $T/instances/labprobe || fail "cannot create an instance"
itracers=$(cat $T/instances/labprobe/available_tracers)
rmdir $T/instances/labprobe
fact "instance available_tracers: $itracers"

# Another user's tracer: the function tracer on version_proc_show only, which
# only reading /proc/version calls (all functions would slow the emulated
# kernel to a crawl; vfs_read would trace our own reads of `trace`, which 6.12
# does not pause for, without end).
echo version_proc_show >$T/set_ftrace_filter 2>/dev/null ||
    skip "version_proc_show is not traceable here (set_ftrace_filter refused it)"
echo function >$T/current_tracer || fail "cannot set the top-level function tracer"
cleanup() { echo nop >$T/current_tracer; echo >$T/set_ftrace_filter; echo >$T/trace; }
cat /proc/version >/dev/null
top_state() {
    for f in current_tracer set_ftrace_filter set_ftrace_pid set_graph_function tracing_on \
        trace_clock buffer_size_kb options/function-fork options/funcgraph-irqs; do
        echo "## $f"
        cat $T/$f
    done
}
top_state >before
seen=$(grep -c 'version_proc_show' $T/trace)
[ "$seen" -gt 0 ] || { cleanup; fail "the top-level function tracer recorded no version_proc_show"; }

kx 200 run -- cat /proc/version
if ! echo " $itracers " | grep -q ' function_graph '; then
    has "top-level tracer is in use \(current_tracer is 'function'\)" ||
        { cleanup; fail "ksurf run did not refuse the top-level tracer in use"; }
    [ "$KX_RC" != 0 ] || { cleanup; fail "ksurf run refused but exited 0"; }
    top_state >after
    diff -u before after || { cleanup; fail "a refused ksurf run changed the top level"; }
    cleanup
    pass "function_graph is top-level only here (instances offer: $itracers): refused, naming the tracer"
fi
need_armed "ksurf run"
expect_rc0 "ksurf run -- cat /proc/version beside a top-level tracer"
has 'Linux version' || { cleanup; fail "cat's output is missing"; }
has "# ksurf run: function mode: function_graph in ksurf's own instance" ||
    { cleanup; fail "did not run function_graph in its own instance"; }
# busybox cat copies with sendfile: what it must reach is the file's show().
has ' version_proc_show\(\)' || { cleanup; fail "no version_proc_show in cat's call tree"; }
top_state >after
diff -u before after || { cleanup; fail "ksurf run changed the top-level tracer or its files"; }
now=$(grep -c 'version_proc_show' $T/trace)
[ "$now" -ge "$seen" ] || { cleanup; fail "the top-level trace lost lines: $seen before, $now after"; }
[ "$(cat $T/current_tracer)" = function ] || { cleanup; fail "the top-level tracer changed"; }
ls $T/instances | grep -q . && { ls $T/instances; cleanup; fail "ksurf left an instance"; }
cleanup
pass "function mode in its own instance; the top-level function tracer kept its filter and its $now lines"
