#include "tracefs/synth.h"

#include "tracefs/synth_lib.h"

#include "util/strings.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>

namespace ksurf::tracefs {

namespace {

// The error of a libtracefs call: errno, and what the kernel logged since.
Error synth_error(const Tracefs &fs, const std::string &what, const std::string &log_before) {
    int e = errno;
    Error err{what, e > 0 ? e : 0, {}, {}};
    err.kernel_log = error_log_since(log_before, fs.error_log());
    return err;
}

} // namespace

Result<std::shared_ptr<LatencySynth>> LatencySynth::create(tep_handle *tep, const Tracefs &fs,
                                                           const std::string &name,
                                                           const std::string &system,
                                                           const std::string &start,
                                                           const std::string &end, bool usecs) {
    std::string before = fs.error_log();
    errno = 0;
    tracefs_synth *s = ksurf_synth_latency(tep, name.c_str(), system.c_str(), start.c_str(),
                                           end.c_str(), usecs ? 1 : 0);
    if (!s)
        return std::unexpected(
            synth_error(fs,
                        fmt::format("cannot describe the synthetic event {} ({}/{} -> {}/{})", name,
                                    system, start, system, end),
                        before));
    if (ksurf_synth_create(s) < 0) {
        Error e =
            synth_error(fs, fmt::format("the kernel refused the synthetic event {}", name), before);
        ksurf_synth_free(s);
        return std::unexpected(e);
    }
    return std::shared_ptr<LatencySynth>(new LatencySynth(s, name));
}

LatencySynth::~LatencySynth() {
    destroy();
    ksurf_synth_free(synth_);
}

void LatencySynth::destroy() noexcept {
    if (!live_) return;
    live_ = false;
    if (ksurf_synth_destroy(synth_) < 0)
        std::fprintf(stderr, "ksurf: cleanup: cannot remove the synthetic event %s: %s\n",
                     name_.c_str(), std::strerror(errno));
}

std::optional<pid_t> synthetic_owner(std::string_view name) {
    // "ksurf_123_lat": the owner's group name is what precedes the second '_'.
    if (!name.starts_with("ksurf_")) return std::nullopt;
    size_t end = name.find('_', 6);
    if (end == std::string_view::npos) return std::nullopt;
    return owner_of(name.substr(0, end));
}

void remove_leftover_synthetic(const Tracefs &fs, Removed &out) {
    auto dead = [](std::optional<pid_t> pid) { return pid && !owner_alive(*pid); };
    std::vector<std::pair<std::string, std::string>> triggers; // file, spec
    auto collect = [&](const std::string &rel) {
        auto text = fs.read(rel);
        if (!text) return;
        for (const auto &line : split(*text, '\n')) {
            if (!line.starts_with("hist:")) continue;
            // The file shows "SPEC [active]"; the kernel removes "!SPEC".
            std::string spec = line;
            for (std::string_view tail : {" [active]", " [paused]"})
                if (spec.ends_with(tail)) spec.resize(spec.size() - tail.size());
            triggers.emplace_back(rel, spec);
        }
    };
    // A dead run's histograms on synthetic events in its instance: removing
    // the instance frees them without giving back their hold on the event
    // (6.1, 6.12: only "!hist:" does), which could then never be removed.
    for (const auto &name : fs.list_dir("instances")) {
        if (name.size() < 6 || name[5] != '-' || !dead(owner_of(name))) continue;
        std::string dir = fmt::format("instances/{}/events/synthetic", name);
        for (const auto &event : fs.list_dir(dir))
            if (dead(synthetic_owner(event))) collect(fmt::format("{}/{}/trigger", dir, event));
    }
    // The triggers a dead run put on its own events at the top level.
    for (const auto &group : fs.list_dir("events")) {
        if (group.size() < 6 || group[5] != '_' || !dead(owner_of(group))) continue;
        for (const auto &event : fs.list_dir("events/" + group))
            collect(fmt::format("events/{}/{}/trigger", group, event));
    }
    // A return's histogram (onmatch) refers to the entry's variables: it
    // goes first, or the kernel refuses to remove the entry's (EBUSY).
    std::stable_partition(triggers.begin(), triggers.end(), [](const auto &t) {
        return t.second.find("onmatch(") != std::string::npos;
    });
    for (const auto &[rel, spec] : triggers) {
        auto st = fs.write(rel, "!" + spec, true);
        if (!st) out.problems.push_back(st.error().str());
    }
    // The synthetic events themselves ("ksurf_123_lat u64 lat").
    auto defs = fs.read("synthetic_events");
    if (!defs) return;
    for (const auto &line : split(*defs, '\n')) {
        std::string name = line.substr(0, line.find_first_of(" \t"));
        if (!dead(synthetic_owner(name))) continue;
        auto st = fs.write("synthetic_events", "!" + name, true);
        if (st)
            out.dynamic_events.push_back("synthetic/" + name);
        else
            out.problems.push_back(st.error().str());
    }
}

} // namespace ksurf::tracefs
