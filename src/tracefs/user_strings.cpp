#include "tracefs/user_strings.h"

#include "compile/eprobe_strings.h"
#include "tracefs/event_catalog.h"

#include <cstdio>
#include <fmt/format.h>

namespace ksurf::tracefs {

std::optional<UserStrings::StandIn>
UserStrings::stand_in(std::string_view system, std::string_view event, std::string_view filter) {
    if (state_ == State::No || system != "syscalls" || !event.starts_with("sys_enter_"))
        return std::nullopt;
    const Tracefs &fs = s_.fs();
    if (state_ == State::Unknown) {
        auto readme = fs.read("README");
        if (!readme || !compile::readme_has_eprobes(*readme)) {
            state_ = State::No;
            return std::nullopt;
        }
        state_ = State::Listed;
    }
    auto format = fs.read(fmt::format("events/{}/{}/format", system, event));
    if (!format) return std::nullopt;
    auto probe =
        compile::string_eprobe(s_.group(), event, system, event, parse_format_fields(*format));
    if (!probe || !compile::filter_fits_eprobe(filter, *probe)) return std::nullopt;
    auto st = s_.add_dynamic_event("dynamic_events", event, probe->definition);
    if (!st) {
        // The README lists eprobes, yet a kernel built without them (or
        // without kprobe events, which they ride on) refuses the line.
        state_ = State::No;
        std::fprintf(stderr,
                     "ksurf: this kernel refused an event probe (%s): system call strings "
                     "(file names, paths) show as addresses\n",
                     st.error().str().c_str());
        return std::nullopt;
    }
    if (state_ == State::Listed)
        std::fprintf(stderr,
                     "ksurf: system call strings (file names, paths) are read by event probes "
                     "(%s/sys_enter_*) as each call begins: what the caller's memory held then\n",
                     s_.group().c_str());
    state_ = State::Yes;
    return StandIn{s_.group(), std::string(event), std::move(probe->args)};
}

} // namespace ksurf::tracefs
