// Where a kprobe can go: the kernel's text symbols (/proc/kallsyms), the
// kprobe blacklist (debugfs kprobes/blacklist) and the functions ftrace can
// see. Checked before anything is armed, so a typo gets a did-you-mean
// instead of a bare EINVAL from kprobe_events.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace ksurf::ksyms {

// One text symbol of /proc/kallsyms (functions; "__pfx_" padding left out).
struct TextSymbol {
    uint64_t addr = 0;  // 0 when kallsyms hides addresses (kptr_restrict, not root)
    std::string name;   // as kallsyms spells it, clone suffixes included
    std::string module; // "" for vmlinux
};

// Where a function's code is: its address and the bytes up to the next symbol.
struct TextSpan {
    uint64_t addr = 0;
    uint64_t size = 0; // 0 when no later symbol bounds it
    std::string module;
};

struct Place {
    bool ok = false;
    std::string symbol; // what to probe: the name itself or "name.isra.0"
    std::string note;   // said to the user when the name was resolved
    std::string error;  // why it cannot be probed
    std::string hint;
};

// The functions a glob (`p vfs_*`) matches that a kprobe can take, and how
// many matching names were left out and why (said to the user).
struct GlobMatch {
    std::vector<std::string> names; // sorted, unique
    size_t blacklisted = 0;         // on the kprobe blacklist
    size_t notrace = 0;             // not in available_filter_functions
    size_t repeated = 0;            // names several functions share: the kernel refuses them
    size_t cold = 0;                // .cold parts split off a function
    // Notes for the user: lists that could not be read, what was left out.
    std::vector<std::string> notes;
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
    // Every probe-able function whose name matches `glob` (fnmatch), in
    // `module` ("" = vmlinux and every module): in kallsyms, not on the
    // blacklist, in available_filter_functions when it is readable, not a
    // .cold part, and a name only one function has (see check()).
    GlobMatch match(std::string_view glob, std::string_view module = {}) const;
    bool has_function(std::string_view name) const { return text_.contains(std::string(name)); }
    // False when kallsyms lists functions only (CONFIG_KALLSYMS_ALL off):
    // the kernel cannot resolve @SYMBOL of a variable then either.
    bool data_known() const { return !data_.empty(); }
    // Any symbol of kallsyms, data included (a global for @SYMBOL).
    bool has_symbol(std::string_view name) const {
        return text_.contains(std::string(name)) || data_.contains(std::string(name));
    }
    bool blacklist_known() const { return blacklist_known_; }

    // --- listing (ksurf list) ---
    // Every text symbol, in kallsyms order; names may repeat (static functions).
    const std::vector<TextSymbol> &text_symbols() const { return symbols_; }
    bool blacklisted(std::string_view name) const { return blacklist_.contains(std::string(name)); }
    // In available_filter_functions (what ftrace, and so kprobes on ftrace, can trace).
    bool traceable(std::string_view name) const { return traceable_.contains(std::string(name)); }
    // False when available_filter_functions could not be read (no function
    // tracer, or the kernel refused it): traceable() then knows nothing.
    bool traceable_known() const { return !traceable_.empty(); }
    // True when kallsyms shows real addresses (root, kptr_restrict allows it).
    bool addresses_known() const { return addresses_known_; }
    // Address and extent of `name` (the first one, for repeated names).
    std::optional<TextSpan> span(std::string_view name) const;
    // The text symbol holding `addr`, as "name+0xOFF" ("" when none).
    std::string symbolize(uint64_t addr) const;

  private:
    std::unordered_map<std::string, std::string> text_; // function -> module ("" vmlinux)
    std::unordered_set<std::string> data_;              // every other symbol's name
    std::unordered_set<std::string> blacklist_;
    std::unordered_set<std::string> traceable_;
    std::unordered_set<std::string> repeated_; // names of more than one text symbol
    bool blacklist_known_ = false;
    std::vector<TextSymbol> symbols_;
    std::vector<uint64_t> starts_;        // every text address, __pfx_ included, sorted
    mutable std::vector<size_t> by_addr_; // into symbols_, by address (built on first use)
    bool addresses_known_ = false;
};

} // namespace ksurf::ksyms
