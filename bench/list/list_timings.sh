#!/bin/sh
# Wall time of each `ksurf list` on this machine's full kernel (kallsyms,
# tracefs, /sys/kernel/btf/vmlinux): the best of N runs, output to /dev/null.
# usage: bench/list/list_timings.sh [KSURF] [N]
KSURF=${1:-build/ksurf}
N=${2:-5}

best() { # ARGS...: best wall time of N runs, in ms
    b=
    i=0
    while [ $i -lt "$N" ]; do
        s=$(date +%s%N)
        "$KSURF" "$@" >/dev/null 2>&1
        e=$(date +%s%N)
        t=$(((e - s) / 1000000))
        if [ -z "$b" ] || [ $t -lt "$b" ]; then b=$t; fi
        i=$((i + 1))
    done
    lines=$("$KSURF" "$@" 2>/dev/null | wc -l)
    printf '%6s ms %8s lines   ksurf %s\n' "$b" "$lines" "$*"
}

echo "# ksurf list timings, best of $N ($(uname -r), $(nproc) CPUs)"
best list funcs
best list funcs --all --json
best list funcs 'do_sys_open*'
best list events
best list events -v
best list events -v --json
best list func do_sys_openat2
best list func do_sys_openat2 --json
best list struct task_struct
best list struct task_struct --json
best list struct task_struct mm.mm_users
best list structs
best list uprobes /lib/x86_64-linux-gnu/libc.so.6
best list disasm main --vmlinux "$KSURF"
