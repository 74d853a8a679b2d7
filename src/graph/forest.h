// Per-thread call trees built from entry/exit pairs, and what is computed
// from them: per-process summaries, folded stacks. Pure code: it knows
// nothing of tracefs or ring buffers, so it is tested with synthetic calls.
//
// Function mode feeds it function_graph entries and exits (with the kernel's
// depth and duration); event mode feeds it system calls (enter/exit, paired
// per thread) with leaves inside them: off-CPU intervals, page faults, block
// requests.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ksurf::graph {

constexpr uint32_t kNone = 0xffffffffu;

enum class Kind : uint8_t {
    Call,    // a kernel function (function_graph)
    Syscall, // a system call (event mode)
    OffCpu,  // the thread was switched out for this long
    Fault,   // a page fault (instant)
    Block,   // a block request, issue to completion
    Mark,    // anything else worth a line (instant)
};

struct Node {
    uint64_t start = 0;    // ns, trace clock
    uint64_t duration = 0; // ns
    int64_t ret = 0;
    uint32_t name = 0; // interned
    uint32_t parent = kNone, first_child = kNone, last_child = kNone, next = kNone;
    int32_t depth = -1; // the kernel's depth (function mode), -1 otherwise
    Kind kind = Kind::Call;
    bool complete = false; // its end was seen
    bool has_ret = false;
    std::string detail; // arguments, or what a leaf was
};

struct Thread {
    int tid = 0;
    int pid = 0; // the process (thread group) it belongs to
    std::string comm;
    uint32_t first_root = kNone, last_root = kNone;
    uint32_t before_last = kNone; // the root before last_root, to take last_root off
    std::vector<uint32_t> open;   // calls entered and not yet returned, outermost first
    uint64_t first_ts = 0, last_ts = 0;
};

// Per process: each name's calls, total time (outermost calls only, so
// recursion is not counted twice), self time (minus calls and off-CPU time
// inside it), errors (negative return values).
struct Stat {
    uint32_t name = 0;
    Kind kind = Kind::Call;
    uint64_t calls = 0, total = 0, self = 0, max = 0, errors = 0;
    uint64_t unfinished = 0; // calls whose end was not seen
};

class Forest {
  public:
    // Calls and leaves kept in the trees by default: about 100 bytes each
    // (more with long arguments), so the trees of a long command stay under
    // about 50 MB. Past the limit the trees stop (cut()); the summary and the
    // folded stacks still count every call.
    static constexpr size_t kDefaultMaxNodes = 250000;
    // 0: no limit.
    void set_max_nodes(size_t n) { max_nodes_ = n; }

    uint32_t intern(std::string_view name);
    const std::string &name(uint32_t id) const { return names_[id]; }

    Thread &thread(int tid);
    const std::map<int, Thread> &threads() const { return threads_; }
    const Node &node(uint32_t id) const { return nodes_[id]; }
    Node &node(uint32_t id) { return nodes_[id]; }
    size_t size() const { return nodes_.size(); }

    // A call begins. With depth >= 0 (function_graph), open calls at that
    // depth or deeper are closed first as unfinished (their exits were lost).
    uint32_t enter(int tid, uint64_t ts, uint32_t name, int depth = -1, Kind kind = Kind::Call,
                   std::string detail = {});
    // The innermost open call with this name (and depth, if >= 0) ends; calls
    // opened inside it and still open are closed as unfinished. duration
    // defaults to ts - start. An exit matching nothing (its entry came before
    // tracing started) is counted and dropped; returns false then.
    bool exit(int tid, uint64_t ts, uint32_t name, int depth = -1,
              std::optional<uint64_t> duration = std::nullopt,
              std::optional<int64_t> ret = std::nullopt);
    // Closes every open call of the thread as unfinished.
    void abandon(int tid, uint64_t ts);
    // A leaf at the thread's current position (inside its innermost open call).
    uint32_t leaf(int tid, uint64_t start, uint64_t duration, uint32_t name, Kind kind,
                  std::string detail = {});
    // At the end: calls still open are closed as unfinished at the thread's last time.
    void finish();
    // Drops the thread's roots before the first root whose name (or a direct
    // child's) contains `needle` (the gated child's own steps before exec);
    // nothing if none does.
    void start_at(int tid, std::string_view needle);
    // Forgets a thread's trees (a task that turned out not to be traced).
    void drop(int tid);

    // The trees reached the node limit: calls that ended from cut_ts() on are
    // counted (retired_stats(), retired_folded()) but not kept as nodes.
    bool cut() const { return cut_; }
    uint64_t cut_ts() const { return cut_ts_; }
    uint64_t dropped_nodes() const { return dropped_nodes_; }
    // Nodes in use now and at most so far.
    size_t live_nodes() const { return nodes_.size() - free_.size(); }
    // The figures of what was dropped past the limit, by thread: per name,
    // and per folded stack (frames below the thread's "comm-pid" root).
    const std::unordered_map<int, std::unordered_map<uint32_t, Stat>> &retired_stats() const {
        return retired_stats_;
    }
    const std::unordered_map<int, std::map<std::string, uint64_t>> &retired_folded() const {
        return retired_folded_;
    }

    uint64_t orphan_exits() const { return orphan_exits_; }
    uint64_t unfinished() const { return unfinished_; }
    uint64_t first_ts() const { return first_ts_; }

  private:
    void touch(Thread &t, uint64_t ts);
    void attach(Thread &t, uint32_t id);
    // A new node, placed at the thread's current position.
    uint32_t add(Thread &t, uint64_t start, uint32_t name, Kind kind, std::string detail);
    void close_unfinished(uint32_t id, uint64_t ts);
    // The thread's last root has ended: past the limit, count it and free it.
    void retire(Thread &t);

    std::vector<Node> nodes_;
    std::vector<uint32_t> free_; // slots of retired nodes, reused by add()
    size_t max_nodes_ = kDefaultMaxNodes;
    bool cut_ = false;
    uint64_t cut_ts_ = 0, dropped_nodes_ = 0;
    std::unordered_map<int, std::unordered_map<uint32_t, Stat>> retired_stats_;
    std::unordered_map<int, std::map<std::string, uint64_t>> retired_folded_;
    std::vector<std::string> names_;
    std::unordered_map<std::string, uint32_t> ids_;
    std::map<int, Thread> threads_;
    uint64_t orphan_exits_ = 0, unfinished_ = 0;
    uint64_t first_ts_ = 0;
};

struct ProcessSummary {
    int pid = 0;
    std::string comm;
    std::vector<int> tids;
    std::vector<Stat> stats; // sorted by total time, largest first
};
std::vector<ProcessSummary> summarize(const Forest &forest);

// The self time of a node: its duration minus its children's (calls, system
// calls and off-CPU intervals; faults and block requests do not count).
uint64_t self_time(const Forest &forest, uint32_t id);

// Folded stacks ("ls-1234;__x64_sys_openat;do_sys_openat2 5120"), one per
// distinct stack, weighted by self time in ns (flame graph input).
std::map<std::string, uint64_t> fold(const Forest &forest);

} // namespace ksurf::graph
