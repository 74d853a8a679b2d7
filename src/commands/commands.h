#pragma once

#include "engine/exit_status.h"

namespace ksurf::commands {

// Picks the command from argv[1] (who, reset, probe, help; anything else is
// a probe expression) and runs it; returns the process exit status.
int dispatch(int argc, char **argv);

// Exit statuses (engine/exit_status.h): 0 done, 1 the system or kernel
// refused, 2 bad input, 74 the output could not be written.
using engine::kExitFailure;
using engine::kExitOk;
using engine::kExitOutput;
using engine::kExitUsage;

int cmd_probe(int argc, char **argv);
int cmd_who(int argc, char **argv);
int cmd_reset(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_count(int argc, char **argv);
int cmd_hist(int argc, char **argv);
int cmd_lat(int argc, char **argv);

} // namespace ksurf::commands
