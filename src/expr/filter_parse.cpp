// f:FILTER -> FilterNode: the lexer and the recursive-descent parser of the
// kernel's event filter syntax, on the probe's own text so that every node's
// span is a place in the expression (one set of carets for the whole line).
#include "expr/ast.h"

#include <cctype>

namespace ksurf::expr {

namespace {

enum class Tok { End, LParen, RParen, Not, And, Or, Op, Word, String, Bad };

struct Token {
    Tok kind = Tok::End;
    size_t begin = 0, end = 0; // in the probe text
    std::string text;          // operator, word or the string's contents
};

bool is_word_char(char c) {
    return !std::isspace(static_cast<unsigned char>(c)) &&
           std::string_view("()!&|=<>~\"'").find(c) == std::string_view::npos;
}

std::vector<Token> lex(std::string_view t, size_t b, size_t e) {
    std::vector<Token> out;
    size_t i = b;
    while (i < e) {
        char c = t[i];
        if (std::isspace(static_cast<unsigned char>(c))) {
            ++i;
            continue;
        }
        Token k;
        k.begin = i;
        auto two = [&](std::string_view op) { return i + 1 < e && t.substr(i, 2) == op; };
        if (c == '(') {
            k.kind = Tok::LParen, ++i;
        } else if (c == ')') {
            k.kind = Tok::RParen, ++i;
        } else if (two("&&")) {
            k.kind = Tok::And, i += 2;
        } else if (two("||")) {
            k.kind = Tok::Or, i += 2;
        } else if (two("==") || two("!=") || two("<=") || two(">=")) {
            k.kind = Tok::Op, k.text = std::string(t.substr(i, 2)), i += 2;
        } else if (c == '<' || c == '>' || c == '~' || c == '&') {
            k.kind = Tok::Op, k.text = std::string(1, c), ++i;
        } else if (c == '!') {
            k.kind = Tok::Not, ++i;
        } else if (c == '"' || c == '\'') {
            size_t close = t.substr(0, e).find(c, i + 1);
            if (close == std::string_view::npos) {
                k.kind = Tok::Bad;
                k.text = "unterminated string";
                i = e;
            } else {
                k.kind = Tok::String;
                k.text = std::string(t.substr(i + 1, close - i - 1));
                i = close + 1;
            }
        } else if (is_word_char(c)) {
            while (i < e && is_word_char(t[i])) ++i;
            k.kind = Tok::Word;
            k.text = std::string(t.substr(k.begin, i - k.begin));
        } else {
            k.kind = Tok::Bad;
            k.text = c == '=' ? "'=' is not a comparison" : std::string("unexpected '") + c + "'";
            ++i;
        }
        k.end = i;
        out.push_back(std::move(k));
    }
    Token end;
    end.begin = end.end = e;
    out.push_back(end);
    return out;
}

class FilterParser {
  public:
    FilterParser(std::string_view text, size_t b, size_t e, std::vector<Diagnostic> &diags)
        : t_(text), b_(b), e_(e), diags_(diags), toks_(lex(text, b, e)) {}

    bool run(Filter &out) {
        out.span = {b_, e_};
        bool blank = true;
        for (size_t i = b_; i < e_; ++i)
            if (!std::isspace(static_cast<unsigned char>(t_[i]))) blank = false;
        if (blank) {
            error(b_, b_, "empty filter", "write f:NAME==VALUE, e.g. f:common_pid==1");
            return false;
        }
        for (const auto &k : toks_) {
            if (k.kind == Tok::Bad) {
                error(k.begin, k.end, k.text,
                      "operators: == != < <= > >= ~ & && || ! and parentheses");
                return false;
            }
        }
        out.root = parse_or();
        if (ok_ && cur().kind != Tok::End) {
            const Token &k = cur();
            error(k.begin, k.end,
                  k.kind == Tok::RParen ? "unbalanced ')'" : "expected && or || here",
                  k.kind == Tok::RParen ? "remove it or add a matching '('"
                                        : "join conditions with && or ||");
        }
        return ok_;
    }

  private:
    const Token &cur() const { return toks_[pos_]; }

    void error(size_t b, size_t e, std::string message, std::string hint = {}) {
        if (!ok_) return; // one error per filter: the rest would be noise
        // Origin and text are filled in by the caller, who knows the line.
        diags_.push_back(Diagnostic::at({}, {}, {b, e}, std::move(message), std::move(hint)));
        ok_ = false;
    }

    // a && b && c is one node with three children (and || likewise)
    FilterNode join(FilterKind kind, Tok sep, FilterNode (FilterParser::*next)()) {
        FilterNode first = (this->*next)();
        if (!ok_ || cur().kind != sep) return first;
        FilterNode n;
        n.kind = kind;
        n.span.begin = first.span.begin;
        n.kids.push_back(std::move(first));
        while (ok_ && cur().kind == sep) {
            ++pos_;
            n.kids.push_back((this->*next)());
        }
        n.span.end = n.kids.back().span.end;
        return n;
    }

    FilterNode parse_or() { return join(FilterKind::Or, Tok::Or, &FilterParser::parse_and); }
    FilterNode parse_and() { return join(FilterKind::And, Tok::And, &FilterParser::parse_unary); }

    FilterNode parse_unary() {
        FilterNode n;
        if (!ok_) return n;
        const Token &k = cur();
        n.span = {k.begin, k.end};
        if (k.kind == Tok::Not) {
            ++pos_;
            n.kind = FilterKind::Not;
            n.kids.push_back(parse_unary());
            n.span.end = n.kids.back().span.end;
        } else if (k.kind == Tok::LParen) {
            const Token open = k;
            ++pos_;
            n.kind = FilterKind::Group;
            n.kids.push_back(parse_or());
            if (!ok_) return n;
            if (cur().kind != Tok::RParen) {
                error(open.begin, open.end, "unbalanced '('", "add the closing ')'");
                return n;
            }
            n.span.end = cur().end;
            ++pos_;
        } else if (k.kind == Tok::Word) {
            return parse_compare();
        } else {
            error(k.begin, k.end,
                  k.kind == Tok::End ? "expected a condition" : "expected a field name",
                  "write NAME OP VALUE, e.g. common_pid==1");
        }
        return n;
    }

    FilterNode parse_compare() {
        FilterNode n;
        const Token name = cur();
        ++pos_;
        n.field = name.text;
        n.field_span = {name.begin, name.end};
        n.span = n.field_span;
        if (!std::isalpha(static_cast<unsigned char>(name.text[0])) && name.text[0] != '_') {
            error(name.begin, name.end, "expected a field name, not '" + name.text + "'",
                  "write NAME OP VALUE, e.g. common_pid==1");
            return n;
        }
        const Token op = cur();
        if (op.kind != Tok::Op) {
            error(op.begin, op.end, "expected a comparison after '" + name.text + "'",
                  "== != < <= > >= ~ (glob, strings) & (bit test)");
            return n;
        }
        ++pos_;
        n.op = op.text;
        n.op_span = {op.begin, op.end};
        const Token value = cur();
        if (value.kind != Tok::Word && value.kind != Tok::String) {
            error(value.begin, value.end, "expected a value after '" + op.text + "'");
            return n;
        }
        ++pos_;
        n.value = value.text;
        n.quoted = value.kind == Tok::String;
        n.value_span = {value.begin, value.end};
        n.span.end = value.end;
        return n;
    }

    std::string_view t_;
    size_t b_, e_;
    std::vector<Diagnostic> &diags_;
    std::vector<Token> toks_;
    size_t pos_ = 0;
    bool ok_ = true;
};

} // namespace

bool parse_filter(std::string_view text, size_t begin, size_t end, Filter &out,
                  std::vector<Diagnostic> &diags) {
    FilterParser p(text, begin, end, diags);
    return p.run(out);
}

} // namespace ksurf::expr
