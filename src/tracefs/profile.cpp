#include "tracefs/profile.h"

#include "util/strings.h"

#include <charconv>

namespace ksurf::tracefs {

namespace {

std::vector<std::string> words(std::string_view line) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        if (i > start) out.emplace_back(line.substr(start, i - start));
    }
    return out;
}

uint64_t number(const std::string &s) {
    uint64_t v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
}

std::vector<std::string> lines(std::string_view text) {
    std::vector<std::string> out;
    for (auto &l : split(text, '\n'))
        if (!trim(l).empty()) out.push_back(l);
    return out;
}

} // namespace

std::vector<ProbeProfile> pair_profile(std::string_view definitions, std::string_view profile,
                                       std::string_view group, bool uprobes) {
    std::vector<ProbeProfile> out;
    auto defs = lines(definitions);
    auto prof = lines(profile);
    if (defs.size() != prof.size()) return out; // changed between the reads
    for (size_t i = 0; i < defs.size(); ++i) {
        // "p:ksurf_123/p0 do_sys_openat2 ..." / "r10:ksurf_123/p1 ..."
        const std::string &d = defs[i];
        size_t colon = d.find(':'), space = d.find(' ');
        if (colon == std::string::npos || space == std::string::npos || colon > space) continue;
        std::string id = d.substr(colon + 1, space - colon - 1);
        size_t slash = id.find('/');
        if (slash == std::string::npos || std::string_view(id).substr(0, slash) != group) continue;
        auto w = words(prof[i]);
        ProbeProfile p;
        p.event = id;
        std::string name = id.substr(slash + 1);
        // kprobe_profile: "NAME HITS MISSES"; uprobe_profile: "PATH NAME HITS".
        if (!uprobes && w.size() >= 3 && w[0] == name) {
            p.hits = number(w[1]);
            p.misses = number(w[2]);
        } else if (uprobes && w.size() >= 3 && w[1] == name) {
            p.hits = number(w[2]);
        } else {
            continue;
        }
        out.push_back(std::move(p));
    }
    return out;
}

std::vector<ProbeProfile> read_profiles(const Tracefs &fs, std::string_view group) {
    std::vector<ProbeProfile> out;
    for (bool uprobes : {false, true}) {
        std::string defs_file = uprobes ? "uprobe_events" : "kprobe_events";
        std::string prof_file = uprobes ? "uprobe_profile" : "kprobe_profile";
        // Read twice around the profile: a probe added or removed meanwhile shows.
        for (int attempt = 0; attempt < 3; ++attempt) {
            auto d1 = fs.read(defs_file);
            auto prof = fs.read(prof_file);
            auto d2 = fs.read(defs_file);
            if (!d1 || !prof || !d2) break;
            if (*d1 != *d2) continue;
            auto got = pair_profile(*d1, *prof, group, uprobes);
            out.insert(out.end(), got.begin(), got.end());
            break;
        }
    }
    return out;
}

} // namespace ksurf::tracefs
