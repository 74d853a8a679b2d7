// ksurf lat FUNC: the time from entry to return of a kernel function (or a
// P/R user function), as a log2 histogram plus count, min, mean, max; the
// funclatency of perf-tools and BCC. A mode of the probe engine: an entry
// probe and a return probe, paired in the kernel where it can (a synthetic
// event fired by the return's onmatch().trace(), its `lat` bucketed by a hist
// trigger on the run's instance: engine/fold_mode.h), else per thread as
// records arrive (a stack per thread, for recursion), folded into an
// aggregate::Table.
#include "aggregate/aggregate.h"
#include "commands/commands.h"
#include "commands/common.h"
#include "commands/record_key.h"
#include "commands/runner.h"
#include "compile/filter.h"
#include "engine/fold_mode.h"
#include "expr/ast.h"
#include "output/output.h"
#include "tracefs/synth.h"
#include "util/strings.h"
#include "util/write_error.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fmt/format.h>
#include <set>
#include <traceevent/event-parse.h>
#include <unistd.h>
#include <unordered_map>

namespace ksurf::commands {

namespace {

using aggregate::KeyKind;

class LatHandler : public Handler {
  public:
    LatHandler(tep_handle *tep, std::vector<aggregate::Key> keys, std::string unit, bool json,
               std::vector<capture::EventRef> bookkeeping, std::string tracefs_dir, std::string why)
        : tep_(tep), keys_(std::move(keys)), unit_(std::move(unit)), json_(json),
          procs_(std::move(tracefs_dir)), table_(names(keys_), aggregate::Bucketing{}) {
        hidden_ = find_events(tep, bookkeeping);
        div_ = unit_ == "ns" ? 1 : unit_ == "ms" ? 1000000 : 1000;
        table_.where = "user space";
        table_.why = std::move(why);
    }

    static std::vector<std::string> names(const std::vector<aggregate::Key> &keys) {
        std::vector<std::string> out;
        for (const auto &k : keys) out.push_back(k.name);
        return out;
    }

    Status armed(tracefs::Session &s, const std::vector<ArmedEvent> &events,
                 const std::vector<pid_t> &) override {
        session_ = &s;
        for (const auto &e : events) {
            tep_event *ev = tep_find_event_by_name(tep_, e.ref.system.c_str(), e.ref.name.c_str());
            if (e.probe == 0)
                entry_ = ev;
            else
                ret_ = ev;
        }
        return {};
    }

    bool on_record(const capture::Record &r) override {
        procs_.feed(r);
        if (r.event == entry_) {
            open_[r.pid].push_back(r.ts);
            return false; // -n N counts timed calls, not entries
        }
        if (r.event != ret_) return false;
        auto it = open_.find(r.pid);
        // A return without its entry: the call began before tracing did.
        if (it == open_.end() || it->second.empty()) return false;
        uint64_t start = it->second.back();
        it->second.pop_back();
        if (it->second.empty()) open_.erase(it);
        key_.clear();
        for (const auto &k : keys_) {
            if (append_common_key(k.kind, r, procs_, key_)) continue;
            if (k.kind == KeyKind::Pid)
                key_.push_back(std::to_string(tgids_.of(r.pid)));
            else if (k.kind == KeyKind::Stack)
                // The kernel_stack record options/stacktrace put after the return.
                key_.push_back(r.stack ? engine::stack_key(*r.stack) : std::string("(no stack)"));
            else
                key_.emplace_back(); // other kinds are refused before arming
        }
        table_.add(key_, static_cast<int64_t>((r.ts - start) / div_));
        return true;
    }

    void tick() override { print(); }
    void finish() override { print(); }

  private:
    void print() {
        if (session_) table_.lost = engine::fold_lost(*session_);
        std::string out = json_ ? aggregate::render_json(table_, 0, unit_)
                                : aggregate::render_text(table_, 0, unit_);
        // The byte policy: a failed write (a full disk) fails the run (exit 74).
        write_checked(stdout, out, "standard output");
        flush_checked(stdout, "standard output");
    }

    tep_handle *tep_;
    std::vector<aggregate::Key> keys_;
    std::string unit_;
    bool json_;
    uint64_t div_ = 1000;
    output::ProcessTable procs_;
    aggregate::Table table_;
    std::vector<const tep_event *> hidden_;
    const tep_event *entry_ = nullptr, *ret_ = nullptr;
    // tid -> the times of the entries still open. With f:FILTER only the
    // entries that matched arrive, so a return finding none is not counted.
    std::unordered_map<int, std::vector<uint64_t>> open_;
    engine::Tgids tgids_;
    std::vector<std::string> key_;
    tracefs::Session *session_ = nullptr;
};

// In the kernel: a synthetic event between the entry and the return, where
// the kernel has hist triggers and synthetic events.
engine::Where decide_lat(const aggregate::KernelHist &kh, const std::string &unit,
                         const CommonOptions &common, const std::vector<aggregate::Key> &keys,
                         const std::string &entry_filter) {
    const char *user = "; entry and return paired per thread as records arrive";
    if (!kh.available)
        return {false, fmt::format("this kernel has no hist triggers (no 'hist:' in "
                                   "tracefs/README){}",
                                   user)};
    if (!kh.synthetic)
        return {false, fmt::format("this kernel has no synthetic events (no synthetic_events in "
                                   "tracefs/README){}",
                                   user)};
    if (unit == "ms")
        return {false, fmt::format("--unit ms: the kernel's timestamps are in ns or us{}", user)};
    if (common.count) return {false, fmt::format("-n counts calls one by one{}", user)};
    // lat's histogram has one key of its own: lat.log2.
    if (auto why = engine::user_space_key(keys, true))
        return {false, fmt::format("{}{}", *why, user)};
    // libtracefs checks each name of the start filter against the entry's
    // fields (and comm); the kernel's `cpu` is not one of them.
    if (auto steps = tracefs::filter_steps(entry_filter); !entry_filter.empty() && steps)
        for (const auto &st : *steps)
            if (st.kind == tracefs::FilterStep::Kind::Compare &&
                (st.field == "cpu" || st.field == "CPU"))
                return {false, fmt::format("f: on cpu: libtracefs's start filter takes the "
                                           "entry's fields and comm only{}",
                                           user)};
    for (const auto &k : keys)
        if (k.kind == KeyKind::Stack)
            return {false, fmt::format("--by stack: lat keys by the kernel stack recorded at each "
                                       "return{}",
                                       user)};
    return {true, "a synthetic event between entry and return (onmatch().trace()), bucketed by "
                  "a hist trigger on this run's instance"};
}

// FUNC [ARGS...] [f:FILTER], and a FILTER given apart, as the entry probe's
// text after "p FUNC": the function alone (`func`) and the rest (`tail`).
struct LatSpec {
    std::string func, tail;
};

std::optional<LatSpec> split_spec(const std::string &arg, const std::string &filter) {
    LatSpec out;
    std::string text(trim(arg));
    size_t space = text.find_first_of(" \t");
    out.func = text.substr(0, space);
    if (space != std::string::npos)
        out.tail = std::string(trim(std::string_view(text).substr(space)));
    std::string f(trim(filter));
    if (!f.empty() && !f.starts_with("f:")) {
        std::fprintf(stderr,
                     "ksurf: lat: '%s' is not a filter; write it f:CONDITION, e.g. "
                     "'f:comm==\"cat\"'\n",
                     f.c_str());
        return std::nullopt;
    }
    bool tail_filter = out.tail.starts_with("f:") || out.tail.find(" f:") != std::string::npos;
    if (!f.empty() && tail_filter) {
        std::fprintf(stderr,
                     "ksurf: lat: two filters ('%s' and '%s'); join them in one with "
                     "&&\n",
                     out.tail.c_str(), f.c_str());
        return std::nullopt;
    }
    if (!f.empty()) out.tail += (out.tail.empty() ? "" : " ") + f;
    return out;
}

// The entry's text with every name the filter uses but nothing defines
// fetched as the function's argument of that name (`f:count>100` ->
// `count=count f:count>100`): the kernel's filter can only test the probe's
// own fields. Names the compiler cannot resolve are its error, shown on
// this text. Text that does not parse goes to the compiler as it is.
std::string define_filter_names(const std::string &entry) {
    expr::ProbeAst ast;
    std::vector<expr::Diagnostic> diags;
    if (!expr::parse_probe(entry, ast, diags) || !ast.has_filter) return entry;
    std::set<std::string> defined;
    for (const auto &a : ast.args) defined.insert(a.name);
    for (const auto &f : compile::common_fields()) defined.insert(f.name);
    for (const auto &f : compile::generic_fields()) defined.insert(f.name);
    std::vector<std::string> missing;
    auto walk = [&](auto &self, const expr::FilterNode &n) -> void {
        if (n.kind == expr::FilterKind::Compare && !defined.contains(n.field)) {
            defined.insert(n.field);
            missing.push_back(n.field);
        }
        for (const auto &k : n.kids) self(self, k);
    };
    walk(walk, ast.filter.root);
    if (missing.empty()) return entry;
    std::string add;
    for (const auto &m : missing) add += fmt::format("{}={} ", m, m);
    return entry.substr(0, ast.filter_span.begin) + add + entry.substr(ast.filter_span.begin);
}

} // namespace

int cmd_lat(int argc, char **argv) {
    CLI::App app{
        "ksurf lat: how long a kernel function (or P/R PATH:SYMBOL) takes, from entry "
        "to return: a log2 histogram, with count and mean (and min and max where timed in user "
        "space: the kernel's histogram keeps sums only)",
        "ksurf lat"};
    app.footer("Examples:\n  ksurf lat vfs_fsync -d 10\n  ksurf lat do_sys_openat2 --by comm "
               "--unit ns -- cat /etc/hostname\n  ksurf lat vfs_read 'f:count>=65536' --by pid "
               "-d 10\n  ksurf lat do_sys_openat2 'f:comm==\"cat\"' -d 10\n  ksurf lat "
               "/usr/lib/x86_64-linux-gnu/libc.so.6:malloc -p PID\nFILTER: f:CONDITION on the "
               "entry, as in probe expressions; it names comm, common_* or the function's "
               "arguments (BTF, DWARF for PATH:SYMBOL), or names FUNC defines ('vfs_read n=%2 "
               "f:n>4096'). Only calls whose entry matched are timed.");
    CommonOptions common;
    std::string func, unit = "us", filter;
    std::vector<std::string> by;
    double interval = 0;
    app.add_option("FUNC", func,
                   "kernel function, or PATH:SYMBOL for a user function; may go on with "
                   "NAME=VALUE arguments and f:FILTER ('vfs_read f:count>100')")
        ->required();
    app.add_option("FILTER", filter, "f:CONDITION: time only the calls whose entry matches it");
    app.add_option("--by", by, "per KEY[,KEY...]: comm, pid, tid, cpu, stack");
    app.add_option("--unit", unit, "ns, us or ms (default us)")
        ->check(CLI::IsMember({"ns", "us", "ms"}));
    app.add_option("-i,--interval", interval, "print the histogram every SECS seconds")
        ->check(CLI::PositiveNumber);
    add_common_options(app, common, false, kJsonDocument);
    SplitArgs split;
    if (auto rc = parse_command(app, argc, argv, split)) return *rc;
    auto keys = aggregate::parse_keys(by);
    for (const auto &k : keys)
        if (k.kind != KeyKind::Comm && k.kind != KeyKind::Pid && k.kind != KeyKind::Tid &&
            k.kind != KeyKind::Cpu && k.kind != KeyKind::Stack) {
            std::fprintf(stderr, "ksurf: lat --by %s: lat keys are comm, pid, tid, cpu and stack\n",
                         k.name.c_str());
            return kExitUsage;
        }
    auto spec = split_spec(func, filter);
    if (!spec) return kExitUsage;
    func = spec->func;
    bool user = func.find(':') != std::string::npos;
    if (!user && has_glob(func)) {
        // Pairing entries with returns is per function; a glob's functions
        // nest inside each other (vfs_read calls vfs_...), so one histogram
        // over them all would mean little.
        std::fprintf(stderr,
                     "ksurf: lat times one function; '%s' is a glob\n  hint: ksurf count 'p %s' "
                     "--by func shows which of them run; then: ksurf lat FUNC\n",
                     func.c_str(), func.c_str());
        return kExitUsage;
    }
    std::string entry = fmt::format("{} {}", user ? "P" : "p", func);
    if (!spec->tail.empty()) entry = define_filter_names(entry + " " + spec->tail);
    std::vector<compile::Source> sources = {
        {entry, "the entry of FUNC"},
        {fmt::format("{} {}", user ? "R" : "r", func), "the return of FUNC"}};
    auto compiled = compile_sources(sources, "", "", common);
    if (!compiled) return compiled.error();
    const compile::Plan &plan = *compiled;
    auto fs = open_tracefs_or_report();
    if (!fs) return kExitFailure;
    auto kh = aggregate::kernel_hist_from_readme(fs->read("README").value_or(""));
    engine::Where where = decide_lat(kh, unit, common, keys, plan.probes[0].filter);
    bool stacks = false;
    for (const auto &k : keys) stacks |= k.kind == KeyKind::Stack;
    std::fprintf(stderr, "ksurf: timing in %s: %s\n", where.kernel ? "the kernel" : "user space",
                 where.why.c_str());
    RunOptions ro = to_run_options(common, split.command);
    ro.interval_s = interval;
    ro.quiet_summary = true;
    ro.stream_probes = !where.kernel;
    ro.stacks = stacks && !where.kernel;
    ro.extra_events = bookkeeping_events(plan);
    std::string root = fs->root();
    engine::FoldRequest req;
    req.keys = keys;
    req.bucketing = aggregate::Bucketing{};
    req.of = "lat";
    req.json = common.json;
    req.unit = unit;
    req.latency_event = fmt::format("ksurf_{}_lat", ::getpid());
    req.usecs = unit == "us";
    auto make = [&](tep_handle *tep, const output::Styles &) -> std::unique_ptr<Handler> {
        if (where.kernel)
            return engine::make_fold_handler(tep, plan, req, where, kh, ro.extra_events, root);
        return std::make_unique<LatHandler>(tep, keys, unit, common.json, ro.extra_events, root,
                                            where.why);
    };
    return run_plan(plan, ro, make);
}

} // namespace ksurf::commands
