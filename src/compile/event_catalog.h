// What the compiler needs to know about trace events (e SYSTEM/EVENT):
// which exist and what fields they have. The host implementation reads
// tracefs (src/tracefs/); tests use a fake.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ksurf::compile {

struct EventField {
    std::string name;    // "prev_pid", "common_pid"
    std::string type;    // as the format file says: "pid_t", "char[16]", "__data_loc char[]"
    unsigned offset = 0; // bytes into the record
    unsigned size = 0;   // bytes
    bool is_signed = false;
    bool is_string = false; // char[N] or __data_loc char[]
    bool is_common = false; // common_*
};

class EventCatalog {
  public:
    virtual ~EventCatalog() = default;
    // Events matching the globs, sorted, as (system, event).
    virtual std::vector<std::pair<std::string, std::string>>
    match(std::string_view system_glob, std::string_view event_glob) const = 0;
    // The fields of one event, common_* included; nullopt if it does not exist.
    virtual std::optional<std::vector<EventField>> fields(std::string_view system,
                                                          std::string_view event) const = 0;
};

} // namespace ksurf::compile
