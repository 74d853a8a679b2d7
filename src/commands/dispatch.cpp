#include "commands/commands.h"

#include "commands/usage.h"

#include <cstdio>
#include <cstring>
#include <string_view>

namespace ksurf::commands {

int dispatch(int argc, char **argv) {
    if (argc >= 2) {
        std::string_view cmd = argv[1];
        // argv[0] of the sub-command is "ksurf who" etc. for CLI11's messages.
        if (cmd == "who") return cmd_who(argc - 1, argv + 1);
        if (cmd == "reset") return cmd_reset(argc - 1, argv + 1);
        if (cmd == "probe") return cmd_probe(argc - 1, argv + 1);
        if (cmd == "run") return cmd_run(argc - 1, argv + 1);
        if (cmd == "list") return cmd_list(argc - 1, argv + 1);
        if (cmd == "help") {
            if (argc >= 3) {
                char help[] = "--help";
                char *sub[] = {argv[0], argv[2], help, nullptr};
                return dispatch(3, sub);
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

} // namespace ksurf::commands
