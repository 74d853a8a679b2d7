#include "graph/forest.h"

#include <algorithm>

namespace ksurf::graph {

namespace {

// Walks the tree under root depth-first, calling visit(id, depth).
template <class F> void walk_tree(const Forest &forest, uint32_t root, F &&visit) {
    std::vector<std::pair<uint32_t, int>> stack{{root, 0}};
    std::vector<uint32_t> kids;
    while (!stack.empty()) {
        auto [id, depth] = stack.back();
        stack.pop_back();
        visit(id, depth);
        // Children pushed in reverse so they come out in order.
        kids.clear();
        for (uint32_t c = forest.node(id).first_child; c != kNone; c = forest.node(c).next)
            kids.push_back(c);
        for (auto k = kids.rbegin(); k != kids.rend(); ++k) stack.push_back({*k, depth + 1});
    }
}

// Walks every node of a thread depth-first, calling visit(id, depth).
template <class F> void walk(const Forest &forest, const Thread &t, F &&visit) {
    for (uint32_t r = t.first_root; r != kNone; r = forest.node(r).next)
        walk_tree(forest, r, visit);
}

// Counts one node into a name's figures; `path` holds the names open above
// it, so that a recursive call's time is counted once.
void count(const Forest &forest, uint32_t id, std::vector<uint32_t> &path, Stat &s) {
    const Node &n = forest.node(id);
    s.name = n.name;
    s.kind = n.kind;
    ++s.calls;
    s.self += self_time(forest, id);
    s.max = std::max(s.max, n.duration);
    if (n.has_ret && n.ret < 0) ++s.errors;
    if (!n.complete) ++s.unfinished;
    if (std::find(path.begin(), path.end(), n.name) == path.end()) s.total += n.duration;
    path.push_back(n.name);
}

// Folded frames are ';'-separated and end at the last space.
std::string clean_frame(std::string s) {
    for (char &c : s)
        if (c == ';' || c == ' ') c = '_';
    return s;
}

bool weighs(Kind k) {
    return k == Kind::Call || k == Kind::Syscall || k == Kind::OffCpu;
}

} // namespace

constexpr uint32_t kRetired = kNone - 1; // Thread::before_last once last_root was retired

void Forest::retire(Thread &t) {
    if (max_nodes_ == 0 || t.last_root == kNone || t.before_last == kRetired) return;
    uint32_t root = t.last_root;
    if (!cut_) {
        if (live_nodes() <= max_nodes_) return;
        cut_ = true;
        cut_ts_ = nodes_[root].start;
    }
    auto &table = retired_stats_[t.tid];
    auto &folded = retired_folded_[t.tid];
    std::vector<uint32_t> names, freed;
    std::vector<std::string> frames;
    walk_tree(*this, root, [&](uint32_t id, int depth) {
        names.resize(static_cast<size_t>(depth));
        frames.resize(static_cast<size_t>(depth));
        const Node &n = nodes_[id];
        count(*this, id, names, table[n.name]);
        frames.push_back(clean_frame(names_[n.name]));
        freed.push_back(id);
        if (!weighs(n.kind)) return;
        if (uint64_t self = self_time(*this, id)) {
            std::string key;
            for (const auto &f : frames) key += ";" + f;
            folded[key] += self;
        }
    });
    for (uint32_t id : freed) {
        nodes_[id] = Node{}; // and its detail's memory
        free_.push_back(id);
    }
    dropped_nodes_ += freed.size();
    t.last_root = t.before_last;
    if (t.last_root == kNone)
        t.first_root = kNone;
    else
        nodes_[t.last_root].next = kNone;
    t.before_last = kRetired;
}

uint32_t Forest::intern(std::string_view name) {
    auto it = ids_.find(std::string(name));
    if (it != ids_.end()) return it->second;
    uint32_t id = static_cast<uint32_t>(names_.size());
    names_.emplace_back(name);
    ids_.emplace(names_.back(), id);
    return id;
}

Thread &Forest::thread(int tid) {
    auto [it, fresh] = threads_.try_emplace(tid);
    if (fresh) {
        it->second.tid = tid;
        it->second.pid = tid;
    }
    return it->second;
}

void Forest::touch(Thread &t, uint64_t ts) {
    if (!first_ts_ || ts < first_ts_) first_ts_ = ts;
    if (!t.first_ts) t.first_ts = ts;
    if (ts > t.last_ts) t.last_ts = ts;
}

void Forest::attach(Thread &t, uint32_t id) {
    Node &n = nodes_[id];
    if (t.open.empty()) {
        if (t.last_root == kNone)
            t.first_root = id;
        else
            nodes_[t.last_root].next = id;
        t.before_last = t.last_root;
        t.last_root = id;
        return;
    }
    uint32_t parent = t.open.back();
    n.parent = parent;
    Node &p = nodes_[parent];
    if (p.last_child == kNone)
        p.first_child = id;
    else
        nodes_[p.last_child].next = id;
    p.last_child = id;
}

uint32_t Forest::add(Thread &t, uint64_t start, uint32_t name, Kind kind, std::string detail) {
    uint32_t id;
    if (!free_.empty()) {
        id = free_.back();
        free_.pop_back();
        nodes_[id] = Node{};
    } else {
        id = static_cast<uint32_t>(nodes_.size());
        nodes_.emplace_back();
    }
    Node &n = nodes_[id];
    n.start = start;
    n.name = name;
    n.kind = kind;
    n.detail = std::move(detail);
    attach(t, id);
    return id;
}

void Forest::close_unfinished(uint32_t id, uint64_t ts) {
    Node &n = nodes_[id];
    n.complete = false;
    n.duration = ts > n.start ? ts - n.start : 0;
    ++unfinished_;
}

uint32_t Forest::enter(int tid, uint64_t ts, uint32_t name, int depth, Kind kind,
                       std::string detail) {
    Thread &t = thread(tid);
    touch(t, ts);
    if (depth >= 0 && !t.open.empty()) {
        while (!t.open.empty() && nodes_[t.open.back()].depth >= depth) {
            close_unfinished(t.open.back(), ts);
            t.open.pop_back();
        }
        if (t.open.empty()) retire(t);
    }
    uint32_t id = add(t, ts, name, kind, std::move(detail));
    nodes_[id].depth = depth;
    t.open.push_back(id);
    return id;
}

bool Forest::exit(int tid, uint64_t ts, uint32_t name, int depth, std::optional<uint64_t> duration,
                  std::optional<int64_t> ret) {
    Thread &t = thread(tid);
    touch(t, ts);
    size_t i = t.open.size();
    while (i > 0) {
        const Node &n = nodes_[t.open[i - 1]];
        if (n.name == name && (depth < 0 || n.depth == depth)) break;
        // Below the exit's depth nothing can match: stop looking.
        if (depth >= 0 && n.depth >= 0 && n.depth < depth) {
            i = 0;
            break;
        }
        --i;
    }
    if (i == 0) {
        ++orphan_exits_;
        return false;
    }
    while (t.open.size() > i) {
        close_unfinished(t.open.back(), ts);
        t.open.pop_back();
    }
    Node &n = nodes_[t.open.back()];
    t.open.pop_back();
    n.complete = true;
    n.duration = duration ? *duration : (ts > n.start ? ts - n.start : 0);
    if (ret) {
        n.ret = *ret;
        n.has_ret = true;
    }
    if (t.open.empty()) retire(t);
    return true;
}

void Forest::abandon(int tid, uint64_t ts) {
    Thread &t = thread(tid);
    if (t.open.empty()) return;
    while (!t.open.empty()) {
        close_unfinished(t.open.back(), ts);
        t.open.pop_back();
    }
    retire(t);
}

uint32_t Forest::leaf(int tid, uint64_t start, uint64_t duration, uint32_t name, Kind kind,
                      std::string detail) {
    Thread &t = thread(tid);
    touch(t, start);
    touch(t, start + duration);
    uint32_t id = add(t, start, name, kind, std::move(detail));
    nodes_[id].duration = duration;
    nodes_[id].complete = true;
    if (t.open.empty()) retire(t);
    return id;
}

void Forest::finish() {
    for (auto &[tid, t] : threads_) {
        while (!t.open.empty()) {
            close_unfinished(t.open.back(), t.last_ts);
            t.open.pop_back();
        }
    }
}

void Forest::start_at(int tid, std::string_view needle) {
    auto it = threads_.find(tid);
    if (it == threads_.end()) return;
    Thread &t = it->second;
    // The system call's own function may sit up to three levels down: x86
    // x64_sys_call -> __x64_sys_execve; arm64 (6.12) do_el0_svc ->
    // el0_svc_common.constprop.0 -> invoke_syscall -> __arm64_sys_execve
    // (el0_svc itself is not traceable).
    auto matches = [&](auto &self, uint32_t id, int depth) -> bool {
        if (names_[nodes_[id].name].find(needle) != std::string::npos) return true;
        if (depth == 0) return false;
        for (uint32_t c = nodes_[id].first_child; c != kNone; c = nodes_[c].next)
            if (self(self, c, depth - 1)) return true;
        return false;
    };
    uint32_t r = t.first_root;
    while (r != kNone && !matches(matches, r, 3)) r = nodes_[r].next;
    if (r == kNone || r == t.first_root) return;
    t.first_root = r;
    t.first_ts = nodes_[r].start;
}

void Forest::drop(int tid) {
    threads_.erase(tid);
    retired_stats_.erase(tid);
    retired_folded_.erase(tid);
}

uint64_t self_time(const Forest &forest, uint32_t id) {
    const Node &n = forest.node(id);
    uint64_t inner = 0;
    for (uint32_t c = n.first_child; c != kNone; c = forest.node(c).next) {
        const Node &k = forest.node(c);
        if (k.kind == Kind::Call || k.kind == Kind::Syscall || k.kind == Kind::OffCpu)
            inner += k.duration;
    }
    return n.duration > inner ? n.duration - inner : 0;
}

std::vector<ProcessSummary> summarize(const Forest &forest) {
    std::map<int, ProcessSummary> procs;
    auto counted = [&](int tid, const Thread &t) {
        return t.first_root != kNone || forest.retired_stats().contains(tid);
    };
    for (const auto &[tid, t] : forest.threads()) {
        if (!counted(tid, t)) continue;
        ProcessSummary &p = procs[t.pid];
        p.pid = t.pid;
        if (p.comm.empty() || tid == t.pid) p.comm = t.comm;
        p.tids.push_back(tid);
    }
    std::map<int, std::unordered_map<uint32_t, Stat>> stats;
    for (const auto &[tid, t] : forest.threads()) {
        if (!counted(tid, t)) continue;
        auto &table = stats[t.pid];
        // Names open on the current path, so a recursive call's time is counted once.
        std::vector<uint32_t> path;
        walk(forest, t, [&](uint32_t id, int depth) {
            path.resize(static_cast<size_t>(depth));
            count(forest, id, path, table[forest.node(id).name]);
        });
        // What was counted and dropped past the node limit.
        auto retired = forest.retired_stats().find(tid);
        if (retired == forest.retired_stats().end()) continue;
        for (const auto &[name, r] : retired->second) {
            Stat &s = table[name];
            s.name = name;
            s.kind = r.kind;
            s.calls += r.calls;
            s.total += r.total;
            s.self += r.self;
            s.max = std::max(s.max, r.max);
            s.errors += r.errors;
            s.unfinished += r.unfinished;
        }
    }
    std::vector<ProcessSummary> out;
    for (auto &[pid, p] : procs) {
        for (auto &[name, s] : stats[pid]) p.stats.push_back(s);
        std::sort(p.stats.begin(), p.stats.end(), [](const Stat &a, const Stat &b) {
            return a.total != b.total ? a.total > b.total : a.calls > b.calls;
        });
        out.push_back(std::move(p));
    }
    return out;
}

std::map<std::string, uint64_t> fold(const Forest &forest) {
    std::map<std::string, uint64_t> out;
    for (const auto &[tid, t] : forest.threads()) {
        auto retired = forest.retired_folded().find(tid);
        bool has_retired = retired != forest.retired_folded().end();
        if (t.first_root == kNone && !has_retired) continue;
        std::string root =
            clean_frame((t.comm.empty() ? std::string("?") : t.comm) + "-" + std::to_string(t.pid));
        std::vector<std::string> path;
        walk(forest, t, [&](uint32_t id, int depth) {
            path.resize(static_cast<size_t>(depth));
            const Node &n = forest.node(id);
            path.push_back(clean_frame(forest.name(n.name)));
            if (!weighs(n.kind)) return;
            uint64_t self = self_time(forest, id);
            if (!self) return;
            std::string key = root;
            for (const auto &f : path) key += ";" + f;
            out[key] += self;
        });
        if (has_retired)
            for (const auto &[frames, self] : retired->second) out[root + frames] += self;
    }
    return out;
}

} // namespace ksurf::graph
