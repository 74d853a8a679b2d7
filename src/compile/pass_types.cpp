// The types pass: the probed function's (or tracepoint's) prototype and
// parameters, and the types named in casts, from BTF (DWARF for P/R).
#include "compile/probe_compiler.h"

namespace ksurf::compile::detail {

// The BTF holding this probe's types, or null (with a diagnostic when
// `why` is given).
const struct btf *ProbeCompiler::btf(Span where, const char *why) {
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
              : btf_error_.starts_with("no DWARF") ? "build with -g, or use %N with explicit :TYPE"
                                                   : "use %N with explicit :TYPE");
    }
    return btf_;
}

std::optional<types::TypeRef> ProbeCompiler::find_type(const struct btf *b, std::string_view name,
                                                       int kind) {
    if (!is_user()) return opts_.types->find(b, name, kind);
    uint32_t id = opts_.user_types ? opts_.user_types->find(b, name, kind) : 0;
    if (!id) return std::nullopt;
    return types::TypeRef{b, id};
}

std::vector<std::string> ProbeCompiler::type_names(const struct btf *b, int kind) {
    if (!is_user()) return opts_.types->names_of_kind(b, kind);
    return opts_.user_types ? opts_.user_types->names_of_kind(b, kind) : std::vector<std::string>{};
}

// The FUNC_PROTO of the probed function, or 0. Diagnoses when `why`.
uint32_t ProbeCompiler::proto(Span where, const char *why) {
    if (!proto_tried_) {
        proto_tried_ = true;
        const struct btf *b = btf(where, why);
        if (!b) return 0;
        if (rules().is_tracepoint) {
            proto_ = tracepoint_proto(b);
        } else if (auto f = find_type(b, ast_.symbol, BTF_KIND_FUNC)) {
            const struct btf_type *t = btf__type_by_id(b, f->id);
            proto_ = t ? t->type : 0;
        }
        if (!proto_) proto_missing_ = true;
    }
    if (!proto_ && why && btf_) {
        if (proto_missing_ && rules().is_tracepoint) {
            error(ast_.symbol_span,
                  "unknown tracepoint '" + ast_.symbol + "' (no btf_trace_" + ast_.symbol +
                      " in BTF)",
                  "the tracepoints are listed in tracefs available_events (their event names)");
            proto_missing_ = false;
        } else if (proto_missing_) {
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
std::vector<int>
ProbeCompiler::register_slots(const std::vector<std::pair<std::string, uint32_t>> &ps) {
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

// A tracepoint's arguments: the kernel's probe stub of each tracepoint,
// `void __probestub_TP(void *__data, ARGS...)`, is what a tprobe attaches to
// and has the arguments' names; `typedef void (*btf_trace_TP)(void *, ARGS...)`
// has their types only. The kernel's $argN skips __data.
uint32_t ProbeCompiler::tracepoint_proto(const struct btf *b) {
    if (auto f = find_type(b, "__probestub_" + ast_.symbol, BTF_KIND_FUNC)) {
        const struct btf_type *t = btf__type_by_id(b, f->id);
        if (t && t->type) return t->type;
    }
    auto td = find_type(b, "btf_trace_" + ast_.symbol, BTF_KIND_TYPEDEF);
    if (!td) return 0;
    const struct btf_type *t = btf__type_by_id(b, td->id);
    t = t ? btf__type_by_id(b, t->type) : nullptr; // the pointer
    if (!t || !btf_is_ptr(t)) return 0;
    const struct btf_type *fp = btf__type_by_id(b, t->type);
    return fp && btf_is_func_proto(fp) ? t->type : 0;
}

std::vector<std::pair<std::string, uint32_t>> ProbeCompiler::params(uint32_t proto_id) {
    std::vector<std::pair<std::string, uint32_t>> out;
    const struct btf_type *t = btf__type_by_id(btf_, proto_id);
    if (!t || !btf_is_func_proto(t)) return out;
    const struct btf_param *p = btf_params(t);
    unsigned first = rules().is_tracepoint ? 1 : 0; // t: __data is not the tracepoint's
    p += first;
    for (unsigned i = first; i < btf_vlen(t); ++i, ++p) {
        const char *n = btf__name_by_offset(btf_, p->name_off);
        out.emplace_back(n ? n : "", p->type);
    }
    return out;
}

// "struct file *" -> CType, or a diagnostic.
bool ProbeCompiler::parse_ctype(const std::string &name, Span where, CType &out) {
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
    if (words.size() == 2 && (words[0] == "struct" || words[0] == "union" || words[0] == "enum")) {
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

} // namespace ksurf::compile::detail
