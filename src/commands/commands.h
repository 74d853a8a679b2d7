#pragma once

namespace ksurf::commands {

// Picks the command from argv[1] (who, reset, run, list, help; anything else
// is a probe expression) and runs it; returns the process exit status.
int dispatch(int argc, char **argv);

} // namespace ksurf::commands
