#include "expr/ast.h"
#include "expr/raw_probe.h"

#include <cctype>
#include <limits>

namespace ksurf::expr {

namespace {

bool is_ident_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool is_ident_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}
bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

class Parser {
  public:
    Parser(std::string_view text, std::vector<Diagnostic> &diags) : t_(text), diags_(diags) {}

    void error(size_t b, size_t e, std::string message, std::string hint = {}) {
        // Origin and text are filled in by the caller, who knows the line.
        diags_.push_back(Diagnostic::at({}, {}, {b, e}, std::move(message), std::move(hint)));
        ok_ = false;
    }
    bool ok() const { return ok_; }
    ErrorFn error_fn() {
        return [this](size_t b, size_t e, std::string m, std::string h) {
            error(b, e, std::move(m), std::move(h));
        };
    }

    // Reads an unsigned number (decimal or 0x hex) at [pos, end); returns the end.
    size_t number(size_t pos, size_t end, uint64_t &value, bool &good) {
        good = false;
        value = 0;
        unsigned base = 10;
        size_t p = pos;
        if (p + 1 < end && t_[p] == '0' && (t_[p + 1] == 'x' || t_[p + 1] == 'X')) {
            base = 16;
            p += 2;
        }
        size_t digits = p;
        bool overflow = false;
        while (p < end) {
            char c = t_[p];
            unsigned d;
            if (c >= '0' && c <= '9')
                d = static_cast<unsigned>(c - '0');
            else if (base == 16 && std::isxdigit(static_cast<unsigned char>(c)))
                d = static_cast<unsigned>(std::tolower(c) - 'a' + 10);
            else
                break;
            if (value > (std::numeric_limits<uint64_t>::max() - d) / base) overflow = true;
            value = value * base + d;
            ++p;
        }
        if (p == digits) return p;
        if (overflow) {
            error(pos, p, "number too large");
            return p;
        }
        good = true;
        return p;
    }

    size_t ident(size_t pos, size_t end, bool allow_dot = false) {
        if (pos >= end || !is_ident_start(t_[pos])) return pos;
        size_t start = pos;
        while (pos < end && (is_ident_char(t_[pos]) || (allow_dot && t_[pos] == '.'))) ++pos;
        // surftrace's "%axX~(struct T)": the format letter is not the name's
        if (pos < end && t_[pos] == '~' && pos - start > 1 &&
            (t_[pos - 1] == 'S' || t_[pos - 1] == 'U' || t_[pos - 1] == 'X'))
            --pos;
        return pos;
    }

    // A kernel function glob (p vfs_*, r tcp_*_rcv, p *_fsync, p vfs_[rw]*):
    // extends the identifier ending at `q` over fnmatch's * ? and [...].
    size_t glob(size_t b, size_t e, size_t q) {
        size_t p = b;
        bool any = false;
        while (p < e) {
            char c = t_[p];
            if (is_ident_char(c) || c == '.') {
                ++p;
            } else if (c == '*' || c == '?') {
                any = true;
                ++p;
            } else if (c == '[') {
                size_t close = t_.find(']', p + 2); // "[]...]" holds a ']'
                if (close == std::string_view::npos || close >= e) break;
                any = true;
                p = close + 1;
            } else {
                break;
            }
        }
        return any ? p : q;
    }

    // Finds the ')' or ']' closing the bracket at `open`, or npos.
    size_t closing(size_t open, size_t end) {
        int depth = 0;
        for (size_t p = open; p < end; ++p) {
            if (t_[p] == '(' || t_[p] == '[') ++depth;
            if (t_[p] == ')' || t_[p] == ']') {
                if (--depth == 0) return p;
            }
        }
        return std::string_view::npos;
    }

    bool parse_type(size_t b, size_t e, Cast &cast) {
        std::string out;
        int stars = 0;
        size_t p = b;
        bool any = false;
        while (p < e) {
            char c = t_[p];
            if (is_blank(c)) {
                ++p;
            } else if (c == '*') {
                ++stars;
                ++p;
            } else if (is_ident_start(c) && stars == 0) {
                size_t q = ident(p, e);
                if (!out.empty()) out += ' ';
                out.append(t_.substr(p, q - p));
                p = q;
                any = true;
            } else {
                error(p, p + 1, std::string("unexpected '") + c + "' in a type",
                      "write a C type such as (struct file *)");
                return false;
            }
        }
        if (!any) {
            error(b > 0 ? b - 1 : b, e + 1, "empty type in cast",
                  "write a C type such as (struct file *)");
            return false;
        }
        if (stars) out += ' ' + std::string(static_cast<size_t>(stars), '*');
        cast.type = out;
        cast.type_span = {b, e};
        return true;
    }

    bool parse_base(size_t &pos, size_t end, Base &base) {
        size_t start = pos;
        base.span = {pos, pos};
        if (pos >= end) {
            error(pos, pos + 1, "expected a value here",
                  "start with %N, %reg, a parameter name, $retval, $comm, $stackN or @symbol");
            return false;
        }
        char c = t_[pos];
        if (c == '%') {
            ++pos;
            if (pos < end && std::isdigit(static_cast<unsigned char>(t_[pos]))) {
                bool good = true;
                base.kind = BaseKind::ArgIndex;
                // surftrace's %0X~(struct T): X is the format letter, not 0x
                if (t_.substr(pos, 3) == "0X~")
                    base.number = 0, ++pos;
                else
                    pos = number(pos, end, base.number, good);
                if (!good) {
                    if (ok_) error(start, pos + 1, "bad argument number", "write %0, %1 ...");
                    return false;
                }
            } else {
                size_t q = ident(pos, end);
                if (q == pos) {
                    error(start, pos + 1, "expected a register or argument number after '%'",
                          "write %0 for the first argument or %ax for a register");
                    return false;
                }
                base.kind = BaseKind::Register;
                base.text = std::string(t_.substr(pos, q - pos));
                pos = q;
            }
        } else if (c == '$') {
            size_t q = ident(pos + 1, end);
            std::string_view word = t_.substr(pos + 1, q - pos - 1);
            if (word == "retval") {
                base.kind = BaseKind::Retval;
            } else if (word == "comm") {
                base.kind = BaseKind::Comm;
            } else if (word == "stack") {
                base.kind = BaseKind::Stack;
            } else if (word.starts_with("stack") && word.size() > 5 &&
                       word.find_first_not_of("0123456789", 5) == std::string_view::npos) {
                base.kind = BaseKind::StackN;
                bool good;
                number(pos + 6, q, base.number, good);
                if (!good) return false;
            } else {
                error(pos, q > pos + 1 ? q : pos + 1,
                      "unknown variable '$" + std::string(word) + "'",
                      "known: $retval, $comm, $stack, $stackN");
                return false;
            }
            pos = q;
        } else if (c == '@') {
            ++pos;
            if (pos + 1 < end && t_[pos] == '0' && (t_[pos + 1] == 'x' || t_[pos + 1] == 'X')) {
                bool good;
                pos = number(pos, end, base.number, good);
                base.kind = BaseKind::Address;
                if (!good) {
                    error(start, pos, "bad address", "write @0xffffffff81000000");
                    return false;
                }
            } else {
                size_t q = ident(pos, end);
                if (q == pos) {
                    error(start, pos + 1, "expected a symbol or an address after '@'",
                          "write @jiffies, @0xADDR or @(struct iphdr *)%0 for a packet header");
                    return false;
                }
                base.kind = BaseKind::Symbol;
                base.text = std::string(t_.substr(pos, q - pos));
                pos = q;
            }
        } else if (c == '(') {
            size_t close = closing(pos, end);
            if (close == std::string_view::npos) {
                error(pos, end, "unbalanced '('", "add the closing ')'");
                return false;
            }
            base.kind = BaseKind::Paren;
            base.inner.emplace_back();
            if (!parse_expr(pos + 1, close, base.inner.back(), false)) return false;
            pos = close + 1;
        } else if (is_ident_start(c)) {
            size_t q = ident(pos, end);
            base.kind = BaseKind::Name;
            base.text = std::string(t_.substr(pos, q - pos));
            pos = q;
        } else {
            error(pos, pos + 1, std::string("unexpected '") + c + "'",
                  "start with %N, %reg, a parameter name, $retval, $comm, $stackN or @symbol");
            return false;
        }
        base.span = {start, pos};
        return true;
    }

    bool looks_like_cast(size_t open, size_t close) {
        // (struct x *) or (type) vs. a parenthesised expression
        size_t p = open + 1;
        while (p < close && is_blank(t_[p])) ++p;
        return p < close && is_ident_start(t_[p]);
    }

    bool parse_cast(size_t &pos, size_t end, Cast &cast) {
        size_t start = pos;
        if (t_[pos] == '!') {
            cast.bang = true;
            ++pos;
        } else if (t_[pos] == '@') {
            cast.packet = true;
            ++pos;
        }
        size_t close = closing(pos, end);
        if (close == std::string_view::npos) {
            error(pos, end, "unbalanced '('", "add the closing ')'");
            return false;
        }
        if (!parse_type(pos + 1, close, cast)) return false;
        cast.present = true;
        pos = close + 1;
        if (cast.packet && pos + 1 < end && t_[pos] == 'l' && t_[pos + 1] >= '0' &&
            t_[pos + 1] <= '9') {
            cast.layer = t_[pos + 1] - '0';
            if (cast.layer < 2 || cast.layer > 4 ||
                (pos + 2 < end && std::isdigit(static_cast<unsigned char>(t_[pos + 2])))) {
                error(pos, pos + 2, "unknown packet layer marker",
                      "use l2 (skb->data at the Ethernet header), l3 (IP, the default) or l4");
                return false;
            }
            pos += 2;
        }
        cast.span = {start, pos};
        return true;
    }

    // surftrace's first spelling (seed 003): BASE[S|U|X]~(struct T)->member
    // and BASE~$(struct iphdr)l3->member for a packet header: the cast comes
    // after the value, names the struct, and means a pointer to it.
    bool parse_legacy_cast(size_t &pos, size_t e, Expr &x) {
        if (pos + 1 < e && (t_[pos] == 'S' || t_[pos] == 'U' || t_[pos] == 'X') &&
            t_[pos + 1] == '~') {
            if (x.format) {
                error(pos, pos + 1, "two format letters",
                      "write one: S%0->x, or surftrace's %0S~(struct T)->x");
                return false;
            }
            x.format = t_[pos];
            x.format_span = {pos, pos + 1};
            ++pos;
        }
        if (pos >= e || t_[pos] != '~') return true;
        size_t tilde = pos++;
        if (pos < e && t_[pos] == '$') {
            x.cast.packet = true;
            ++pos;
        }
        if (pos >= e || t_[pos] != '(') {
            error(tilde, pos + 1, "expected (struct NAME) after '~'",
                  "write %0~(struct task_struct)->comm");
            return false;
        }
        size_t close = closing(pos, e);
        if (close == std::string_view::npos) {
            error(pos, e, "unbalanced '('", "add the closing ')'");
            return false;
        }
        if (!parse_type(pos + 1, close, x.cast)) return false;
        if (x.cast.type.find('*') == std::string::npos) x.cast.type += " *";
        x.cast.present = true;
        pos = close + 1;
        if (x.cast.packet && pos + 1 < e && t_[pos] == 'l' && t_[pos + 1] >= '2' &&
            t_[pos + 1] <= '4') {
            x.cast.layer = t_[pos + 1] - '0';
            pos += 2;
        }
        x.cast.span = {tilde, pos};
        return true;
    }

    bool parse_expr(size_t b, size_t e, Expr &x, bool top) {
        size_t pos = b;
        x.span = {b, e};
        if (pos >= e) {
            error(b, b + 1, "empty expression", "write NAME=EXPR, e.g. fd=%0 or comm=%0->comm");
            return false;
        }
        if (top && pos + 1 < e && (t_[pos] == 'S' || t_[pos] == 'U' || t_[pos] == 'X')) {
            char n = t_[pos + 1];
            if (n == '%' || n == '$' || n == '@' || n == '!' || n == '(') {
                x.format = t_[pos];
                x.format_span = {pos, pos + 1};
                ++pos;
            }
        }
        bool cast_start =
            pos < e && (t_[pos] == '!' || (t_[pos] == '@' && pos + 1 < e && t_[pos + 1] == '('));
        if (!cast_start && pos < e && t_[pos] == '(') {
            size_t close = closing(pos, e);
            cast_start = close != std::string_view::npos && looks_like_cast(pos, close);
        }
        if (cast_start) {
            if (t_[pos] == '!' && (pos + 1 >= e || t_[pos + 1] != '(')) {
                error(pos, pos + 1, "expected '(' after '!'", "write !(struct file *)%ax");
                return false;
            }
            if (!parse_cast(pos, e, x.cast)) return false;
        }
        if (!parse_base(pos, e, x.base)) return false;
        if (!x.cast.present && !parse_legacy_cast(pos, e, x)) return false;
        while (pos < e) {
            char c = t_[pos];
            Step s;
            size_t start = pos;
            if (c == '-' && pos + 1 < e && t_[pos + 1] == '>') {
                s.kind = StepKind::Arrow;
                pos += 2;
            } else if (c == '.') {
                s.kind = StepKind::Dot;
                pos += 1;
            } else if (c == '[') {
                size_t close = closing(pos, e);
                if (close == std::string_view::npos) {
                    error(pos, e, "unbalanced '['", "add the closing ']'");
                    return false;
                }
                bool good;
                size_t q = number(pos + 1, close, s.index, good);
                if (!good || q != close) {
                    if (ok_)
                        error(pos + 1, close, "array index must be a number", "write member[3]");
                    return false;
                }
                s.kind = StepKind::Index;
                s.name_span = {pos + 1, close};
                pos = close + 1;
                s.span = {start, pos};
                x.steps.push_back(std::move(s));
                continue;
            } else if (c == ':' && top) {
                break;
            } else {
                std::string hint = "members are reached with -> (through a pointer) or . "
                                   "(inside a struct)";
                if (c == '-') hint = "did you mean '->'?";
                if (c == '+')
                    hint = "an offset goes in the kernel's dereference: +8(%di), +16($stack)";
                error(pos, pos + 1, std::string("unexpected '") + c + "'", hint);
                return false;
            }
            size_t q = ident(pos, e);
            if (q == pos) {
                error(start, pos + 1, "expected a member name",
                      s.kind == StepKind::Arrow ? "write ->member" : "write .member");
                return false;
            }
            s.member = std::string(t_.substr(pos, q - pos));
            s.name_span = {pos, q};
            pos = q;
            s.span = {start, pos};
            x.steps.push_back(std::move(s));
        }
        if (pos < e && t_[pos] == ':') {
            size_t q = pos + 1;
            while (q < e && (is_ident_char(t_[q]) || t_[q] == '[' || t_[q] == ']' || t_[q] == '@' ||
                             t_[q] == '/'))
                ++q;
            if (q == pos + 1 || q != e) {
                error(pos, e, "bad type suffix",
                      "write :u32, :x64, :s16, :string, :ustring, :symbol or :u8[16]");
                return false;
            }
            x.suffix = std::string(t_.substr(pos + 1, q - pos - 1));
            x.suffix_span = {pos, q};
            pos = q;
        }
        return true;
    }

    bool parse_target(size_t b, size_t e, ProbeAst &p) {
        p.target_span = {b, e};
        std::string_view tok = t_.substr(b, e - b);
        if (p.type == ProbeType::Event) {
            size_t slash = tok.find('/');
            if (slash == std::string_view::npos || slash == 0 || slash + 1 == tok.size()) {
                error(b, e, "expected SYSTEM/EVENT", "write e.g. e sched/sched_switch");
                return false;
            }
            p.system = std::string(tok.substr(0, slash));
            p.event = std::string(tok.substr(slash + 1));
            p.system_span = {b, b + slash};
            p.event_span = {b + slash + 1, e};
            for (size_t i = 0; i < tok.size(); ++i) {
                char c = tok[i];
                if (i != slash && !is_ident_char(c) && c != '*' && c != '?' && c != '[' &&
                    c != ']' && c != '-' && c != '.' && c != '!') {
                    error(b + i, b + i + 1, std::string("unexpected '") + c + "' in event name");
                    return false;
                }
            }
            return true;
        }
        if (p.type == ProbeType::Fprobe || p.type == ProbeType::Tprobe)
            return parse_ftrace_place(t_, b, e, p, error_fn()) && ok_;
        bool done = false;
        e = parse_kernel_place(t_, b, e, p, done, error_fn());
        if (done) return ok_;
        tok = t_.substr(b, e - b);
        size_t sym_b = b;
        if (p.type == ProbeType::Uprobe || p.type == ProbeType::Uretprobe) {
            size_t colon = tok.rfind(':');
            if (colon == std::string_view::npos || colon == 0) {
                error(b, e, "expected PATH:SYMBOL",
                      "write e.g. P /bin/bash:readline or R /lib/libc.so.6:malloc");
                return false;
            }
            p.path = std::string(tok.substr(0, colon));
            sym_b = b + colon + 1;
            if (sym_b < e && t_[sym_b] >= '0' && t_[sym_b] <= '9') {
                bool good;
                size_t q = number(sym_b, e, p.offset, good);
                if (!good || q != e) {
                    error(sym_b, e, "bad file offset", "write PATH:0x1234 or PATH:SYMBOL+8");
                    return false;
                }
                p.raw_offset = p.has_offset = true;
                p.symbol_span = {sym_b, e};
                return true;
            }
        } else {
            size_t colon = tok.find(':');
            if (colon != std::string_view::npos) {
                p.module = std::string(tok.substr(0, colon));
                if (ident(b, b + colon) != b + colon) {
                    error(b, b + colon, "bad module name", "write MODULE:SYMBOL");
                    return false;
                }
                sym_b = b + colon + 1;
            }
        }
        size_t q = ident(sym_b, e, true);
        if (p.type == ProbeType::Kprobe || p.type == ProbeType::Kretprobe) q = glob(sym_b, e, q);
        if (q == sym_b) {
            error(sym_b, e, "expected a function name");
            return false;
        }
        p.symbol = std::string(t_.substr(sym_b, q - sym_b));
        p.symbol_span = {sym_b, q};
        if (q < e && t_[q] == '+') {
            bool good;
            size_t r = number(q + 1, e, p.offset, good);
            if (!good || r != e) {
                if (ok_) error(q, e, "bad offset", "write SYMBOL+21 or SYMBOL+0x15");
                return false;
            }
            p.has_offset = true;
        } else if (q != e) {
            error(q, e, std::string("unexpected '") + t_[q] + "' after the function name",
                  "write SYMBOL or SYMBOL+OFFSET");
            return false;
        }
        if (p.type == ProbeType::Kretprobe && p.offset != 0) {
            error(q, e, "a return probe cannot have an offset",
                  "kretprobes go on the function entry; use p SYMBOL+OFFSET for a place inside");
            return false;
        }
        return true;
    }

    bool parse_type_token(size_t b, size_t e, ProbeAst &p) {
        p.type_span = {b, e};
        std::string_view tok = t_.substr(b, e - b);
        if (size_t colon = tok.find(':'); colon != std::string_view::npos) {
            // The kernel's head: p:[GRP/]EVENT, r[N]:[GRP/]EVENT
            if (colon == 0 || (tok[0] != 'p' && tok[0] != 'r' && tok[0] != 'f' && tok[0] != 't')) {
                error(b, e, "unknown probe type '" + std::string(tok) + "'",
                      "an event name goes after p, r, f or t: p:NAME SYMBOL, r:NAME SYMBOL");
                return false;
            }
            p.kernel_form = true;
            if (!parse_event_name(t_, b + colon + 1, e, p, error_fn())) return false;
            e = b + colon;
            p.type_span = {b, e};
            tok = tok.substr(0, colon);
        }
        if (tok.size() > 1 && tok[0] == 'p' && std::isdigit(static_cast<unsigned char>(tok[1]))) {
            error(b + 1, e, "maxactive is only for return probes", "write rN, e.g. r10");
            return false;
        }
        if (tok == "p") {
            p.type = ProbeType::Kprobe;
        } else if (tok == "P") {
            p.type = ProbeType::Uprobe;
        } else if (tok == "R") {
            p.type = ProbeType::Uretprobe;
        } else if (tok == "e") {
            p.type = ProbeType::Event;
        } else if (tok == "f") {
            p.type = ProbeType::Fprobe; // f FUNC%return: Fretprobe, from the place
        } else if (tok == "t") {
            p.type = ProbeType::Tprobe;
        } else if (tok[0] == 'r') {
            p.type = ProbeType::Kretprobe;
            if (tok.size() > 1) {
                uint64_t n;
                bool good;
                size_t q = number(b + 1, e, n, good);
                if (!good || q != e || tok[1] == '0') {
                    if (ok_)
                        error(b, e, "bad return probe type",
                              "write r, or rN (N = maxactive, e.g. r10)");
                    return false;
                }
                if (n > 4096) {
                    error(b + 1, e, "maxactive is at most 4096");
                    return false;
                }
                p.maxactive = static_cast<int>(n);
            }
        } else {
            error(b, e, "unknown probe type '" + std::string(tok) + "'",
                  "p (kprobe), r (kretprobe), P/R (uprobe/uretprobe), e (trace event), "
                  "f (fprobe), t (tracepoint probe)");
            return false;
        }
        return true;
    }

    bool parse_probe(ProbeAst &p) {
        size_t pos = 0, n = t_.size();
        int index = 0;
        while (true) {
            while (pos < n && is_blank(t_[pos])) ++pos;
            if (pos >= n) break;
            if (index >= 2 && t_.substr(pos).starts_with("f:")) {
                size_t end = n;
                while (end > pos && is_blank(t_[end - 1])) --end;
                p.has_filter = true;
                p.filter_span = {pos, end};
                if (!parse_filter(t_, pos + 2, end, p.filter, diags_)) ok_ = false;
                break;
            }
            size_t start = pos;
            std::vector<size_t> opens;
            while (pos < n && (!opens.empty() || !is_blank(t_[pos]))) {
                char c = t_[pos];
                if (c == '(' || c == '[') opens.push_back(pos);
                if ((c == ')' || c == ']') && !opens.empty()) opens.pop_back();
                ++pos;
            }
            if (!opens.empty()) {
                error(opens.front(), pos, std::string("unbalanced '") + t_[opens.front()] + "'",
                      t_[opens.front()] == '(' ? "add the closing ')'" : "add the closing ']'");
                return false;
            }
            if (index == 0) {
                if (!parse_type_token(start, pos, p)) return false;
            } else if (index == 1) {
                if (!parse_target(start, pos, p)) return false;
            } else {
                parse_arg(start, pos, p);
            }
            ++index;
        }
        if (index == 0) {
            error(0, n, "empty expression", "write e.g. p do_sys_openat2 name=filename:ustring");
            return false;
        }
        if (index == 1) {
            error(0, n,
                  p.type == ProbeType::Event ? "expected SYSTEM/EVENT" : "expected a function",
                  p.type == ProbeType::Event ? "write e.g. e sched/sched_switch"
                                             : "write e.g. p do_sys_openat2");
            return false;
        }
        if (p.type == ProbeType::Event && !p.args.empty()) {
            error(p.args.front().span.begin, p.args.back().span.end,
                  "trace events take no arguments",
                  "their fields are recorded already; "
                  "only f:FILTER may follow");
        }
        return ok_;
    }

    void parse_arg(size_t b, size_t e, ProbeAst &p) {
        Arg a;
        a.span = {b, e};
        size_t q = ident(b, e);
        size_t expr_b = b;
        if (q > b && q < e && t_[q] == '=') {
            a.name = std::string(t_.substr(b, q - b));
            a.name_span = {b, q};
            expr_b = q + 1;
        }
        if (expr_b < e && is_raw_fetcharg(t_, expr_b, e, p.kernel_form)) {
            // checked by compile/fetcharg_check.h, as the kernel would
            a.raw = true;
            a.body_span = {expr_b, e};
            a.expr.span = a.body_span;
            p.args.push_back(std::move(a));
            return;
        }
        if (expr_b == b && t_[b] != '%' && t_[b] != '$' && t_[b] != '@' &&
            t_.substr(b, e - b).find('=') != std::string_view::npos) {
            size_t eq = t_.find('=', b);
            error(b, eq, "bad argument name '" + std::string(t_.substr(b, eq - b)) + "'",
                  "names are letters, digits and '_', not starting with a digit");
            return;
        }
        size_t before = diags_.size();
        if (parse_expr(expr_b, e, a.expr, true))
            p.args.push_back(std::move(a));
        else if (diags_.size() == before) // never drop an argument without a word
            error(expr_b, e, "cannot read this argument");
    }

  private:
    std::string_view t_;
    std::vector<Diagnostic> &diags_;
    bool ok_ = true;
};

} // namespace

bool parse_probe(std::string_view text, ProbeAst &out, std::vector<Diagnostic> &diags) {
    Parser p(text, diags);
    return p.parse_probe(out);
}

bool parse_arg_expr(std::string_view text, size_t begin, size_t end, Expr &out,
                    std::vector<Diagnostic> &diags) {
    Parser p(text, diags);
    return p.parse_expr(begin, end, out, true) && p.ok();
}

} // namespace ksurf::expr
