// ksurf's use of libtracefs: ownership of its objects, and writes whose
// refusal carries the kernel's error_log text. Everything in src/tracefs/
// that touches the kernel goes through libtracefs; ksurf's own rules (names
// owned by a pid, saved files, cleanup of dead runs) sit on top of it.
#pragma once

#include "tracefs/c_api.h"
#include "util/error.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace ksurf::tracefs {

struct InstanceFree {
    void operator()(tracefs_instance *i) const { tracefs_instance_free(i); }
};
using InstancePtr = std::unique_ptr<tracefs_instance, InstanceFree>;

// The top level of the tracefs mounted at root (never null unless out of memory
// or root is not a directory).
InstancePtr top_instance(const std::string &root);
// An existing instance under root/instances, or null.
InstancePtr existing_instance(const std::string &root, const std::string &name);

// Points libtracefs' default tracing directory (used by the calls that take
// no directory: tracefs_instance_create, dynamic events) at root.
void use_tracing_dir(const std::string &root);

// Takes a string libtracefs allocated; "" for null.
std::string take(char *s);

// Whether writes to this file are parsed by code that logs to error_log
// (filters, triggers, dynamic event definitions): only these are worth
// reading error_log around, so other writes cost one write(2).
bool logs_errors(std::string_view rel);

// What the kernel's error_logs say (top level, and `also` when it is an
// instance) before a write, so that a refusal can quote what was added.
class ErrorLogs {
  public:
    ErrorLogs(tracefs_instance *top, tracefs_instance *also, bool watch);
    // The entries logged since construction, top level first.
    std::string since() const;

  private:
    tracefs_instance *top_, *also_;
    bool watch_;
    std::string before_top_, before_also_;
};

// The refusal of a write: "the kernel refused to write 'VALUE' to PATH",
// errno, the error_log entries added since `logs` was taken, a root hint.
Error refusal(std::string_view value, const std::string &path, int err, const ErrorLogs &logs);

// One write(2) of value to rel under `where` (O_TRUNC unless append):
// tracefs parses each write as one command. On failure: refusal(), quoting
// the error_logs of `top` and of `also` (an instance, or null).
Status write_file(tracefs_instance *where, std::string_view rel, std::string_view value,
                  bool append, tracefs_instance *top, tracefs_instance *also);

} // namespace ksurf::tracefs

namespace ksurf::tracefs {

struct DyneventFree {
    void operator()(tracefs_dynevent *d) const { tracefs_dynevent_free(d); }
};
using DyneventPtr = std::unique_ptr<tracefs_dynevent, DyneventFree>;

// The parts of a definition line "p:GROUP/EVENT ADDRESS ARGS...".
struct Definition {
    char kind = 0;          // 'p', 'r', 'e'
    unsigned maxactive = 0; // r16: kretprobe instances
    std::string group, event, address, args;
};
std::optional<Definition> split_definition(std::string_view def);
// "/path:0x1234" -> {path, 0x1234}; nullopt for a form tracefs_uprobe_alloc
// cannot write, such as a reference counter "(0x...)" after the offset.
std::optional<std::pair<std::string, unsigned long long>> split_uprobe_target(const std::string &a);

// Creates the dynamic event of a definition line as ksurf compiles it
// ("p:GROUP/EVENT ADDR ARGS", "r16:...", uprobes "p:G/E /PATH:0xOFF ARGS",
// "e:G/E SYS.EVENT ARGS") through libtracefs' allocators and
// tracefs_dynevent_create. Returns its handle, which removes it
// (tracefs_dynevent_destroy). A refusal quotes the kernel's error_log.
Result<DyneventPtr> create_dynevent(tracefs_instance *top, std::string_view definition);

} // namespace ksurf::tracefs
