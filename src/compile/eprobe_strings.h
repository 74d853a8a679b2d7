// The user strings of system call arguments (file names, paths), read by an
// event probe (eprobe, Documentation/trace/eprobetrace.rst) on the system
// call's sys_enter tracepoint. The tracepoint records only the pointer
// (`filename=0x7fa78ab4b0b1`); an eprobe attached to it reads the string it
// points to, `+0($filename):ustring`, in the same moment: what the caller's
// memory held when the call began (the kernel copies it a little later).
//
// The eprobe carries every field of the tracepoint (so it can stand in for
// it, one record per call) under the same names, the strings now as strings.
// Text only: the caller reads the format and the README and writes the line.
#pragma once

#include "compile/event_catalog.h"
#include "compile/plan.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ksurf::compile {

// Does the tracefs README describe event probes? (A kernel may list them and
// still refuse them: the write is the final word.)
bool readme_has_eprobes(std::string_view readme);

// A field of a sys_enter_* event that holds the address of a NUL-terminated
// string in the caller's memory: `const char *` (file names, paths, xattr and
// key names), not the data buffers typed the same way (write's `buf`), and
// mount's `char *` names.
bool is_user_string(const EventField &f);

struct StringEprobe {
    // "e:GROUP/NAME syscalls.sys_enter_openat dfd=$dfd:s32 filename=+0($filename):ustring ..."
    std::string definition;
    std::vector<Arg> args;            // each field: name, fetcharg, how it prints
    std::vector<std::string> strings; // the fields read as strings: "filename"
};

// The eprobe GROUP/NAME standing in for SYSTEM/EVENT (fields from its format),
// or nothing when none of its fields is a user string.
std::optional<StringEprobe> string_eprobe(std::string_view group, std::string_view name,
                                          std::string_view system, std::string_view event,
                                          const std::vector<EventField> &fields);

// Can `filter` (the kernel's syntax, written for the tracepoint) go on the
// eprobe unchanged? Not when it names a field the eprobe types differently
// (a string) or does not carry (__syscall_nr).
bool filter_fits_eprobe(std::string_view filter, const StringEprobe &probe);

} // namespace ksurf::compile
