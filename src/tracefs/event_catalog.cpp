#include "tracefs/event_catalog.h"

#include "util/strings.h"

#include <algorithm>
#include <charconv>

namespace ksurf::tracefs {

namespace {

unsigned number_after(std::string_view line, std::string_view key) {
    size_t pos = line.find(key);
    if (pos == std::string_view::npos) return 0;
    pos += key.size();
    unsigned v = 0;
    std::from_chars(line.data() + pos, line.data() + line.size(), v);
    return v;
}

} // namespace

std::vector<compile::EventField> parse_format_fields(std::string_view format) {
    std::vector<compile::EventField> out;
    for (const auto &raw : split(format, '\n')) {
        std::string_view line = trim(raw);
        if (!line.starts_with("field:")) continue;
        // "field:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;"
        size_t semi = line.find(';');
        if (semi == std::string_view::npos) continue;
        std::string_view decl = trim(line.substr(6, semi - 6));
        compile::EventField f;
        f.offset = number_after(line, "offset:");
        f.size = number_after(line, "size:");
        f.is_signed = number_after(line, "signed:") != 0;
        // The name is the last identifier before any [N].
        std::string_view d = decl;
        size_t bracket = d.rfind('[');
        std::string_view suffix;
        if (!d.empty() && d.back() == ']' && bracket != std::string_view::npos) {
            suffix = d.substr(bracket);
            d = trim(d.substr(0, bracket));
        }
        size_t name_start = d.find_last_of(" *");
        name_start = name_start == std::string_view::npos ? 0 : name_start + 1;
        f.name = std::string(d.substr(name_start));
        f.type = std::string(trim(d.substr(0, name_start)));
        f.type += suffix;
        bool is_char = f.type.find("char") != std::string::npos;
        f.is_string = is_char && (f.type.find('[') != std::string::npos ||
                                  f.type.find("__data_loc") != std::string::npos ||
                                  f.type.find("__rel_loc") != std::string::npos);
        f.is_common = f.name.starts_with("common_");
        out.push_back(std::move(f));
    }
    return out;
}

std::vector<std::pair<std::string, std::string>>
TracefsEventCatalog::match(std::string_view system_glob, std::string_view event_glob) const {
    if (!has_glob(system_glob) && !has_glob(event_glob)) {
        std::string sys(system_glob), ev(event_glob);
        if (fs_.exists("events/" + sys + "/" + ev + "/format")) return {{sys, ev}};
        return {};
    }
    if (systems_.empty()) {
        for (auto &s : fs_.list_dir("events"))
            if (fs_.exists("events/" + s + "/enable") && !fs_.exists("events/" + s + "/format"))
                systems_.push_back(s);
        std::sort(systems_.begin(), systems_.end());
    }
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto &sys : systems_) {
        if (!glob_match(system_glob, sys)) continue;
        auto it = events_.find(sys);
        if (it == events_.end()) {
            std::vector<std::string> evs;
            for (auto &e : fs_.list_dir("events/" + sys))
                if (fs_.exists("events/" + sys + "/" + e + "/format")) evs.push_back(e);
            std::sort(evs.begin(), evs.end());
            it = events_.emplace(sys, std::move(evs)).first;
        }
        for (const auto &ev : it->second)
            if (glob_match(event_glob, ev)) out.emplace_back(sys, ev);
    }
    return out;
}

std::optional<std::vector<compile::EventField>>
TracefsEventCatalog::fields(std::string_view system, std::string_view event) const {
    auto text = fs_.read("events/" + std::string(system) + "/" + std::string(event) + "/format");
    if (!text) return std::nullopt;
    return parse_format_fields(*text);
}

} // namespace ksurf::tracefs
