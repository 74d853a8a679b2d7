# -s: a kernel stack with each event, reaching back to the system call entry.
# lab-timeout: 90
. /lab/lib.sh

# Every open is a system call, so any event will do: no filter needed.
expr='p do_sys_openat2'
need_show "kprobes" "$expr"
KX_OPTS=-s catch_one "-s stacks" "$expr" cat /proc/version
has 'do_syscall_64|entry_SYSCALL_64' || fail "no stack reaching do_syscall_64"
state_same before "-s $expr"
pass
