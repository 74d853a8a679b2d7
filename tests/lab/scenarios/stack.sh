# -s: a kernel stack with each event, reaching back to the system call entry.
# lab-timeout: 90
. /lab/lib.sh

# Every open is a system call, so any event will do: no filter needed.
expr='p do_sys_openat2'
need_show "kprobes" "$expr"
KX_OPTS=-s catch_one "-s stacks" "$expr" cat /proc/version
# x86 enters system calls through do_syscall_64, arm64 through el0_svc.
has 'do_syscall_64|entry_SYSCALL_64|el0_svc|invoke_syscall' || fail "no stack reaching the system call entry"
state_same before "-s $expr"
pass
