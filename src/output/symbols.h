// Internal to output: kernel symbols from /proc/kallsyms, loaded once and
// only when something asks (stacks, :symbol fields).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ksurf::output {

class Symbols {
  public:
    // The running kernel's symbols, read from /proc/kallsyms on first use.
    static const Symbols &kernel();
    // Parses kallsyms-shaped text ("ffffffff81000000 T _stext").
    static Symbols parse(std::string_view text);
    // Makes kernel() answer with `syms` (tests); nullptr restores /proc/kallsyms.
    static void override_kernel(const Symbols *syms);

    struct Hit {
        std::string_view name; // empty when addr is below every symbol
        std::string_view module;
        uint64_t offset = 0;
    };
    Hit lookup(uint64_t addr) const;
    size_t size() const { return syms_.size(); }

  private:
    struct Sym {
        uint64_t addr;
        uint32_t name_off, name_len;
        uint32_t mod_off, mod_len;
    };
    std::string names_;
    std::vector<Sym> syms_;
};

} // namespace ksurf::output
