// Options and steps shared by the tracing commands.
#pragma once

#include "commands/runner.h"
#include "compile/compile.h"
#include "tracefs/tracefs.h"

#include <optional>

#include <CLI/CLI.hpp>

struct tep_event;
struct tep_handle;
#include <expected>
#include <string>
#include <vector>

namespace ksurf::commands {

struct CommonOptions {
    std::vector<int> pids;
    double duration = 0;
    uint64_t count = 0;
    unsigned buffer_kb = 0;
    bool stacks = false;
    bool json = false;
    bool stats = false;
    bool no_irq_info = false;                             // text: leave out the irq-info columns
    size_t max_funcs = compile::kDefaultMaxGlobFunctions; // --max-funcs: the cap on functions from
                                                          // globs (compile/glob.h)
    size_t fprobe_funcs = compile::kDefaultGlobFprobeMin; // --fprobe-funcs (0: never)
};

// -p -d -n -b -s --stats --no-irq-info --json; `stacks` (the options of event
// streams) only where they make sense. json_help says what --json prints:
// an object per event, or (count, hist, lat) one document for the run.
inline constexpr const char *kJsonPerEvent = "one JSON object per event (typed fields)";
inline constexpr const char *kJsonDocument =
    "the result as one JSON document (keys, rows, where, why, dropped, lost)";
void add_common_options(CLI::App &app, CommonOptions &o, bool stacks,
                        const char *json_help = kJsonPerEvent);
// --max-funcs and --fprobe-funcs, for the commands whose expressions may
// hold function globs.
void add_glob_option(CLI::App &app, CommonOptions &o);

struct SplitArgs {
    std::vector<char *> args;         // argv before "--"
    std::vector<std::string> command; // after "--"
};
SplitArgs split_command(int argc, char **argv);
// Splits argv at "--" into `split` and parses the part before it into app;
// returns the exit status when the command ends there (--help, a usage error).
std::optional<int> parse_command(CLI::App &app, int argc, char **argv, SplitArgs &split);

// tracefs, or nullopt after telling the user why it cannot be had.
std::optional<tracefs::Tracefs> open_tracefs_or_report();

// Prints CLI11's message; 0 for --help, 2 (bad input) for anything else.
int parse_error_exit(CLI::App &app, const CLI::ParseError &e);

// Fork, exec and rename events that name processes (even short-lived ones,
// even after busybox renames itself), minus those the plan already shows.
std::vector<capture::EventRef> bookkeeping_events(const compile::Plan &plan);
using engine::find_events; // engine/engine.h

RunOptions to_run_options(const CommonOptions &o, const std::vector<std::string> &command);

// Compiles with the types and events it needs, loaded only when needed.
// Prints diagnostics and the plan's notes; the error is the exit status.
// `common`: --max-funcs (the cap on functions from globs) and --fprobe-funcs.
std::expected<compile::Plan, int> compile_sources(const std::vector<compile::Source> &sources,
                                                  const std::string &arch_name,
                                                  const std::string &btf_path,
                                                  const CommonOptions &common);

} // namespace ksurf::commands
