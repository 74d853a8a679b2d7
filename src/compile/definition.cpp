// The kernel's definition line of one dynamic probe (plan.h's contract).
#include "compile/plan.h"

#include <cstdio>

namespace ksurf::compile {

std::string probe_definition(const Probe &probe, std::string_view group, std::string_view name,
                             std::string_view resolved_path, uint64_t file_offset) {
    std::string out;
    std::string head = std::string(group) + "/" + std::string(name);
    switch (probe.kind) {
    case ProbeKind::Event:
        return {};
    case ProbeKind::Kprobe:
    case ProbeKind::Kretprobe:
        if (probe.kind == ProbeKind::Kprobe)
            out = "p:" + head + " ";
        else
            out = "r" + (probe.maxactive ? std::to_string(probe.maxactive) : "") + ":" + head + " ";
        if (probe.has_address) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "0x%llx",
                          static_cast<unsigned long long>(probe.address));
            out += buf;
            break;
        }
        if (!probe.module.empty()) out += probe.module + ":";
        out += probe.symbol;
        if (probe.offset) out += "+" + std::to_string(probe.offset);
        break;
    case ProbeKind::Fprobe:
    case ProbeKind::Fretprobe:
        // f:GRP/EVENT FUNC[%return] (fprobetrace.rst)
        out = "f:" + head + " " + probe.symbol;
        if (probe.kind == ProbeKind::Fretprobe) out += "%return";
        break;
    case ProbeKind::Tprobe:
        out = "t:" + head + " " + probe.symbol;
        break;
    case ProbeKind::Uprobe:
    case ProbeKind::Uretprobe: {
        out = std::string(probe.kind == ProbeKind::Uprobe ? "p:" : "r:") + head + " ";
        std::string_view path =
            resolved_path.empty() ? std::string_view(probe.path) : resolved_path;
        uint64_t off = file_offset ? file_offset : (probe.symbol.empty() ? probe.offset : 0);
        char buf[32];
        std::snprintf(buf, sizeof buf, ":0x%llx", static_cast<unsigned long long>(off));
        out += std::string(path) + buf;
        if (probe.has_ref_ctr) {
            std::snprintf(buf, sizeof buf, "(0x%llx)",
                          static_cast<unsigned long long>(probe.ref_ctr_offset));
            out += buf;
        }
        break;
    }
    }
    for (const auto &a : probe.args) out += " " + a.name + "=" + a.fetch;
    return out;
}

std::string_view definition_file(const Probe &probe) {
    switch (probe.kind) {
    case ProbeKind::Kprobe:
    case ProbeKind::Kretprobe:
        return "kprobe_events";
    case ProbeKind::Uprobe:
    case ProbeKind::Uretprobe:
        return "uprobe_events";
    case ProbeKind::Fprobe:
    case ProbeKind::Fretprobe:
    case ProbeKind::Tprobe:
        return "dynamic_events";
    case ProbeKind::Event:
        break;
    }
    return "";
}

} // namespace ksurf::compile
