// AST -> Plan. One ProbeCompiler per source line; all diagnostics collected.
#include "compile/compile.h"

#include "compile/ctype.h"
#include "compile/filter.h"
#include "expr/ast.h"
#include "util/strings.h"

#include <algorithm>
#include <bpf/btf.h>
#include <cstdio>

namespace ksurf::compile {

namespace {

using expr::BaseKind;
using expr::ProbeType;
using expr::Span;
using expr::StepKind;

constexpr size_t kMaxArgs = 128;      // MAX_TRACE_ARGS
constexpr size_t kMaxArgNameLen = 32; // MAX_ARG_NAME_LEN, with the NUL
constexpr uint32_t kMaxArrayLen = 64;
constexpr uint64_t kMaxIndex =
    1u << 20; // keeps offsets far from overflow // MAX_ARRAY_LEN in trace_probe.h
const char *const kPacketHeaders[] = {"ethhdr", "iphdr", "icmphdr", "tcphdr", "udphdr"};

std::string signed_hex(int64_t v) {
    char buf[32];
    if (v < 0)
        std::snprintf(buf, sizeof buf, "-0x%llx", 0ULL - static_cast<unsigned long long>(v));
    else
        std::snprintf(buf, sizeof buf, "+0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

// A value being compiled: either held directly by a fetcharg (a register,
// $retval, @sym) or stored in memory at off(base).
struct Value {
    bool in_mem = false;
    std::string fetch;      // !in_mem
    int64_t add = 0;        // !in_mem: pending addition (a packet header inside skb->data)
    std::string base;       // in_mem
    bool at_symbol = false; // in_mem: base is "@SYM", the object is at the symbol
    bool user = false;      // in_mem: user memory (a __user pointer was followed)
    int64_t off = 0;        // in_mem
    uint32_t bit_off = 0, bit_size = 0; // in_mem bitfield: bits from the byte at off
    CType type;
    std::string header; // packet header struct name, for cdata[] and friends
    Span span;          // the expression so far, for carets
};

std::string mem(const Value &v) {
    // an object at a symbol is addressed by the kernel's @SYM+OFF
    if (v.at_symbol) return v.off ? v.base + signed_hex(v.off) : v.base;
    std::string off = signed_hex(v.off);
    if (v.user) off.insert(1, "u"); // +u0x10(%si): the kernel's user-memory dereference
    return off + "(" + v.base + ")";
}

bool is_string_suffix(std::string_view s) {
    return s == "string" || s == "ustring";
}

// "u32" -> {'u', 32}; "char" -> {'c', 8}; false when not an integer type.
bool int_suffix(std::string_view s, char &letter, unsigned &bits) {
    if (s == "char") {
        letter = 'c', bits = 8;
        return true;
    }
    if (s.size() < 2 || (s[0] != 'u' && s[0] != 's' && s[0] != 'x')) return false;
    std::string_view n = s.substr(1);
    if (n != "8" && n != "16" && n != "32" && n != "64") return false;
    letter = s[0];
    bits = static_cast<unsigned>(std::stoul(std::string(n)));
    return true;
}

bool bitfield_suffix(std::string_view s) {
    // b<width>@<offset>/<container>
    if (s.size() < 6 || s[0] != 'b') return false;
    size_t at = s.find('@'), slash = s.find('/');
    if (at == std::string_view::npos || slash == std::string_view::npos || slash < at) return false;
    auto digits = [](std::string_view d) {
        return !d.empty() && d.find_first_not_of("0123456789") == std::string_view::npos;
    };
    return digits(s.substr(1, at - 1)) && digits(s.substr(at + 1, slash - at - 1)) &&
           digits(s.substr(slash + 1));
}

// "u8[16]" -> ok with n = 16
bool array_suffix(std::string_view s, uint64_t &n) {
    size_t lb = s.find('[');
    if (lb == std::string_view::npos || s.back() != ']') return false;
    char letter;
    unsigned bits;
    std::string_view elem = s.substr(0, lb), count = s.substr(lb + 1, s.size() - lb - 2);
    if (!int_suffix(elem, letter, bits) && elem != "string") return false;
    if (count.empty() || count.size() > 6 ||
        count.find_first_not_of("0123456789") != std::string_view::npos)
        return false;
    n = std::stoull(std::string(count));
    return true;
}

class ProbeCompiler {
  public:
    ProbeCompiler(const Source &src, const Options &opts, std::vector<Diagnostic> &diags)
        : src_(src), opts_(opts), diags_(diags) {}

    bool run(Probe &out) {
        size_t before = diags_.size();
        bool parsed = expr::parse_probe(src_.text, ast_, diags_);
        for (size_t i = before; i < diags_.size(); ++i) {
            diags_[i].origin = src_.origin;
            diags_[i].text = src_.text;
        }
        if (!parsed) return false;
        out.text = src_.text;
        out.origin = src_.origin;
        switch (ast_.type) {
        case ProbeType::Kprobe:
            out.kind = ProbeKind::Kprobe;
            break;
        case ProbeType::Kretprobe:
            out.kind = ProbeKind::Kretprobe;
            break;
        case ProbeType::Uprobe:
            out.kind = ProbeKind::Uprobe;
            break;
        case ProbeType::Uretprobe:
            out.kind = ProbeKind::Uretprobe;
            break;
        case ProbeType::Event:
            out.kind = ProbeKind::Event;
            break;
        }
        if (ast_.type == ProbeType::Event) return compile_event(out);
        out.symbol = ast_.symbol;
        out.module = ast_.module;
        out.offset = ast_.offset;
        out.maxactive = ast_.maxactive;
        out.path = ast_.path;
        compile_args(out);
        if (ok_ && ast_.has_filter) {
            FieldSet set{"this probe", common_fields()};
            for (auto &g : generic_fields()) set.fields.push_back(std::move(g));
            for (const auto &a : out.args) {
                FilterField f;
                f.name = a.name;
                f.is_string = a.print == Print::String;
                f.filterable = a.fetch.find('[') == std::string::npos;
                set.fields.push_back(f);
            }
            filter({set}, out.filter);
        }
        return ok_;
    }

  private:
    bool is_return() const {
        return ast_.type == ProbeType::Kretprobe || ast_.type == ProbeType::Uretprobe;
    }
    bool is_user() const {
        return ast_.type == ProbeType::Uprobe || ast_.type == ProbeType::Uretprobe;
    }

    void error(Span s, std::string message, std::string hint = {}) {
        Diagnostic d;
        d.origin = src_.origin;
        d.text = src_.text;
        d.begin = s.begin;
        d.end = s.end > s.begin ? s.end : s.begin + 1;
        d.message = std::move(message);
        d.hint = std::move(hint);
        diags_.push_back(std::move(d));
        ok_ = false;
    }

    std::string text(Span s) const {
        return src_.text.substr(std::min(s.begin, src_.text.size()),
                                s.end > s.begin ? s.end - s.begin : 0);
    }

    void filter(const std::vector<FieldSet> &sets, std::string &out) {
        size_t before = diags_.size();
        if (!compile_filter(src_.text, ast_.filter_begin, ast_.filter, sets, out, diags_))
            ok_ = false;
        for (size_t i = before; i < diags_.size(); ++i) {
            diags_[i].origin = src_.origin;
            diags_[i].text = src_.text;
        }
    }

    // --- events ------------------------------------------------------------

    bool compile_event(Probe &out) {
        out.system = ast_.system;
        out.event = ast_.event;
        if (!opts_.events) {
            error(ast_.target_span, "trace events are not available here",
                  "e probes need the kernel's tracefs (events/) to know the events");
            return false;
        }
        out.matched = opts_.events->match(ast_.system, ast_.event);
        if (out.matched.empty()) {
            std::vector<std::string> all;
            for (const auto &[s, e] : opts_.events->match("*", "*")) all.push_back(s + "/" + e);
            std::string near = closest(ast_.system + "/" + ast_.event, all);
            error(ast_.target_span, "no trace event matches '" + text(ast_.target_span) + "'",
                  near.empty() ? "the events are listed under tracefs events/SYSTEM/EVENT"
                               : "did you mean '" + near + "'?");
            return false;
        }
        if (ast_.has_filter) {
            std::vector<FieldSet> sets;
            for (const auto &[s, e] : out.matched) {
                FieldSet set{s + "/" + e, {}};
                if (auto fields = opts_.events->fields(s, e)) {
                    for (const auto &f : *fields) {
                        bool array = !f.is_string && f.type.find('[') != std::string::npos;
                        set.fields.push_back({f.name, f.is_string, !array, f.size});
                    }
                }
                for (auto &g : generic_fields()) set.fields.push_back(std::move(g));
                sets.push_back(std::move(set));
            }
            filter(sets, out.filter);
        }
        return ok_;
    }

    // --- types -------------------------------------------------------------

    // The BTF holding this probe's types, or null (with a diagnostic when
    // `why` is given).
    const struct btf *btf(Span where, const char *why) {
        if (!btf_tried_) {
            btf_tried_ = true;
            if (is_user()) {
                if (opts_.user_types)
                    btf_ = opts_.user_types->open(ast_.path, btf_error_);
                else
                    btf_error_ = "no types of user programs were given";
            } else if (opts_.types) {
                btf_ = ast_.module.empty() ? opts_.types->base(&btf_error_)
                                           : opts_.types->module(ast_.module, &btf_error_);
            } else {
                btf_error_ = "no kernel type information (BTF) was given";
            }
        }
        if (!btf_ && why) {
            error(where, std::string(why) + ": " + btf_error_,
                  !is_user() ? "give a BTF file with --btf (default /sys/kernel/btf/vmlinux)"
                  : btf_error_.starts_with("no DWARF")
                      ? "build with -g, or use %N with explicit :TYPE"
                      : "use %N with explicit :TYPE");
        }
        return btf_;
    }

    // Kernel probes take types from BTF, user probes from the binary's DWARF.
    bool have_types() const {
        return is_user() ? opts_.user_types != nullptr : opts_.types != nullptr;
    }
    std::optional<types::TypeRef> find_type(const struct btf *b, std::string_view name, int kind) {
        if (!is_user()) return opts_.types->find(b, name, kind);
        uint32_t id = opts_.user_types ? opts_.user_types->find(b, name, kind) : 0;
        if (!id) return std::nullopt;
        return types::TypeRef{b, id};
    }
    std::vector<std::string> type_names(const struct btf *b, int kind) {
        if (!is_user()) return opts_.types->names_of_kind(b, kind);
        return opts_.user_types ? opts_.user_types->names_of_kind(b, kind)
                                : std::vector<std::string>{};
    }

    // The FUNC_PROTO of the probed function, or 0. Diagnoses when `why`.
    uint32_t proto(Span where, const char *why) {
        if (!proto_tried_) {
            proto_tried_ = true;
            const struct btf *b = btf(where, why);
            if (!b) return 0;
            if (auto f = find_type(b, ast_.symbol, BTF_KIND_FUNC)) {
                const struct btf_type *t = btf__type_by_id(b, f->id);
                proto_ = t ? t->type : 0;
            }
            if (!proto_) proto_missing_ = true;
        }
        if (!proto_ && why && btf_) {
            if (proto_missing_) {
                std::string near = closest(ast_.symbol, type_names(btf_, BTF_KIND_FUNC));
                error(ast_.symbol_span,
                      "unknown function '" + ast_.symbol + "' (not in " +
                          (is_user() ? "the DWARF of " + ast_.path : std::string("BTF")) + ")",
                      !near.empty() ? "did you mean '" + near + "'?"
                      : is_user()   ? "it has no DWARF there (is it from another library?)"
                                    : std::string(why) + " need the function's BTF type");
                proto_missing_ = false; // report once
            } else {
                ok_ = false;
            }
        }
        return proto_;
    }

    // Which argument register each parameter of a user function arrives in:
    // floating-point parameters go to FP registers and do not count; after
    // a struct passed by value the rule depends on the ABI (-1: unknown).
    // Kernel functions keep the plain position (kernel code has no floats).
    std::vector<int> register_slots(const std::vector<std::pair<std::string, uint32_t>> &ps) {
        std::vector<int> out;
        int slot = 0;
        for (const auto &p : ps) {
            Shape sh = shape_of(CType{CType::Btf, btf_, p.second, 0, 0});
            if (!is_user()) {
                out.push_back(slot++);
            } else if (slot < 0 || p.second == 0 || sh.kind == Shape::Struct || sh.size > 8) {
                // p.second == 0: the "..." of a variadic function
                out.push_back(slot = -1);
            } else {
                out.push_back(sh.kind == Shape::Float ? -1 : slot++);
            }
        }
        return out;
    }

    std::vector<std::pair<std::string, uint32_t>> params(uint32_t proto_id) {
        std::vector<std::pair<std::string, uint32_t>> out;
        const struct btf_type *t = btf__type_by_id(btf_, proto_id);
        if (!t || !btf_is_func_proto(t)) return out;
        const struct btf_param *p = btf_params(t);
        for (unsigned i = 0; i < btf_vlen(t); ++i, ++p) {
            const char *n = btf__name_by_offset(btf_, p->name_off);
            out.emplace_back(n ? n : "", p->type);
        }
        return out;
    }

    // "struct file *" -> CType, or a diagnostic.
    bool parse_ctype(const std::string &name, Span where, CType &out) {
        const struct btf *b = btf(where, is_user() ? "casts on P/R need the program's DWARF types"
                                                   : "casts need kernel types");
        if (!b) return false;
        auto words = split(name, ' ');
        int stars = 0;
        while (!words.empty() && words.back().starts_with('*')) {
            stars += static_cast<int>(words.back().size());
            words.pop_back();
        }
        std::optional<types::TypeRef> ref;
        std::string shown;
        if (words.size() == 2 &&
            (words[0] == "struct" || words[0] == "union" || words[0] == "enum")) {
            int kind = words[0] == "struct"  ? BTF_KIND_STRUCT
                       : words[0] == "union" ? BTF_KIND_UNION
                                             : BTF_KIND_ENUM;
            ref = find_type(b, words[1], kind);
            if (!ref && kind == BTF_KIND_ENUM) ref = find_type(b, words[1], BTF_KIND_ENUM64);
            if (!ref) {
                std::string near = closest(words[1], type_names(b, kind));
                error(where, "unknown type '" + words[0] + " " + words[1] + "'",
                      near.empty() ? "" : "did you mean '" + words[0] + " " + near + "'?");
                return false;
            }
        } else {
            std::string joined;
            for (const auto &w : words) joined += (joined.empty() ? "" : " ") + w;
            if (joined == "void") {
                out = CType{CType::Btf, b, 0, stars, 0};
                return true;
            }
            static const std::pair<const char *, const char *> kAliases[] = {
                {"unsigned long", "long unsigned int"},
                {"unsigned long long", "long long unsigned int"},
                {"long", "long int"},
                {"long long", "long long int"},
                {"unsigned", "unsigned int"},
                {"unsigned short", "short unsigned int"},
                {"short", "short int"}};
            for (const auto &[from, to] : kAliases)
                if (joined == from) joined = to;
            ref = find_type(b, joined, BTF_KIND_TYPEDEF);
            if (!ref) ref = find_type(b, joined, BTF_KIND_INT);
            if (!ref) {
                std::string near = closest(joined, type_names(b, BTF_KIND_TYPEDEF));
                error(where, "unknown type '" + joined + "'",
                      near.empty() ? "structs are written (struct NAME *)"
                                   : "did you mean '" + near + "'?");
                return false;
            }
        }
        out = CType{CType::Btf, b, ref->id, stars, 0};
        return true;
    }

    // --- values ------------------------------------------------------------

    // The fetcharg of a pointer-like value (to dereference it).
    bool pointer_fetch(const Value &v, Span where, std::string &base, int64_t &add) {
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
    bool value_fetch(const Value &v, Span where, std::string &out) {
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

    bool compile_base(const expr::Expr &x, Value &v, bool typed) {
        const expr::Base &b = x.base;
        v.span = b.span;
        Span whole = x.span;
        switch (b.kind) {
        case BaseKind::ArgIndex: {
            if (is_return()) {
                error(b.span,
                      "%" + std::to_string(b.number) +
                          " in a return probe reads a clobbered register",
                      "arguments are gone when the function returns: read $retval, or "
                      "probe the entry with p");
                return false;
            }
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
            if (typed && have_types()) {
                uint32_t p = proto(
                    b.span, x.steps.empty() ? nullptr
                            : is_user()     ? "member chains on P/R need the program's DWARF types"
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
                          "'" + ast_.symbol + "' has only " + std::to_string(ps.size()) +
                              " parameter" + (ps.size() == 1 ? "" : "s"),
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
                std::string near =
                    alias.empty() ? closest(b.text, register_names(opts_.arch)) : alias;
                error(b.span,
                      "unknown " + std::string(arch_name(opts_.arch)) + " register '%" + b.text +
                          "'",
                      near.empty() ? "" : "did you mean '%" + near + "'?");
                return false;
            }
            v.fetch = "%" + b.text;
            return true;
        }
        case BaseKind::Name: {
            if (is_return()) {
                error(b.span, "parameter '" + b.text + "' in a return probe",
                      "arguments are gone when the function returns: read $retval, or "
                      "probe the entry with p");
                return false;
            }
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
                    error(b.span,
                          "'" + b.text + "' is not passed in an argument register ksurf knows",
                          "floating-point and struct parameters, and those after a struct, "
                          "are read with explicit registers");
                    return false;
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
            if (!is_return()) {
                error(b.span, "$retval is only known in a return probe",
                      "use r (or R for user space) instead of p");
                return false;
            }
            v.fetch = "$retval";
            if (typed && is_user() && !opts_.user_types && !x.steps.empty())
                return user_types_error(x);
            if (typed && have_types()) {
                uint32_t p = proto(
                    b.span, x.steps.empty() ? nullptr
                            : is_user()     ? "member chains on P/R need the program's DWARF types"
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
            if (is_user()) {
                error(b.span, "@symbol reads kernel memory; not available in uprobes");
                return false;
            }
            v.fetch = "@" + b.text;
            if (typed && opts_.types && !x.steps.empty()) {
                const struct btf *bt = btf(b.span, "members of @symbol");
                if (!bt) return false;
                auto var = opts_.types->find(bt, b.text, BTF_KIND_VAR);
                if (!var) {
                    error(b.span,
                          "no type for '@" + b.text + "' in BTF (only some globals have one)",
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
            if (is_user()) {
                error(b.span, "@ADDR reads kernel memory; not available in uprobes");
                return false;
            }
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
            if (inner.format || !inner.suffix.empty()) {
                error(inner.span, "format letters and :types go on the whole expression");
                return false;
            }
            if (!compile_value(inner, v)) return false;
            v.span = b.span;
            (void)whole;
            return true;
        }
        }
        return false;
    }

    bool user_types_error(const expr::Expr &x) {
        Span s = x.cast.present ? x.cast.span : x.steps.front().span;
        if (x.cast.packet) {
            error(s, "packet headers are kernel memory; not available in uprobes");
            return false;
        }
        error(s, "casts and member chains on P/R need the program's DWARF types",
              "read raw values: %N, %reg, $retval, $stackN");
        return false;
    }

    bool packet_cast(const expr::Expr &x, Value &v) {
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
            std::string tname = target.kind == Shape::Struct
                                    ? types::type_name(base.target.btf, target.struct_id)
                                    : "";
            if (tname != "struct sk_buff") {
                error(x.base.span,
                      "'" + text(x.base.span) + "' is " + ctype_name(v.type) +
                          ", not struct sk_buff *",
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
        v.fetch =
            signed_hex(static_cast<int64_t>(data->bit_offset / 8) + pending) + "(" + ptr + ")";
        v.add = add;
        v.type = CType{CType::Btf, b, hdr->id, 1, 0};
        v.header = header;
        v.span = {c.span.begin, x.base.span.end};
        return true;
    }

    bool compile_value(const expr::Expr &x, Value &v) {
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

    bool synthetic_member(const expr::Expr &x, size_t &i, Value &v, const std::string &base,
                          int64_t add) {
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
            out.type.kind = CType::SynthString;
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

    bool step(const expr::Expr &x, size_t &i, Value &v) {
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
                          "index " + std::to_string(s.index) + " is out of range: '" + what +
                              "' has " + std::to_string(sh.nelems) + " elements",
                          "valid indexes are 0 .. " + std::to_string(sh.nelems - 1));
                    return false;
                }
                if (!v.in_mem) {
                    error(s.span, "an array value is not in memory here");
                    return false;
                }
                v.off +=
                    static_cast<int64_t>(s.index * types::size_of(sh.target.btf, sh.target.id));
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
    Shape unwrap(Value &v) {
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

    bool finish(const expr::Arg &a, const std::string &name, Value &v, Arg &out) {
        const expr::Expr &x = a.expr;
        Span where = x.span;
        std::string what = text({v.span.begin, v.span.end});
        Shape sh = unwrap(v);
        Print prefix = print_for_name(name);
        unsigned prefix_width = width_for_name(name);
        char letter = x.format ? static_cast<char>(x.format - 'A' + 'a') : 0;
        Print letter_print = x.format == 'S'   ? Print::Signed
                             : x.format == 'U' ? Print::Unsigned
                             : x.format == 'X' ? Print::Hex
                                               : Print::Default;
        out.print = prefix != Print::Default ? prefix : letter_print;
        std::string f;
        bool is_str = sh.kind == Shape::String ||
                      (sh.kind == Shape::Ptr && shape_of(sh.target).is_char &&
                       shape_of(sh.target).kind == Shape::Int) ||
                      (sh.kind == Shape::Array && shape_of(sh.target).is_char &&
                       shape_of(sh.target).kind == Shape::Int);

        if (!x.suffix.empty()) {
            if (x.format) {
                error(x.format_span, "both a format letter and a :type",
                      "the :type decides; drop the letter " + std::string(1, x.format));
                return false;
            }
            const std::string &sfx = x.suffix;
            char l;
            unsigned bits;
            uint64_t n;
            if (is_string_suffix(sfx)) {
                if (!is_str && sh.kind != Shape::Unknown && sh.kind != Shape::Ptr) {
                    error(x.suffix_span,
                          "a string type on '" + what + "', which is " + ctype_name(v.type),
                          "strings are read from char * or char[] members");
                    return false;
                }
                if (sh.kind == Shape::Ptr && !is_str) {
                    error(x.suffix_span,
                          "a string type on '" + what + "', which is " + ctype_name(v.type) +
                              ", not a char pointer",
                          "cast it: (char *)" + what);
                    return false;
                }
                if (v.fetch == "$comm" && !v.in_mem) {
                    f = "$comm";
                } else if (v.in_mem && sh.kind != Shape::Ptr && sh.kind != Shape::Unknown) {
                    f = mem(v) + ":" + sfx;
                } else {
                    std::string inner;
                    if (!value_fetch(v, where, inner)) return false;
                    f = "+0x0(" + inner + "):" + sfx;
                }
                out.print = Print::String;
            } else if (sfx == "symbol") {
                if (sh.kind != Shape::Unknown && sh.kind != Shape::Ptr &&
                    !(sh.kind == Shape::Int && sh.size == 8)) {
                    error(x.suffix_span,
                          ":symbol on '" + what + "', which is " + ctype_name(v.type),
                          ":symbol prints a kernel address (a pointer or 64-bit value)");
                    return false;
                }
                if (!value_fetch(v, where, f)) return false;
                f += ":symbol";
                out.print = Print::Symbol;
            } else if (int_suffix(sfx, l, bits) || bitfield_suffix(sfx)) {
                if (sh.kind == Shape::Struct || sh.kind == Shape::String) {
                    error(x.suffix_span,
                          ":" + sfx + " on '" + what + "', which is " + ctype_name(v.type));
                    return false;
                }
                if (v.bit_size) {
                    error(x.suffix_span, "'" + what + "' is a bitfield; its type is fixed",
                          "drop :" + sfx + "; use a S/U/X letter for the format");
                    return false;
                }
                if (!value_fetch(v, where, f)) return false;
                f += ":" + sfx;
                if (prefix == Print::Default) out.print = Print::Default;
            } else if (array_suffix(sfx, n)) {
                if (n == 0 || n > kMaxArrayLen) {
                    error(x.suffix_span,
                          "array length must be 1 .. " + std::to_string(kMaxArrayLen),
                          "the kernel reads at most 64 elements");
                    return false;
                }
                if (v.in_mem && sh.kind != Shape::Ptr) {
                    f = mem(v) + ":" + sfx;
                } else {
                    std::string inner;
                    if (!value_fetch(v, where, inner)) return false;
                    f = "+0x0(" + inner + "):" + sfx;
                }
            } else {
                error(x.suffix_span, "unknown type ':" + sfx + "'",
                      "types: u8..u64 s8..s64 x8..x64 char string ustring symbol TYPE[N] "
                      "b<w>@<o>/<c>");
                return false;
            }
            return check_prefix(name, a, sh, prefix_width, f, out);
        }

        if (is_str) {
            if (x.format) {
                error(x.format_span,
                      "format letter " + std::string(1, x.format) + " on '" + what +
                          "', which is a string",
                      "S/U/X are for integers; read bytes with :u8[16] if you want numbers");
                return false;
            }
            if (prefix != Print::Default) {
                error(a.name_span, "'" + name + "' prints numbers but '" + what + "' is a string",
                      "rename it without the ip_/b16_/B16_ prefix");
                return false;
            }
            bool user = (sh.kind == Shape::Ptr ? sh.user : v.user) || is_user();
            std::string kind = user ? "ustring" : "string";
            if (sh.kind == Shape::String) {
                f = v.in_mem ? mem(v) + ":string" : v.fetch;
            } else if (sh.kind == Shape::Array) {
                f = mem(v) + ":" + kind;
            } else {
                std::string inner;
                if (!value_fetch(v, where, inner)) return false;
                f = "+0x0(" + inner + "):" + kind;
            }
            out.fetch = f;
            out.print = Print::String;
            return true;
        }

        auto int_letter = [&](bool is_signed) {
            if (letter) return letter;
            if (prefix != Print::Default) return 'u';
            return is_signed ? 's' : 'u';
        };
        switch (sh.kind) {
        case Shape::Unknown: {
            if (!value_fetch(v, where, f)) return false;
            if (prefix_width)
                f += ":" + std::string(1, letter ? letter : 'u') + std::to_string(prefix_width * 8);
            else if (letter)
                f += ":" + std::string(1, letter) + "64";
            break;
        }
        case Shape::Int: {
            if (sh.size != 1 && sh.size != 2 && sh.size != 4 && sh.size != 8) {
                error(where,
                      "'" + what + "' is " + std::to_string(sh.size) +
                          " bytes; kprobes read 1, 2, 4 or 8",
                      "read it in parts with :u64 and offsets");
                return false;
            }
            std::string t(1, int_letter(sh.is_signed));
            if (v.bit_size) {
                if (prefix != Print::Default) {
                    error(a.name_span, "'" + name + "' needs a whole " +
                                           std::to_string(prefix_width * 8) + "-bit value but '" +
                                           what + "' is a bitfield");
                    return false;
                }
                // The kernel's b<width>@<offset>/<container>: load the
                // container-sized word holding the field, then shift and mask.
                uint32_t start_bit = static_cast<uint32_t>(v.off * 8) + v.bit_off;
                unsigned cbits = sh.size * 8;
                while (cbits < 64 && (start_bit % cbits) + v.bit_size > cbits) cbits *= 2;
                uint32_t cstart = start_bit / cbits * cbits;
                int64_t load = static_cast<int64_t>(cstart / 8);
                Value word = v;
                word.off = load;
                f = mem(word) + ":b" + std::to_string(v.bit_size) + "@" +
                    std::to_string(start_bit - cstart) + "/" + std::to_string(cbits);
                break;
            }
            if (!value_fetch(v, where, f)) return false;
            f += ":" + t + std::to_string(sh.size * 8);
            break;
        }
        case Shape::Ptr: {
            if (!value_fetch(v, where, f)) return false;
            f += ":" + std::string(1, letter ? letter : (prefix_width ? 'u' : 'x')) + "64";
            break;
        }
        case Shape::Array: {
            Shape elem = unwrap_elem(sh.target);
            if (elem.kind != Shape::Int && elem.kind != Shape::Ptr) {
                error(where, "'" + what + "' is " + ctype_name(v.type) + "; read one element",
                      "index it: " + what + "[0]...");
                return false;
            }
            if (sh.nelems == 0 || sh.nelems > kMaxArrayLen) {
                error(where,
                      "'" + what + "' has " + std::to_string(sh.nelems) +
                          " elements; the kernel reads 1 .. 64",
                      "index it: " + what + "[0]");
                return false;
            }
            if (prefix != Print::Default) {
                error(a.name_span,
                      "'" + name + "' needs a single value but '" + what + "' is an array",
                      "index it: " + what + "[0]");
                return false;
            }
            std::string t(1, elem.kind == Shape::Ptr ? (letter ? letter : 'x')
                                                     : int_letter(elem.is_signed));
            f = mem(v) + ":" + t + std::to_string(elem.size * 8) + "[" + std::to_string(sh.nelems) +
                "]";
            break;
        }
        case Shape::Struct: {
            auto names = types::member_names(v.type.btf, sh.struct_id);
            std::string list;
            for (size_t i = 0; i < names.size() && i < 6; ++i) list += (i ? ", " : "") + names[i];
            if (names.size() > 6) list += ", ...";
            error(where, "'" + what + "' is " + ctype_name(v.type) + "; read one of its members",
                  list.empty() ? "" : "members: " + list);
            return false;
        }
        case Shape::Void:
            error(where, "'" + what + "' has type void", "cast it to what it points to");
            return false;
        case Shape::Float:
            error(where, "'" + what + "' is floating point; kprobes cannot read it",
                  "read its bits with :u32 or :u64");
            return false;
        case Shape::Func:
        case Shape::String:
            error(where, "'" + what + "' cannot be read as a value");
            return false;
        }
        return check_prefix(name, a, sh, prefix_width, f, out);
    }

    Shape unwrap_elem(const CType &t) {
        Value tmp;
        tmp.in_mem = true;
        tmp.type = t;
        return unwrap(tmp);
    }

    bool check_prefix(const std::string &name, const expr::Arg &a, const Shape &sh,
                      unsigned prefix_width, const std::string &f, Arg &out) {
        if (prefix_width && (sh.kind == Shape::Int || sh.kind == Shape::Ptr) &&
            sh.size != prefix_width) {
            std::string what = text(a.expr.span);
            error(a.name_span,
                  "'" + name + "' needs a " + std::to_string(prefix_width * 8) +
                      "-bit value but '" + what + "' is " + std::to_string(sh.size * 8) + "-bit",
                  "ip_ and b32_/B32_ read 32 bits, b16_/B16_ 16, b64_/B64_ 64");
            return false;
        }
        out.fetch = f;
        return true;
    }

    void compile_args(Probe &out) {
        if (ast_.args.size() > kMaxArgs) {
            error(ast_.args[kMaxArgs].span, "more than 128 arguments",
                  "the kernel allows at most 128 per probe; split it in two probes");
            return;
        }
        std::vector<std::pair<std::string, Span>> seen;
        size_t index = 0;
        for (const auto &a : ast_.args) {
            ++index;
            std::string name = a.name.empty() ? "arg" + std::to_string(index) : a.name;
            Span nspan = a.name.empty() ? a.expr.span : a.name_span;
            if (name.starts_with("common_")) {
                error(nspan, "'" + name + "' is reserved for the kernel's common fields",
                      "common_pid and friends are in every event already; pick another name");
                continue;
            }
            if (name.size() >= kMaxArgNameLen) {
                error(nspan,
                      "name '" + name + "' is longer than the kernel's " +
                          std::to_string(kMaxArgNameLen - 1) + " characters",
                      "pick a shorter name");
                continue;
            }
            if (name == "__probe_ip" || name == "__probe_ret_ip" || name == "__probe_func") {
                error(nspan, "'" + name + "' is reserved by the kernel", "pick another name");
                continue;
            }
            auto dup = std::find_if(seen.begin(), seen.end(),
                                    [&](const auto &p) { return p.first == name; });
            if (dup != seen.end()) {
                error(nspan, "duplicate name '" + name + "'",
                      "first used at column " + std::to_string(dup->second.begin + 1) +
                          "; names must be unique in a probe");
                continue;
            }
            seen.emplace_back(name, nspan);
            Value v;
            if (!compile_value(a.expr, v)) continue;
            Arg arg;
            arg.name = name;
            if (!finish(a, name, v, arg)) continue;
            out.args.push_back(std::move(arg));
        }
    }

    const Source &src_;
    const Options &opts_;
    std::vector<Diagnostic> &diags_;
    expr::ProbeAst ast_;
    bool ok_ = true;
    bool btf_tried_ = false, proto_tried_ = false, proto_missing_ = false;
    const struct btf *btf_ = nullptr;
    std::string btf_error_;
    uint32_t proto_ = 0;
};

} // namespace

bool compile_into(std::span<const Source> sources, const Options &opts, Plan &plan,
                  std::vector<Diagnostic> &diags) {
    bool ok = true;
    for (const auto &src : sources) {
        Probe probe;
        ProbeCompiler pc(src, opts, diags);
        if (pc.run(probe))
            plan.probes.push_back(std::move(probe));
        else
            ok = false;
    }
    return ok;
}

std::vector<Source> split_expression_file(std::string_view content, const std::string &path) {
    std::vector<Source> out;
    size_t line_no = 0, pos = 0;
    while (pos <= content.size()) {
        size_t nl = content.find('\n', pos);
        if (nl == std::string_view::npos) nl = content.size();
        std::string_view line = content.substr(pos, nl - pos);
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        std::string_view t = trim(line);
        if (!t.empty() && t[0] != '#')
            out.push_back({std::string(line), path + ":" + std::to_string(line_no)});
        if (nl == content.size()) break;
        pos = nl + 1;
    }
    return out;
}

} // namespace ksurf::compile
