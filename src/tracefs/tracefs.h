// Access to the tracefs file system: find (or mount) it, read and write its
// files, and turn a refused write into an Error that carries the file, the
// value, errno and the kernel's error_log lines.
#pragma once

#include "util/error.h"

#include <string>
#include <string_view>
#include <vector>

namespace ksurf::tracefs {

class Tracefs {
  public:
    // /sys/kernel/tracing, then /sys/kernel/debug/tracing; mounts tracefs at
    // /sys/kernel/tracing when neither is there and we are root.
    static Result<Tracefs> open();
    // For tests and tools pointing at another root.
    explicit Tracefs(std::string root) : root_(std::move(root)) {}

    const std::string &root() const { return root_; }
    std::string path(std::string_view rel) const;
    bool exists(std::string_view rel) const;

    Result<std::string> read(std::string_view rel) const;
    // Writes value (O_TRUNC unless append). On failure the Error names the
    // file and value, carries errno and any new kernel error_log lines
    // (error_log_dir: where to look besides the top level, e.g. an instance).
    Status write(std::string_view rel, std::string_view value, bool append = false,
                 std::string_view error_log_dir = {}) const;

    // Entries currently in an error_log ("" dir = top level).
    std::string error_log(std::string_view dir = {}) const;

    // Directory names under rel (no dot entries).
    std::vector<std::string> list_dir(std::string_view rel) const;

  private:
    std::string root_;
};

// The part of `after` logged since `before` was read: entries (blocks that
// start with "[ timestamp]") whose timestamp is later than any in `before`.
std::string error_log_since(std::string_view before, std::string_view after);

} // namespace ksurf::tracefs
