#pragma once

#include "commands/commands.h"

namespace ksurf::commands {

inline constexpr const char *kTopUsage = R"(ksurf - kernel dynamic tracing in one line

usage:
  ksurf [options] EXPR... [-- CMD ARGS...]   arm probes and trace events, stream what they see
  ksurf who NAME [options]                   which processes call this system call / function?
  ksurf run [options] -- CMD ARGS...          the kernel functions (or system calls) CMD runs
  ksurf count EXPR... [--by KEY,...]         how often probes fire, per comm/pid/func/stack/field
  ksurf hist EXPR... --of NAME               a histogram of a value (log2 or --linear)
  ksurf lat FUNC [--unit us]                 how long a function takes: histogram, min/mean/max
  ksurf list funcs|events|func|struct ...    what can be traced, and how (also uprobes, disasm)
  ksurf reset                                remove what dead ksurf runs left in the kernel
  ksurf help [COMMAND]                       this text, or a command's options
  ksurf --version                            print ksurf's version (also -V)

expressions (one per argument, or one per line with -f FILE):
  e SYSTEM/EVENT [f:FILTER]            a trace event; globs allowed: 'e syscalls/sys_enter_open*'
                                       (file names of system calls read as strings by eprobes)
  p FUNC[+OFF] [NAME=EXPR...] [f:FILTER]   a kprobe          'p do_sys_openat2 name=filename:ustring'
  r[N] FUNC [NAME=EXPR...] [f:FILTER]      a kretprobe       'r alloc_file_pseudo m=$retval->f_mode'
  P|R PATH:SYMBOL [NAME=EXPR...]           a uprobe / uretprobe
  f FUNC[%return] [NAME=EXPR...] [f:FILTER] an fprobe event     'f vfs_read%return r=$retval'
  t TRACEPOINT [NAME=EXPR...] [f:FILTER]   a tracepoint probe 't sched_switch prev->pid'
  the kernel's own lines, as kprobetrace.rst writes them, alone or mixed with the above:
    'p:myprobe do_sys_open dfd=%ax mode=+4($stack)'  'r5:NAME FUNC $retval'
    'p SYM+OFF|0xADDR +0(%si):string @sym+8 $arg1 \42'  'p|r PATH:OFFSET[%return][(REF)]'
  EXPR: %0..%N (arguments), %REG, argument names from BTF, $retval, $comm, $stackN,
        @symbol, @0xADDR, casts '(struct file *)%0', members '->' and '.', index [i],
        format letters S/U/X before, ':u32' ':x64' ':string' ':ustring' ':symbol' after;
        packets: '@(struct iphdr *)l3%0->saddr', '->Sdata[0]' (payload string);
        surftrace's older '%0S~(struct task_struct)->pid'; ip_* b16_* B16_* names print.
  FILTER: field ==,!=,<,<=,>,>=,~,& value, joined by && || and ( ); common_pid and
        the other common_* fields are always there.

examples:
  ksurf 'e syscalls/sys_enter_syslog f:type==5' -- dmesg -C
  ksurf 'e sched/sched_process_exec' 'e syscalls/sys_enter_openat' -d 10 --json
  ksurf who syslog -d 30
  ksurf -S 'p wake_up_new_task users=S%0->mm->mm_users f:users>1'
  ksurf -S --native 'p vfs_read pos=file->f_pos'   the kernel's own typed form

exit status: 0 done (or CMD's), 1 the kernel or system refused, 2 bad input,
  74 the output (stdout, -o, --svg) could not be written.
JSON output is valid UTF-8: bytes that are not UTF-8 (in comm, strings ...) are
written as the text \xNN, in JSON "\\xNN"; text output escapes them, and control
characters, the same way (see README, "Bytes that are not text").

Run 'ksurf help probe' for every option, 'man ksurf' for the manual. Needs root to trace
(tracefs); -S does not.
)";

} // namespace ksurf::commands
