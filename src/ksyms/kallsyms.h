// The one reader of /proc/kallsyms: a line parser shared by everything that
// needs kernel symbols, and an address-sorted table of text symbols that
// answers "which function holds this address, at what offset, and how long is
// it" -- what the kernel's own %pS prints as "func+0x1a/0x40 [module]".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ksurf::ksyms {

// One line of kallsyms: "ffffffff81000000 T _stext" or "... t fn\t[mod]".
struct KallsymsLine {
    uint64_t addr = 0; // 0 when kptr_restrict hides addresses
    char type = 0;     // 'T', 't', 'W', 'D' ...
    std::string_view name;
    std::string_view module; // "" for vmlinux, brackets removed
    bool is_text() const { return type == 't' || type == 'T' || type == 'w' || type == 'W'; }
};

// Calls fn(const KallsymsLine &) for each well-formed line of `text`.
template <class F> void for_each_kallsyms_line(std::string_view text, F &&fn);

class Kallsyms {
  public:
    // The running kernel's text symbols, read from /proc/kallsyms on first use.
    static const Kallsyms &kernel();
    // Parses kallsyms-shaped text.
    static Kallsyms parse(std::string_view text);
    // Makes kernel() answer with `syms` (tests); nullptr restores /proc/kallsyms.
    static void override_kernel(const Kallsyms *syms);

    struct Hit {
        std::string_view name; // empty when addr is below every symbol
        std::string_view module;
        const char *c_name = nullptr; // name, NUL-terminated (for C callers)
        // "name [module]" (as %ps writes a module's function), else c_name.
        const char *c_display = nullptr;
        uint64_t start = 0;
        uint64_t offset = 0;
        // Bytes up to the next symbol's start (its __pfx_ padding included, as
        // the kernel's kallsyms_lookup_size_offset counts); 0 for the last one.
        uint64_t size = 0;
    };
    Hit lookup(uint64_t addr) const;
    size_t size() const { return syms_.size(); }

  private:
    struct Sym {
        uint64_t addr;
        uint32_t name_off, name_len;
        uint32_t mod_off, mod_len;
        uint32_t disp_off; // "name [module]" for module symbols, else name_off
    };
    std::string names_; // each name, module and display name NUL-terminated
    std::vector<Sym> syms_;
};

// --- implementation of the line parser (a template: callers inline it) ---

uint64_t parse_kallsyms_hex(std::string_view s);

template <class F> void for_each_kallsyms_line(std::string_view text, F &&fn) {
    size_t pos = 0;
    while (pos < text.size()) {
        size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos) eol = text.size();
        std::string_view line = text.substr(pos, eol - pos);
        pos = eol + 1;
        size_t sp1 = line.find(' ');
        if (sp1 == std::string_view::npos || sp1 + 3 > line.size()) continue;
        KallsymsLine l;
        l.type = line[sp1 + 1];
        std::string_view rest = line.substr(sp1 + 3);
        l.name = rest;
        size_t tab = rest.find('\t');
        if (tab != std::string_view::npos) {
            l.name = rest.substr(0, tab);
            std::string_view mod = rest.substr(tab + 1);
            while (!mod.empty() && (mod.back() == ' ' || mod.back() == '\r')) mod.remove_suffix(1);
            while (!mod.empty() && mod.front() == ' ') mod.remove_prefix(1);
            if (mod.size() >= 2 && mod.front() == '[' && mod.back() == ']')
                mod = mod.substr(1, mod.size() - 2);
            l.module = mod;
        }
        l.addr = parse_kallsyms_hex(line.substr(0, sp1));
        fn(l);
    }
}

} // namespace ksurf::ksyms
