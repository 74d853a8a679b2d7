# ksurf list funcs / func on a kernel with kprobes: every listed
# 'do_sys_open*' function is accepted by kprobe_events, --all marks a
# blacklisted function with its reason, and list func shows do_sys_openat2's
# prototype with its registers and a probe-able symbol.
. /lab/lib.sh

kx 60 list funcs 'do_sys_open*'
skip_if_not_impl "ksurf list funcs"
expect_rc0 "list funcs"
has '^do_sys_openat2$' || fail "do_sys_openat2 not listed"
n=0
for f in $(grep -v '^ksurf' "$KX_OUT" | awk '{print $1}'); do
    echo "p:lab/lf $f" >>$T/kprobe_events 2>/dev/null || fail "kprobe_events refused listed '$f'"
    echo '-:lab/lf' >>$T/kprobe_events
    n=$((n + 1))
done
note "$n listed functions accepted by kprobe_events"
fact "list funcs do_sys_open*: $n"

bl=$(blacklisted_function)
if [ -n "$bl" ]; then
    kx 60 list funcs --all "$bl"
    expect_rc0 "list funcs --all"
    has "^$bl .*blacklist" || fail "--all does not mark blacklisted '$bl'"
    kx 60 list funcs "$bl"
    has "^$bl\$" && fail "blacklisted '$bl' listed as probe-able"
fi

kx 60 list func do_sys_openat2
expect_rc0 "list func"
has 'do_sys_openat2\(int dfd, const char \*filename, struct open_how \*how\)' ||
    fail "no prototype"
has "%0 +$(argreg 0) +int +dfd" || fail "dfd not in $(argreg 0)"
has 'kprobe: yes; ftrace: yes' || fail "do_sys_openat2 not said probe-able and traceable"
pass
