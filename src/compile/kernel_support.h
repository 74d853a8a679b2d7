// Which probe kinds the running kernel can define, read from its tracefs
// README (the synopsis of dynamic_events it prints), never from the version.
// compile does not read the kernel: the caller passes the README's text.
#pragma once

#include "compile/plan.h"

#include <string>
#include <string_view>

namespace ksurf::compile {

// "" when the kernel's README lists the kind's definition syntax (or the kind
// needs no such line: p r P R e), else why not, naming the feature
// ("this kernel has no fprobe events (...)").
std::string missing_probe_support(ProbeKind kind, std::string_view readme);

} // namespace ksurf::compile
