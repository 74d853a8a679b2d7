#include "commands/commands.h"

#include <cstdio>
#include <exception>

int main(int argc, char **argv) {
    // Caught here so that the stack unwinds: an exception escaping a command
    // (out of memory, a library's throw) would otherwise reach std::terminate
    // without running the session's destructor, leaving the instance, the
    // probes and the changed top-level files until the next run.
    try {
        return ksurf::commands::dispatch(argc, argv);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "ksurf: internal error: %s\n", e.what());
    } catch (...) {
        std::fprintf(stderr, "ksurf: internal error\n");
    }
    return 1;
}
