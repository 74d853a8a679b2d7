// ksurf list: placeholder until its issue lands.
#include "commands/commands.h"

#include <cstdio>

namespace ksurf::commands {

int cmd_list(int, char **) {
    std::fputs("ksurf list: not implemented yet\n", stderr);
    return kExitFailure;
}

} // namespace ksurf::commands
