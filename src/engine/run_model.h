// ksurf run: turns capture records into per-thread call trees (graph::Forest).
// Function mode: ftrace/funcgraph_entry + funcgraph_exit. Event mode: system
// calls (syscalls/sys_enter_* + sys_exit_*, or raw_syscalls) paired per
// thread, with off-CPU intervals (sched_switch, sched_wakeup), user page
// faults and block requests inside them. Both: task_newtask,
// sched_process_fork/exec say which process each thread belongs to and its name.
#pragma once

#include "capture/capture.h"
#include "graph/forest.h"
#include "output/output.h"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

struct tep_format_field;

namespace ksurf::engine {

class RunModel {
  public:
    // root: the command's pid. children: also its descendants and threads
    // (records of other tasks are dropped when false).
    RunModel(int root, bool children, std::string tracefs_dir);

    void on_record(const capture::Record &r);
    // After the last record: closes open calls, drops the gated child's own
    // steps before its exec, names threads and processes.
    void finish();

    graph::Forest &forest() { return forest_; }
    uint64_t records() const { return records_; }

  private:
    enum class Ev : uint8_t {
        Unknown,
        Ignore,
        SysEnter,
        SysExit,
        RawEnter,
        RawExit,
        Switch,
        Wakeup,
        Fault,
        BlockIssue,
        BlockComplete,
        NewTask,
        Fork,
        Exec,
        GraphEntry,
        GraphExit,
    };
    struct Info {
        Ev kind = Ev::Unknown;
        uint32_t name = 0;                          // syscall name, interned
        std::vector<const tep_format_field *> args; // sys_enter_* arguments
        const tep_format_field *f[5] = {};          // the fields this kind reads
    };
    Info &classify(const capture::Record &r);
    bool ours(int tid) const;
    void adopt(int parent, int child, bool thread);
    uint32_t function_name(uint64_t addr);

    int root_;
    bool children_;
    graph::Forest forest_;
    output::ProcessTable procs_;
    std::vector<Info> infos_; // by event id
    std::unordered_set<int> ours_;
    std::unordered_map<int, int> tgid_;
    std::unordered_map<int, std::string> comm_; // from task_newtask, fork, exec
    struct Off {
        uint64_t ts = 0;
        long state = 0;
    };
    std::unordered_map<int, Off> off_;           // tid -> when it was switched out
    std::unordered_map<int, std::string> waker_; // tid -> who woke it
    // (dev, sector) -> block node and its start (the node may have been
    // retired past the forest's limit and its slot reused: the start tells).
    std::unordered_map<uint64_t, std::pair<uint32_t, uint64_t>> io_;
    std::unordered_map<uint64_t, uint32_t> funcs_; // address -> interned name
    uint32_t off_cpu_name_ = 0, fault_name_ = 0, block_name_ = 0;
    uint64_t records_ = 0;
};

} // namespace ksurf::engine
