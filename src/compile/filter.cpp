#include "compile/filter.h"

#include "util/strings.h"

#include <cctype>
#include <cstdio>

namespace ksurf::compile {

namespace {

enum class Tok { End, LParen, RParen, Not, And, Or, Op, Word, String, Bad };

struct Token {
    Tok kind = Tok::End;
    size_t begin = 0, end = 0; // relative to the filter text
    std::string text;          // operator, word or the string's contents
};

bool is_word_char(char c) {
    return !std::isspace(static_cast<unsigned char>(c)) &&
           std::string_view("()!&|=<>~\"'").find(c) == std::string_view::npos;
}

std::vector<Token> lex(std::string_view s) {
    std::vector<Token> out;
    size_t i = 0;
    while (i < s.size()) {
        char c = s[i];
        if (std::isspace(static_cast<unsigned char>(c))) {
            ++i;
            continue;
        }
        Token t;
        t.begin = i;
        auto two = [&](std::string_view op) { return s.substr(i, 2) == op; };
        if (c == '(') {
            t.kind = Tok::LParen, ++i;
        } else if (c == ')') {
            t.kind = Tok::RParen, ++i;
        } else if (two("&&")) {
            t.kind = Tok::And, i += 2;
        } else if (two("||")) {
            t.kind = Tok::Or, i += 2;
        } else if (two("==") || two("!=") || two("<=") || two(">=")) {
            t.kind = Tok::Op, t.text = std::string(s.substr(i, 2)), i += 2;
        } else if (c == '<' || c == '>' || c == '~' || c == '&') {
            t.kind = Tok::Op, t.text = std::string(1, c), ++i;
        } else if (c == '!') {
            t.kind = Tok::Not, ++i;
        } else if (c == '"' || c == '\'') {
            size_t close = s.find(c, i + 1);
            if (close == std::string_view::npos) {
                t.kind = Tok::Bad;
                t.text = "unterminated string";
                i = s.size();
            } else {
                t.kind = Tok::String;
                t.text = std::string(s.substr(i + 1, close - i - 1));
                i = close + 1;
            }
        } else if (is_word_char(c)) {
            while (i < s.size() && is_word_char(s[i])) ++i;
            t.kind = Tok::Word;
            t.text = std::string(s.substr(t.begin, i - t.begin));
        } else {
            t.kind = Tok::Bad;
            t.text = c == '=' ? "'=' is not a comparison" : std::string("unexpected '") + c + "'";
            ++i;
        }
        t.end = i;
        out.push_back(std::move(t));
    }
    Token end;
    end.begin = end.end = s.size();
    out.push_back(end);
    return out;
}

bool parse_u64(std::string_view s, uint64_t &v) {
    if (s.empty()) return false;
    int base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s.remove_prefix(2);
    }
    v = 0;
    for (char c : s) {
        int d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (base == 16 && std::isxdigit(static_cast<unsigned char>(c)))
            d = std::tolower(c) - 'a' + 10;
        else
            return false;
        if (v > (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) return false;
        v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
    }
    return true;
}

bool is_number(std::string_view s) {
    uint64_t v;
    if (!s.empty() && s[0] == '-') s.remove_prefix(1);
    return parse_u64(s, v);
}

bool parse_ipv4(std::string_view s, uint32_t &le) {
    auto parts = split(s, '.');
    if (parts.size() != 4) return false;
    le = 0;
    for (size_t i = 0; i < 4; ++i) {
        uint64_t v;
        if (parts[i].empty() || parts[i].size() > 3 || parts[i].find('x') != std::string::npos ||
            !parse_u64(parts[i], v) || v > 255)
            return false;
        // network order in memory, read as a little-endian u32
        le |= static_cast<uint32_t>(v) << (8 * i);
    }
    return true;
}

uint64_t swap_bytes(uint64_t v, unsigned width) {
    uint64_t out = 0;
    for (unsigned i = 0; i < width; ++i) out |= ((v >> (8 * i)) & 0xff) << (8 * (width - 1 - i));
    return out;
}

std::string hex(uint64_t v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

struct Edit {
    size_t begin, end;
    std::string text;
};

class FilterParser {
  public:
    FilterParser(size_t offset, std::string_view text, const std::vector<FieldSet> &sets,
                 std::vector<expr::Diagnostic> &diags)
        : offset_(offset), text_(text), sets_(sets), diags_(diags), toks_(lex(text)) {}

    bool run(std::string &out) {
        if (trim(text_).empty()) {
            error(0, 0, "empty filter", "write f:NAME==VALUE, e.g. f:common_pid==1");
            return false;
        }
        for (const auto &t : toks_) {
            if (t.kind == Tok::Bad) {
                error(t.begin, t.end, t.text,
                      "operators: == != < <= > >= ~ & && || ! and parentheses");
                return false;
            }
        }
        parse_or();
        if (ok_ && cur().kind != Tok::End) {
            const Token &t = cur();
            error(t.begin, t.end,
                  t.kind == Tok::RParen ? "unbalanced ')'" : "expected && or || here",
                  t.kind == Tok::RParen ? "remove it or add a matching '('"
                                        : "join conditions with && or ||");
        }
        if (!ok_) return false;
        out.clear();
        size_t pos = 0;
        for (const auto &e : edits_) {
            out.append(text_.substr(pos, e.begin - pos));
            out += e.text;
            pos = e.end;
        }
        out.append(text_.substr(pos));
        return true;
    }

  private:
    const Token &cur() const { return toks_[pos_]; }

    void error(size_t b, size_t e, std::string message, std::string hint = {}) {
        if (!ok_) return; // one error per filter: the rest would be noise
        expr::Diagnostic d;
        d.begin = offset_ + b;
        d.end = offset_ + (e > b ? e : b + 1);
        d.message = std::move(message);
        d.hint = std::move(hint);
        diags_.push_back(std::move(d));
        ok_ = false;
    }

    void parse_or() {
        parse_and();
        while (ok_ && cur().kind == Tok::Or) {
            ++pos_;
            parse_and();
        }
    }

    void parse_and() {
        parse_unary();
        while (ok_ && cur().kind == Tok::And) {
            ++pos_;
            parse_unary();
        }
    }

    void parse_unary() {
        if (!ok_) return;
        const Token &t = cur();
        if (t.kind == Tok::Not) {
            ++pos_;
            parse_unary();
        } else if (t.kind == Tok::LParen) {
            ++pos_;
            parse_or();
            if (!ok_) return;
            if (cur().kind != Tok::RParen) {
                error(t.begin, t.end, "unbalanced '('", "add the closing ')'");
                return;
            }
            ++pos_;
        } else if (t.kind == Tok::Word) {
            parse_predicate();
        } else {
            error(t.begin, t.end,
                  t.kind == Tok::End ? "expected a condition" : "expected a field name",
                  "write NAME OP VALUE, e.g. common_pid==1");
        }
    }

    const FilterField *lookup(const Token &name) {
        const FilterField *first = nullptr;
        for (const auto &set : sets_) {
            const FilterField *found = nullptr;
            for (const auto &f : set.fields)
                if (f.name == name.text) found = &f;
            if (!found) {
                std::vector<std::string> names;
                for (const auto &f : set.fields) names.push_back(f.name);
                std::string near = closest(name.text, names);
                std::string hint =
                    near.empty() ? "fields: " + field_list(set) : "did you mean '" + near + "'?";
                for (const auto &other : sets_)
                    for (const auto &f : other.fields)
                        if (f.name == name.text && near.empty())
                            hint = "it is a field of " + other.event +
                                   "; narrow the event glob so that every event has it";
                error(name.begin, name.end,
                      "unknown field '" + name.text + "'" +
                          (sets_.size() > 1 || set.event != "this probe" ? " in " + set.event : ""),
                      hint);
                return nullptr;
            }
            if (!first) first = found;
        }
        return first;
    }

    static std::string field_list(const FieldSet &set) {
        std::string out;
        for (const auto &f : set.fields) {
            if (f.name.starts_with("common_") && f.name != "common_pid") continue;
            if (!out.empty()) out += ", ";
            out += f.name;
        }
        return out;
    }

    void parse_predicate() {
        const Token name = cur();
        ++pos_;
        if (!std::isalpha(static_cast<unsigned char>(name.text[0])) && name.text[0] != '_') {
            error(name.begin, name.end, "expected a field name, not '" + name.text + "'",
                  "write NAME OP VALUE, e.g. common_pid==1");
            return;
        }
        const FilterField *field = lookup(name);
        if (!field) return;
        const Token op = cur();
        if (op.kind != Tok::Op) {
            error(op.begin, op.end, "expected a comparison after '" + name.text + "'",
                  "== != < <= > >= ~ (glob, strings) & (bit test)");
            return;
        }
        ++pos_;
        const Token value = cur();
        if (value.kind != Tok::Word && value.kind != Tok::String) {
            error(value.begin, value.end, "expected a value after '" + op.text + "'");
            return;
        }
        ++pos_;
        if (!field->filterable) {
            error(name.begin, name.end, "'" + name.text + "' is an array; filters cannot test it",
                  "read one element into its own name, e.g. x=%0->arr[0]");
            return;
        }
        if (field->is_string) {
            if (op.text != "==" && op.text != "!=" && op.text != "~")
                error(op.begin, op.end,
                      "'" + name.text + "' is a string; compare it with ==, != or ~",
                      "e.g. " + name.text + "~\"sys*\"");
            // The kernel (6.1) wants string values quoted: comm=="sh".
            else if (value.kind == Tok::Word)
                edits_.push_back({value.begin, value.end, "\"" + value.text + "\""});
            return;
        }
        if (op.text == "~") {
            error(op.begin, op.end, "'~' (glob match) is only for string fields",
                  "'" + name.text + "' is a number: use == != < <= > >= or &");
            return;
        }
        if (value.kind == Tok::String) {
            error(value.begin, value.end, "'" + name.text + "' is a number, not a string",
                  "compare it with a number");
            return;
        }
        convert_number(*field, value);
    }

    void convert_number(const FilterField &field, const Token &value) {
        unsigned width = width_for_name(field.name);
        Print print = print_for_name(field.name);
        uint32_t ip;
        if (print == Print::Ipv4) {
            if (parse_ipv4(value.text, ip)) {
                edits_.push_back({value.begin, value.end, hex(ip)});
                return;
            }
            if (!is_number(value.text))
                error(value.begin, value.end, "'" + value.text + "' is not an IPv4 address",
                      "write a dotted quad such as 127.0.0.1");
            return;
        }
        if (parse_ipv4(value.text, ip)) {
            error(value.begin, value.end, "an IPv4 address compared with '" + field.name + "'",
                  "name the field ip_" + field.name + " to compare it with addresses");
            return;
        }
        if (!is_number(value.text)) {
            error(value.begin, value.end, "'" + value.text + "' is not a number",
                  "'" + field.name + "' is numeric; write a decimal or 0x hex number");
            return;
        }
        if (width != 0) {
            uint64_t v;
            if (!parse_u64(value.text, v) || (width < 8 && v >> (8 * width))) {
                error(value.begin, value.end,
                      "'" + value.text + "' does not fit in " + std::to_string(width * 8) + " bits",
                      "the value is byte-swapped as a " + std::to_string(width * 8) +
                          "-bit number");
                return;
            }
            uint64_t swapped = swap_bytes(v, width);
            bool hex_out =
                print == Print::Be16Hex || print == Print::Be32Hex || print == Print::Be64Hex;
            edits_.push_back(
                {value.begin, value.end, hex_out ? hex(swapped) : std::to_string(swapped)});
        }
    }

    size_t offset_;
    std::string_view text_;
    const std::vector<FieldSet> &sets_;
    std::vector<expr::Diagnostic> &diags_;
    std::vector<Token> toks_;
    size_t pos_ = 0;
    bool ok_ = true;
    std::vector<Edit> edits_;
};

} // namespace

std::vector<FilterField> common_fields() {
    return {{"common_type", false, true, 2},
            {"common_flags", false, true, 1},
            {"common_preempt_count", false, true, 1},
            {"common_pid", false, true, 4}};
}

std::vector<FilterField> generic_fields() {
    return {{"comm", true, true, 16},
            {"COMM", true, true, 16},
            {"cpu", false, true, 4},
            {"CPU", false, true, 4}};
}

Print print_for_name(std::string_view name) {
    if (name.starts_with("ip_")) return Print::Ipv4;
    if (name.starts_with("b16_")) return Print::Be16;
    if (name.starts_with("b32_")) return Print::Be32;
    if (name.starts_with("b64_")) return Print::Be64;
    if (name.starts_with("B16_")) return Print::Be16Hex;
    if (name.starts_with("B32_")) return Print::Be32Hex;
    if (name.starts_with("B64_")) return Print::Be64Hex;
    return Print::Default;
}

unsigned width_for_name(std::string_view name) {
    switch (print_for_name(name)) {
    case Print::Ipv4:
    case Print::Be32:
    case Print::Be32Hex:
        return 4;
    case Print::Be16:
    case Print::Be16Hex:
        return 2;
    case Print::Be64:
    case Print::Be64Hex:
        return 8;
    default:
        return 0;
    }
}

bool compile_filter(std::string_view source, size_t offset, std::string_view text,
                    const std::vector<FieldSet> &sets, std::string &out,
                    std::vector<expr::Diagnostic> &diags) {
    (void)source; // spans are offsets into it; the caller attaches it to diagnostics
    FilterParser p(offset, text, sets, diags);
    return p.run(out);
}

} // namespace ksurf::compile
