#include "commands/commands.h"

#include <cstdio>

namespace ksurf::commands {

int dispatch(int, char **) {
    std::puts("ksurf: not yet");
    return 0;
}

} // namespace ksurf::commands
