// Print fmts as the kernel means them: a format file may name enum constants
// the kernel did not export with TRACE_DEFINE_ENUM (hrtimer_start's
// `{ HRTIMER_MODE_REL, "REL" }`); libtraceevent cannot know their values and
// reads every one as 0, so `mode=REL` would print as `mode=0x1`.
#pragma once

#include <string>
#include <string_view>

namespace ksurf::capture {

// `format` (an event's format file) ready for libtraceevent: each enum
// constant named in its print fmt arguments replaced by its value from the
// running kernel's BTF (left as it is without BTF), and each parenthesised
// constant expression folded to its value, which libtraceevent would
// otherwise evaluate from strings for every record (sched_switch: 2.5 us).
std::string prepare_format(std::string_view format);

} // namespace ksurf::capture
