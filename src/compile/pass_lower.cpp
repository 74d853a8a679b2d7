// The lowering pass: an argument's value to a fetcharg per architecture (its
// base as a register, $argN for f/t, $retval, @sym; casts, packet headers
// and member steps as offsets from the types pass), and the kernel's own
// fetchargs checked and passed on.
#include "compile/probe_compiler.h"

namespace ksurf::compile::detail {

// The fetcharg of a pointer-like value (to dereference it).
bool ProbeCompiler::pointer_fetch(const Value &v, Span where, std::string &base, int64_t &add) {
    if (v.bit_size) {
        error(where, "a bitfield is not a pointer");
        return false;
    }
    if (v.in_mem) {
        base = mem(v);
        add = 0;
    } else {
        base = v.fetch;
        add = v.add;
    }
    return true;
}

// The fetcharg giving the value itself.
bool ProbeCompiler::value_fetch(const Value &v, Span where, std::string &out) {
    if (v.in_mem) {
        out = mem(v);
        return true;
    }
    if (v.add != 0) {
        error(where, "a packet header pointer cannot be read itself",
              "read one of its members: @(struct iphdr *)%0->saddr");
        return false;
    }
    out = v.fetch;
    return true;
}

bool ProbeCompiler::compile_base(const expr::Expr &x, Value &v, bool typed) {
    const expr::Base &b = x.base;
    v.span = b.span;
    Span whole = x.span;
    switch (b.kind) {
    case BaseKind::ArgIndex: {
        // (the kind rules refused it in return probes)
        if (rules().ftrace_args) {
            // f and t read arguments as the kernel does ($argN, from 1), on
            // every architecture; t's skip the tracepoint's hidden __data.
            v.fetch = "$arg" + std::to_string(std::min<uint64_t>(b.number, 1000) + 1);
        } else {
            auto reg =
                arg_register(opts_.arch, static_cast<unsigned>(std::min<uint64_t>(b.number, 1000)));
            if (!reg) {
                error(b.span,
                      std::string(arch_name(opts_.arch)) + " passes only " +
                          std::to_string(arg_register_count(opts_.arch)) +
                          " arguments in registers",
                      "later arguments are on the stack: read $stackN");
                return false;
            }
            v.fetch = "%" + std::string(*reg);
        }
        if (typed && have_types()) {
            uint32_t p =
                proto(b.span, x.steps.empty() ? nullptr
                              : is_user() ? "member chains on P/R need the program's DWARF types"
                                          : "member chains on arguments");
            if (!p) return !x.steps.empty() ? false : true;
            auto ps = params(p);
            auto slots = register_slots(ps);
            auto at = std::find(slots.begin(), slots.end(), static_cast<int>(b.number));
            if (is_user() && at == slots.end() && std::count(slots.begin(), slots.end(), -1)) {
                if (x.steps.empty()) return true; // left untyped
                error(b.span,
                      "which parameter of '" + ast_.symbol + "' is in %" +
                          std::to_string(b.number) + " is not known",
                      "a floating-point or struct parameter comes first; cast it: "
                      "(struct NAME *)" +
                          text(b.span));
                return false;
            }
            if (is_user() && at != slots.end()) {
                v.type = CType{CType::Btf, btf_, ps[at - slots.begin()].second, 0, 0};
                return true;
            }
            if (b.number >= ps.size()) {
                error(b.span,
                      "'" + ast_.symbol + "' has only " + std::to_string(ps.size()) + " parameter" +
                          (ps.size() == 1 ? "" : "s"),
                      ps.empty() ? "" : "%0 .. %" + std::to_string(ps.size() - 1));
                return false;
            }
            v.type = CType{CType::Btf, btf_, ps[b.number].second, 0, 0};
        } else if (typed && is_user() && !x.steps.empty()) {
            return user_types_error(x);
        } else if (typed && !x.steps.empty()) {
            btf(b.span, "member chains need kernel types");
            return false;
        }
        return true;
    }
    case BaseKind::Register: {
        if (!is_register(opts_.arch, b.text)) {
            std::string alias = register_alias(opts_.arch, b.text);
            std::string near = alias.empty() ? closest(b.text, register_names(opts_.arch)) : alias;
            error(b.span,
                  "unknown " + std::string(arch_name(opts_.arch)) + " register '%" + b.text + "'",
                  near.empty() ? "" : "did you mean '%" + near + "'?");
            return false;
        }
        v.fetch = "%" + b.text;
        return true;
    }
    case BaseKind::Name: {
        if (is_user() && !opts_.user_types) {
            error(b.span, "parameter names of user programs need their DWARF types",
                  "use %N for argument N");
            return false;
        }
        uint32_t p = proto(b.span, is_user() ? "parameter names of user programs need DWARF"
                                             : "parameter names");
        if (!p) return false;
        auto ps = params(p);
        auto slots = register_slots(ps);
        for (size_t i = 0; i < ps.size(); ++i) {
            if (ps[i].first != b.text) continue;
            if (slots[i] < 0) {
                error(b.span, "'" + b.text + "' is not passed in an argument register ksurf knows",
                      "floating-point and struct parameters, and those after a struct, "
                      "are read with explicit registers");
                return false;
            }
            if (rules().ftrace_args) {
                v.fetch = "$arg" + std::to_string(slots[i] + 1);
                v.type = CType{CType::Btf, btf_, ps[i].second, 0, 0};
                return true;
            }
            auto reg = arg_register(opts_.arch, static_cast<unsigned>(slots[i]));
            if (!reg) {
                error(b.span,
                      "'" + b.text + "' is parameter " + std::to_string(i) +
                          ", past the register arguments",
                      "read it from the stack with $stackN");
                return false;
            }
            v.fetch = "%" + std::string(*reg);
            v.type = CType{CType::Btf, btf_, ps[i].second, 0, 0};
            return true;
        }
        std::vector<std::string> names;
        for (const auto &pr : ps) names.push_back(pr.first);
        std::string near = closest(b.text, names);
        std::string list;
        for (const auto &n : names) list += (list.empty() ? "" : ", ") + n;
        error(b.span, "'" + ast_.symbol + "' has no parameter '" + b.text + "'",
              near.empty() ? (list.empty() ? "it takes no parameters" : "parameters: " + list)
                           : "did you mean '" + near + "'?");
        return false;
    }
    case BaseKind::Retval: {
        v.fetch = "$retval";
        if (typed && is_user() && !opts_.user_types && !x.steps.empty()) return user_types_error(x);
        if (typed && have_types()) {
            uint32_t p =
                proto(b.span, x.steps.empty() ? nullptr
                              : is_user() ? "member chains on P/R need the program's DWARF types"
                                          : "member chains on $retval");
            if (!p) return x.steps.empty();
            const struct btf_type *t = btf__type_by_id(btf_, p);
            if (t && t->type == 0) {
                error(b.span, "'" + ast_.symbol + "' returns void", "there is no $retval");
                return false;
            }
            if (t) v.type = CType{CType::Btf, btf_, t->type, 0, 0};
        } else if (typed && !x.steps.empty()) {
            btf(b.span, "member chains need kernel types");
            return false;
        }
        return true;
    }
    case BaseKind::Comm:
        v.fetch = "$comm";
        v.type.kind = CType::SynthString;
        return true;
    case BaseKind::Stack:
        v.fetch = "$stack";
        return true;
    case BaseKind::StackN:
        v.fetch = "$stack" + std::to_string(b.number);
        return true;
    case BaseKind::Symbol: {
        v.fetch = "@" + b.text;
        if (std::string hint; opts_.kernel && !opts_.kernel->symbol(b.text, hint)) {
            error(b.span, "no kernel symbol '" + b.text + "' (not in /proc/kallsyms)", hint);
            return false;
        }
        if (typed && opts_.types && !x.steps.empty()) {
            const struct btf *bt = btf(b.span, "members of @symbol");
            if (!bt) return false;
            auto var = opts_.types->find(bt, b.text, BTF_KIND_VAR);
            if (!var) {
                error(b.span, "no type for '@" + b.text + "' in BTF (only some globals have one)",
                      "cast it: !(struct NAME *)@" + b.text + "->member");
                return false;
            }
            if (types::datasec_of(bt, var->id) == ".data..percpu") {
                error(b.span, "'@" + b.text + "' is a per-CPU variable",
                      "@symbol reads the symbol's address, which for per-CPU data is an "
                      "offset, not this CPU's copy");
                return false;
            }
            v.type = CType{CType::Btf, bt, btf__type_by_id(bt, var->id)->type, 0, 0};
            Shape sh = shape_of(v.type);
            if (sh.kind == Shape::Struct || sh.kind == Shape::Array) {
                // the object itself is at the symbol: @SYM+OFF
                v.in_mem = true;
                v.at_symbol = true;
                v.base = v.fetch;
                v.off = 0;
            }
        } else if (typed && !x.steps.empty()) {
            btf(b.span, "member chains need kernel types");
            return false;
        }
        return true;
    }
    case BaseKind::Address: {
        char buf[32];
        std::snprintf(buf, sizeof buf, "@0x%llx", static_cast<unsigned long long>(b.number));
        v.fetch = buf;
        if (typed && !x.steps.empty()) {
            error(b.span, "an address has no type", "cast it: !(struct NAME *)" + text(b.span));
            return false;
        }
        return true;
    }
    case BaseKind::Paren: {
        const expr::Expr &inner = b.inner.front();
        if (!compile_value(inner, v)) return false;
        v.span = b.span;
        (void)whole;
        return true;
    }
    }
    return false;
}

bool ProbeCompiler::user_types_error(const expr::Expr &x) {
    Span s = x.cast.present ? x.cast.span : x.steps.front().span;
    if (x.cast.packet) {
        error(s, "packet headers are kernel memory; not available in uprobes");
        return false;
    }
    error(s, "casts and member chains on P/R need the program's DWARF types",
          "read raw values: %N, %reg, $retval, $stackN");
    return false;
}

bool ProbeCompiler::packet_cast(const expr::Expr &x, Value &v) {
    const expr::Cast &c = x.cast;
    auto words = split(c.type, ' ');
    std::string header =
        words.size() == 3 && words[0] == "struct" && words[2] == "*" ? words[1] : "";
    if (std::find(std::begin(kPacketHeaders), std::end(kPacketHeaders), header) ==
        std::end(kPacketHeaders)) {
        error(c.type_span, "'" + c.type + "' is not a packet header",
              "@(...) reads skb->data as struct ethhdr *, iphdr *, icmphdr *, tcphdr * or "
              "udphdr *");
        return false;
    }
    const struct btf *b = btf(c.span, "packet headers need kernel types");
    if (!b) return false;
    Shape base = shape_of(v.type);
    if (v.type.kind == CType::Btf) {
        Shape target = base.kind == Shape::Ptr ? shape_of(base.target) : Shape{};
        std::string tname =
            target.kind == Shape::Struct ? types::type_name(base.target.btf, target.struct_id) : "";
        if (tname != "struct sk_buff") {
            error(x.base.span,
                  "'" + text(x.base.span) + "' is " + ctype_name(v.type) + ", not struct sk_buff *",
                  "@(struct ...) reads the packet at skb->data of an sk_buff pointer");
            return false;
        }
    }
    auto skb = opts_.types->find(b, "sk_buff", BTF_KIND_STRUCT);
    auto data = skb ? types::find_member(b, skb->id, "data") : std::nullopt;
    if (!data) {
        error(c.span, "no sk_buff.data in BTF", "this kernel's sk_buff is unusual");
        return false;
    }
    auto hdr = opts_.types->find(b, header, BTF_KIND_STRUCT);
    if (!hdr) {
        error(c.type_span, "no struct " + header + " in BTF");
        return false;
    }
    int layer = c.layer ? c.layer : 3;
    auto size = [&](const char *name) -> int64_t {
        auto r = opts_.types->find(b, name, BTF_KIND_STRUCT);
        return r ? static_cast<int64_t>(types::size_of(b, r->id)) : -1;
    };
    int64_t eth = size("ethhdr"), ip = size("iphdr"), add = 0;
    Span where = c.layer ? Span{c.span.end - 2, c.span.end} : c.type_span;
    if (header == "ethhdr") {
        if (layer != 2) {
            error(where,
                  "struct ethhdr is the layer-2 header but the marker says l" +
                      std::to_string(layer) + (c.layer ? "" : " (the default)"),
                  "write @(struct ethhdr *)l2 when skb->data is at the Ethernet header");
            return false;
        }
    } else if (header == "iphdr") {
        if (layer == 4) {
            error(where, "struct iphdr is the layer-3 header but skb->data is at layer 4",
                  "use l2 or l3, or read an L4 header (tcphdr, udphdr, icmphdr)");
            return false;
        }
        add = layer == 2 ? eth : 0;
    } else {
        add = layer == 2 ? eth + ip : layer == 3 ? ip : 0;
    }
    if (eth < 0 || ip < 0) {
        error(c.span, "struct ethhdr or iphdr missing from BTF");
        return false;
    }
    std::string ptr;
    int64_t pending;
    if (!pointer_fetch(v, x.base.span, ptr, pending)) return false;
    v = Value{};
    v.fetch = signed_hex(static_cast<int64_t>(data->bit_offset / 8) + pending) + "(" + ptr + ")";
    v.add = add;
    v.type = CType{CType::Btf, b, hdr->id, 1, 0};
    v.header = header;
    v.span = {c.span.begin, x.base.span.end};
    return true;
}

bool ProbeCompiler::compile_value(const expr::Expr &x, Value &v) {
    bool typed = x.cast.present ? false : true;
    if (x.cast.present && is_user() && (x.cast.packet || !opts_.user_types))
        return user_types_error(x);
    if (!compile_base(x, v, typed || x.cast.packet)) return false;
    if (x.cast.present) {
        if (x.cast.packet) {
            if (!packet_cast(x, v)) return false;
        } else {
            CType t;
            if (!parse_ctype(x.cast.type, x.cast.type_span, t)) return false;
            Shape s = shape_of(t);
            if (s.kind == Shape::Struct) {
                error(x.cast.type_span, "cast to a struct value",
                      "did you mean (" + x.cast.type + " *)?");
                return false;
            }
            if (v.bit_size) {
                error(x.cast.span, "a bitfield cannot be cast");
                return false;
            }
            v.type = t;
            v.span = {x.cast.span.begin, x.base.span.end};
        }
    }
    for (size_t i = 0; i < x.steps.size(); ++i) {
        if (!step(x, i, v)) return false;
    }
    return true;
}

bool ProbeCompiler::synthetic_member(const expr::Expr &x, size_t &i, Value &v,
                                     const std::string &base, int64_t add) {
    const expr::Step &s = x.steps[i];
    unsigned width = s.member == "cdata"   ? 1
                     : s.member == "sdata" ? 2
                     : s.member == "ldata" ? 4
                     : s.member == "qdata" ? 8
                                           : 0;
    if (width == 0 && s.member != "Sdata") return false;
    auto hdr = opts_.types->find(btf_, v.header, BTF_KIND_STRUCT);
    int64_t after = add + static_cast<int64_t>(hdr ? types::size_of(btf_, hdr->id) : 0);
    Value out;
    out.in_mem = true;
    out.base = base;
    out.off = after;
    if (width == 0) {
        // Sdata[i]: the string that starts at byte i of the payload
        // (surftrace's "who sends this UDP packet": Sdata[0]).
        out.type.kind = CType::SynthString;
        if (i + 1 < x.steps.size() && x.steps[i + 1].kind == StepKind::Index) {
            ++i;
            if (x.steps[i].index > kMaxIndex) {
                error(x.steps[i].name_span, "index too large");
                return true;
            }
            out.off += static_cast<int64_t>(x.steps[i].index);
        }
    } else {
        if (i + 1 >= x.steps.size() || x.steps[i + 1].kind != StepKind::Index) {
            error(s.span, "'" + s.member + "' is the data after the header; index it",
                  s.member + "[0] is the first " + std::to_string(width) + "-byte element");
            return true;
        }
        ++i;
        if (x.steps[i].index > kMaxIndex) {
            error(x.steps[i].name_span, "index too large");
            return true;
        }
        out.off += static_cast<int64_t>(x.steps[i].index * width);
        out.type.kind = CType::SynthInt;
        out.type.size = width;
    }
    out.span = {v.span.begin, x.steps[i].span.end};
    v = out;
    return true;
}

bool ProbeCompiler::step(const expr::Expr &x, size_t &i, Value &v) {
    const expr::Step &s = x.steps[i];
    Span upto = {x.span.begin, s.span.begin};
    std::string what = text({v.span.begin, s.span.begin});
    if (what.empty()) what = text(upto);
    Shape sh = shape_of(v.type);
    if (v.type.kind == CType::Unknown) {
        if (is_user() && !opts_.user_types) return user_types_error(x);
        error(s.span, "'" + what + "' has no type",
              "cast it first: !(struct NAME *)" + what + text(s.span));
        return false;
    }
    if (s.kind == StepKind::Index && s.index > kMaxIndex) {
        error(s.name_span, "index " + std::to_string(s.index) + " is too large",
              "indexes up to " + std::to_string(kMaxIndex) + " are accepted");
        return false;
    }
    if (s.kind == StepKind::Index) {
        if (sh.kind == Shape::Array) {
            if (sh.nelems && s.index >= sh.nelems) {
                error(s.name_span,
                      "index " + std::to_string(s.index) + " is out of range: '" + what + "' has " +
                          std::to_string(sh.nelems) + " elements",
                      "valid indexes are 0 .. " + std::to_string(sh.nelems - 1));
                return false;
            }
            if (!v.in_mem) {
                error(s.span, "an array value is not in memory here");
                return false;
            }
            v.off += static_cast<int64_t>(s.index * types::size_of(sh.target.btf, sh.target.id));
            v.type = sh.target;
        } else if (sh.kind == Shape::Ptr) {
            Shape t = shape_of(sh.target);
            if (t.kind == Shape::Void || t.size == 0) {
                error(s.span, "cannot index '" + what + "' (" + ctype_name(v.type) + ")",
                      "cast it to a typed pointer first");
                return false;
            }
            std::string base;
            int64_t add;
            if (!pointer_fetch(v, s.span, base, add)) return false;
            Value out;
            out.in_mem = true;
            out.user = sh.user;
            out.base = base;
            out.off = add + static_cast<int64_t>(s.index * t.size);
            out.type = sh.target;
            v = out;
        } else {
            error(s.span, "'" + what + "' is " + ctype_name(v.type) + ", not an array",
                  "[] indexes arrays and pointers");
            return false;
        }
        v.span = {v.span.begin, s.span.end};
        return true;
    }
    bool arrow = s.kind == StepKind::Arrow;
    Shape target;
    if (arrow) {
        if (sh.kind != Shape::Ptr) {
            error({s.span.begin, s.span.begin + 2},
                  "'->' on '" + what + "', which is " + ctype_name(v.type) + ", not a pointer",
                  sh.kind == Shape::Struct
                      ? "use '.' for a member of a struct value: " + what + "." + s.member
                      : "'->' follows pointers to structs");
            return false;
        }
        target = shape_of(sh.target);
        if (target.kind != Shape::Struct) {
            error({s.span.begin, s.span.begin + 2},
                  "'" + what + "' points to " + ctype_name(sh.target) + ", not a struct",
                  target.kind == Shape::Void ? "cast it: !(struct NAME *)" + what : "");
            return false;
        }
    } else {
        if (sh.kind == Shape::Ptr) {
            error({s.span.begin, s.span.begin + 1},
                  "'.' on '" + what + "', which is a pointer (" + ctype_name(v.type) + ")",
                  "use '->' through a pointer: " + what + "->" + s.member);
            return false;
        }
        if (sh.kind != Shape::Struct) {
            error({s.span.begin, s.span.begin + 1},
                  "'.' on '" + what + "', which is " + ctype_name(v.type) + ", not a struct");
            return false;
        }
        if (!v.in_mem) {
            error(s.span, "a struct held in a register has no members to read");
            return false;
        }
        target = sh;
    }
    const struct btf *b = v.type.btf;
    auto hit = types::find_member(b, target.struct_id, s.member);
    if (!hit) {
        if (arrow && !v.header.empty()) {
            std::string base;
            int64_t add;
            if (!pointer_fetch(v, s.span, base, add)) return false;
            if (synthetic_member(x, i, v, base, add)) return ok_;
        }
        const struct btf_type *st = btf__type_by_id(b, target.struct_id);
        if (st && btf_is_fwd(st)) {
            error(s.name_span, types::type_name(b, target.struct_id) +
                                   " is only declared in this BTF, its members are unknown");
            return false;
        }
        auto names = types::member_names(b, target.struct_id);
        if (!v.header.empty())
            names.insert(names.end(), {"cdata", "sdata", "ldata", "qdata", "Sdata"});
        std::string near = closest(s.member, names);
        error(s.name_span,
              types::type_name(b, target.struct_id) + " has no member '" + s.member + "'",
              near.empty() ? "" : "did you mean '" + near + "'?");
        return false;
    }
    Value out;
    out.in_mem = true;
    if (arrow) {
        if (!pointer_fetch(v, s.span, out.base, out.off)) return false;
        out.user = sh.user;
    } else {
        if (v.bit_size) {
            error(s.span, "a bitfield has no members");
            return false;
        }
        out.base = v.base;
        out.at_symbol = v.at_symbol;
        out.user = v.user;
        out.off = v.off;
    }
    out.off += static_cast<int64_t>(hit->bit_offset / 8);
    if (hit->bitfield) {
        out.bit_off = static_cast<uint32_t>(hit->bit_offset % 8);
        out.bit_size = hit->bitfield;
    }
    out.type = CType{CType::Btf, b, hit->type, 0, 0};
    out.span = {v.span.begin, s.span.end};
    v = out;
    return true;
}

// Reads single-member wrappers (atomic_t, refcount_t, kuid_t) as their scalar.
// A wrapper passed by value sits in a register as its scalar.
Shape ProbeCompiler::unwrap(Value &v) {
    Shape sh = shape_of(v.type);
    for (int guard = 0; guard < 8 && sh.kind == Shape::Struct && !v.bit_size &&
                        (v.in_mem || (v.add == 0 && sh.size <= 8));
         ++guard) {
        const struct btf *b = v.type.btf;
        const struct btf_type *t = btf__type_by_id(b, sh.struct_id);
        if (!t || !btf_is_composite(t) || btf_vlen(t) != 1) break;
        if (btf_member_bit_offset(t, 0) != 0 || btf_member_bitfield_size(t, 0) != 0) break;
        v.type = CType{CType::Btf, b, btf_members(t)->type, 0, 0};
        sh = shape_of(v.type);
    }
    return sh;
}

// A fetcharg in the kernel's syntax: checked, then passed on as written.
bool ProbeCompiler::raw_arg(const expr::Arg &a, const std::string &name, Arg &out) {
    FetchargContext ctx;
    ctx.arch = opts_.arch;
    ctx.kernel = !is_user();
    ctx.is_return = is_return();
    ctx.at_entry = ast_.offset == 0 && !ast_.has_address;
    std::function<bool(std::string_view, std::string &)> exists;
    if (opts_.kernel) {
        exists = [this](std::string_view s, std::string &hint) {
            return opts_.kernel->symbol(s, hint);
        };
        ctx.symbol_exists = &exists;
    }
    FetchargInfo info;
    expr::ErrorFn err = [this](size_t b, size_t e, std::string m, std::string h) {
        error({b, e}, std::move(m), std::move(h));
    };
    if (!check_fetcharg(src_.text, a.body_span.begin, a.body_span.end, ctx, info, err))
        return false;
    out.name = name;
    out.fetch = text(a.body_span);
    out.print = info.is_string ? Print::String : info.is_symbol ? Print::Symbol : Print::Default;
    return true;
}

} // namespace ksurf::compile::detail
