// ksurf run [options] -- CMD ARGS...: what did this command do in the kernel?
// (seed 000, command-ftrace, done properly.)
//
// The command line only: which of the engine's two modes (engine/graph_mode.h)
// runs, and with which options. Function mode: function_graph limited to CMD
// (engine/function_graph.h). Event mode, where the function tracer is absent
// or refused: tracepoints in a private instance limited to CMD (set_event_pid
// + options/event-fork): system calls with durations and return values,
// off-CPU intervals, user page faults, block requests.
//
// Children and threads of CMD are traced by default (a command's work is
// often done by what it starts: sh -c, make, xargs); --no-children keeps to
// CMD's first thread.
#include "commands/commands.h"
#include "commands/common.h"
#include "engine/function_graph.h"
#include "engine/graph_mode.h"
#include "tracefs/session.h"
#include "util/strings.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fmt/format.h>

namespace ksurf::commands {

namespace {

using engine::errno_name;
using engine::listed;

void say(const std::string &text) {
    std::fprintf(stderr, "ksurf: %s\n", text.c_str());
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
    engine::GraphOptions a;
    bool events = false;
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
    app.add_flag("--events", events,
                 "system calls and scheduler events even where the function tracer works");
    SplitArgs split;
    if (auto rc = parse_command(app, argc, argv, split)) return *rc;
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
    if (events) {
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
            int status = engine::run_function_graph(a, why);
            if (status != engine::kDeclined) return status;
        }
    }
    return engine::run_event_timeline(*fs, a,
                                      why + ": showing system calls and scheduler events instead");
}

} // namespace ksurf::commands
