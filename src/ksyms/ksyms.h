// Where a kprobe can go: the kernel's text symbols (/proc/kallsyms), the
// kprobe blacklist (debugfs kprobes/blacklist) and the functions ftrace can
// see. Checked before anything is armed, so a typo gets a did-you-mean
// instead of a bare EINVAL from kprobe_events.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace ksurf::ksyms {

struct Place {
    bool ok = false;
    std::string symbol; // what to probe: the name itself or "name.isra.0"
    std::string note;   // said to the user when the name was resolved
    std::string error;  // why it cannot be probed
    std::string hint;
};

class KernelSymbols {
  public:
    // Reads the running kernel's lists (kallsyms, blacklist via debugfs,
    // tracefs available_filter_functions).
    static KernelSymbols load(const std::string &tracefs_dir);
    // From text, for tests: kallsyms lines, blacklist lines, filter function lines.
    static KernelSymbols parse(std::string_view kallsyms, std::string_view blacklist,
                               std::string_view filter_functions);

    // Can `name` (in `module`, "" for vmlinux) take a kprobe?
    Place check(std::string_view name, std::string_view module = {}) const;
    bool has_function(std::string_view name) const { return text_.contains(std::string(name)); }
    bool blacklist_known() const { return blacklist_known_; }

  private:
    std::unordered_map<std::string, std::string> text_; // function -> module ("" vmlinux)
    std::unordered_set<std::string> blacklist_;
    std::unordered_set<std::string> traceable_;
    bool blacklist_known_ = false;
};

} // namespace ksurf::ksyms
