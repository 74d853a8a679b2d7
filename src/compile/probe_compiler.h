// The compiler of one probe line, in passes spread over compile*.cpp:
// compile.cpp (the probe, its function, events, filters), compile_types.cpp
// (BTF/DWARF lookups), compile_values.cpp (bases, casts, packets, member
// steps) and compile_finish.cpp (the fetcharg, type suffix and format of
// each argument). Internal to src/compile.
#pragma once

#include "compile/compile.h"
#include "compile/ctype.h"
#include "compile/fetcharg_check.h"
#include "compile/filter.h"
#include "compile/pass_rules.h"
#include "expr/ast.h"
#include "util/strings.h"

#include <algorithm>
#include <bpf/btf.h>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace ksurf::compile::detail {

using expr::BaseKind;
using expr::ProbeType;
using expr::Span;
using expr::StepKind;

constexpr uint32_t kMaxArrayLen = 64;
constexpr uint64_t kMaxIndex =
    1u << 20; // keeps offsets far from overflow // MAX_ARRAY_LEN in trace_probe.h
inline const char *const kPacketHeaders[] = {"ethhdr", "iphdr", "icmphdr", "tcphdr", "udphdr"};

inline std::string signed_hex(int64_t v) {
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

inline std::string mem(const Value &v) {
    // an object at a symbol is addressed by the kernel's @SYM+OFF
    if (v.at_symbol) return v.off ? v.base + signed_hex(v.off) : v.base;
    std::string off = signed_hex(v.off);
    if (v.user) off.insert(1, "u"); // +u0x10(%si): the kernel's user-memory dereference
    return off + "(" + v.base + ")";
}

inline bool is_string_suffix(std::string_view s) {
    return s == "string" || s == "ustring";
}

// "u32" -> {'u', 32}; "char" -> {'c', 8}; false when not an integer type.
inline bool int_suffix(std::string_view s, char &letter, unsigned &bits) {
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

inline bool bitfield_suffix(std::string_view s) {
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
inline bool array_suffix(std::string_view s, uint64_t &n) {
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

    bool run(Probe &out);
    // A function glob's match (compile/glob.h): probe `name` instead of the
    // glob written, already known to be probe-able.
    void set_function(std::string name) { function_ = std::move(name); }
    // A function glob armed as fprobe events (compile/glob.h): the line is
    // compiled as `f FUNC` / `f FUNC%return` (kind rules, $argN lowering)
    // whatever its head letter says.
    void set_type(expr::ProbeType type) { type_ = type; }

  private:
    KindRules rules() const { return rules_for(ast_.type); }
    bool is_return() const { return rules().is_return; }
    bool is_user() const { return rules().is_user; }

    void error(Span s, std::string message, std::string hint = {});

    std::string text(Span s) const {
        return src_.text.substr(std::min(s.begin, src_.text.size()),
                                s.end > s.begin ? s.end - s.begin : 0);
    }

    void filter(const std::vector<FieldSet> &sets, std::string &out);

    // Is the function there to probe? Asked of kallsyms when the types are
    // this kernel's own, of the BTF given with --btf otherwise.
    void check_function();

    // --- events ------------------------------------------------------------

    bool compile_event(Probe &out);

    // --- types -------------------------------------------------------------

    // The BTF holding this probe's types, or null (with a diagnostic when
    // `why` is given).
    const struct btf *btf(Span where, const char *why);

    // Kernel probes take types from BTF, user probes from the binary's DWARF.
    bool have_types() const {
        return is_user() ? opts_.user_types != nullptr : opts_.types != nullptr;
    }
    std::optional<types::TypeRef> find_type(const struct btf *b, std::string_view name, int kind);
    std::vector<std::string> type_names(const struct btf *b, int kind);

    // The FUNC_PROTO of the probed function, or 0. Diagnoses when `why`.
    uint32_t proto(Span where, const char *why);

    // Which argument register each parameter of a user function arrives in:
    // floating-point parameters go to FP registers and do not count; after
    // a struct passed by value the rule depends on the ABI (-1: unknown).
    // Kernel functions keep the plain position (kernel code has no floats).
    std::vector<int> register_slots(const std::vector<std::pair<std::string, uint32_t>> &ps);

    std::vector<std::pair<std::string, uint32_t>> params(uint32_t proto_id);
    uint32_t tracepoint_proto(const struct btf *b);

    // "struct file *" -> CType, or a diagnostic.
    bool parse_ctype(const std::string &name, Span where, CType &out);

    // --- values ------------------------------------------------------------

    // The fetcharg of a pointer-like value (to dereference it).
    bool pointer_fetch(const Value &v, Span where, std::string &base, int64_t &add);

    // The fetcharg giving the value itself.
    bool value_fetch(const Value &v, Span where, std::string &out);

    bool compile_base(const expr::Expr &x, Value &v, bool typed);

    bool user_types_error(const expr::Expr &x);

    bool packet_cast(const expr::Expr &x, Value &v);

    bool compile_value(const expr::Expr &x, Value &v);

    bool synthetic_member(const expr::Expr &x, size_t &i, Value &v, const std::string &base,
                          int64_t add);

    bool step(const expr::Expr &x, size_t &i, Value &v);

    // Reads single-member wrappers (atomic_t, refcount_t, kuid_t) as their scalar.
    // A wrapper passed by value sits in a register as its scalar.
    Shape unwrap(Value &v);

    bool finish(const expr::Arg &a, const std::string &name, Value &v, Arg &out);

    Shape unwrap_elem(const CType &t);

    bool check_prefix(const std::string &name, const expr::Arg &a, const Shape &sh,
                      unsigned prefix_width, const std::string &f, Arg &out);

    // A fetcharg in the kernel's syntax: checked, then passed on as written.
    bool raw_arg(const expr::Arg &a, const std::string &name, Arg &out);

    void compile_args(Probe &out);

    const Source &src_;
    const Options &opts_;
    std::vector<Diagnostic> &diags_;
    expr::ProbeAst ast_;
    bool ok_ = true;
    bool btf_tried_ = false, proto_tried_ = false, proto_missing_ = false;
    const struct btf *btf_ = nullptr;
    std::string btf_error_;
    uint32_t proto_ = 0;
    std::string function_;                // set_function()
    std::optional<expr::ProbeType> type_; // set_type()
};

} // namespace ksurf::compile::detail
