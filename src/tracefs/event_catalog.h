// The trace events of the running kernel, as the compiler sees them
// (compile::EventCatalog), read from tracefs events/.
#pragma once

#include "compile/event_catalog.h"
#include "tracefs/tracefs.h"

#include <map>
#include <string>

namespace ksurf::tracefs {

class TracefsEventCatalog : public compile::EventCatalog {
  public:
    explicit TracefsEventCatalog(Tracefs fs) : fs_(std::move(fs)) {}
    std::vector<std::pair<std::string, std::string>>
    match(std::string_view system_glob, std::string_view event_glob) const override;
    std::optional<std::vector<compile::EventField>> fields(std::string_view system,
                                                           std::string_view event) const override;

  private:
    Tracefs fs_;
    mutable std::map<std::string, std::vector<std::string>, std::less<>> events_; // per system
    mutable std::vector<std::string> systems_;
};

// Parses the "field:" lines of an events/SYS/EVT/format file.
std::vector<compile::EventField> parse_format_fields(std::string_view format);

} // namespace ksurf::tracefs
