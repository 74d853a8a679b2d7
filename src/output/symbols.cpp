#include "output/symbols.h"

#include "util/strings.h"

#include <algorithm>
#include <cstdlib>

namespace ksurf::output {

namespace {
const Symbols *g_override = nullptr;
}

void Symbols::override_kernel(const Symbols *syms) {
    g_override = syms;
}

const Symbols &Symbols::kernel() {
    if (g_override) return *g_override;
    static const Symbols syms = [] {
        std::string text;
        if (!read_file("/proc/kallsyms", text)) return Symbols{};
        return parse(text);
    }();
    return syms;
}

Symbols Symbols::parse(std::string_view text) {
    Symbols s;
    s.names_.reserve(text.size() / 2);
    size_t pos = 0;
    while (pos < text.size()) {
        size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos) eol = text.size();
        std::string_view line = text.substr(pos, eol - pos);
        pos = eol + 1;
        // "addr type name [module]"
        size_t sp1 = line.find(' ');
        if (sp1 == std::string_view::npos || sp1 + 3 > line.size()) continue;
        char type = line[sp1 + 1];
        // Text symbols only: stacks and :symbol fields point at code.
        if (type != 't' && type != 'T' && type != 'w' && type != 'W') continue;
        std::string_view rest = line.substr(sp1 + 3);
        std::string_view name = rest, mod;
        size_t tab = rest.find('\t');
        if (tab != std::string_view::npos) {
            name = rest.substr(0, tab);
            mod = trim(rest.substr(tab + 1));
            if (mod.starts_with('[') && mod.ends_with(']')) mod = mod.substr(1, mod.size() - 2);
        }
        uint64_t addr = std::strtoull(std::string(line.substr(0, sp1)).c_str(), nullptr, 16);
        if (addr == 0) continue; // hidden by kptr_restrict
        Sym sym{addr, static_cast<uint32_t>(s.names_.size()), static_cast<uint32_t>(name.size()), 0,
                0};
        s.names_.append(name);
        sym.mod_off = static_cast<uint32_t>(s.names_.size());
        sym.mod_len = static_cast<uint32_t>(mod.size());
        s.names_.append(mod);
        s.syms_.push_back(sym);
    }
    std::stable_sort(s.syms_.begin(), s.syms_.end(),
                     [](const Sym &a, const Sym &b) { return a.addr < b.addr; });
    return s;
}

Symbols::Hit Symbols::lookup(uint64_t addr) const {
    auto it = std::upper_bound(syms_.begin(), syms_.end(), addr,
                               [](uint64_t a, const Sym &s) { return a < s.addr; });
    if (it == syms_.begin()) return {};
    --it;
    Hit h;
    h.name = std::string_view(names_).substr(it->name_off, it->name_len);
    h.module = std::string_view(names_).substr(it->mod_off, it->mod_len);
    h.offset = addr - it->addr;
    return h;
}

} // namespace ksurf::output
