#include "compile/kernel_support.h"

namespace ksurf::compile {

namespace {

// The lines of trace.c's readme_msg under CONFIG_FPROBE_EVENTS (6.5+).
constexpr std::string_view kFprobeLine = "f[:[<group>/][<event>]] <func-name>[%return]";
constexpr std::string_view kTprobeLine = "t[:[<group>/][<event>]] <tracepoint>";

} // namespace

std::string missing_probe_support(ProbeKind kind, std::string_view readme) {
    switch (kind) {
    case ProbeKind::Fprobe:
    case ProbeKind::Fretprobe:
        if (readme.find(kFprobeLine) != std::string_view::npos) return "";
        return "this kernel has no fprobe events (tracefs/README lacks '" +
               std::string(kFprobeLine) +
               "'; the kernel predates them or was built without CONFIG_FPROBE_EVENTS)";
    case ProbeKind::Tprobe:
        if (readme.find(kTprobeLine) != std::string_view::npos) return "";
        return "this kernel has no tracepoint probes (tracefs/README lacks '" +
               std::string(kTprobeLine) +
               "'; the kernel predates them or was built without CONFIG_FPROBE_EVENTS)";
    case ProbeKind::Kprobe:
    case ProbeKind::Kretprobe:
    case ProbeKind::Uprobe:
    case ProbeKind::Uretprobe:
    case ProbeKind::Event:
        break;
    }
    return "";
}

} // namespace ksurf::compile
