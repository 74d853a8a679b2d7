#include "listing/listing.h"
#include "util/strings.h"

#include <algorithm>
#include <set>

namespace ksurf::listing {

FuncListing list_funcs(const ksyms::KernelSymbols &syms, std::string_view glob, bool all) {
    FuncListing out;
    bool filtered = !glob.empty() && glob != "*";
    std::set<std::pair<std::string_view, std::string_view>> seen;
    for (const auto &s : syms.text_symbols()) {
        if (filtered && !glob_match(glob, s.name)) continue;
        if (!seen.emplace(s.name, s.module).second) continue;
        FuncEntry e{s.name, s.module, true, {}};
        if (syms.blacklisted(s.name)) {
            e.probeable = false;
            e.reason = "on the kprobe blacklist";
        } else if (s.name.ends_with(".cold") || s.name.find(".cold.") != std::string::npos) {
            e.probeable = false;
            e.reason = "a cold part split off a function, not an entry";
        } else if (syms.traceable_known() && !syms.traceable(s.name)) {
            e.probeable = false;
            e.reason = "not in available_filter_functions (notrace, or not ftrace-able)";
        }
        if (e.probeable || all) out.funcs.push_back(std::move(e));
    }
    std::sort(out.funcs.begin(), out.funcs.end(), [](const FuncEntry &a, const FuncEntry &b) {
        return a.name != b.name ? a.name < b.name : a.module < b.module;
    });
    if (!syms.traceable_known())
        out.notes.push_back("available_filter_functions is not readable here: every text "
                            "symbol of /proc/kallsyms not on the kprobe blacklist is listed");
    if (!syms.blacklist_known())
        out.notes.push_back("the kprobe blacklist (debugfs kprobes/blacklist) is not readable: "
                            "blacklisted functions are not marked");
    return out;
}

std::vector<EventEntry> list_events(const compile::EventCatalog &catalog, std::string_view glob,
                                    bool with_fields) {
    std::vector<std::pair<std::string, std::string>> found;
    if (glob.empty()) glob = "*";
    size_t slash = glob.find('/');
    if (slash != std::string_view::npos) {
        std::string_view sys = glob.substr(0, slash), ev = glob.substr(slash + 1);
        found = catalog.match(sys.empty() ? "*" : sys, ev.empty() ? "*" : ev);
    } else {
        found = catalog.match("*", glob);
        auto whole = catalog.match(glob, "*");
        found.insert(found.end(), whole.begin(), whole.end());
        std::sort(found.begin(), found.end());
        found.erase(std::unique(found.begin(), found.end()), found.end());
    }
    std::vector<EventEntry> out;
    out.reserve(found.size());
    for (auto &[sys, ev] : found) {
        EventEntry e{sys, ev, {}};
        if (with_fields)
            if (auto f = catalog.fields(sys, ev)) e.fields = std::move(*f);
        out.push_back(std::move(e));
    }
    return out;
}

} // namespace ksurf::listing
