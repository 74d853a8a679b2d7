// The function_graph arming of ksurf run (function_graph.h).
#include "engine/function_graph.h"

#include "capture/buffer_size.h"
#include "util/strings.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>

namespace ksurf::engine {

namespace {

// function_graph writes two records per call, a lot more than events do:
// at least this, or more where memory allows (capture/buffer_size.h).
constexpr unsigned kDefaultGraphBufferKb = 8192;

std::string join(const std::vector<std::string> &v, const char *sep) {
    std::string out;
    for (const auto &s : v) out += (out.empty() ? "" : sep) + s;
    return out;
}

// Why function_graph cannot run in ksurf's own instance here, "" when it
// can. Asked of the kernel (the instance's available_tracers and the files
// the run writes), never inferred from its version.
std::string graph_not_in_instance(const tracefs::Tracefs &fs, const tracefs::Session &s,
                                  const GraphOptions &a) {
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

} // namespace

std::string errno_name(int e) {
    const char *n = e ? strerrorname_np(e) : nullptr;
    return n ? n : fmt::format("errno {}", e);
}

bool listed(const std::string &list, std::string_view word) {
    for (const auto &w : split(std::string(trim(list)), ' '))
        if (trim(w) == word) return true;
    return false;
}

Status FunctionGraphArming::arm(Run &run) {
    const tracefs::Tracefs &fs = run.fs();
    tracefs::Session &s = run.session();
    const std::string not_in_instance = graph_not_in_instance(fs, s, o_);
    in_instance_ = not_in_instance.empty();
    if (!in_instance_ && !o_.force) {
        auto cur = fs.read("current_tracer");
        std::string current = cur ? std::string(trim(*cur)) : "";
        if (current != "nop") {
            Error e;
            e.message = fmt::format(
                "the top-level tracer is in use (current_tracer is '{}'): ksurf run needs it "
                "for function_graph ({}) and will not take it over",
                current, not_in_instance);
            e.hint = fmt::format("--force takes it over (and puts '{}' back after); --events "
                                 "traces system calls instead",
                                 current);
            return std::unexpected(e);
        }
    }
    return in_instance_ ? arm_instance(run) : arm_top_level(run);
}

// The function filters, in the instance or at the top level: a glob nothing
// matches is the user's mistake, said so. -g, --filter, --notrace,
// --max-depth (max_graph_depth is kernel-wide: no instance has its own).
Status FunctionGraphArming::limits(Run &run) {
    tracefs::Session &s = run.session();
    auto list = [&](const char *file, const std::vector<std::string> &globs) -> Status {
        if (globs.empty()) return {};
        auto st =
            in_instance_ ? s.set(file, join(globs, " ")) : s.set_global(file, join(globs, " "));
        if (!st && st.error().err == EINVAL) {
            Error e = st.error();
            e.message = fmt::format("no traceable kernel function matches '{}' ({})",
                                    join(globs, " "), file);
            e.hint = "the names are in available_filter_functions";
            return std::unexpected(e);
        }
        return st;
    };
    if (auto st = list("set_graph_function", o_.graph_functions); !st) return st;
    if (auto st = list("set_ftrace_filter", o_.filters); !st) return st;
    if (auto st = list("set_ftrace_notrace", o_.notrace); !st) return st;
    if (o_.max_depth) return s.set_global("max_graph_depth", std::to_string(o_.max_depth));
    return {};
}

// Which process each thread belongs to, and its name: fork, exec and
// new-task events in ksurf's instance, limited to the command.
Status FunctionGraphArming::book_events(Run &run, std::vector<capture::EventRef> &events) {
    tracefs::Session &s = run.session();
    for (auto [sys, ev] :
         {std::pair{"sched", "sched_process_fork"}, std::pair{"sched", "sched_process_exec"},
          std::pair{"task", "task_newtask"}}) {
        if (!run.fs().exists(fmt::format("events/{}/{}/format", sys, ev))) continue;
        if (auto st = s.enable_event(sys, ev); !st) return st;
        events.push_back({sys, ev});
    }
    return s.set_event_pids({run.child_pid()}, !o_.no_children);
}

// function_graph on the top-level buffer, read by one capture; the
// bookkeeping events in ksurf's instance, read by a second one.
Status FunctionGraphArming::arm_top_level(Run &run) {
    const tracefs::Tracefs &fs = run.fs();
    tracefs::Session &s = run.session();
    // Nothing is recorded until everything is armed.
    if (auto st = s.set_global("tracing_on", "0"); !st) return st;
    if (auto st = s.set_global("trace_clock", "mono"); !st) return st;
    // A buffer no tracer has used yet reads "7 (expanded: 1408)": setting a
    // tracer expands it for good, so expand it first and save the size it
    // can be put back to.
    if (auto cur = fs.read("buffer_size_kb")) {
        auto open = cur->find("(expanded: ");
        if (open != std::string::npos)
            (void)fs.write("buffer_size_kb", std::to_string(std::atoi(cur->c_str() + open + 11)));
    }
    unsigned kb =
        o_.buffer_kb ? o_.buffer_kb : std::max(kDefaultGraphBufferKb, capture::default_buffer_kb());
    if (auto st = s.set_global("buffer_size_kb", std::to_string(kb)); !st) return st;
    // The reader wakes when a CPU's buffer is this full, not on a timer.
    if (fs.exists("buffer_percent"))
        if (auto st = s.set_global("buffer_percent", std::to_string(capture::kWakePercent)); !st)
            return st;
    if (auto st = limits(run); !st) return st;
    // With -g, an interrupt that lands inside FUNC is not a call FUNC made:
    // the kernel would show its handlers as extra roots. Leave them out.
    if (o_.no_irqs || !o_.graph_functions.empty())
        if (auto st = s.set_global("options/funcgraph-irqs", "0"); !st) return st;
    if (auto st = s.set_global("options/function-fork", o_.no_children ? "0" : "1"); !st) return st;
    if (auto st = run.start_child(); !st) return st;
    if (auto st = s.set_global("set_ftrace_pid", std::to_string(run.child_pid())); !st) return st;
    if (auto st = s.set_global("current_tracer", "function_graph"); !st) {
        refusal_ = fmt::format("function_graph refused by this kernel ({} writing current_tracer)",
                               errno_name(st.error().err));
        return st;
    }
    // Which process each thread belongs to, and its name, from a private instance.
    if (auto st = s.tracing_on(false); !st) return st;
    if (auto st = s.set("trace_clock", "mono"); !st) return st;
    std::vector<capture::EventRef> events;
    if (auto st = book_events(run, events); !st) return st;
    if (auto st = run.open_capture(fs.root(),
                                   {{"ftrace", "funcgraph_entry"}, {"ftrace", "funcgraph_exit"}});
        !st)
        return st;
    return run.open_capture(s.instance_dir(), events);
}

// The same run in ksurf's own instance: function_graph and the bookkeeping
// events share its buffer, read by one capture; the only top-level file
// written is the kernel-wide max_graph_depth, and only with --max-depth.
Status FunctionGraphArming::arm_instance(Run &run) {
    const tracefs::Tracefs &fs = run.fs();
    tracefs::Session &s = run.session();
    if (auto st = s.tracing_on(false); !st) return st;
    if (auto st = s.set("trace_clock", "mono"); !st) return st;
    unsigned kb =
        o_.buffer_kb ? o_.buffer_kb : std::max(kDefaultGraphBufferKb, capture::default_buffer_kb());
    if (auto st = s.set("buffer_size_kb", std::to_string(kb)); !st) return st;
    // The reader wakes when a CPU's buffer is this full, not on a timer.
    if (fs.exists(s.instance() + "/buffer_percent"))
        if (auto st = s.set("buffer_percent", std::to_string(capture::kWakePercent)); !st)
            return st;
    if (auto st = limits(run); !st) return st;
    if (auto st = s.set("options/function-fork", o_.no_children ? "0" : "1"); !st) return st;
    if (auto st = run.start_child(); !st) return st;
    if (auto st = s.set("set_ftrace_pid", std::to_string(run.child_pid())); !st) return st;
    if (auto st = s.set("current_tracer", "function_graph"); !st) {
        refusal_ = fmt::format("function_graph refused by this kernel ({} writing current_tracer)",
                               errno_name(st.error().err));
        return st;
    }
    std::vector<capture::EventRef> events = {{"ftrace", "funcgraph_entry"},
                                             {"ftrace", "funcgraph_exit"}};
    if (auto st = book_events(run, events); !st) return st;
    return run.open_capture(s.instance_dir(), events);
}

Status FunctionGraphArming::start(Run &run) {
    if (auto st = run.session().tracing_on(true); !st) return st;
    if (in_instance_) return {};
    return run.session().set_global("tracing_on", "1");
}

void FunctionGraphArming::stop(Run &run) {
    if (!in_instance_) (void)run.session().set_global("tracing_on", "0");
    (void)run.session().tracing_on(false);
}

// The instance's tracer back to nop before the instance goes (the top level
// is restored by the session's saved files).
void FunctionGraphArming::disarm(Run &run) {
    if (in_instance_) (void)run.session().set("current_tracer", "nop");
}

std::string FunctionGraphArming::description() const {
    return std::string(in_instance_ ? "function_graph in ksurf's own instance (the top-level "
                                      "tracer is left alone)"
                                    : "function_graph on the top-level buffer") +
           ", limited to the command's pid" +
           std::string(o_.no_children ? "" : " and its children and threads");
}

} // namespace ksurf::engine
