#include "engine/run_model.h"

#include "ksyms/kallsyms.h"

#include <cstring>
#include <fmt/format.h>
#include <traceevent/event-parse.h>

namespace ksurf::engine {

namespace {

constexpr uint64_t kCloneThread = 0x00010000;

uint64_t number(const tep_format_field *f, const capture::Record &r) {
    unsigned long long v = 0;
    if (!f || tep_read_number_field(const_cast<tep_format_field *>(f), r.rec->data, &v) != 0)
        return 0;
    return v;
}

int64_t signed_number(const tep_format_field *f, const capture::Record &r) {
    uint64_t v = number(f, r);
    if (!f) return 0;
    switch (f->size) {
    case 1:
        return static_cast<int8_t>(v);
    case 2:
        return static_cast<int16_t>(v);
    case 4:
        return static_cast<int32_t>(v);
    default:
        return static_cast<int64_t>(v);
    }
}

// A string field, fixed (char[16]) or dynamic (__data_loc char[]).
std::string string_field(const capture::Record &r, const char *name) {
    int len = 0;
    auto *p = static_cast<const char *>(
        tep_get_field_raw(nullptr, const_cast<tep_event *>(r.event), name, r.rec, &len, 0));
    if (!p || len <= 0) return {};
    return std::string(p, strnlen(p, static_cast<size_t>(len)));
}

std::string fixed_string(const tep_format_field *f, const capture::Record &r) {
    if (!f || f->offset + f->size > r.rec->size) return {};
    const char *p = static_cast<const char *>(r.rec->data) + f->offset;
    return std::string(p, strnlen(p, f->size));
}

// "dfd=-100, filename=0x7ffd5c3e1a40, flags=0x80000, mode=0", the way a
// person reads them: small numbers in decimal, addresses and flags in hex,
// C ints (stored in 8 bytes) sign-extended.
std::string arguments(const std::vector<const tep_format_field *> &fields,
                      const capture::Record &r) {
    std::string out;
    for (const auto *f : fields) {
        if (!out.empty()) out += ", ";
        out += f->name;
        out += '=';
        if (f->flags & TEP_FIELD_IS_DYNAMIC) {
            // A user string an eprobe read as the call began
            // (tracefs/user_strings.h); length 0 is a string it could not
            // read (its page not in memory yet), "(fault)" as the kernel says.
            int len = 0;
            auto *p = static_cast<const char *>(tep_get_field_raw(
                nullptr, const_cast<tep_event *>(r.event), f->name, r.rec, &len, 0));
            if (!p || len <= 0)
                out += "(fault)";
            else
                out += '"' + std::string(p, strnlen(p, static_cast<size_t>(len))) + '"';
            continue;
        }
        uint64_t v = number(f, r);
        std::string_view type = f->type ? f->type : "";
        // An eprobe's fields carry fetch types: x64 a pointer, s32 an int.
        if (type.starts_with('x')) {
            out += fmt::format("{:#x}", v);
            continue;
        }
        if (type == "int" || type == "pid_t" || type == "long" || type == "s32" || type == "s64") {
            int64_t s =
                type == "long" || type == "s64" ? static_cast<int64_t>(v) : static_cast<int32_t>(v);
            if (s < 0 && s > -4096) {
                out += std::to_string(s);
                continue;
            }
        }
        if (type.find('*') == std::string_view::npos && v < 4096)
            out += std::to_string(v);
        else
            out += fmt::format("{:#x}", v);
    }
    return out;
}

// sched_switch prev_state as ps(1) letters.
std::string task_state(long state) {
    static const char letters[] = "SDTtXZPI";
    if (state == 0 || state >= 0x100) return "R (preempted)";
    std::string out;
    for (int i = 0; i < 8; ++i)
        if (state & (1L << i)) out += letters[i];
    if (out == "S") return "S (sleeping)";
    if (out == "D") return "D (uninterruptible, usually I/O)";
    return out;
}

} // namespace

RunModel::RunModel(int root, bool children, std::string tracefs_dir)
    : root_(root), children_(children), procs_(std::move(tracefs_dir)) {
    ours_.insert(root);
    off_cpu_name_ = forest_.intern("[off-cpu]");
    fault_name_ = forest_.intern("page_fault_user");
    block_name_ = forest_.intern("block_rq");
}

RunModel::Info &RunModel::classify(const capture::Record &r) {
    size_t id = static_cast<size_t>(r.event->id);
    if (id >= infos_.size()) infos_.resize(id + 1);
    Info &info = infos_[id];
    if (info.kind != Ev::Unknown) return info;
    auto *ev = const_cast<tep_event *>(r.event);
    std::string_view sys = ev->system ? ev->system : "", name = ev->name ? ev->name : "";
    auto field = [&](const char *n) -> const tep_format_field * { return tep_find_field(ev, n); };
    info.kind = Ev::Ignore;
    // An eprobe standing in for sys_enter_* (ksurf_PID/sys_enter_openat) is that call's entry.
    bool stand_in = sys.starts_with("ksurf_") && name.starts_with("sys_enter_");
    if ((sys == "syscalls" || stand_in) && name.starts_with("sys_enter_")) {
        info.kind = Ev::SysEnter;
        info.name = forest_.intern(name.substr(10));
        tep_format_field **fields = tep_event_fields(ev);
        for (int i = 0; fields && fields[i]; ++i)
            if (std::strcmp(fields[i]->name, "__syscall_nr") != 0) info.args.push_back(fields[i]);
        free(fields);
    } else if (sys == "syscalls" && name.starts_with("sys_exit_")) {
        info.kind = Ev::SysExit;
        info.name = forest_.intern(name.substr(9));
        info.f[0] = field("ret");
    } else if (sys == "raw_syscalls" && name == "sys_enter") {
        info.kind = Ev::RawEnter;
        info.f[0] = field("id");
    } else if (sys == "raw_syscalls" && name == "sys_exit") {
        info.kind = Ev::RawExit;
        info.f[0] = field("id");
        info.f[1] = field("ret");
    } else if (sys == "sched" && name == "sched_switch") {
        info.kind = Ev::Switch;
        info.f[0] = field("prev_pid");
        info.f[1] = field("prev_state");
        info.f[2] = field("next_pid");
    } else if (sys == "sched" && (name == "sched_wakeup" || name == "sched_wakeup_new")) {
        info.kind = Ev::Wakeup;
        info.f[0] = field("pid");
    } else if (sys == "exceptions" && name == "page_fault_user") {
        info.kind = Ev::Fault;
        info.f[0] = field("address");
        info.f[1] = field("ip");
        info.f[2] = field("error_code");
    } else if (sys == "block" && name == "block_rq_issue") {
        info.kind = Ev::BlockIssue;
        info.f[0] = field("dev");
        info.f[1] = field("sector");
        info.f[2] = field("nr_sector");
        info.f[3] = field("rwbs");
    } else if (sys == "block" && name == "block_rq_complete") {
        info.kind = Ev::BlockComplete;
        info.f[0] = field("dev");
        info.f[1] = field("sector");
        info.f[2] = field("error");
    } else if (sys == "task" && name == "task_newtask") {
        info.kind = Ev::NewTask;
        info.f[0] = field("pid");
        info.f[1] = field("clone_flags");
    } else if (sys == "sched" && name == "sched_process_exec") {
        info.kind = Ev::Exec;
        info.f[0] = field("pid");
    } else if (sys == "sched" && name == "sched_process_fork") {
        info.kind = Ev::Fork;
        info.f[0] = field("parent_pid");
        info.f[1] = field("child_pid");
    } else if (sys == "ftrace" && name == "funcgraph_entry") {
        info.kind = Ev::GraphEntry;
        info.f[0] = field("func");
        info.f[1] = field("depth");
    } else if (sys == "ftrace" && name == "funcgraph_exit") {
        info.kind = Ev::GraphExit;
        info.f[0] = field("func");
        info.f[1] = field("depth");
        info.f[2] = field("calltime");
        info.f[3] = field("rettime");
    }
    return info;
}

bool RunModel::ours(int tid) const {
    return children_ ? ours_.contains(tid) : tid == root_;
}

void RunModel::adopt(int parent, int child, bool thread) {
    if (!ours(parent) || child <= 0) return;
    if (children_) ours_.insert(child);
    if (thread) {
        auto it = tgid_.find(parent);
        tgid_[child] = it == tgid_.end() ? parent : it->second;
    } else if (!tgid_.contains(child)) {
        tgid_[child] = child;
    }
}

uint32_t RunModel::function_name(uint64_t addr) {
    auto it = funcs_.find(addr);
    if (it != funcs_.end()) return it->second;
    // A funcgraph record names the function entered by its ftrace call site:
    // the first instruction on x86, but past `mov x9, x30` (and a BTI) on
    // arm64, so the address is FUNC+4 there. The function is what is meant,
    // as in the kernel's own output (%ps): no offset.
    auto hit = ksyms::Kallsyms::kernel().lookup(addr);
    std::string name = hit.name.empty() ? fmt::format("{:#x}", addr) : std::string(hit.name);
    uint32_t id = forest_.intern(name);
    funcs_.emplace(addr, id);
    return id;
}

void RunModel::on_record(const capture::Record &r) {
    if (!r.event || !r.rec) return;
    ++records_;
    Info &info = classify(r);
    int tid = r.pid;
    switch (info.kind) {
    case Ev::Unknown:
    case Ev::Ignore:
        return;
    case Ev::GraphEntry:
        // The kernel filtered these by pid (set_ftrace_pid, function-fork).
        forest_.enter(tid, r.ts, function_name(number(info.f[0], r)),
                      static_cast<int>(number(info.f[1], r)));
        return;
    case Ev::GraphExit: {
        uint64_t call = number(info.f[2], r), ret = number(info.f[3], r);
        forest_.exit(tid, r.ts, function_name(number(info.f[0], r)),
                     static_cast<int>(number(info.f[1], r)), ret > call ? ret - call : 0);
        return;
    }
    case Ev::NewTask: {
        int child = static_cast<int>(signed_number(info.f[0], r));
        adopt(tid, child, (number(info.f[1], r) & kCloneThread) != 0);
        if (ours(child)) comm_[child] = string_field(r, "comm");
        return;
    }
    case Ev::Fork: {
        int child = static_cast<int>(signed_number(info.f[1], r));
        // task_newtask, when there, knows better whether it is a thread.
        if (!tgid_.contains(child)) {
            adopt(static_cast<int>(signed_number(info.f[0], r)), child, false);
            if (ours(child)) comm_[child] = string_field(r, "child_comm");
        }
        return;
    }
    case Ev::Exec: {
        int pid = static_cast<int>(signed_number(info.f[0], r));
        if (!ours(pid)) return;
        // The kernel keeps 15 bytes of the file's base name as the comm.
        std::string file = string_field(r, "filename");
        comm_[pid] = file.substr(file.rfind('/') + 1).substr(0, 15);
        return;
    }
    case Ev::Switch: {
        int prev = static_cast<int>(signed_number(info.f[0], r));
        int next = static_cast<int>(signed_number(info.f[2], r));
        if (ours(prev)) off_[prev] = {r.ts, static_cast<long>(number(info.f[1], r))};
        auto it = off_.find(next);
        if (it != off_.end() && ours(next)) {
            std::string detail = task_state(it->second.state);
            auto w = waker_.find(next);
            if (w != waker_.end()) {
                detail += ", woken by " + w->second;
                waker_.erase(w);
            }
            forest_.leaf(next, it->second.ts, r.ts - std::min(r.ts, it->second.ts), off_cpu_name_,
                         graph::Kind::OffCpu, std::move(detail));
            off_.erase(it);
        }
        return;
    }
    case Ev::Wakeup: {
        int wakee = static_cast<int>(signed_number(info.f[0], r));
        if (ours(wakee) && wakee != tid) {
            const auto &p = procs_.get(tid);
            waker_[wakee] = fmt::format("{} [{}]", tid == 0 ? "idle/irq" : p.comm, tid);
        }
        return;
    }
    // Completions come from interrupts, in whatever task was running.
    case Ev::BlockComplete: {
        uint64_t dev = number(info.f[0], r), sector = number(info.f[1], r);
        auto it = io_.find((dev << 40) ^ sector);
        if (it == io_.end()) return;
        graph::Node &n = forest_.node(it->second.first);
        if (n.kind != graph::Kind::Block || n.start != it->second.second) {
            io_.erase(it);
            return;
        }
        n.duration = r.ts - std::min(r.ts, n.start);
        n.complete = true;
        if (int64_t err = signed_number(info.f[2], r); err)
            n.detail += fmt::format(" error {}", err);
        io_.erase(it);
        return;
    }
    default:
        break;
    }
    // The rest happen in the context of the traced task itself.
    if (!ours(tid)) {
        if (!children_) return;
        ours_.insert(tid); // the kernel's event-fork knew it before we did
    }
    switch (info.kind) {
    case Ev::SysEnter:
        forest_.abandon(tid, r.ts); // an enter without exit before it (lost, or exit_group)
        forest_.enter(tid, r.ts, info.name, -1, graph::Kind::Syscall, arguments(info.args, r));
        break;
    case Ev::SysExit:
        forest_.exit(tid, r.ts, info.name, -1, std::nullopt, signed_number(info.f[0], r));
        break;
    case Ev::RawEnter:
        forest_.abandon(tid, r.ts);
        forest_.enter(tid, r.ts, forest_.intern(fmt::format("syscall_{}", number(info.f[0], r))),
                      -1, graph::Kind::Syscall);
        break;
    case Ev::RawExit:
        forest_.exit(tid, r.ts, forest_.intern(fmt::format("syscall_{}", number(info.f[0], r))), -1,
                     std::nullopt, signed_number(info.f[1], r));
        break;
    case Ev::Fault:
        forest_.leaf(tid, r.ts, 0, fault_name_, graph::Kind::Fault,
                     fmt::format("at {:#x} ip {:#x} error {:#x}", number(info.f[0], r),
                                 number(info.f[1], r), number(info.f[2], r)));
        break;
    case Ev::BlockIssue: {
        uint64_t dev = number(info.f[0], r), sector = number(info.f[1], r);
        uint32_t node =
            forest_.leaf(tid, r.ts, 0, block_name_, graph::Kind::Block,
                         fmt::format("dev {}:{} {} sector {} +{}", dev >> 20, dev & 0xfffff,
                                     fixed_string(info.f[3], r), sector, number(info.f[2], r)));
        forest_.node(node).complete = false; // until its completion is seen
        io_[(dev << 40) ^ sector] = {node, r.ts};
        break;
    }
    default:
        break;
    }
}

void RunModel::finish() {
    forest_.finish();
    // function_graph records the rest of __schedule() after the switch to a
    // traced task in the context (pid) of the task switched away from.
    std::vector<int> strangers;
    for (const auto &[tid, t] : forest_.threads())
        if (!ours(tid)) strangers.push_back(tid);
    for (int tid : strangers) forest_.drop(tid);
    for (const auto &[tid, t] : forest_.threads()) {
        graph::Thread &th = forest_.thread(tid);
        int pid = tid;
        // Follow thread -> group leader (a leader maps to itself).
        for (int hops = 0; hops < 4; ++hops) {
            auto it = tgid_.find(pid);
            if (it == tgid_.end() || it->second == pid) break;
            pid = it->second;
        }
        th.pid = pid;
        auto c = comm_.find(tid);
        th.comm = c != comm_.end() && !c->second.empty() ? c->second : procs_.get(tid).comm;
    }
    forest_.start_at(root_, "execve");
}

} // namespace ksurf::engine
