# ksurf prints a probe's place as the kernel's own trace does: the same
# kprobe and kretprobe are first armed by hand in a private instance and
# their `trace` text read, then by ksurf; the places must be the same text
# ("(do_sys_openat2+0x0/0x170)", "(do_sys_openat2+0x7b/0x170 <- getname)").
# lab-timeout: 120
. /lab/lib.sh

grep -qw getname /proc/kallsyms || skip "this kernel has no getname symbol"
need_show "kprobes" 'p do_sys_openat2'
I=$T/instances/labtext
cleanup() {
    echo 0 >$I/events/enable 2>/dev/null
    rmdir $I 2>/dev/null
    echo '-:labtext/k' >>$T/kprobe_events 2>/dev/null
    echo '-:labtext/r' >>$T/kprobe_events 2>/dev/null
}
echo 'p:labtext/k do_sys_openat2' >>$T/kprobe_events || fail "the kernel refused a kprobe"
echo 'r:labtext/r getname' >>$T/kprobe_events || { cleanup; fail "the kernel refused a kretprobe"; }
mkdir $I && echo 1 >$I/events/labtext/enable || { cleanup; fail "no instance"; }
cat /proc/version >/dev/null
echo 0 >$I/tracing_on
grep -o ' k: ([^)]*)' $I/trace | sed 's/^ k: //' | sort -u >kernel.k
grep -o ' r: ([^)]*)' $I/trace | sed 's/^ r: //' | sort -u >kernel.r
cleanup
note "kernel: $(head -1 kernel.k) $(head -1 kernel.r)"
[ -s kernel.k ] && [ -s kernel.r ] || fail "the kernel's own trace has no probe lines"

catch_one "kprobe arming" 'p do_sys_openat2' cat /proc/version
place=$(grep -o ' p0: ([^)]*)' "$KX_OUT" | head -1 | sed 's/^ p0: //')
grep -qxF "$place" kernel.k || fail "ksurf's place '$place' is not the kernel's '$(cat kernel.k)'"
state_same before 'p do_sys_openat2'

catch_one "kretprobe arming" 'r getname' cat /proc/version
rplace=$(grep -o ' p0: ([^)]*)' "$KX_OUT" | head -1 | sed 's/^ p0: //')
# getname has several callers: ksurf's must be one the kernel printed, in its words.
grep -qxF "$rplace" kernel.r || note "caller not seen by the kernel's run: '$rplace'"
echo "$rplace" | grep -qE '^\([a-z_0-9.]+\+0x[0-9a-f]+/0x[0-9a-f]+ <- getname\)$' ||
    fail "ksurf's return place '$rplace' is not shaped as the kernel's (caller+off/size <- func)"
state_same before 'r getname'
pass
