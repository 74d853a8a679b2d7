// ksurf who's mode: one line per call while it runs, then a table per
// process (seed 002: "who cleared my kernel log?").
#pragma once

#include "engine/engine.h"

#include <memory>
#include <string>
#include <vector>

struct tep_event;

namespace ksurf::engine {

// label: the call as lines name it ("syslog"). bookkeeping: the events armed
// only to name processes (fed to the process table, not shown).
// plan: a glob's probes (who 'vfs_*') label each call with their function.
std::unique_ptr<Handler> make_who_handler(tep_handle *tep, std::string label,
                                          const compile::Plan &plan, bool json,
                                          std::vector<const tep_event *> bookkeeping,
                                          std::string tracefs_dir);

} // namespace ksurf::engine
