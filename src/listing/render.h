// Text and JSON for the listings of listing.h. Text is for people (aligned,
// coloured only when `color`), JSON for programs: one document per listing.
#pragma once

#include "listing/listing.h"

#include <nlohmann/json.hpp>
#include <string>

namespace ksurf::listing {

struct Style {
    bool color = false;
    std::string bold(std::string_view s) const;
    std::string dim(std::string_view s) const;
    std::string accent(std::string_view s) const; // names worth spotting
};

std::string render_funcs(const FuncListing &l, bool all, const Style &st);
std::string render_events(const std::vector<EventEntry> &evs, bool verbose, const Style &st);
std::string render_func(const FuncInfo &f, const Style &st);
std::string render_struct(const StructLayout &s, const Style &st);
std::string render_path(const MemberPath &p, const Style &st);
std::string render_uprobes(const UprobeListing &l, const Style &st);
std::string render_disasm(const Disassembly &d, const Style &st);

nlohmann::json to_json(const FuncListing &l);
nlohmann::json to_json(const std::vector<EventEntry> &evs, bool verbose);
nlohmann::json to_json(const FuncInfo &f);
nlohmann::json to_json(const StructLayout &s);
nlohmann::json to_json(const MemberPath &p);
nlohmann::json to_json(const UprobeListing &l);
nlohmann::json to_json(const Disassembly &d);

} // namespace ksurf::listing
