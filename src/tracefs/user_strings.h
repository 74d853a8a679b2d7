// Stands an event probe in for a syscalls/sys_enter_* event whose arguments
// include user strings (compile/eprobe_strings.h), in a run's session: the
// eprobe carries every field of the tracepoint, the strings read as strings,
// so a file name prints as "/etc/passwd" instead of an address. Where the
// kernel has no event probes (its README does not list them, or it refuses
// the first one) the tracepoint is used as it is, said once on stderr.
#pragma once

#include "compile/plan.h"
#include "tracefs/session.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ksurf::tracefs {

class UserStrings {
  public:
    explicit UserStrings(Session &s) : s_(s) {}

    struct StandIn {
        std::string system, name;       // the eprobe: ksurf_PID, sys_enter_openat
        std::vector<compile::Arg> args; // its fields and how they print
    };
    // The eprobe to enable instead of SYSTEM/EVENT (defined in the session,
    // removed at teardown), or nothing: the event has no user string, or
    // `filter` names a field the eprobe reads differently, or the kernel
    // has no event probes.
    std::optional<StandIn> stand_in(std::string_view system, std::string_view event,
                                    std::string_view filter);

  private:
    Session &s_;
    // Listed: the README lists eprobes, none written yet (the write decides).
    enum class State { Unknown, Listed, Yes, No } state_ = State::Unknown;
};

} // namespace ksurf::tracefs
