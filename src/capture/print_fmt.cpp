#include "capture/print_fmt.h"

#include <bpf/btf.h>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ksurf::capture {

namespace {

using EnumValues = std::unordered_map<std::string, int64_t>;

// Every enumerator of vmlinux BTF, read once, when a print fmt first needs one.
const EnumValues &kernel_enums() {
    static const EnumValues values = [] {
        EnumValues v;
        btf *b = btf__load_vmlinux_btf();
        if (!b) return v;
        uint32_t n = btf__type_cnt(b);
        for (uint32_t id = 1; id < n; ++id) {
            const btf_type *t = btf__type_by_id(b, id);
            if (btf_is_enum(t)) {
                const struct btf_enum *e = btf_enum(t);
                for (uint16_t i = 0; i < btf_vlen(t); ++i)
                    v.emplace(btf__name_by_offset(b, e[i].name_off), e[i].val);
            } else if (btf_is_enum64(t)) {
                const struct btf_enum64 *e = btf_enum64(t);
                for (uint16_t i = 0; i < btf_vlen(t); ++i)
                    v.emplace(btf__name_by_offset(b, e[i].name_off),
                              static_cast<int64_t>(btf_enum64_value(&e[i])));
            }
        }
        btf__free(b);
        return v;
    }();
    return values;
}

bool ident_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool ident_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

struct Name {
    size_t pos, len;
};

// Identifiers of the argument list that may be enum constants: not inside
// string literals, not a field (after "->" or "."), not a call ("f("),
// not REC.
std::vector<Name> candidates(std::string_view args, size_t base) {
    std::vector<Name> out;
    size_t i = 0;
    while (i < args.size()) {
        char c = args[i];
        if (c == '"') {
            for (++i; i < args.size() && args[i] != '"'; ++i)
                if (args[i] == '\\') ++i;
            ++i;
            continue;
        }
        if (!ident_start(c) || (i > 0 && ident_char(args[i - 1]))) {
            ++i;
            continue;
        }
        size_t start = i;
        while (i < args.size() && ident_char(args[i])) ++i;
        std::string_view id = args.substr(start, i - start);
        bool field = (start >= 1 && args[start - 1] == '.') ||
                     (start >= 2 && args.substr(start - 2, 2) == "->");
        size_t next = i;
        while (next < args.size() && args[next] == ' ') ++next;
        bool call = next < args.size() && args[next] == '(';
        if (!field && !call && id != "REC") out.push_back({base + start, id.size()});
    }
    return out;
}

// A constant integer expression of numbers and | ^ & << >> + - * / ~
// (what the kernel's macros leave in print fmts, e.g. sched_switch's
// "((((0x00000000 | 0x00000001 | ...) + 1) << 1) - 1)"). libtraceevent would
// evaluate it, string to number and operator by strcmp, for every record.
class ConstExpr {
  public:
    explicit ConstExpr(std::string_view s) : s_(s) {}
    std::optional<uint64_t> eval() {
        auto v = binary(0);
        skip();
        if (!v || pos_ != s_.size()) return std::nullopt;
        return v;
    }

  private:
    void skip() {
        while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
    }
    // Binary operators by precedence level, lowest first.
    static int level(std::string_view op) {
        if (op == "|") return 0;
        if (op == "^") return 1;
        if (op == "&") return 2;
        if (op == "<<" || op == ">>") return 3;
        if (op == "+" || op == "-") return 4;
        if (op == "*" || op == "/") return 5;
        return -1;
    }
    std::string_view peek_op() {
        skip();
        if (pos_ >= s_.size()) return {};
        if (s_.substr(pos_, 2) == "<<" || s_.substr(pos_, 2) == ">>") return s_.substr(pos_, 2);
        // "&&" and "||" are not arithmetic: stop there.
        if (pos_ + 1 < s_.size() && (s_[pos_] == '&' || s_[pos_] == '|') &&
            s_[pos_ + 1] == s_[pos_])
            return {};
        return s_.substr(pos_, 1);
    }
    std::optional<uint64_t> binary(int min_level) {
        auto lhs = unary();
        while (lhs) {
            std::string_view op = peek_op();
            int l = level(op);
            if (l < min_level || l < 0) break;
            pos_ += op.size();
            auto rhs = binary(l + 1);
            if (!rhs) return std::nullopt;
            uint64_t a = *lhs, b = *rhs;
            if (op == "|")
                lhs = a | b;
            else if (op == "^")
                lhs = a ^ b;
            else if (op == "&")
                lhs = a & b;
            else if (op == "<<")
                lhs = b < 64 ? a << b : 0;
            else if (op == ">>")
                lhs = b < 64 ? a >> b : 0;
            else if (op == "+")
                lhs = a + b;
            else if (op == "-")
                lhs = a - b;
            else if (op == "*")
                lhs = a * b;
            else if (b != 0)
                lhs = a / b;
            else
                return std::nullopt;
        }
        return lhs;
    }
    std::optional<uint64_t> unary() {
        skip();
        if (pos_ >= s_.size()) return std::nullopt;
        char c = s_[pos_];
        // Not unary minus: "(-1)" may be printed or compared as signed.
        if (c == '~') {
            ++pos_;
            auto v = unary();
            if (!v) return std::nullopt;
            return ~*v;
        }
        if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
        size_t start = pos_;
        while (pos_ < s_.size() && std::isalnum(static_cast<unsigned char>(s_[pos_]))) ++pos_;
        std::string num(s_.substr(start, pos_ - start));
        char *end = nullptr;
        uint64_t v = std::strtoull(num.c_str(), &end, 0);
        if (*end) return std::nullopt; // a suffix (1UL) or not a number: leave it
        return v;
    }
    std::string_view s_;
    size_t pos_ = 0;
};

// Replaces each parenthesised constant expression of `args` by its value,
// innermost first. A call's argument list ("f(1)") is left alone.
void fold_constants(std::string &args) {
    for (bool changed = true; changed;) {
        changed = false;
        bool in_string = false;
        size_t open = std::string::npos;
        for (size_t i = 0; i < args.size(); ++i) {
            char c = args[i];
            if (in_string) {
                if (c == '\\')
                    ++i;
                else if (c == '"')
                    in_string = false;
                continue;
            }
            if (c == '"') {
                in_string = true;
                open = std::string::npos;
            } else if (c == '(') {
                open = i;
            } else if (c == ')' && open != std::string::npos) {
                size_t before = open;
                while (before > 0 && args[before - 1] == ' ') --before;
                bool call = before > 0 && ident_char(args[before - 1]);
                auto v =
                    call ? std::nullopt
                         : ConstExpr(std::string_view(args).substr(open + 1, i - open - 1)).eval();
                if (v) {
                    args.replace(open, i - open + 1, std::to_string(*v));
                    changed = true;
                    break;
                }
                open = std::string::npos;
            }
        }
    }
}

} // namespace

std::string prepare_format(std::string_view format) {
    std::string text(format);
    size_t pf = text.find("\nprint fmt: \"");
    if (pf == std::string::npos) return text;
    // The arguments start after the format string's closing quote.
    size_t q = pf + 13;
    while (q < text.size() && text[q] != '"') q += text[q] == '\\' ? 2 : 1;
    if (q >= text.size()) return text;
    size_t end = text.find('\n', q);
    if (end == std::string::npos) end = text.size();
    auto names = candidates(std::string_view(text).substr(q + 1, end - q - 1), q + 1);
    const EnumValues *values = nullptr;
    // Back to front, so that earlier positions stay valid.
    for (auto it = names.rbegin(); it != names.rend(); ++it) {
        std::string id = text.substr(it->pos, it->len);
        // Lower-case words are types and casts ("unsigned long"); enum constants are capitals.
        bool upper = false;
        for (char c : id) upper = upper || std::isupper(static_cast<unsigned char>(c));
        if (!upper) continue;
        if (!values) values = &kernel_enums();
        auto v = values->find(id);
        if (v == values->end()) continue;
        text.replace(it->pos, it->len, std::to_string(v->second));
    }
    // With enum constants now numbers, fold what is constant.
    end = text.find('\n', q);
    if (end == std::string::npos) end = text.size();
    std::string args = text.substr(q + 1, end - q - 1);
    fold_constants(args);
    text.replace(q + 1, end - q - 1, args);
    return text;
}

} // namespace ksurf::capture
