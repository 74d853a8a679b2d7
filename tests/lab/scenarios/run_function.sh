# ksurf run on a kernel with function_graph: a call tree of `ls /` with the
# open path under its syscall, nothing of ksurf's own setup in it, a summary,
# -g limiting the tree to one subtree (and two -g to two), a forking command showing its
# children, and the top-level tracefs files put back as they were.
# lab-timeout: 400
. /lab/lib.sh

# A buffer no tracer has used reads "7 (expanded: 1408)", and using any
# tracer expands it for good (then it reads 1410: whole pages). Expand it
# first, as ksurf run does, so that "as before" means the same thing.
exp=$(sed -n 's/.*(expanded: \([0-9]*\)).*/\1/p' $T/buffer_size_kb)
[ -n "$exp" ] && echo "$exp" >$T/buffer_size_kb

grep -qw function_graph $T/available_tracers || skip "no function_graph in this kernel"

# Everything ksurf run may change at the top level.
ftrace_state() {
    for f in current_tracer tracing_on trace_clock buffer_size_kb set_ftrace_pid \
        set_graph_function set_ftrace_filter set_ftrace_notrace max_graph_depth set_event \
        set_event_pid buffer_percent; do
        echo "## $f"
        cat $T/$f
    done
    echo "## options"
    grep . $T/options/*
    echo "## instances"
    ls $T/instances
}
ftrace_state >before

kx 200 run -- ls /
need_armed "ksurf run"
expect_rc0 "ksurf run -- ls /"
has '# ksurf run: function mode' || fail "did not run in function mode"
# The open path: do_sys_openat2 right under the openat syscall's entry.
grep -A2 "${SYS_PREFIX}openat()" "$KX_OUT" | grep -q '  do_sys_openat2()' ||
    fail "no do_sys_openat2 under ${SYS_PREFIX}openat"
has '[0-9]+\.[0-9]{3} us +  *do_sys_openat2\(\)' || fail "do_sys_openat2 has no duration"
# ksurf's own writes (tracing_on, set_ftrace_pid, current_tracer) are not traced.
if has 'rb_simple_write|ftrace_pid_write|tracing_set_tracer|ftrace_filter_write'; then
    grep -E 'rb_simple_write|ftrace_pid_write|tracing_set_tracer' "$KX_OUT" | head -n 5
    fail "ksurf's own setup writes are in the trace"
fi
has 'top functions by total time' || fail "no summary"
# Rows of the summary: CALLS TOTAL SELF MAX ERRORS FUNCTION.
[ "$(grep -cE '^ +[0-9]+ +[0-9]+\.[0-9]{3} us +[0-9]+\.[0-9]{3} us .* [a-z_]' "$KX_OUT")" -ge 10 ] ||
    fail "the summary lists no functions with counts"
has '^== ksurf \[' && fail "ksurf's own context switch is in the trace"
first=$(grep -m1 -E ' us  [^ ]' "$KX_OUT")
# x86 enters through x64_sys_call, arm64 through do_el0_svc -> invoke_syscall.
echo "$first" | grep -q 'x64_sys_call\|do_el0_svc\|invoke_syscall\|execve' || fail "the tree does not start at the exec: $first"
fact "run ls: $(grep -c ' us  ' "$KX_OUT") tree lines, $(grep 'events read' "$KX_OUT")"
state_now() { ftrace_state >now; diff -u before now || fail "$1: tracefs was left changed"; }
state_now "ksurf run -- ls /"

kx 200 run -g do_sys_openat2 -- cat /proc/version
expect_rc0 "ksurf run -g do_sys_openat2"
has 'Linux version' || fail "cat's output is missing"
# Every top-level call of the tree (two spaces after the duration) is do_sys_openat2.
roots=$(grep -E '^ *[+-][0-9]+\.[0-9]+ +[0-9]+\.[0-9]+ us  [^ ]' "$KX_OUT")
[ -n "$roots" ] || fail "-g: no tree"
echo "$roots" | grep -v 'do_sys_openat2()' | head -n 3 | grep . && fail "-g: calls outside do_sys_openat2"
state_now "ksurf run -g"

# Two -g: the tree holds both subtrees and nothing else (set_graph_function
# takes one word per write; ksurf writes until every word is taken). dd,
# since busybox cat reads with sendfile.
kx 200 run -g do_sys_openat2 -g ksys_read -- dd if=/proc/version of=/dev/null
expect_rc0 "ksurf run -g do_sys_openat2 -g ksys_read"
roots=$(grep -E '^ *[+-][0-9]+\.[0-9]+ +[0-9]+\.[0-9]+ us  [^ ]' "$KX_OUT")
[ -n "$roots" ] || fail "-g -g: no tree"
echo "$roots" | grep -q 'do_sys_openat2()' || fail "-g -g: no do_sys_openat2 subtree"
echo "$roots" | grep -q 'ksys_read()' || fail "-g -g: no ksys_read subtree"
echo "$roots" | grep -v 'do_sys_openat2()\|ksys_read()' | head -n 3 | grep . &&
    fail "-g -g: calls outside the two functions"
fact "run -g do_sys_openat2 -g ksys_read: $(echo "$roots" | grep -c 'do_sys_openat2()') + $(echo "$roots" | grep -c 'ksys_read()') roots"
state_now "ksurf run -g -g"

# Paths, not bare names: busybox sh runs bare applet names in-process.
kx 200 run -- sh -c '/bin/ls / >/dev/null; /bin/cat /proc/version'
expect_rc0 "ksurf run -- sh -c ..."
has 'Linux version' || fail "cat's output is missing"
for c in ls cat; do has "^== $c \[" || fail "no tree for $c (children not followed)"; done
# sh forks ls, then execs cat in place of itself: two processes.
[ "$(grep -c "^== summary: " "$KX_OUT")" -ge 2 ] || fail "not one summary per process"
state_now "ksurf run -- sh -c ..."

kx 60 run --svg run.svg --max-depth 3 --min-time 5 --no-irqs -- cat /proc/version
expect_rc0 "ksurf run --svg --max-depth --min-time --no-irqs"
grep -q '</svg>' run.svg || fail "no flame graph"
state_now "ksurf run with options"
pass
