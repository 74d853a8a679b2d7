// The trace events of the running kernel, as the compiler sees them
// (compile::EventCatalog): names listed by libtracefs, fields from formats
// parsed by libtraceevent into one tep_handle.
#pragma once

#include "compile/event_catalog.h"
#include "tracefs/tracefs.h"

#include <map>
#include <memory>
#include <string>

struct tep_handle;

namespace ksurf::tracefs {

struct TepFree {
    void operator()(tep_handle *t) const;
};

class TracefsEventCatalog : public compile::EventCatalog {
  public:
    explicit TracefsEventCatalog(Tracefs fs);
    std::vector<std::pair<std::string, std::string>>
    match(std::string_view system_glob, std::string_view event_glob) const override;
    std::optional<std::vector<compile::EventField>> fields(std::string_view system,
                                                           std::string_view event) const override;

  private:
    Tracefs fs_;
    mutable std::map<std::string, std::vector<std::string>, std::less<>> events_; // per system
    mutable std::vector<std::string> systems_;
    // Every format read so far, parsed once (tep_find_event_by_name finds it again).
    mutable std::unique_ptr<tep_handle, TepFree> tep_;
};

// The fields of an events/SYS/EVT/format file, as libtraceevent parses them
// (common fields first).
std::vector<compile::EventField> parse_format_fields(std::string_view format);

} // namespace ksurf::tracefs
