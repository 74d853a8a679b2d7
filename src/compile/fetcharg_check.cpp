// The kernel's fetcharg grammar (kprobetrace.rst), checked in the order and
// with the limits of trace_probe.c so that what passes here is armed.
#include "compile/fetcharg_check.h"

#include <cctype>

namespace ksurf::compile {

namespace {

using arch::arch_name;
using arch::is_register;
using arch::register_alias;

constexpr size_t kMaxArgStrLen = 63;  // MAX_ARGSTR_LEN
constexpr uint64_t kMaxArrayLen = 64; // MAX_ARRAY_LEN
// FETCH_INSN_MAX (16) holds a fetch, the dereferences, a store, a modifier
// and the end: 12 dereferences at most (@SYM takes one of them).
constexpr int kMaxDerefs = 12;
// PARAM_MAX_STACK: THREAD_SIZE / sizeof(long), 16 KiB stacks on 64-bit.
constexpr uint64_t kMaxStackIndex = 2048;

const char *const kFetchargs = "kernel fetchargs: %REG @ADDR @SYM[+|-OFF] $stackN $stack $retval "
                               "$comm $argN +|-[u]OFF(FETCHARG) \\IMM";

enum class Op { Reg, Stack, StackP, Retval, Imm, Comm, Arg, Data, Deref };

bool number(std::string_view s, uint64_t &v) {
    return expr::kernel_number(s, v);
}

// kstrtol(s, 0): an optional '-' then number().
bool signed_number(std::string_view s, uint64_t &v) {
    if (s.starts_with('-')) s.remove_prefix(1);
    return number(s, v);
}

bool known_type(std::string_view t) {
    for (std::string_view k : {"string", "ustring", "symstr", "symbol", "char", "u8", "u16", "u32",
                               "u64", "s8", "s16", "s32", "s64", "x8", "x16", "x32", "x64"})
        if (t == k) return true;
    return false;
}

// b<width>@<offset>/<container>: width >= 1, width + offset <= container.
bool bitfield(std::string_view t) {
    size_t at = t.find('@'), slash = t.find('/');
    if (t.size() < 2 || t[0] != 'b' || at == std::string_view::npos ||
        slash == std::string_view::npos || slash < at)
        return false;
    uint64_t w, o, c;
    if (!number(t.substr(1, at - 1), w) || !number(t.substr(at + 1, slash - at - 1), o) ||
        !number(t.substr(slash + 1), c))
        return false;
    return w >= 1 && (c == 8 || c == 16 || c == 32 || c == 64) && w + o <= c;
}

// The names the kernel takes on architecture `a`, for the hint under an unknown one.
std::string register_hint(ksurf::arch::Arch a) {
    switch (a) {
    case ksurf::arch::Arch::X86_64:
        return "the kernel's names: %ax %bx %cx %dx %si %di %bp %sp %r8..%r15 %ip (x86_64)";
    case ksurf::arch::Arch::Aarch64:
        return "the kernel's names: %x0..%x30 %sp %pc %pstate (aarch64)";
    default:
        break;
    }
    std::string names;
    for (const auto &n : ksurf::arch::register_names(a)) names += (names.empty() ? "%" : " %") + n;
    return "the kernel's names: " + names + " (" + std::string(ksurf::arch::arch_name(a)) + ")";
}

class Checker {
  public:
    Checker(std::string_view t, const FetchargContext &ctx, const expr::ErrorFn &error)
        : t_(t), ctx_(ctx), error_(error) {}

    bool value(size_t b, size_t e, Op &op, int &derefs) {
        if (b >= e) {
            error_(b, b + 1, "empty fetcharg", kFetchargs);
            return false;
        }
        std::string_view s = t_.substr(b, e - b);
        switch (s[0]) {
        case '$':
            return var(b, e, op);
        case '%':
            if (!is_register(ctx_.arch, s.substr(1))) {
                std::string alias = register_alias(ctx_.arch, s.substr(1));
                error_(b, e,
                       "unknown " + std::string(arch_name(ctx_.arch)) + " register '" +
                           std::string(s) + "'",
                       alias.empty() ? register_hint(ctx_.arch) : "did you mean '%" + alias + "'?");
                return false;
            }
            op = Op::Reg;
            return true;
        case '@':
            return memory(b, e, op, derefs);
        case '+':
        case '-':
            return deref(b, e, op, derefs);
        case '\\':
            return immediate(b, e, op);
        default:
            error_(b, e, "'" + std::string(s) + "' is not a kernel fetcharg", kFetchargs);
            return false;
        }
    }

  private:
    bool var(size_t b, size_t e, Op &op) {
        std::string_view w = t_.substr(b + 1, e - b - 1);
        uint64_t n = 0;
        if (w == "retval") {
            if (!ctx_.is_return) {
                error_(b, e, "$retval is only known in a return probe", "use r instead of p");
                return false;
            }
            op = Op::Retval;
        } else if (w == "comm") {
            op = Op::Comm;
        } else if (w == "stack") {
            op = Op::StackP;
        } else if (w.starts_with("stack") && w.size() > 5 &&
                   std::isdigit(static_cast<unsigned char>(w[5]))) {
            if (!number(w.substr(5), n)) {
                error_(b, e, "bad stack slot '$" + std::string(w) + "'",
                       "write $stackN (N >= 0); for an address on the stack use +OFF($stack)");
                return false;
            }
            if (ctx_.kernel && n > kMaxStackIndex) {
                error_(b + 6, e, "stack slot " + std::to_string(n) + " is past the kernel stack",
                       "at most $stack" + std::to_string(kMaxStackIndex));
                return false;
            }
            op = Op::Stack;
        } else if (w.starts_with("arg") && w.size() > 3 &&
                   std::isdigit(static_cast<unsigned char>(w[3]))) {
            if (!ctx_.kernel || ctx_.is_return || !ctx_.at_entry) {
                error_(b, e, "$argN is only known at a kprobe on a function's entry",
                       !ctx_.kernel     ? "uprobes read arguments from registers (%di ...)"
                       : ctx_.is_return ? "read it with p on the entry (Linux before 6.9)"
                                        : "drop the +OFFSET, or read the register");
                return false;
            }
            if (!number(w.substr(3), n) || n == 0 || n > kMaxStackIndex) {
                error_(b, e, "bad argument number in '$" + std::string(w) + "'",
                       "$arg1 is the first argument");
                return false;
            }
            op = Op::Arg;
        } else {
            error_(b, e, "unknown variable '$" + std::string(w) + "'",
                   "known: $retval, $comm, $stack, $stackN, $argN");
            return false;
        }
        return true;
    }

    bool memory(size_t b, size_t e, Op &op, int &derefs) {
        std::string_view s = t_.substr(b + 1, e - b - 1);
        op = Op::Deref;
        ++derefs;
        if (s.empty()) {
            error_(b, e, "expected a symbol or an address after '@'", "write @jiffies or @0xADDR");
            return false;
        }
        uint64_t v;
        if (std::isdigit(static_cast<unsigned char>(s[0]))) {
            if (!number(s, v)) {
                error_(b, e, "bad memory address '" + std::string(s) + "'",
                       "write @0xffffffff81000000 (hex with 0x)");
                return false;
            }
            return true;
        }
        if (s[0] == '+') {
            if (ctx_.kernel) {
                error_(b, e, "@+OFFSET is a file offset, for uprobes only",
                       "read a kernel global with @SYMBOL or @0xADDR");
                return false;
            }
            if (!signed_number(s.substr(1), v)) {
                error_(b + 1, e, "bad file offset", "write @+0x1234");
                return false;
            }
            return true;
        }
        if (!ctx_.kernel) {
            error_(b, e, "@SYMBOL reads kernel memory; not in uprobes",
                   "read the program's data with @+FILE_OFFSET");
            return false;
        }
        ++derefs; // the symbol is resolved by one more instruction
        size_t p = 0;
        while (p < s.size() &&
               (std::isalnum(static_cast<unsigned char>(s[p])) || s[p] == '_' || s[p] == '.'))
            ++p;
        if (p == 0) {
            error_(b + 1, b + 2, "expected a symbol name after '@'", "write @jiffies");
            return false;
        }
        std::string sym(s.substr(0, p));
        if (p < s.size()) {
            if ((s[p] != '+' && s[p] != '-') || !number(s.substr(p + 1), v)) {
                error_(b + 1 + p, e,
                       "unexpected '" + std::string(s.substr(p)) + "' after the symbol",
                       "write @SYMBOL+OFFSET or @SYMBOL-OFFSET");
                return false;
            }
        }
        std::string hint;
        if (ctx_.symbol_exists && !(*ctx_.symbol_exists)(sym, hint)) {
            error_(b + 1, b + 1 + p, "no kernel symbol '" + sym + "' (not in /proc/kallsyms)",
                   hint);
            return false;
        }
        return true;
    }

    bool deref(size_t b, size_t e, Op &op, int &derefs) {
        size_t p = b + 1;
        if (p < e && t_[p] == 'u') {
            if (!ctx_.kernel) {
                error_(p, p + 1, "+u is for kprobes reading user memory",
                       "uprobes read user memory with a plain +OFF(...)");
                return false;
            }
            ++p;
        }
        size_t open = t_.find('(', p);
        if (open == std::string_view::npos || open >= e) {
            error_(b, e, "a dereference needs parentheses",
                   "write +OFFSET(FETCHARG), e.g. +8(%di)");
            return false;
        }
        uint64_t v;
        if (!number(t_.substr(p, open - p), v)) {
            error_(b, open, "bad dereference offset '" + std::string(t_.substr(b, open - b)) + "'",
                   "write +0(%di), -8($stack) or +0x10(%si)");
            return false;
        }
        int level = 0;
        size_t close = std::string_view::npos;
        for (size_t q = open; q < e; ++q) {
            if (t_[q] == '(') ++level;
            if (t_[q] == ')' && --level == 0) {
                close = q;
                break;
            }
        }
        if (close == std::string_view::npos) {
            error_(open, e, "the dereference's '(' is not closed", "add ')'");
            return false;
        }
        if (close + 1 != e) {
            error_(close + 1, e,
                   "unexpected '" + std::string(t_.substr(close + 1, e - close - 1)) +
                       "' after the dereference",
                   "offsets go before the parentheses: +10(%ax)");
            return false;
        }
        Op inner;
        if (!value(open + 1, close, inner, derefs)) return false;
        if (inner == Op::Comm || inner == Op::Data) {
            error_(open + 1, close, "$comm and immediate strings cannot be dereferenced", "");
            return false;
        }
        if (++derefs > kMaxDerefs) {
            error_(b, e, "dereferences nested too deep",
                   "the kernel allows " + std::to_string(kMaxDerefs));
            return false;
        }
        op = Op::Deref;
        return true;
    }

    bool immediate(size_t b, size_t e, Op &op) {
        std::string_view s = t_.substr(b + 1, e - b - 1);
        if (s.starts_with('"')) {
            if (s.size() < 2 || s.back() != '"') {
                error_(e - 1, e, "the immediate string is not closed with '\"'",
                       "write \\\"text\"");
                return false;
            }
            op = Op::Data;
            return true;
        }
        uint64_t v;
        bool good = !s.empty() &&
                    (std::isdigit(static_cast<unsigned char>(s[0]))
                         ? number(s, v)
                         : (s[0] == '-' || s[0] == '+') && signed_number(s.substr(s[0] == '+'), v));
        if (!good) {
            error_(b + 1, e, "bad immediate value '" + std::string(s) + "'",
                   "write \\42, \\0x2a, \\-1 or \\\"text\"");
            return false;
        }
        op = Op::Imm;
        return true;
    }

    std::string_view t_;
    const FetchargContext &ctx_;
    const expr::ErrorFn &error_;
};

} // namespace

bool check_fetcharg(std::string_view t, size_t b, size_t e, const FetchargContext &ctx,
                    FetchargInfo &info, const expr::ErrorFn &error) {
    if (b >= e) {
        error(b, b + 1, "no fetcharg after '='", kFetchargs);
        return false;
    }
    if (e - b > kMaxArgStrLen) {
        error(b, e, "fetcharg longer than the kernel's 63 characters",
              "split it, or give the member a shorter path");
        return false;
    }
    size_t colon = t.substr(0, e).find(':', b);
    size_t ve = colon == std::string_view::npos ? e : colon;
    std::string_view base;
    if (colon != std::string_view::npos) {
        std::string_view type = t.substr(colon + 1, e - colon - 1);
        info.type = std::string(type);
        base = type;
        if (size_t lb = type.find('['); lb != std::string_view::npos) {
            size_t tb = colon + 1;
            size_t rb = type.find(']', lb);
            if (rb == std::string_view::npos) {
                error(e - 1, e, "the array's '[' is not closed", "write :u8[16]");
                return false;
            }
            if (rb + 1 != type.size()) {
                error(tb + rb + 1, e, "unexpected text after the array's ']'", "write :u8[16]");
                return false;
            }
            uint64_t n = 0;
            if (!number(type.substr(lb + 1, rb - lb - 1), n) || n == 0) {
                error(tb + lb + 1, tb + rb, "bad array length", "write :u8[16] (1 .. 64)");
                return false;
            }
            if (n > kMaxArrayLen) {
                error(tb + lb + 1, tb + rb, "array length " + std::to_string(n) + " is over 64",
                      "the kernel reads at most 64 elements");
                return false;
            }
            info.count = static_cast<unsigned>(n);
            base = type.substr(0, lb);
        }
    }
    std::string_view v = t.substr(b, ve - b);
    size_t tb = colon == std::string_view::npos ? e : colon + 1;
    if (v == "$comm" || v.starts_with("\\\"")) {
        if (info.count || (colon != std::string_view::npos && base != "string")) {
            error(colon, e,
                  std::string(v == "$comm" ? "$comm" : "an immediate string") +
                      " is a string; no other type",
                  "drop :" + info.type + " or write :string");
            return false;
        }
        info.is_string = true;
        if (v.starts_with("\\\"") && (v.size() < 3 || v.back() != '"')) {
            error(ve - 1, ve, "the immediate string is not closed with '\"'", "write \\\"text\"");
            return false;
        }
        return true;
    }
    if (colon != std::string_view::npos && !known_type(base) && !bitfield(base)) {
        error(tb, e, "unknown type ':" + info.type + "'",
              base.starts_with('b') ? "a bitfield is b<width>@<offset>/<8|16|32|64>"
                                    : "types: u8..u64 s8..s64 x8..x64 char string ustring symstr "
                                      "symbol b<w>@<o>/<c> and TYPE[N]");
        return false;
    }
    Checker c(t, ctx, error);
    Op op;
    int derefs = 0;
    if (!c.value(b, ve, op, derefs)) return false;
    bool memory = op == Op::Deref;
    info.is_string = base == "string" || base == "ustring" || base == "symstr";
    info.is_symbol = base == "symbol";
    if ((base == "string" || base == "ustring") && !memory && op != Op::Imm) {
        std::string what(v);
        error(tb, e, "a string is read from memory, and '" + what + "' is not memory",
              "'" + what + "' holds its address: write +0(" + what + "):" + std::string(base));
        return false;
    }
    if (info.count && !memory) {
        std::string what(v);
        error(tb, e, "an array is read from memory, and '" + what + "' is not memory",
              "read what it points to: +0(" + what + "):" + info.type);
        return false;
    }
    return true;
}

} // namespace ksurf::compile
