// ksurf run: placeholder until its issue lands.
#include "commands/commands.h"

#include <cstdio>

namespace ksurf::commands {

int cmd_run(int, char **) {
    std::fputs("ksurf run: not implemented yet\n", stderr);
    return kExitFailure;
}

} // namespace ksurf::commands
