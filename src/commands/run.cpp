// ksurf run [options] -- CMD ARGS...: what did this command do in the kernel?
// (seed 000, command-ftrace, done properly.)
//
// Function mode: function_graph limited to CMD (set_ftrace_pid, and
// options/function-fork so its children and threads follow). Where the
// kernel offers function_graph inside instances (6.12: the instance's
// available_tracers lists it), all of it happens in ksurf's own instance: the
// top-level tracer and its files are never touched, and two runs can work at
// once. Elsewhere (6.1: top level only) it takes the top-level buffer: every
// top-level file is saved first and restored on every exit path
// (Session::set_global), and a tracer already in use there is not taken over
// without --force.
//
// Event mode, where the function tracer is absent or refused: tracepoints in
// a private instance limited to CMD (set_event_pid + options/event-fork):
// system calls with durations and return values, off-CPU intervals, user page
// faults, block requests.
//
// Children and threads of CMD are traced by default (a command's work is
// often done by what it starts: sh -c, make, xargs); --no-children keeps to
// CMD's first thread.
#include "capture/buffer_size.h"
#include "commands/child.h"
#include "commands/commands.h"
#include "commands/common.h"
#include "commands/run_model.h"
#include "commands/runner.h"
#include "graph/report.h"
#include "output/output.h"
#include "tracefs/session.h"
#include "util/json.h"
#include "util/signals.h"
#include "util/strings.h"
#include "util/write_error.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace ksurf::commands {

namespace {

struct RunArgs {
    std::vector<std::string> graph_functions, filters, notrace;
    int max_depth = 0;
    double min_time_us = 0;
    bool no_irqs = false;
    unsigned buffer_kb = 0;
    bool json = false, folded = false;
    std::string svg;
    bool no_children = false, force = false, events = false;
    size_t tree_limit = graph::Forest::kDefaultMaxNodes; // --tree-limit, 0 = none
    std::vector<std::string> command;
};

// At least these, or more where memory allows (capture/buffer_size.h).
constexpr unsigned kDefaultBufferKb = 4096;
// function_graph writes two records per call, a lot more than events do.
constexpr unsigned kDefaultGraphBufferKb = 8192;

void say(const std::string &text) {
    std::fprintf(stderr, "ksurf: %s\n", text.c_str());
}

std::string errno_name(int e) {
    const char *n = e ? strerrorname_np(e) : nullptr;
    return n ? n : fmt::format("errno {}", e);
}

std::string join(const std::vector<std::string> &v, const char *sep) {
    std::string out;
    for (const auto &s : v) out += (out.empty() ? "" : sep) + s;
    return out;
}

bool listed(const std::string &list, std::string_view word) {
    for (const auto &w : split(std::string(trim(list)), ' '))
        if (trim(w) == word) return true;
    return false;
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
void print_report(RunModel &model, const RunArgs &a, const std::string &mode,
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

uint64_t lost_of(const capture::Capture &cap) {
    uint64_t lost = cap.missed_events();
    uint64_t overruns = 0;
    for (const auto &c : cap.stats()) overruns += c.lost();
    return std::max(lost, overruns);
}

// ---- event mode ----------------------------------------------------------

class RunHandler : public Handler {
  public:
    RunHandler(int root, const RunArgs &a, std::string why, std::string tracefs_dir)
        : model_(root, !a.no_children, std::move(tracefs_dir)), args_(a), why_(std::move(why)) {
        model_.forest().set_max_nodes(a.tree_limit);
    }
    bool on_record(const capture::Record &r) override {
        model_.on_record(r);
        return true;
    }
    void finish() override { print_report(model_, args_, "events", why_, 0, -1); }

  private:
    RunModel model_;
    const RunArgs &args_;
    std::string why_;
};

bool wanted_syscall(const RunArgs &a, std::string_view name) {
    if (!a.filters.empty() &&
        std::none_of(a.filters.begin(), a.filters.end(),
                     [&](const std::string &g) { return glob_match(g, name); }))
        return false;
    return std::none_of(a.notrace.begin(), a.notrace.end(),
                        [&](const std::string &g) { return glob_match(g, name); });
}

int run_events(const tracefs::Tracefs &fs, const RunArgs &a, const std::string &why) {
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
    std::string root = fs.root();
    return run_plan(
        plan, ro, [&](tep_handle *, const output::Styles &) -> std::unique_ptr<Handler> {
            // The gated child is the only pid in our instance's filter so far.
            int child = 0;
            auto pids =
                fs.read("instances/" + tracefs::instance_name(::getpid()) + "/set_event_pid");
            if (pids) child = std::atoi(std::string(trim(*pids)).c_str());
            return std::make_unique<RunHandler>(child, a, why, root);
        });
}

// Why the function tracer cannot be used here, tried in a private instance
// (so nothing global is touched): "" when `function` works there.
std::string probe_function_tracer(const tracefs::Tracefs &fs) {
    auto s = tracefs::Session::create(fs);
    if (!s)
        return fmt::format("no tracefs instance to try the function tracer in ({})",
                           s.error().str());
    auto st = s->set("current_tracer", "function");
    std::string why;
    if (!st)
        why = fmt::format("function tracer refused by this kernel ({} writing current_tracer)",
                          errno_name(st.error().err));
    else
        (void)s->set("current_tracer", "nop");
    s->teardown();
    return why;
}

// ---- function mode -------------------------------------------------------

class ModelSink : public capture::Sink {
  public:
    explicit ModelSink(RunModel &m) : m_(m) {}
    void on_record(const capture::Record &r) override { m_.on_record(r); }

  private:
    RunModel &m_;
};

struct FunctionResult {
    bool fallback = false; // the kernel refused function_graph: try event mode
    std::string why;
    int status = kExitOk;
};

// Why function_graph cannot run in ksurf's own instance here, "" when it
// can. Asked of the kernel (the instance's available_tracers and the files
// the run writes), never inferred from its version.
std::string graph_not_in_instance(const tracefs::Tracefs &fs, const tracefs::Session &s,
                                  const RunArgs &a) {
    auto tracers = fs.read(s.instance() + "/available_tracers");
    if (!tracers || !listed(*tracers, "function_graph"))
        return "this kernel has function_graph only at the top level";
    std::vector<const char *> files = {"set_ftrace_pid", "options/function-fork", "trace_clock",
                                       "buffer_size_kb"};
    if (!a.graph_functions.empty()) files.push_back("set_graph_function");
    if (!a.filters.empty()) files.push_back("set_ftrace_filter");
    if (!a.notrace.empty()) files.push_back("set_ftrace_notrace");
    for (const char *f : files)
        if (!fs.exists(s.instance() + "/" + f))
            return fmt::format("this kernel's instances have no {}", f);
    // funcgraph-irqs is one flag of the function_graph tracer for every
    // instance (6.12 showed an instance's write at the top level), and in the
    // lab ksurf run hung after writing it beside an instance's function_graph:
    // --no-irqs takes the top-level path, tested on 6.1 and 6.12.
    if (a.no_irqs) return "--no-irqs sets funcgraph-irqs, one flag for all instances";
    return "";
}

FunctionResult run_function(const tracefs::Tracefs &fs, const RunArgs &a) {
    FunctionResult res;
    install_stop_handlers();
    auto session = tracefs::Session::create(fs);
    if (!session) {
        say(session.error().str());
        res.status = kExitFailure;
        return res;
    }
    tracefs::Session &s = *session;
    const std::string not_in_instance = graph_not_in_instance(fs, s, a);
    const bool in_instance = not_in_instance.empty();
    if (!in_instance && !a.force) {
        auto cur = fs.read("current_tracer");
        std::string current = cur ? std::string(trim(*cur)) : "";
        if (current != "nop") {
            s.teardown();
            say(fmt::format(
                "the top-level tracer is in use (current_tracer is '{}'): ksurf run needs it "
                "for function_graph ({}) and will not take it over",
                current, not_in_instance));
            std::fprintf(stderr,
                         "  hint: --force takes it over (and puts '%s' back after); "
                         "--events traces system calls instead\n",
                         current.c_str());
            res.status = kExitFailure;
            return res;
        }
    }
    GatedChild child;
    std::unique_ptr<capture::Capture> graph, book;
    std::unique_ptr<RunModel> model;
    bool refused = false;
    bool children = !a.no_children;

    // The function filters, in the instance or at the top level: a glob
    // nothing matches is the user's mistake, said so.
    auto list = [&](const char *file, const std::vector<std::string> &globs) -> Status {
        if (globs.empty()) return {};
        auto st =
            in_instance ? s.set(file, join(globs, " ")) : s.set_global(file, join(globs, " "));
        if (!st && st.error().err == EINVAL) {
            Error e = st.error();
            e.message = fmt::format("no traceable kernel function matches '{}' ({})",
                                    join(globs, " "), file);
            e.hint = "the names are in available_filter_functions";
            return std::unexpected(e);
        }
        return st;
    };
    // -g, --filter, --notrace, --max-depth (max_graph_depth is kernel-wide:
    // no instance has its own).
    auto limits = [&]() -> Status {
        if (auto st = list("set_graph_function", a.graph_functions); !st) return st;
        if (auto st = list("set_ftrace_filter", a.filters); !st) return st;
        if (auto st = list("set_ftrace_notrace", a.notrace); !st) return st;
        if (a.max_depth) return s.set_global("max_graph_depth", std::to_string(a.max_depth));
        return {};
    };
    // Which process each thread belongs to, and its name: fork, exec and
    // new-task events in ksurf's instance, limited to the command.
    auto book_events = [&](std::vector<capture::EventRef> &events) -> Status {
        for (auto [sys, ev] :
             {std::pair{"sched", "sched_process_fork"}, std::pair{"sched", "sched_process_exec"},
              std::pair{"task", "task_newtask"}}) {
            if (!fs.exists(fmt::format("events/{}/{}/format", sys, ev))) continue;
            if (auto st = s.enable_event(sys, ev); !st) return st;
            events.push_back({sys, ev});
        }
        return s.set_event_pids({child.pid()}, children);
    };

    auto setup = [&]() -> Status {
        // Nothing is recorded until everything is armed.
        if (auto st = s.set_global("tracing_on", "0"); !st) return st;
        if (auto st = s.set_global("trace_clock", "mono"); !st) return st;
        // A buffer no tracer has used yet reads "7 (expanded: 1408)": setting a
        // tracer expands it for good, so expand it first and save the size it
        // can be put back to.
        if (auto cur = fs.read("buffer_size_kb")) {
            auto open = cur->find("(expanded: ");
            if (open != std::string::npos)
                (void)fs.write("buffer_size_kb",
                               std::to_string(std::atoi(cur->c_str() + open + 11)));
        }
        unsigned kb = a.buffer_kb ? a.buffer_kb
                                  : std::max(kDefaultGraphBufferKb, capture::default_buffer_kb());
        if (auto st = s.set_global("buffer_size_kb", std::to_string(kb)); !st) return st;
        // The reader wakes when a CPU's buffer is this full, not on a timer.
        if (fs.exists("buffer_percent"))
            if (auto st = s.set_global("buffer_percent", std::to_string(capture::kWakePercent));
                !st)
                return st;
        if (auto st = limits(); !st) return st;
        // With -g, an interrupt that lands inside FUNC is not a call FUNC made:
        // the kernel would show its handlers as extra roots. Leave them out.
        if (a.no_irqs || !a.graph_functions.empty())
            if (auto st = s.set_global("options/funcgraph-irqs", "0"); !st) return st;
        if (auto st = s.set_global("options/function-fork", children ? "1" : "0"); !st) return st;
        if (auto st = child.start(a.command); !st) return st;
        if (auto st = s.set_global("set_ftrace_pid", std::to_string(child.pid())); !st) return st;
        if (auto st = s.set_global("current_tracer", "function_graph"); !st) {
            refused = true;
            return st;
        }
        // Which process each thread belongs to, and its name, from a private instance.
        if (auto st = s.tracing_on(false); !st) return st;
        if (auto st = s.set("trace_clock", "mono"); !st) return st;
        std::vector<capture::EventRef> events;
        if (auto st = book_events(events); !st) return st;
        auto g = capture::Capture::open(
            fs.root(), fs.root(), {{"ftrace", "funcgraph_entry"}, {"ftrace", "funcgraph_exit"}});
        if (!g) return std::unexpected(g.error());
        graph = std::move(*g);
        auto b = capture::Capture::open(fs.root(), s.instance_dir(), events);
        if (!b) return std::unexpected(b.error());
        book = std::move(*b);
        model = std::make_unique<RunModel>(child.pid(), children, fs.root());
        model->forest().set_max_nodes(a.tree_limit);
        if (auto st = s.tracing_on(true); !st) return st;
        if (auto st = s.set_global("tracing_on", "1"); !st) return st;
        return child.release(a.command[0]);
    };

    // The same run in ksurf's own instance: function_graph and the
    // bookkeeping events share its buffer, read by one capture; the only
    // top-level file written is the kernel-wide max_graph_depth, and only with
    // --max-depth.
    auto setup_instance = [&]() -> Status {
        if (auto st = s.tracing_on(false); !st) return st;
        if (auto st = s.set("trace_clock", "mono"); !st) return st;
        unsigned kb = a.buffer_kb ? a.buffer_kb
                                  : std::max(kDefaultGraphBufferKb, capture::default_buffer_kb());
        if (auto st = s.set("buffer_size_kb", std::to_string(kb)); !st) return st;
        // The reader wakes when a CPU's buffer is this full, not on a timer.
        if (fs.exists(s.instance() + "/buffer_percent"))
            if (auto st = s.set("buffer_percent", std::to_string(capture::kWakePercent)); !st)
                return st;
        if (auto st = limits(); !st) return st;
        if (auto st = s.set("options/function-fork", children ? "1" : "0"); !st) return st;
        if (auto st = child.start(a.command); !st) return st;
        if (auto st = s.set("set_ftrace_pid", std::to_string(child.pid())); !st) return st;
        if (auto st = s.set("current_tracer", "function_graph"); !st) {
            refused = true;
            return st;
        }
        std::vector<capture::EventRef> events = {{"ftrace", "funcgraph_entry"},
                                                 {"ftrace", "funcgraph_exit"}};
        if (auto st = book_events(events); !st) return st;
        auto g = capture::Capture::open(fs.root(), s.instance_dir(), events);
        if (!g) return std::unexpected(g.error());
        graph = std::move(*g);
        model = std::make_unique<RunModel>(child.pid(), children, fs.root());
        if (auto st = s.tracing_on(true); !st) return st;
        return child.release(a.command[0]);
    };

    if (auto st = in_instance ? setup_instance() : setup(); !st) {
        child.stop(SIGKILL);
        graph.reset();
        book.reset();
        s.teardown();
        if (refused) {
            res.fallback = true;
            res.why = fmt::format("function_graph refused by this kernel ({} writing "
                                  "current_tracer)",
                                  errno_name(st.error().err));
            return res;
        }
        say(st.error().str());
        res.status = child.status() ? child.status() : kExitFailure;
        return res;
    }

    ModelSink sink(*model);
    bool failed = false;
    while (!stop_requested()) {
        auto r = graph->poll(100, sink);
        if (r && book) r = book->poll(0, sink);
        if (!r) {
            say(r.error().str());
            failed = true;
            break;
        }
        if (child.reap()) break;
    }
    if (!in_instance) (void)s.set_global("tracing_on", "0");
    (void)s.tracing_on(false);
    if (!failed) {
        if (book)
            if (auto r = book->drain(sink); !r) say(r.error().str());
        if (auto r = graph->drain(sink); !r) say(r.error().str());
    }
    uint64_t lost = lost_of(*graph);
    std::fflush(stdout);
    output::print_summary(stderr, model->records(), graph->stats(), false);
    graph.reset();
    book.reset();
    // A signal ended the run: the command goes too, before the kernel is restored.
    child.stop(stop_signal() == SIGPIPE ? SIGTERM : stop_signal());
    if (in_instance) (void)s.set("current_tracer", "nop");
    s.teardown();
    std::string why = std::string(in_instance ? "function_graph in ksurf's own instance (the "
                                                "top-level tracer is left alone)"
                                              : "function_graph on the top-level buffer") +
                      ", limited to the command's pid" +
                      std::string(children ? " and its children and threads" : "");
    print_report(*model, a, "function", why, lost, child.status());
    res.status = failed ? kExitFailure : child.status();
    if (auto e = write_failure()) {
        say(e->str());
        res.status = kExitOutput;
    }
    return res;
}

} // namespace

int cmd_run(int argc, char **argv) {
    CLI::App app{"ksurf run: trace what a command does in the kernel", "ksurf run"};
    app.footer(
        "Usage: ksurf run [OPTIONS] -- CMD ARGS...\n"
        "Runs CMD (no shell) and traces it, and by default its children and threads, from\n"
        "its exec to its exit; returns CMD's exit status (74 when the output, stdout or\n"
        "--svg FILE, could not be written). With the function tracer\n"
        "(function_graph): a call tree per thread with durations, then the functions taking\n"
        "the most time. Where the kernel has no function tracer or refuses it: system calls\n"
        "with durations and return values, off-CPU time, page faults and block I/O instead.\n"
        "Examples: ksurf run -- ls /\n"
        "          ksurf run -g do_sys_openat2 -- cat /proc/version\n"
        "          ksurf run --svg ls.svg -- ls /");
    RunArgs a;
    app.add_option("-g,--graph", a.graph_functions,
                   "only calls below FUNC (set_graph_function; globs; repeatable); "
                   "interrupts are left out");
    app.add_option("--filter", a.filters,
                   "only functions matching GLOB (set_ftrace_filter); in event mode, only "
                   "system calls matching GLOB (repeatable)");
    app.add_option("--notrace", a.notrace,
                   "not functions (or, in event mode, system calls) matching GLOB (repeatable)");
    app.add_option("--max-depth", a.max_depth, "at most N levels of calls (max_graph_depth)")
        ->check(CLI::PositiveNumber);
    app.add_option("--min-time", a.min_time_us, "hide calls shorter than USEC microseconds")
        ->check(CLI::NonNegativeNumber);
    app.add_flag("--no-irqs", a.no_irqs, "leave interrupts out (options/funcgraph-irqs=0)");
    app.add_option("-b,--buffer", a.buffer_kb,
                   "per-CPU ring buffer size in KB (default 1/64 of MemAvailable over the CPUs, "
                   "at least 8192 for functions, 4096 for events, at most 16384; raise it "
                   "if events are lost)")
        ->check(CLI::Range(4u, 4u * 1024 * 1024));
    app.add_option("--tree-limit", a.tree_limit,
                   "keep at most N calls and events in the trees (default 250000, 0: no limit); "
                   "past it the trees stop with a note, the summary and --folded count everything");
    app.add_flag("--json", a.json, "the trees and the summary as one JSON object");
    app.add_flag("--folded", a.folded, "folded stacks (flame graph input) instead of the trees");
    app.add_option("--svg", a.svg, "also write a flame graph to FILE (SVG)");
    app.add_flag("--no-children", a.no_children,
                 "trace CMD's first thread only, not the processes and threads it starts");
    app.add_flag("--force", a.force,
                 "use the top-level function tracer even when another tracer is set there "
                 "(kernels without function_graph in instances)");
    app.add_flag("--events", a.events,
                 "system calls and scheduler events even where the function tracer works");
    auto split = split_command(argc, argv);
    try {
        app.parse(static_cast<int>(split.args.size()), split.args.data());
    } catch (const CLI::ParseError &e) {
        return parse_error_exit(app, e);
    }
    a.command = split.command;
    if (a.command.empty()) {
        std::fprintf(stderr, "ksurf run: which command? ksurf run [OPTIONS] -- CMD ARGS...\n");
        return kExitUsage;
    }
    if (a.json && a.folded) {
        std::fprintf(stderr,
                     "ksurf run: --json and --folded are two different outputs: pick one\n");
        return kExitUsage;
    }
    auto fs = tracefs::Tracefs::open();
    if (!fs) {
        say(fs.error().str());
        return kExitFailure;
    }
    std::string why;
    if (a.events) {
        why = "--events asked for system calls and scheduler events";
    } else {
        auto tracers = fs->read("available_tracers");
        if (!tracers || !listed(*tracers, "function_graph")) {
            std::string fn = tracers && listed(*tracers, "function")
                                 ? probe_function_tracer(*fs)
                                 : "there is no function tracer in available_tracers";
            why = "function_graph is not in this kernel's available_tracers";
            if (!fn.empty()) why = fn + ", and " + why;
        } else {
            auto r = run_function(*fs, a);
            if (!r.fallback) return r.status;
            why = r.why;
        }
    }
    return run_events(*fs, a, why + ": showing system calls and scheduler events instead");
}

} // namespace ksurf::commands
