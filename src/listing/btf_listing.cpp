// list func NAME, list struct NAME [PATH], list structs: BTF read directly
// (libbpf), plus the compiler for the fetcharg a member path becomes.
#include "compile/compile.h"
#include "listing/listing.h"
#include "util/strings.h"

#include <algorithm>
#include <bpf/btf.h>
#include <fmt/format.h>

namespace ksurf::listing {

namespace {

std::string_view strip_prefix(std::string_view name) {
    for (std::string_view p : {"struct ", "union "})
        if (name.starts_with(p)) return trim(name.substr(p.size()));
    return trim(name);
}

std::string_view clone_base(std::string_view sym) {
    for (std::string_view suffix : {".isra.", ".constprop.", ".part.", ".lto_priv.", ".cold"}) {
        size_t pos = sym.find(suffix);
        if (pos != std::string_view::npos) return sym.substr(0, pos);
    }
    return sym;
}

const char *name_of(const struct btf *b, uint32_t name_off) {
    const char *n = btf__name_by_offset(b, name_off);
    return n ? n : "";
}

std::string stack_fetch(arch::Arch arch, unsigned index) {
    unsigned regs = arch::arg_register_count(arch);
    // x86_64 pushes the return address: the first stack argument is $stack1.
    unsigned slot = index - regs + (arch == arch::Arch::X86_64 ? 1 : 0);
    return "$stack" + std::to_string(slot);
}

} // namespace

FuncInfo describe_func(const types::TypeInfo &types, const ksyms::KernelSymbols *syms,
                       std::string_view name, arch::Arch arch) {
    FuncInfo f;
    f.name = std::string(name);
    std::string err;
    const struct btf *base = types.base(&err);

    if (syms) {
        ksyms::Place p = syms->check(name);
        f.ftrace_known = syms->traceable_known();
        if (p.ok) {
            f.in_kallsyms = true;
            f.probeable = true;
            f.symbol = p.symbol;
            if (!p.note.empty()) f.notes.push_back(p.note + " (a clone may take other arguments)");
        } else if (syms->has_function(name)) {
            f.in_kallsyms = true; // blacklisted or in another module
            f.symbol = f.name;
            f.notes.push_back(p.error);
        } else if (p.error.find("clones") != std::string::npos) {
            f.in_kallsyms = true;
            f.notes.push_back(p.error);
            if (!p.hint.empty()) f.notes.push_back(p.hint);
        } else {
            f.error = p.error;
            f.hint = p.hint;
        }
        if (!f.symbol.empty()) {
            if (auto s = syms->span(f.symbol)) {
                f.module = s->module;
                f.address = s->addr;
            }
            f.traceable = syms->traceable(f.symbol);
            if (f.ftrace_known && !f.traceable)
                f.notes.push_back("'" + f.symbol +
                                  "' is not in available_filter_functions: ftrace cannot "
                                  "trace it (notrace); a kprobe may still be refused");
        }
    }

    // The prototype: the module's BTF first when kallsyms puts it in a module.
    const struct btf *b = nullptr;
    std::optional<types::TypeRef> fn;
    std::string lookup(clone_base(name));
    if (!f.module.empty())
        if (const struct btf *mb = types.module(f.module)) {
            fn = types.find(mb, lookup, BTF_KIND_FUNC);
            if (fn) {
                b = mb;
                f.btf_module = f.module;
            }
        }
    if (!fn && base) {
        fn = types.find(base, lookup, BTF_KIND_FUNC);
        if (fn) b = base;
    }
    if (!fn) {
        if (!base)
            f.notes.push_back("no prototype: " + err);
        else if (f.in_kallsyms)
            f.notes.push_back("no BTF prototype for '" + lookup +
                              "': read its arguments as registers (%0.. or %di ...)");
        else if (f.error.empty())
            f.error = "no function named '" + f.name + "' in BTF";
        return f;
    }
    f.in_btf = true;
    f.error.clear();
    f.hint.clear();
    const struct btf_type *ft = btf__type_by_id(b, fn->id);
    switch (btf_vlen(ft)) { // a FUNC keeps its linkage in vlen
    case BTF_FUNC_STATIC:
        f.linkage = "static";
        break;
    case BTF_FUNC_GLOBAL:
        f.linkage = "global";
        break;
    default:
        f.linkage = "extern";
    }
    const struct btf_type *proto = btf__type_by_id(b, ft->type);
    if (!proto || !btf_is_func_proto(proto)) return f;
    f.return_type = types::type_name(b, proto->type);
    if (proto->type != 0) f.return_fetch = "$retval";
    const struct btf_param *p = btf_params(proto);
    unsigned n = btf_vlen(proto);
    for (unsigned i = 0; i < n; ++i, ++p) {
        if (i + 1 == n && p->type == 0 && p->name_off == 0) {
            f.variadic = true;
            break;
        }
        Param pr;
        pr.name = name_of(b, p->name_off);
        pr.type = types::type_name(b, p->type);
        pr.size = types::size_of(b, p->type);
        if (auto reg = arch::arg_register(arch, i))
            pr.fetch = "%" + std::string(*reg);
        else
            pr.fetch = stack_fetch(arch, i);
        int kind = types::kind_of(b, p->type);
        if (kind == BTF_KIND_FLOAT)
            pr.note = "floating point: passed in an FP register, which kprobes cannot read";
        else if ((kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION) && pr.size > 8)
            pr.note = fmt::format("passed by value ({} bytes): it takes {}, so later arguments "
                                  "are not where %N says",
                                  pr.size, pr.size > 16 ? "the stack" : "two registers");
        f.params.push_back(std::move(pr));
    }
    if (syms && !f.in_kallsyms) {
        f.inlined = true;
        f.notes.insert(f.notes.begin(),
                       "'" + f.name +
                           "' is in BTF but not in /proc/kallsyms: it is inlined into its "
                           "callers (or compiled away), so there is no address to probe; probe "
                           "a caller");
    }
    return f;
}

namespace {

struct Layout {
    const struct btf *b;
    std::vector<MemberRow> &rows;

    // Lays out the members of composite `id`, which starts `base` bits into
    // the outer struct. Returns the end (in bits) of the last member.
    uint64_t members(uint32_t id, uint64_t base, unsigned depth) {
        const struct btf_type *t = btf__type_by_id(b, id);
        bool is_struct = btf_is_struct(t);
        uint64_t end = base, max_end = base;
        const struct btf_member *m = btf_members(t);
        for (unsigned i = 0; i < btf_vlen(t); ++i, ++m) {
            uint64_t off = base + btf_member_bit_offset(t, i);
            uint32_t bits = btf_member_bitfield_size(t, i);
            MemberRow row;
            row.depth = depth;
            row.name = name_of(b, m->name_off);
            row.bit_offset = off;
            row.bitfield = bits;
            row.size = types::size_of(b, m->type);
            if (is_struct && off > end) row.hole_bits = off - end;
            uint32_t inner = types::skip_mods(b, m->type);
            const struct btf_type *it = btf__type_by_id(b, inner);
            uint64_t this_end = off + (bits ? bits : row.size * 8);
            if (row.name.empty() && it && btf_is_composite(it)) {
                row.anonymous = true;
                row.type = btf_is_union(it) ? "union" : "struct";
                rows.push_back(row);
                members(inner, off, depth + 1);
                MemberRow close;
                close.depth = depth;
                close.end = true;
                close.bit_offset = off;
                close.size = row.size;
                close.type = row.type;
                rows.push_back(close);
            } else {
                row.type = types::type_name(b, m->type);
                rows.push_back(std::move(row));
            }
            end = is_struct ? std::max(end, this_end) : end;
            max_end = std::max(max_end, this_end);
        }
        return max_end;
    }
};

// Struct or union `name`, through a typedef if need be; 0 if none.
uint32_t find_composite(const types::TypeInfo &types, const struct btf *b, std::string_view name,
                        std::string &spelled) {
    std::string_view bare = strip_prefix(name);
    bool want_union = name.starts_with("union ");
    for (int kind : {want_union ? BTF_KIND_UNION : BTF_KIND_STRUCT,
                     want_union ? BTF_KIND_STRUCT : BTF_KIND_UNION}) {
        if (auto r = types.find(b, bare, kind)) {
            const struct btf_type *t = btf__type_by_id(b, r->id);
            // A forward-declared twin has vlen 0 and size 0: keep looking.
            if (t && (btf_vlen(t) > 0 || t->size > 0)) {
                spelled =
                    std::string(kind == BTF_KIND_UNION ? "union " : "struct ") + std::string(bare);
                return r->id;
            }
        }
    }
    if (auto r = types.find(b, bare, BTF_KIND_TYPEDEF)) {
        uint32_t id = types::skip_mods(b, r->id);
        const struct btf_type *t = btf__type_by_id(b, id);
        if (t && btf_is_composite(t)) {
            spelled = std::string(bare);
            return id;
        }
    }
    return 0;
}

std::string no_such_struct(const types::TypeInfo &types, const struct btf *b, std::string_view name,
                           std::string &hint) {
    std::string_view bare = strip_prefix(name);
    std::vector<std::string> names = types.names_of_kind(b, BTF_KIND_STRUCT);
    std::string near = closest(bare, names);
    hint = near.empty() ? "list them: ksurf list structs '*" + std::string(bare) + "*'"
                        : "did you mean '" + near + "'?";
    return "no struct or union named '" + std::string(bare) + "' in BTF (" + types.path() + ")";
}

} // namespace

StructLayout layout_struct(const types::TypeInfo &types, std::string_view name) {
    StructLayout out;
    std::string err;
    const struct btf *b = types.base(&err);
    if (!b) {
        out.error = err;
        return out;
    }
    uint32_t id = find_composite(types, b, name, out.name);
    if (!id) {
        out.error = no_such_struct(types, b, name, out.hint);
        return out;
    }
    const struct btf_type *t = btf__type_by_id(b, id);
    out.kind = btf_is_union(t) ? "union" : "struct";
    out.size = t->size;
    Layout l{b, out.rows};
    uint64_t end = l.members(id, 0, 0);
    if (btf_is_struct(t) && out.size * 8 >= end + 8) out.tail_padding = (out.size * 8 - end) / 8;
    return out;
}

namespace {

struct Token {
    std::string name;
    std::optional<uint64_t> index;
};

bool parse_path(std::string_view path, std::vector<Token> &out, std::string &error) {
    size_t i = 0;
    auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    while (i < path.size()) {
        if (!out.empty()) {
            if (path[i] == '.')
                ++i;
            else if (path.substr(i, 2) == "->")
                i += 2;
            else {
                error = fmt::format("expected '.' or '->' at '{}'", path.substr(i));
                return false;
            }
        }
        size_t start = i;
        while (i < path.size() && ident(path[i])) ++i;
        if (i == start) {
            error = fmt::format("expected a member name at '{}'", path.substr(start));
            return false;
        }
        Token t{std::string(path.substr(start, i - start)), std::nullopt};
        if (i < path.size() && path[i] == '[') {
            size_t close = path.find(']', i);
            if (close == std::string_view::npos) {
                error = "missing ']'";
                return false;
            }
            std::string num(path.substr(i + 1, close - i - 1));
            char *endp = nullptr;
            unsigned long long v = std::strtoull(num.c_str(), &endp, 0);
            if (num.empty() || *endp) {
                error = "index '" + num + "' is not a number";
                return false;
            }
            t.index = v;
            i = close + 1;
        }
        out.push_back(std::move(t));
    }
    if (out.empty()) error = "empty member path";
    return !out.empty();
}

// What `ksurf -S` prints for x=EXPR: the fetcharg after "x=".
std::string compiled_fetcharg(const types::TypeInfo &types, const std::string &expression,
                              arch::Arch arch, std::string &error) {
    compile::Options opts;
    opts.arch = arch;
    opts.types = &types;
    compile::Plan plan;
    std::vector<compile::Diagnostic> diags;
    std::vector<compile::Source> src{{"p ksurf_list x=" + expression, "member path"}};
    if (!compile::compile_into(src, opts, plan, diags)) {
        error = diags.empty() ? "the compiler refused it" : diags.front().message;
        return "";
    }
    if (plan.probes.empty() || plan.probes[0].args.empty()) return "";
    return plan.probes[0].args[0].fetch;
}

} // namespace

MemberPath member_path(const types::TypeInfo &types, std::string_view name, std::string_view path,
                       arch::Arch arch) {
    MemberPath out;
    out.path = std::string(path);
    std::string err;
    const struct btf *b = types.base(&err);
    if (!b) {
        out.error = err;
        return out;
    }
    uint32_t cur = find_composite(types, b, name, out.struct_name);
    if (!cur) {
        out.error = no_such_struct(types, b, name, out.hint);
        return out;
    }
    std::vector<Token> tokens;
    if (!parse_path(path, tokens, out.error)) {
        out.hint = "write members as in C: 'mm.mm_users', 'mm->mm_users', 'pids[1].node'";
        return out;
    }
    std::vector<uint64_t> levels; // offset read at each dereference, outermost first
    uint64_t off = 0;
    std::string where = out.struct_name;
    out.expression = "((" + out.struct_name + " *)%0)";
    for (size_t k = 0; k < tokens.size(); ++k) {
        const Token &tok = tokens[k];
        PathStep step;
        step.member = tok.name;
        uint32_t id = types::skip_mods(b, cur);
        const struct btf_type *t = btf__type_by_id(b, id);
        if (t && btf_is_ptr(t) && k > 0) {
            step.deref = true;
            levels.push_back(off);
            off = 0;
            id = types::skip_mods(b, t->type);
            t = btf__type_by_id(b, id);
        }
        if (!t || !btf_is_composite(t)) {
            out.error = fmt::format("'{}' is {}, not a struct: it has no member '{}'", where,
                                    types::type_name(b, cur), tok.name);
            return out;
        }
        auto hit = types::find_member(b, id, tok.name);
        if (!hit) {
            out.error = fmt::format("{} has no member '{}'", types::type_name(b, id), tok.name);
            std::string near = closest(tok.name, types::member_names(b, id));
            if (!near.empty()) out.hint = "did you mean '" + near + "'?";
            return out;
        }
        out.expression += (k == 0 || step.deref ? "->" : ".") + tok.name;
        off += hit->bit_offset / 8;
        cur = hit->type;
        step.bitfield = hit->bitfield;
        step.bit_in_byte = static_cast<uint32_t>(hit->bit_offset % 8);
        if (tok.index) {
            const struct btf_type *at = btf__type_by_id(b, types::skip_mods(b, cur));
            if (!at || !btf_is_array(at)) {
                out.error = fmt::format("'{}' is {}, not an array: it cannot be indexed", tok.name,
                                        types::type_name(b, cur));
                return out;
            }
            const struct btf_array *a = btf_array(at);
            if (*tok.index >= a->nelems) {
                out.error = fmt::format("index {} is past the end of {} ({} elements)", *tok.index,
                                        tok.name, a->nelems);
                return out;
            }
            off += *tok.index * types::size_of(b, a->type);
            cur = a->type;
            step.index = tok.index;
            out.expression += "[" + std::to_string(*tok.index) + "]";
        }
        step.offset = off;
        step.type = types::type_name(b, cur);
        step.size = types::size_of(b, cur);
        where = tok.name;
        out.steps.push_back(std::move(step));
    }
    auto reg = arch::arg_register(arch, 0);
    std::string chain = "%" + std::string(reg ? *reg : "di");
    for (uint64_t l : levels) chain = fmt::format("+{:#x}({})", l, chain);
    out.chain = fmt::format("+{:#x}({})", off, chain);
    std::string cerr;
    out.fetcharg = compiled_fetcharg(types, out.expression, arch, cerr);
    if (out.fetcharg.empty() && !cerr.empty())
        out.hint = "ksurf cannot read it as one value: " + cerr;
    return out;
}

std::vector<std::string> list_struct_names(const types::TypeInfo &types, std::string_view glob) {
    std::vector<std::string> out;
    const struct btf *b = types.base();
    if (!b) return out;
    bool filtered = !glob.empty() && glob != "*";
    uint32_t n = btf__type_cnt(b);
    for (uint32_t id = 1; id < n; ++id) {
        const struct btf_type *t = btf__type_by_id(b, id);
        if (!t || !btf_is_composite(t) || !t->name_off) continue;
        const char *name = name_of(b, t->name_off);
        if (!*name || (filtered && !glob_match(glob, name))) continue;
        out.emplace_back(name);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

} // namespace ksurf::listing
