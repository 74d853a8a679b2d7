// Hit and miss counts of a run's probes (kprobe_profile, uprobe_profile).
#pragma once

#include "tracefs/tracefs.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ksurf::tracefs {

struct ProbeProfile {
    std::string event; // "ksurf_123/p0"
    uint64_t hits = 0;
    uint64_t misses = 0; // kretprobes: returns missed for lack of maxactive instances
};

// The profile files name events without their group, so each is paired with
// the definition file's line in the same position (both list the kernel's
// probes in one order). Only events of `group` are returned.
std::vector<ProbeProfile> pair_profile(std::string_view definitions, std::string_view profile,
                                       std::string_view group, bool uprobes);

// Reads kprobe_events + kprobe_profile and uprobe_events + uprobe_profile.
std::vector<ProbeProfile> read_profiles(const Tracefs &fs, std::string_view group);

} // namespace ksurf::tracefs
