# The lab kernel has what ksurf's kprobe work needs, and a kprobe written by
# hand works: this validates the lab itself. Also records (FACT lines) what
# the team needs to know about each lab kernel's tracefs.
# lab-timeout: 180
. /lab/lib.sh
readme_has() { grep -qF -- "$1" $T/README; }
yesno() { if "$@"; then echo yes; else echo no; fi; }

fact "kernel: $(uname -r) $ARCH"
[ -e $T/kprobe_events ] || fail "no $T/kprobe_events"
grep -qw function_graph $T/available_tracers || fail "function_graph not in available_tracers: $(cat $T/available_tracers)"
[ -e /sys/kernel/btf/vmlinux ] || fail "no /sys/kernel/btf/vmlinux"
fact "available_tracers: $(cat $T/available_tracers)"
fact "btf vmlinux bytes: $(wc -c </sys/kernel/btf/vmlinux)"
for f in kprobe_profile dynamic_events uprobe_events error_log set_ftrace_pid set_event_pid \
    options/event-fork options/function-fork per_cpu/cpu0/trace_pipe_raw; do
    if [ -e $T/$f ]; then fact "top level has $f: yes"; else fact "top level has $f: no"; fi
done

if ping -c 1 -W 2 127.0.0.1 >/dev/null 2>&1; then fact "ping 127.0.0.1 over lo: yes"; else fail "ping 127.0.0.1 fails: lo is not up"; fi

# A raw kprobe, by hand, the way ksurf will write it.
# c=$comm: the comm at the hit, not the "cat-" the trace prints, which comes
# from the saved_cmdlines cache when the trace is read (on 6.1 it once still
# said "sh" for the freshly exec'd cat: CI failure of 2026-12-02).
echo "p:lab/openat do_sys_openat2 dfd=$(argreg 0) c=\$comm" >>$T/kprobe_events || fail "cannot write a kprobe to kprobe_events"
note "kprobe_events: $(cat $T/kprobe_events)"
echo >$T/trace
echo 1 >$T/events/lab/openat/enable || fail "cannot enable lab/openat"
cat /proc/version >/dev/null
echo 0 >$T/events/lab/openat/enable
cat $T/trace >trace.txt
grep -E 'openat: \(do_sys_openat2\+0x0/.*\) dfd=.* c="cat"' trace.txt >hits.txt
note "trace lines from cat: $(wc -l <hits.txt)"
head -n 3 hits.txt
note "kprobe_profile: $(grep openat $T/kprobe_profile)"
echo '-:lab/openat' >>$T/kprobe_events || fail "cannot remove lab/openat"
[ -s hits.txt ] || { cat trace.txt; fail "the raw kprobe did not fire on cat /proc/version"; }
[ -z "$(cat $T/kprobe_events)" ] || fail "kprobe_events not empty after removal: $(cat $T/kprobe_events)"
[ ! -e $T/events/lab ] || fail "events/lab still exists after removal"
fact "raw kprobe sample: $(head -n 1 hits.txt | sed 's/^ *//')"

# Filters on 6.1: the built-in comm field, and string values with and
# without quotes (surftrace writes them bare).
echo "p:lab/openat do_sys_openat2 name=+0($(argreg 1)):ustring" >>$T/kprobe_events || fail "cannot write a kprobe with a ustring"
try_filter() {
    echo >$T/error_log
    if echo "$1" >$T/events/lab/openat/filter 2>/dev/null; then
        fact "filter '$1' on a kprobe event: accepted"
    else
        fact "filter '$1' on a kprobe event: refused; error_log: $(cat $T/error_log | tr '\n' '|')"
    fi
    echo 0 >$T/events/lab/openat/filter
}
try_filter 'comm == "cat"'
try_filter 'comm==cat'
try_filter 'name=="/proc/version"'
try_filter 'name==/proc/version'
try_filter 'name~"/proc/*"'
echo 'comm == "cat"' >$T/events/lab/openat/filter
echo >$T/trace
echo 1 >$T/events/lab/openat/enable
head -c 1 /proc/cmdline >/dev/null
cat /proc/version >/dev/null
echo 0 >$T/events/lab/openat/enable
grep -q 'name="/proc/version"' $T/trace || { cat $T/trace; fail "the comm filter dropped cat's event"; }
grep -q 'name="/proc/cmdline"' $T/trace && { cat $T/trace; fail "the comm filter let head's event through"; }
fact "ustring sample: $(grep openat: $T/trace | head -n 1 | sed 's/^ *//')"
echo '-:lab/openat' >>$T/kprobe_events

# What comm does a busybox applet run from a scenario's shell have? (ksurf
# who names it; busybox sh may re-exec /proc/self/exe for applets.)
echo "p:lab/syslog do_syslog type=$(argreg 0):s32 c=\$comm" >>$T/kprobe_events || fail "cannot probe do_syslog"
echo >$T/trace
echo 1 >$T/events/lab/syslog/enable
run_it() { "$@" >/dev/null 2>&1; }
run_it dmesg -c
dmesg -c >/dev/null
echo 0 >$T/events/lab/syslog/enable
fact "do_syslog callers (dmesg -c via \"\$@\" and directly): $(grep 'syslog:' $T/trace | sed 's/^ *//' | awk '{print $1, $NF}' | sort -u | tr '\n' ' ')"
echo '-:lab/syslog' >>$T/kprobe_events
echo >$T/trace

# A kretprobe with $retval.
echo 'r:lab/openat_ret do_sys_openat2 ret=$retval:s64' >>$T/kprobe_events || fail "cannot write a kretprobe"
echo 1 >$T/events/lab/openat_ret/enable
cat /nonexistent-lab-file 2>/dev/null
echo 0 >$T/events/lab/openat_ret/enable
fact "raw kretprobe sample: $(grep 'openat_ret:' $T/trace | grep ' cat-' | head -n 1 | sed 's/^ *//')"
echo '-:lab/openat_ret' >>$T/kprobe_events
echo >$T/trace

# Instances: which tracers and pid files do they offer?
mkdir $T/instances/labfacts || fail "cannot create an instance"
I=$T/instances/labfacts
fact "instance available_tracers: $(cat $I/available_tracers)"
for f in set_ftrace_pid set_event_pid set_ftrace_filter set_graph_function set_ftrace_notrace \
    max_graph_depth options/funcgraph-irqs options/function-fork options/event-fork \
    options/stacktrace trace_pipe_raw per_cpu/cpu0/trace_pipe_raw error_log kprobe_events; do
    if [ -e $I/$f ]; then fact "instance has $f: yes"; else fact "instance has $f: no"; fi
done
if echo function_graph >$I/current_tracer 2>/dev/null; then
    fact "function_graph in an instance: yes"
    fact "instance has options/funcgraph-irqs once function_graph is its tracer: $(yesno test -e $I/options/funcgraph-irqs)"
else
    fact "function_graph in an instance: no (write to current_tracer refused)"
fi
echo nop >$I/current_tracer 2>/dev/null
if echo function >$I/current_tracer 2>/dev/null; then
    fact "function tracer in an instance: yes"
else
    fact "function tracer in an instance: no"
fi
echo nop >$I/current_tracer 2>/dev/null
rmdir $I || fail "cannot remove the instance"

# The table in README's "what the kernel must offer": each feature found the
# way ksurf finds it (tracefs README, a trial write), never by version.
fact "feature kprobes: $(yesno test -e $T/kprobe_events)"
fact "feature fprobe (f) in README: $(yesno readme_has 'f[:[<group>/][<event>]] <func-name>[%return]')"
fact "feature tracepoint probe (t) in README: $(yesno readme_has 't[:[<group>/][<event>]] <tracepoint>')"
fact "feature eprobe (e) in README: $(yesno readme_has 'e[:[<group>/][<event>]] <attached-group>.<attached-event>')"
# 6.1's README lists $arg<N> too (by register); names and fields are the
# BTF part, and only a trial write tells.
fact "feature \$arg<N> in README: $(yesno readme_has '$arg<N>')"
fact "feature hist triggers: $(yesno test -e $T/events/sched/sched_switch/hist)"
fact "feature synthetic events: $(yesno test -e $T/synthetic_events)"
# Trial writes into dynamic_events, each removed at once.
try_dyn() {
    if echo "$2" >>$T/dynamic_events 2>/dev/null; then
        echo "-:$3" >>$T/dynamic_events
        fact "trial $1: accepted ($2)"
    else
        fact "trial $1: refused ($2): $(tail -n 2 $T/error_log | tr '\n' '|')"
    fi
}
try_dyn "fprobe" 'f:lab/fp vfs_read' lab/fp
try_dyn "fprobe %return" 'f:lab/fpr vfs_read%return r=$retval' lab/fpr
try_dyn "tracepoint probe" 't:lab/tp sched_switch' lab/tp
try_dyn "eprobe ustring" 'e:lab/ep syscalls.sys_enter_openat fn=+0($filename):ustring' lab/ep
try_dyn "BTF args on a kprobe" 'p:lab/ba vfs_read file count' lab/ba
try_dyn "BTF ARG->field on a kprobe" 'p:lab/bf vfs_read f=file->f_flags' lab/bf
[ -z "$(cat $T/dynamic_events)" ] || fail "dynamic_events not empty after the trials: $(cat $T/dynamic_events)"

# The kprobe blacklist and what error_log says about bad lines.
if [ -r /sys/kernel/debug/kprobes/blacklist ]; then
    fact "kprobe blacklist: /sys/kernel/debug/kprobes/blacklist (debugfs), $(wc -l </sys/kernel/debug/kprobes/blacklist) entries, e.g. $(head -n 1 /sys/kernel/debug/kprobes/blacklist | tr '\t' ' ')"
else
    fact "kprobe blacklist: /sys/kernel/debug/kprobes/blacklist not readable"
fi
bl=$(blacklisted_function)
try_bad() {
    echo >$T/error_log
    if echo "$2" >>$T/kprobe_events 2>err.txt; then
        res="accepted (!)"
        echo "-:${2#p:}" | awk '{print $1}' >>$T/kprobe_events
    else
        res="refused: $(sed 's/.*: //' err.txt)"
    fi
    fact "$1: '$2' $res"
    fact "$1 error_log: $(cat $T/error_log | tr '\n' '|')"
}
try_bad "bad fetcharg" 'p:lab/bad do_sys_openat2 x=%zz'
try_bad "bad type" "p:lab/bad do_sys_openat2 x=$(argreg 0):u99"
try_bad "unknown symbol" 'p:lab/bad no_such_function_ksurf_lab'
try_bad "blacklisted symbol" "p:lab/bad $bl"
try_bad "mid-instruction offset" 'p:lab/bad do_sys_openat2+1'
[ -z "$(cat $T/kprobe_events)" ] || fail "kprobe_events not empty after the bad lines: $(cat $T/kprobe_events)"
pass "kprobes, kretprobes, function_graph and BTF are there"
