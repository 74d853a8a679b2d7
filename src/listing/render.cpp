#include "listing/render.h"
#include "util/bytes.h"

#include <algorithm>
#include <fmt/format.h>

namespace ksurf::listing {

namespace {

std::string wrap(bool on, std::string_view code, std::string_view s) {
    if (!on) return std::string(s);
    return fmt::format("\033[{}m{}\033[0m", code, s);
}

// Pads `s` (which may hold colour codes) to `width` visible columns.
std::string pad(const std::string &s, size_t visible, size_t width) {
    return s + std::string(width > visible ? width - visible : 0, ' ');
}

std::string hex_bytes(const std::vector<uint8_t> &bytes) {
    std::string out;
    for (size_t i = 0; i < bytes.size(); ++i)
        out += fmt::format("{}{:02x}", i ? " " : "", bytes[i]);
    return out;
}

std::string bits_text(uint64_t bit_offset, uint32_t width) {
    return fmt::format("{}:{}", bit_offset % 8, width);
}

} // namespace

std::string Style::bold(std::string_view s) const {
    return wrap(color, "1", s);
}
std::string Style::dim(std::string_view s) const {
    return wrap(color, "2", s);
}
std::string Style::accent(std::string_view s) const {
    return wrap(color, "1;36", s);
}

// --- text ------------------------------------------------------------------------

std::string render_funcs(const FuncListing &l, bool all, const Style &st) {
    size_t width = 0;
    if (all)
        for (const auto &f : l.funcs)
            width = std::max(width, f.name.size() + (f.module.empty() ? 0 : f.module.size() + 3));
    std::string out;
    for (const auto &f : l.funcs) {
        // Names from a binary the user points at (ELF, BTF) are bytes, not text.
        std::string label =
            text_escaped(f.module.empty() ? f.name : f.name + " [" + f.module + "]");
        if (!all || f.probeable) {
            out += label + "\n";
            continue;
        }
        out += pad(label, label.size(), width) + "  " + st.dim("# " + f.reason) + "\n";
    }
    return out;
}

std::string render_events(const std::vector<EventEntry> &evs, bool verbose, const Style &st) {
    std::string out;
    for (const auto &e : evs) {
        out += (verbose ? st.bold(e.system + "/" + e.event) : e.system + "/" + e.event) + "\n";
        if (!verbose) continue;
        size_t w = 0;
        for (const auto &f : e.fields)
            if (!f.is_common) w = std::max(w, f.type.size());
        for (const auto &f : e.fields) {
            if (f.is_common) continue;
            out += fmt::format("    {:<{}} {:<24} {}\n", f.type, w, f.name,
                               st.dim(fmt::format("offset {} size {}{}", f.offset, f.size,
                                                  f.is_signed ? " signed" : "")));
        }
    }
    return out;
}

std::string render_func(const FuncInfo &f, const Style &st) {
    std::string out;
    if (f.in_btf) {
        std::vector<std::string> ps;
        for (const auto &p : f.params)
            ps.push_back(p.type + (p.type.ends_with('*') || p.name.empty() ? "" : " ") + p.name);
        if (f.variadic) ps.push_back("...");
        if (ps.empty()) ps.push_back("void");
        // No "static": pahole marks every kernel function static, so BTF's linkage says nothing.
        out += fmt::format("{}{}{}({})\n", f.return_type, f.return_type.ends_with('*') ? "" : " ",
                           st.accent(f.name), fmt::join(ps, ", "));
        size_t tw = 4, fw = std::max<size_t>(5, f.return_fetch.size());
        for (const auto &p : f.params) {
            tw = std::max(tw, p.type.size());
            fw = std::max(fw, p.fetch.size());
        }
        if (!f.params.empty())
            out += st.dim(fmt::format("  {:<4} {:<{}}  {:<{}}  {}", "ARG", "IN", fw, "TYPE", tw,
                                      "NAME")) +
                   "\n";
        for (size_t i = 0; i < f.params.size(); ++i) {
            const Param &p = f.params[i];
            out += fmt::format("  {:<4} {:<{}}  {:<{}}  {}\n", "%" + std::to_string(i), p.fetch, fw,
                               p.type, tw, st.bold(p.name));
            if (!p.note.empty()) out += "       " + st.dim("note: " + p.note) + "\n";
        }
        if (f.variadic) out += "  ...  variadic: the rest are not described by BTF\n";
        out += fmt::format("  {:<4} {:<{}}  {}\n", "ret",
                           f.return_fetch.empty() ? "-" : f.return_fetch, fw, f.return_type);
    }
    if (f.in_kallsyms && !f.symbol.empty()) {
        std::string where = f.module.empty() ? "vmlinux" : f.module;
        std::string addr = f.address ? fmt::format(" at {:#x}", f.address) : "";
        out += fmt::format("symbol: {}{} ({}); kprobe: {}; ftrace: {}\n", f.symbol, addr, where,
                           f.probeable ? "yes" : "no",
                           !f.ftrace_known ? "unknown"
                           : f.traceable   ? "yes"
                                           : "no");
    } else if (f.inlined) {
        out += "symbol: none (inlined); kprobe: no\n";
    }
    for (const auto &n : f.notes) out += st.dim("note: ") + n + "\n";
    return out;
}

std::string render_struct(const StructLayout &s, const Style &st) {
    std::string out = st.bold(s.name) + " {\n";
    // Column where the offset comment starts, as pahole aligns it.
    size_t tw = 0, nw = 0;
    for (const auto &r : s.rows) {
        if (r.anonymous || r.end) continue;
        tw = std::max(tw, r.type.size() + 4 * r.depth);
        nw = std::max(nw, r.name.size() + (r.bitfield ? 4 : 0) + 1);
    }
    tw = std::min<size_t>(tw, 34);
    nw = std::min<size_t>(nw, 30);
    for (const auto &r : s.rows) {
        std::string indent(4 * (r.depth + 1), ' ');
        if (r.hole_bits && !r.end) {
            bool bytes = r.hole_bits % 8 == 0;
            uint64_t n = bytes ? r.hole_bits / 8 : r.hole_bits;
            out += indent +
                   st.dim(fmt::format("/* XXX {} {}{} hole */", n, bytes ? "byte" : "bit",
                                      n == 1 ? "" : "s")) +
                   "\n";
        }
        if (r.anonymous) {
            out += indent + r.type + " {\n";
            continue;
        }
        std::string where =
            fmt::format("/* {:5} {:#6x} {:5} */", r.bit_offset / 8, r.bit_offset / 8, r.size);
        if (r.end) {
            std::string head = indent + "};";
            out += pad(head, head.size(), 4 + tw + 1 + nw) + " " + st.dim(where) + "\n";
            continue;
        }
        std::string name = r.name + (r.bitfield ? ":" + std::to_string(r.bitfield) : "") + ";";
        if (r.bitfield)
            where = fmt::format("/* {:5} {:#6x} {:5} bits {} */", r.bit_offset / 8,
                                r.bit_offset / 8, r.size, bits_text(r.bit_offset, r.bitfield));
        std::string type = indent + r.type;
        out += pad(type, type.size(), 4 + tw) + " " + pad(st.bold(name), name.size(), nw) + " " +
               st.dim(where) + "\n";
    }
    if (s.tail_padding)
        out += "    " +
               st.dim(fmt::format("/* {} bytes of padding at the end */", s.tail_padding)) + "\n";
    out += fmt::format("}}; {}\n", st.dim(fmt::format("/* size {} ({:#x}) */", s.size, s.size)));
    return out;
}

std::string render_path(const MemberPath &p, const Style &st) {
    std::string out = st.bold(p.struct_name) + " " + p.path + "\n";
    size_t mw = 6, tw = 4;
    for (const auto &s : p.steps) {
        mw = std::max(mw, s.member.size() + (s.index ? 2 + std::to_string(*s.index).size() : 0));
        tw = std::max(tw, s.type.size());
    }
    for (const auto &s : p.steps) {
        std::string m = s.member + (s.index ? "[" + std::to_string(*s.index) + "]" : "");
        std::string extra;
        if (s.deref) extra += "  (through the pointer: a new dereference)";
        if (s.bitfield) extra += fmt::format("  bits {}:{}", s.bit_in_byte, s.bitfield);
        out += fmt::format("  {}  {:<8} {:<7} {:<{}}  {} bytes{}\n", pad(st.bold(m), m.size(), mw),
                           fmt::format("+{:#x}", s.offset), fmt::format("({})", s.offset), s.type,
                           tw, s.size, extra);
    }
    out += fmt::format("  chain:  {}   (the {} * in %0)\n", st.accent(p.chain), p.struct_name);
    if (!p.fetcharg.empty())
        out += fmt::format("  ksurf:  {}   for {}\n", p.fetcharg, p.expression);
    return out;
}

std::string render_uprobes(const UprobeListing &l, const Style &st) {
    std::string out =
        st.dim(fmt::format("{}  (P {}:FUNCTION, or P {}:0xOFFSET)", l.path, l.path, l.path)) + "\n";
    out += st.dim(fmt::format("{:<12} {:<16} {:>7}  {}", "OFFSET", "VADDR", "SIZE", "FUNCTION")) +
           "\n";
    for (const auto &f : l.funcs)
        out += fmt::format("{:<12} {:<16} {:>7}  {}\n", fmt::format("{:#x}", f.offset),
                           fmt::format("{:#x}", f.vaddr), f.size, text_escaped(f.name));
    return out;
}

std::string render_disasm(const Disassembly &d, const Style &st) {
    std::string out =
        fmt::format("{} at {:#x}, {} bytes{} ({})\n", st.accent(text_escaped(d.function)),
                    d.address, d.size, d.truncated ? " (truncated)" : "", d.source);
    if (d.insns.empty()) {
        if (!d.hint.empty()) out += st.dim("note: " + d.hint) + "\n";
        for (size_t i = 0; i < d.raw.size(); i += 16) {
            std::vector<uint8_t> row(d.raw.begin() + static_cast<long>(i),
                                     d.raw.begin() +
                                         static_cast<long>(std::min(i + 16, d.raw.size())));
            out += fmt::format("  +{:<#6x} {}\n", i, hex_bytes(row));
        }
        return out;
    }
    for (const auto &in : d.insns) {
        std::string bytes = hex_bytes(in.bytes);
        std::string target =
            in.target.empty() ? "" : " " + st.dim("<" + text_escaped(in.target) + ">");
        out += fmt::format("  {:<8} {:x}:  {:<30} {:<7} {}{}\n", fmt::format("+{:#x}", in.offset),
                           in.address, bytes, st.bold(in.mnemonic), in.operands, target);
    }
    return out;
}

// --- JSON ------------------------------------------------------------------------

nlohmann::json to_json(const FuncListing &l) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto &f : l.funcs) {
        nlohmann::json j{{"name", f.name}, {"module", f.module}, {"probeable", f.probeable}};
        if (!f.probeable) j["reason"] = f.reason;
        arr.push_back(std::move(j));
    }
    return {{"functions", arr}, {"notes", l.notes}};
}

nlohmann::json to_json(const std::vector<EventEntry> &evs, bool verbose) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto &e : evs) {
        nlohmann::json j{{"system", e.system}, {"event", e.event}};
        if (verbose) {
            nlohmann::json fs = nlohmann::json::array();
            for (const auto &f : e.fields)
                fs.push_back({{"name", f.name},
                              {"type", f.type},
                              {"offset", f.offset},
                              {"size", f.size},
                              {"signed", f.is_signed},
                              {"common", f.is_common}});
            j["fields"] = std::move(fs);
        }
        arr.push_back(std::move(j));
    }
    return {{"events", arr}};
}

nlohmann::json to_json(const FuncInfo &f) {
    nlohmann::json ps = nlohmann::json::array();
    for (size_t i = 0; i < f.params.size(); ++i) {
        const Param &p = f.params[i];
        nlohmann::json j{{"index", i},       {"arg", "%" + std::to_string(i)},
                         {"name", p.name},   {"type", p.type},
                         {"fetch", p.fetch}, {"size", p.size}};
        if (!p.note.empty()) j["note"] = p.note;
        ps.push_back(std::move(j));
    }
    nlohmann::json j{
        {"name", f.name},         {"in_btf", f.in_btf},       {"in_kallsyms", f.in_kallsyms},
        {"inlined", f.inlined},   {"probeable", f.probeable}, {"params", ps},
        {"variadic", f.variadic}, {"notes", f.notes}};
    if (f.in_btf) {
        j["return_type"] = f.return_type;
        j["linkage"] = f.linkage;
        j["btf_module"] = f.btf_module;
    }
    if (!f.symbol.empty()) {
        j["symbol"] = f.symbol;
        j["module"] = f.module;
        j["address"] = f.address;
    }
    if (f.ftrace_known) j["traceable"] = f.traceable;
    return j;
}

nlohmann::json to_json(const StructLayout &s) {
    // Nested: anonymous blocks hold their members.
    std::vector<nlohmann::json> stack{nlohmann::json::array()};
    for (const auto &r : s.rows) {
        if (r.end) {
            nlohmann::json inner = std::move(stack.back());
            stack.pop_back();
            stack.back().back()["members"] = std::move(inner);
            continue;
        }
        nlohmann::json j{{"name", r.name},
                         {"type", r.type},
                         {"offset", r.bit_offset / 8},
                         {"bit_offset", r.bit_offset},
                         {"size", r.size}};
        if (r.bitfield) j["bitfield"] = r.bitfield;
        if (r.hole_bits) j["hole_bits_before"] = r.hole_bits;
        if (r.anonymous) j["anonymous"] = true;
        stack.back().push_back(std::move(j));
        if (r.anonymous) stack.push_back(nlohmann::json::array());
    }
    return {{"name", s.name},
            {"kind", s.kind},
            {"size", s.size},
            {"tail_padding", s.tail_padding},
            {"members", stack.front()}};
}

nlohmann::json to_json(const MemberPath &p) {
    nlohmann::json steps = nlohmann::json::array();
    for (const auto &s : p.steps) {
        nlohmann::json j{{"member", s.member},
                         {"deref", s.deref},
                         {"offset", s.offset},
                         {"type", s.type},
                         {"size", s.size}};
        if (s.index) j["index"] = *s.index;
        if (s.bitfield) {
            j["bitfield"] = s.bitfield;
            j["bit_in_byte"] = s.bit_in_byte;
        }
        steps.push_back(std::move(j));
    }
    return {
        {"struct", p.struct_name},    {"path", p.path},        {"steps", steps}, {"chain", p.chain},
        {"expression", p.expression}, {"fetcharg", p.fetcharg}};
}

nlohmann::json to_json(const UprobeListing &l) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto &f : l.funcs)
        arr.push_back({{"name", f.name},
                       {"offset", f.offset},
                       {"vaddr", f.vaddr},
                       {"size", f.size},
                       {"global", f.global}});
    return {{"path", l.path}, {"functions", arr}};
}

nlohmann::json to_json(const Disassembly &d) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto &in : d.insns) {
        nlohmann::json j{{"offset", in.offset},
                         {"address", in.address},
                         {"bytes", hex_bytes(in.bytes)},
                         {"mnemonic", in.mnemonic},
                         {"operands", in.operands},
                         {"probe", fmt::format("p {}+{}", d.function, in.offset)}};
        if (!in.target.empty()) j["target"] = in.target;
        arr.push_back(std::move(j));
    }
    nlohmann::json j{{"function", d.function}, {"source", d.source},       {"address", d.address},
                     {"size", d.size},         {"truncated", d.truncated}, {"instructions", arr}};
    if (d.insns.empty()) j["bytes"] = hex_bytes(d.raw);
    return j;
}

} // namespace ksurf::listing
