// The probe stream: every record of the armed probes and events as a line
// (text, as the kernel's `trace` shows it) or a JSON object.
#pragma once

#include "engine/engine.h"

#include <memory>
#include <string>
#include <vector>

namespace ksurf::engine {

struct StreamOptions {
    bool json = false, stacks = false, irq_info = true;
    std::vector<capture::EventRef> hidden; // armed only to name processes: not shown
    std::string tracefs_dir;
};

std::unique_ptr<Handler> make_stream_handler(tep_handle *tep, const output::Styles &styles,
                                             const StreamOptions &o);

} // namespace ksurf::engine
