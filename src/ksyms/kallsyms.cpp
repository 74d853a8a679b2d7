#include "ksyms/kallsyms.h"

#include "util/strings.h"

#include <algorithm>
#include <charconv>

namespace ksurf::ksyms {

namespace {
const Kallsyms *g_override = nullptr;
}

uint64_t parse_kallsyms_hex(std::string_view s) {
    uint64_t v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v, 16);
    return v;
}

void Kallsyms::override_kernel(const Kallsyms *syms) {
    g_override = syms;
}

const Kallsyms &Kallsyms::kernel() {
    if (g_override) return *g_override;
    static const Kallsyms syms = [] {
        std::string text;
        if (!read_file("/proc/kallsyms", text)) return Kallsyms{};
        return parse(text);
    }();
    return syms;
}

Kallsyms Kallsyms::parse(std::string_view text) {
    Kallsyms s;
    s.names_.reserve(text.size() / 2);
    for_each_kallsyms_line(text, [&](const KallsymsLine &l) {
        // Text symbols only: stacks, places and %ps fields point at code.
        if (!l.is_text() || l.addr == 0) return; // 0: hidden by kptr_restrict
        Sym sym{l.addr,
                static_cast<uint32_t>(s.names_.size()),
                static_cast<uint32_t>(l.name.size()),
                0,
                0,
                0};
        sym.disp_off = sym.name_off;
        s.names_.append(l.name);
        s.names_.push_back('\0');
        sym.mod_off = static_cast<uint32_t>(s.names_.size());
        sym.mod_len = static_cast<uint32_t>(l.module.size());
        s.names_.append(l.module);
        s.names_.push_back('\0');
        if (!l.module.empty()) {
            sym.disp_off = static_cast<uint32_t>(s.names_.size());
            s.names_.append(l.name);
            s.names_.append(" [");
            s.names_.append(l.module);
            s.names_.append("]");
            s.names_.push_back('\0');
        }
        s.syms_.push_back(sym);
    });
    std::stable_sort(s.syms_.begin(), s.syms_.end(),
                     [](const Sym &a, const Sym &b) { return a.addr < b.addr; });
    return s;
}

Kallsyms::Hit Kallsyms::lookup(uint64_t addr) const {
    auto it = std::upper_bound(syms_.begin(), syms_.end(), addr,
                               [](uint64_t a, const Sym &s) { return a < s.addr; });
    if (it == syms_.begin()) return {};
    auto next = it; // the first symbol above addr bounds this one
    --it;
    // Aliases share an address: the kernel names the first one kallsyms lists.
    while (it != syms_.begin() && std::prev(it)->addr == it->addr) --it;
    Hit h;
    std::string_view names(names_);
    h.name = names.substr(it->name_off, it->name_len);
    h.c_name = names_.data() + it->name_off;
    h.c_display = names_.data() + it->disp_off;
    h.module = names.substr(it->mod_off, it->mod_len);
    h.start = it->addr;
    h.offset = addr - it->addr;
    if (next != syms_.end()) h.size = next->addr - it->addr;
    return h;
}

} // namespace ksurf::ksyms
