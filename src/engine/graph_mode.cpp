// ksurf run's modes: records into call trees, and the report (graph_mode.h).
#include "engine/graph_mode.h"

#include "capture/buffer_size.h"
#include "engine/function_graph.h"
#include "engine/run_model.h"
#include "graph/report.h"
#include "util/json.h"
#include "util/strings.h"
#include "util/write_error.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace ksurf::engine {

namespace {

// At least this, or more where memory allows (capture/buffer_size.h).
constexpr unsigned kDefaultBufferKb = 4096;

void say(const std::string &text) {
    std::fprintf(stderr, "ksurf: %s\n", text.c_str());
}

std::string join(const std::vector<std::string> &v, const char *sep) {
    std::string out;
    for (const auto &s : v) out += (out.empty() ? "" : sep) + s;
    return out;
}

// A whole file (--svg); a failure is remembered as an output failure.
void write_file(const std::string &path, const std::string &text) {
    std::FILE *f = std::fopen(path.c_str(), "w");
    if (!f) {
        note_write_error(path, errno);
        return;
    }
    bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size() && std::fflush(f) == 0;
    int e = errno;
    if (std::fclose(f) != 0 && ok) ok = false, e = errno;
    if (!ok) note_write_error(path, e ? e : EIO);
}

// The tree, the summary, folded stacks, the flame graph: what the user asked for.
void print_report(RunModel &model, const GraphOptions &a, const std::string &mode,
                  const std::string &why, uint64_t lost, int status) {
    model.finish();
    graph::Forest &forest = model.forest();
    graph::ReportOptions o;
    o.min_time_ns = static_cast<uint64_t>(a.min_time_us * 1000.0);
    o.syscalls = mode == "events";
    auto summary = graph::summarize(forest);
    std::fflush(stdout);
    if (!a.svg.empty()) {
        std::string title = fmt::format("ksurf run -- {} ({})", join(a.command, " "),
                                        o.syscalls ? "system calls, off-CPU" : "kernel functions");
        write_file(a.svg, graph::flame_svg(graph::fold(forest), title));
    }
    if (a.folded) {
        graph::print_folded(stdout, graph::fold(forest));
    } else if (a.json) {
        nlohmann::json j = {{"mode", mode},
                            {"reason", why},
                            {"command", a.command},
                            {"lost_events", lost},
                            {"unfinished_calls", forest.unfinished()},
                            {"threads", graph::trees_json(forest, o)},
                            {"summary", graph::summary_json(forest, summary, o)}};
        if (status >= 0) j["exit_status"] = status;
        if (forest.cut())
            j["trees_cut"] = {
                {"limit", a.tree_limit},
                {"at_s", static_cast<double>(forest.cut_ts() -
                                             std::min(forest.cut_ts(), forest.first_ts())) /
                             1e9},
                {"not_shown", forest.dropped_nodes()}};
        std::string text = json::dump(j);
        write_checked(stdout, text, "standard output");
    } else {
        std::printf("\n# ksurf run: %s mode: %s\n", mode == "events" ? "event" : "function",
                    why.c_str());
        graph::print_trees(stdout, forest, o);
        if (forest.cut())
            std::printf("\n# the trees stop at %+.6f s: they hold at most %zu calls and events "
                        "(--tree-limit); %llu more that ended after that are counted in the "
                        "summary and folded stacks but not shown\n",
                        static_cast<double>(forest.cut_ts() -
                                            std::min(forest.cut_ts(), forest.first_ts())) /
                            1e9,
                        a.tree_limit, static_cast<unsigned long long>(forest.dropped_nodes()));
        graph::print_summary(stdout, forest, summary, o);
        if (lost)
            std::printf("\n# %llu events were lost (the ring buffer overflowed): the trees have "
                        "gaps; raise -b\n",
                        static_cast<unsigned long long>(lost));
    }
    flush_checked(stdout, "standard output");
}

enum class Source { Functions, Events };

// Folds every record into the trees. The event timeline reports when the
// last record is in (before the summary, as the other plan modes do); the
// function graph after teardown, with CMD's exit status and the loss.
class GraphHandler : public Handler {
  public:
    GraphHandler(int root, const GraphOptions &o, Source source, std::string why,
                 std::string tracefs_dir)
        : model_(root, !o.no_children, std::move(tracefs_dir)), o_(o), source_(source),
          why_(std::move(why)) {
        model_.forest().set_max_nodes(o.tree_limit);
    }
    bool on_record(const capture::Record &r) override {
        model_.on_record(r);
        return true;
    }
    void finish() override {
        if (source_ == Source::Events) print_report(model_, o_, "events", why_, 0, -1);
    }
    void report(const RunEnd &end) override {
        if (source_ == Source::Functions)
            print_report(model_, o_, "function", why_, end.lost, end.status);
    }

  private:
    RunModel model_;
    const GraphOptions &o_;
    Source source_;
    std::string why_;
};

bool wanted_syscall(const GraphOptions &a, std::string_view name) {
    if (!a.filters.empty() &&
        std::none_of(a.filters.begin(), a.filters.end(),
                     [&](const std::string &g) { return glob_match(g, name); }))
        return false;
    return std::none_of(a.notrace.begin(), a.notrace.end(),
                        [&](const std::string &g) { return glob_match(g, name); });
}

} // namespace

int run_event_timeline(const tracefs::Tracefs &fs, const GraphOptions &a, const std::string &why) {
    say(fmt::format("event mode: {}", why));
    compile::Probe probe;
    probe.kind = compile::ProbeKind::Event;
    probe.text = "ksurf run events";
    if (fs.exists("events/syscalls")) {
        for (const auto &ev : fs.list_dir("events/syscalls")) {
            std::string_view name = ev;
            if (name.starts_with("sys_enter_"))
                name.remove_prefix(10);
            else if (name.starts_with("sys_exit_"))
                name.remove_prefix(9);
            else
                continue;
            if (wanted_syscall(a, name)) probe.matched.emplace_back("syscalls", ev);
        }
    } else if (fs.exists("events/raw_syscalls/sys_enter")) {
        probe.matched.emplace_back("raw_syscalls", "sys_enter");
        probe.matched.emplace_back("raw_syscalls", "sys_exit");
    }
    if (probe.matched.empty() && (!a.filters.empty() || !a.notrace.empty())) {
        say("--filter/--notrace left no system call to trace");
        return kExitUsage;
    }
    if (!a.graph_functions.empty() || a.max_depth || a.no_irqs)
        say("-g, --max-depth and --no-irqs need the function tracer: ignored in event mode");
    const std::pair<const char *, const char *> extra[] = {
        {"sched", "sched_switch"},         {"sched", "sched_wakeup"},
        {"sched", "sched_wakeup_new"},     {"sched", "sched_process_fork"},
        {"sched", "sched_process_exec"},   {"task", "task_newtask"},
        {"exceptions", "page_fault_user"}, {"block", "block_rq_issue"},
        {"block", "block_rq_complete"}};
    for (const auto &[sys, ev] : extra)
        if (fs.exists(fmt::format("events/{}/{}/format", sys, ev)))
            probe.matched.emplace_back(sys, ev);
    compile::Plan plan;
    plan.probes.push_back(probe);
    RunOptions ro;
    ro.command = a.command;
    ro.buffer_kb =
        a.buffer_kb ? a.buffer_kb : std::max(kDefaultBufferKb, capture::default_buffer_kb());
    ro.json = a.json;
    ro.user_strings = true; // file names as strings, where the kernel has eprobes
    Run run(ro);
    PlanArming arming(std::move(plan));
    return run.execute(arming, [&](tep_handle *, const output::Styles &) {
        return std::make_unique<GraphHandler>(run.child_pid(), a, Source::Events, why,
                                              run.fs().root());
    });
}

int run_function_graph(const GraphOptions &a, std::string &why) {
    RunOptions ro;
    ro.command = a.command;
    // The report is written at the end: CMD is traced to its exit even when
    // stdout's reader has gone.
    ro.stop_on_closed_stdout = false;
    Run run(ro);
    FunctionGraphArming arming(a);
    int status = run.execute(arming, [&](tep_handle *, const output::Styles &) {
        return std::make_unique<GraphHandler>(run.child_pid(), a, Source::Functions,
                                              arming.description(), run.fs().root());
    });
    if (status == kDeclined) why = arming.refusal();
    return status;
}

} // namespace ksurf::engine
