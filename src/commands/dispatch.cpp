#include "commands/commands.h"

#include "commands/usage.h"
#include "util/write_error.h"

#include <cstdio>
#include <cstring>
#include <string_view>

namespace ksurf::commands {

namespace {

int dispatch_one(int argc, char **argv) {
    if (argc >= 2) {
        std::string_view cmd = argv[1];
        // argv[0] of the sub-command is "ksurf who" etc. for CLI11's messages.
        if (cmd == "who") return cmd_who(argc - 1, argv + 1);
        if (cmd == "reset") return cmd_reset(argc - 1, argv + 1);
        if (cmd == "probe") return cmd_probe(argc - 1, argv + 1);
        if (cmd == "run") return cmd_run(argc - 1, argv + 1);
        if (cmd == "list") return cmd_list(argc - 1, argv + 1);
        if (cmd == "count") return cmd_count(argc - 1, argv + 1);
        if (cmd == "hist") return cmd_hist(argc - 1, argv + 1);
        if (cmd == "lat") return cmd_lat(argc - 1, argv + 1);
        if (cmd == "help") {
            if (argc >= 3) {
                char help[] = "--help";
                char *sub[] = {argv[0], argv[2], help, nullptr};
                return dispatch_one(3, sub);
            }
            std::fputs(kTopUsage, stdout);
            return 0;
        }
        if (cmd == "--help" || cmd == "-h") {
            std::fputs(kTopUsage, stdout);
            return 0;
        }
        if (cmd == "--version" || cmd == "-V") {
            // The second line names optional parts built in, so a test can
            // check a precondition instead of guessing from an error message.
#ifdef KSURF_HAVE_CAPSTONE
            std::printf("ksurf %s\nbuilt with: capstone\n", KSURF_VERSION);
#else
            std::printf("ksurf %s\nbuilt with: (no capstone: list disasm shows bytes only)\n",
                        KSURF_VERSION);
#endif
            return 0;
        }
    } else {
        std::fputs(kTopUsage, stderr);
        return 2;
    }
    return cmd_probe(argc, argv);
}

} // namespace

// Every command's output is checked once more at the end: a listing, -S or
// --help that could not be written is a failure too (the tracing commands
// have already stopped, torn down and said so).
int dispatch(int argc, char **argv) {
    int status = dispatch_one(argc, argv);
    if (status == kExitOutput) return status;
    flush_checked(stdout, "standard output");
    if (auto e = write_failure()) {
        std::fprintf(stderr, "ksurf: %s\n", e->str().c_str());
        return kExitOutput;
    }
    return status;
}

} // namespace ksurf::commands
