# func+off with a register: a probe inside do_sys_openat2 (on the first
# instruction after the fentry call, found by asking the kernel which
# offsets are instruction boundaries) reading the first argument's register
# (%di, %x0), still dfd = AT_FDCWD.
# lab-timeout: 90
. /lab/lib.sh

off=
# x86: past the 5-byte fentry call; aarch64: 4-byte instructions, past the
# two patchable NOPs ftrace owns.
offsets="5 4 6 7 8 9 10 11 12"
[ "$ARCH" = aarch64 ] && offsets="8 12 16 4"
for o in $offsets; do
    if echo "p:lab/off do_sys_openat2+$o" >>$T/kprobe_events 2>/dev/null; then
        echo '-:lab/off' >>$T/kprobe_events
        off=$o
        break
    fi
done
[ -n "$off" ] || fail "no instruction boundary found in do_sys_openat2 at $offsets"
note "do_sys_openat2+$off is an instruction boundary"
# Every open in the lab is relative to the working directory: no filter.
reg=$(argreg 0)
expr="p do_sys_openat2+$off dfd=$reg"
need_show "func+off with registers" "$expr"
catch_one "kprobe arming" "$expr" cat /proc/version
# AT_FDCWD is -100; a register has no type, so any spelling of it will do.
has 'dfd=(-100|0xffffff9c|0xffffffffffffff9c|4294967196|18446744073709551516)([^0-9a-fx]|$)' ||
    fail "$reg is not AT_FDCWD"
state_same before "$expr"
pass
