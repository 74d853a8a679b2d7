#include "tracefs/event_catalog.h"

#include "tracefs/lib.h"
#include "util/strings.h"

#include <algorithm>

extern "C" {
#include <traceevent/event-parse.h>
}

namespace ksurf::tracefs {

void TepFree::operator()(tep_handle *t) const {
    tep_free(t);
}

namespace {

std::vector<std::string> take_list(char **list) {
    std::vector<std::string> out;
    for (char **p = list; p && *p; ++p) out.emplace_back(*p);
    tracefs_list_free(list);
    std::sort(out.begin(), out.end());
    return out;
}

compile::EventField field_of(const tep_format_field &f) {
    compile::EventField out;
    out.name = f.name ? f.name : "";
    out.type = f.type ? f.type : "";
    out.offset = static_cast<unsigned>(f.offset);
    out.size = static_cast<unsigned>(f.size);
    out.is_signed = (f.flags & TEP_FIELD_IS_SIGNED) != 0;
    // A string the kernel copied into the record: a char array, fixed or
    // dynamic (__data_loc, __rel_loc); a char pointer is a user address.
    bool is_char = out.type.find("char") != std::string::npos;
    out.is_string =
        is_char &&
        (f.flags & (TEP_FIELD_IS_ARRAY | TEP_FIELD_IS_DYNAMIC | TEP_FIELD_IS_RELATIVE)) != 0;
    out.is_common = out.name.starts_with("common_");
    return out;
}

std::vector<compile::EventField> fields_of(const tep_event &ev) {
    std::vector<compile::EventField> out;
    for (auto *f = ev.format.common_fields; f; f = f->next) out.push_back(field_of(*f));
    for (auto *f = ev.format.fields; f; f = f->next) out.push_back(field_of(*f));
    return out;
}

// Parses one format into tep; the event even when its print fmt is beyond
// libtraceevent (the fields are what the catalog needs).
tep_event *parse_into(tep_handle *tep, std::string_view format, const std::string &system) {
    tep_event *ev = nullptr;
    tep_parse_format(tep, &ev, format.data(), format.size(), system.c_str());
    return ev;
}

} // namespace

std::vector<compile::EventField> parse_format_fields(std::string_view format) {
    std::unique_ptr<tep_handle, TepFree> tep(tep_alloc());
    if (!tep) return {};
    tep_event *ev = parse_into(tep.get(), format, "ksurf");
    return ev ? fields_of(*ev) : std::vector<compile::EventField>{};
}

TracefsEventCatalog::TracefsEventCatalog(Tracefs fs) : fs_(std::move(fs)), tep_(tep_alloc()) {}

std::vector<std::pair<std::string, std::string>>
TracefsEventCatalog::match(std::string_view system_glob, std::string_view event_glob) const {
    if (!has_glob(system_glob) && !has_glob(event_glob)) {
        std::string sys(system_glob), ev(event_glob);
        if (fs_.exists("events/" + sys + "/" + ev + "/format")) return {{sys, ev}};
        return {};
    }
    // Systems are the directories with an enable file, events their subdirectories.
    if (systems_.empty()) systems_ = take_list(tracefs_event_systems(fs_.root().c_str()));
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto &sys : systems_) {
        if (!glob_match(system_glob, sys)) continue;
        auto it = events_.find(sys);
        if (it == events_.end())
            it =
                events_
                    .emplace(sys, take_list(tracefs_system_events(fs_.root().c_str(), sys.c_str())))
                    .first;
        for (const auto &ev : it->second)
            if (glob_match(event_glob, ev)) out.emplace_back(sys, ev);
    }
    return out;
}

// One format at a time into the catalog's tep_handle: the compiler asks for
// the few events a probe names, while tracefs_local_events_system() would
// parse every format of the system (about 700 for syscalls) for one of them.
std::optional<std::vector<compile::EventField>>
TracefsEventCatalog::fields(std::string_view system, std::string_view event) const {
    std::string sys(system), ev(event);
    if (!tep_) return std::nullopt;
    if (auto *e = tep_find_event_by_name(tep_.get(), sys.c_str(), ev.c_str())) return fields_of(*e);
    auto text = fs_.read("events/" + sys + "/" + ev + "/format");
    if (!text) return std::nullopt;
    tep_event *e = parse_into(tep_.get(), *text, sys);
    if (!e) return std::nullopt;
    return fields_of(*e);
}

} // namespace ksurf::tracefs
