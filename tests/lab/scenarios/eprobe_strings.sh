# System calls' file names as strings, read by event probes: `ksurf run
# --events -- cat FILE` shows FILE in cat's openat, and `e
# syscalls/sys_enter_openat` prints it, where the kernel has eprobes (found in
# tracefs README and by a trial write, never by version). The eprobes go at exit.
# lab-timeout: 240
. /lab/lib.sh

grep -qF 'e[:[<group>/][<event>]] <attached-group>.<attached-event>' $T/README ||
    skip "no event probes in this kernel's tracefs README"
echo 'e:labep/try syscalls.sys_enter_openat' >>$T/dynamic_events 2>/dev/null ||
    skip "this kernel refuses event probes (trial write to dynamic_events)"
echo '-:labep/try' >>$T/dynamic_events
[ -e $T/events/syscalls/sys_enter_openat ] || skip "no syscalls/sys_enter_openat event"

file=$PWD/eprobe-lab-file.txt
echo "eprobe lab" >"$file"
tracefs_state >before
kx 200 run --events -- cat "$file"
need_armed "ksurf run --events"
expect_rc0 "ksurf run --events -- cat FILE"
has 'eprobe lab' || fail "cat's output is missing"
has 'read by event probes' || fail "ksurf did not say the strings come from event probes"
has "openat\\(.*filename=\"$file\"" || fail "cat's openat does not show $file as a string"
fact "run --events openat: $(grep -o "openat(.*filename=\"$file\"[^)]*)" "$KX_OUT" | head -n 1)"
state_same before "ksurf run --events"

kx 120 'e syscalls/sys_enter_openat' -- cat "$file"
need_armed "e syscalls/sys_enter_openat"
expect_rc0 "ksurf e syscalls/sys_enter_openat -- cat FILE"
has "sys_enter_openat: .*filename=\"$file\"" ||
    fail "the sys_enter_openat event does not show $file as a string"
fact "e sys_enter_openat: $(grep "filename=\"$file\"" "$KX_OUT" | head -n 1 | sed 's/^ *//')"
state_same before "ksurf e syscalls/sys_enter_openat"

# A filter on a field the eprobe does not carry keeps the plain tracepoint:
# the address, as before.
kx 120 'e syscalls/sys_enter_openat f:__syscall_nr>=0' -- cat "$file"
expect_rc0 "a filter on __syscall_nr"
has 'sys_enter_openat: .*filename=0x' || fail "a filter on __syscall_nr should keep the tracepoint"
state_same before "ksurf e syscalls/sys_enter_openat f:__syscall_nr>=0"
pass "file names read by eprobes: run --events and e syscalls/sys_enter_openat show $file"
