// ksurf reset: remove what dead ksurf runs left in the kernel, and nothing else.
#include "commands/commands.h"
#include "commands/common.h"
#include "tracefs/session.h"

#include <CLI/CLI.hpp>
#include <cstdio>

namespace ksurf::commands {

int cmd_reset(int argc, char **argv) {
    CLI::App app{"ksurf reset: remove the tracefs instances and dynamic events that ksurf runs "
                 "killed with SIGKILL left behind. Live runs and anything ksurf did not create "
                 "are left alone.",
                 "ksurf reset"};
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        return parse_error_exit(app, e);
    }
    auto fs = open_tracefs_or_report();
    if (!fs) return kExitFailure;
    tracefs::Removed r = tracefs::remove_leftovers(*fs);
    for (const auto &i : r.instances) std::printf("removed instance %s\n", i.c_str());
    for (const auto &e : r.dynamic_events) std::printf("removed dynamic event %s\n", e.c_str());
    for (const auto &f : r.restored) std::printf("restored %s\n", f.c_str());
    for (const auto &p : r.problems) std::fprintf(stderr, "ksurf: %s\n", p.c_str());
    if (r.instances.empty() && r.dynamic_events.empty() && r.restored.empty() && r.problems.empty())
        std::printf("nothing to remove: no leftovers of dead ksurf runs\n");
    return r.problems.empty() ? kExitOk : kExitFailure;
}

} // namespace ksurf::commands
