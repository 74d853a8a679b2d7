#include "output/output.h"

#include "output/decode.h"
#include "util/strings.h"

#include <cstdlib>
#include <ctime>

extern "C" {
#include <traceevent/event-parse.h>
}

namespace ksurf::output {

namespace {

enum : uint8_t { kUnknown = 0, kOther, kFork, kExec, kRename };

int64_t mono_ns() {
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return static_cast<int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec;
}

std::string_view basename_of(std::string_view path) {
    auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

} // namespace

ProcessTable::ProcessTable(std::string tracefs_dir) : tracefs_dir_(std::move(tracefs_dir)) {}

bool ProcessTable::from_proc(int pid, Info &info) {
    std::string text;
    if (!read_file("/proc/" + std::to_string(pid) + "/stat", text)) return false;
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    auto open = text.find('(');
    auto close = text.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close < open) return false;
    info.comm = text.substr(open + 1, close - open - 1);
    if (close + 4 < text.size()) info.ppid = std::atoi(text.c_str() + close + 4);
    return true;
}

bool ProcessTable::from_saved_cmdlines(int pid, std::string &comm) {
    if (tracefs_dir_.empty()) return false;
    int64_t now = mono_ns();
    // Reread at most once a second: a miss for an exited pid must stay cheap.
    if (saved_loaded_ns_ < 0 || now - saved_loaded_ns_ > 1000000000) {
        saved_loaded_ns_ = now;
        std::string text;
        if (read_file(tracefs_dir_ + "/saved_cmdlines", text)) {
            for (const auto &line : split(text, '\n')) {
                auto sp = line.find(' ');
                if (sp == std::string::npos) continue;
                saved_[std::atoi(line.c_str())] = line.substr(sp + 1);
            }
        }
    }
    auto it = saved_.find(pid);
    if (it == saved_.end()) return false;
    comm = it->second;
    return true;
}

ProcessTable::Info &ProcessTable::slot(int pid) {
    auto it = table_.find(pid);
    if (it != table_.end()) return it->second;
    Info info;
    info.pid = pid;
    if (pid == 0) {
        info.comm = "<idle>";
        info.ppid = 0;
    } else if (!from_proc(pid, info) && !from_saved_cmdlines(pid, info.comm)) {
        info.comm = "<...>";
    }
    return table_.emplace(pid, std::move(info)).first->second;
}

const ProcessTable::Info &ProcessTable::get(int pid) {
    Info &info = slot(pid);
    if (info.ppid > 0 && info.parent_comm.empty()) info.parent_comm = slot(info.ppid).comm;
    return info;
}

void ProcessTable::on_fork(int parent, std::string_view parent_comm, int child) {
    Info &p = slot(parent);
    if (!parent_comm.empty()) p.comm = parent_comm;
    Info info;
    info.pid = child;
    info.ppid = parent;
    info.comm = parent_comm; // a child starts with its parent's name
    info.parent_comm = parent_comm;
    table_[child] = std::move(info);
}

void ProcessTable::on_exec(int pid, std::string_view comm) {
    // The kernel keeps 15 bytes of the file name as the comm.
    slot(pid).comm = comm.substr(0, 15);
}

void ProcessTable::on_rename(int pid, std::string_view comm) {
    slot(pid).comm = comm;
}

void ProcessTable::feed(const capture::Record &r) {
    if (!r.event) return;
    size_t id = static_cast<size_t>(r.event->id);
    if (id >= kind_.size()) {
        kind_.resize(id + 1, kUnknown);
        offsets_.resize(id + 1);
    }
    uint8_t &kind = kind_[id];
    if (kind == kOther) return;
    auto *ev = const_cast<tep_event *>(r.event);
    if (kind == kUnknown) {
        std::string_view sys = ev->system ? ev->system : "", name = ev->name ? ev->name : "";
        auto field = [&](const char *n, int &off, int &size) {
            tep_format_field *f = tep_find_field(ev, n);
            if (f) {
                off = f->offset;
                size = f->size;
            }
            return f != nullptr;
        };
        Offsets &o = offsets_[id];
        kind = kOther;
        auto dynamic_of = [&](const char *n, Offsets &off) {
            tep_format_field *f = tep_find_field(ev, n);
            off.a_dynamic = f && (f->flags & TEP_FIELD_IS_DYNAMIC);
            off.a_relative = f && (f->flags & TEP_FIELD_IS_RELATIVE);
            return true;
        };
        if (sys == "sched" && name == "sched_process_fork") {
            if (field("parent_comm", o.a, o.a_size) && field("parent_pid", o.b, o.b_size) &&
                dynamic_of("parent_comm", o) && field("child_pid", o.c, o.c_size))
                kind = kFork;
        } else if (sys == "sched" && name == "sched_process_exec") {
            if (field("filename", o.a, o.a_size) && field("pid", o.b, o.b_size)) {
                o.a_relative = tep_find_field(ev, "filename")->flags & TEP_FIELD_IS_RELATIVE;
                kind = kExec;
            }
        } else if (sys == "task" && name == "task_rename") {
            if (field("newcomm", o.a, o.a_size) && field("pid", o.b, o.b_size) &&
                dynamic_of("newcomm", o))
                kind = kRename;
        }
        if (kind == kOther) return;
    }
    const Offsets &o = offsets_[id];
    const char *data = static_cast<const char *>(r.rec->data);
    uint32_t size = static_cast<uint32_t>(r.rec->size);
    auto num = [&](int off, int sz) -> int {
        if (off < 0 || static_cast<uint32_t>(off + sz) > size) return -1;
        return static_cast<int>(sign_extend(load_uint(data + off, static_cast<uint32_t>(sz)),
                                            static_cast<uint32_t>(sz)));
    };
    // The comm in field a: inline char[16], or __data_loc char[] on newer kernels.
    std::string dyn;
    auto str = [&](int off, int sz) -> std::string_view {
        if (o.a_dynamic) {
            FieldSpec f;
            f.offset = static_cast<uint32_t>(off);
            f.relative = o.a_relative;
            auto bytes = dyn_bytes(data, size, f);
            dyn.assign(c_string(bytes.data(), bytes.size()));
            return dyn;
        }
        if (off < 0 || static_cast<uint32_t>(off + sz) > size) return {};
        return c_string(data + off, static_cast<size_t>(sz));
    };
    if (kind == kFork) {
        int parent = num(o.b, o.b_size), child = num(o.c, o.c_size);
        if (parent >= 0 && child > 0) on_fork(parent, str(o.a, o.a_size), child);
    } else if (kind == kExec) {
        FieldSpec f;
        f.offset = static_cast<uint32_t>(o.a);
        f.relative = o.a_relative;
        auto bytes = dyn_bytes(data, size, f);
        int pid = num(o.b, o.b_size);
        if (pid > 0) on_exec(pid, basename_of(c_string(bytes.data(), bytes.size())));
    } else if (kind == kRename) {
        int pid = num(o.b, o.b_size);
        if (pid > 0) on_rename(pid, str(o.a, o.a_size));
    }
}

} // namespace ksurf::output
