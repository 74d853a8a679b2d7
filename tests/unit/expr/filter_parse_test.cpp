// f:FILTER parsed by the one expression parser: the tree, its spans in the
// probe's text, and the syntax errors (names and values are compile's).
#include "expr/ast.h"

#include <gtest/gtest.h>

using namespace ksurf::expr;

namespace {

struct Parsed {
    bool ok = false;
    std::string text;
    ProbeAst ast;
    std::vector<Diagnostic> diags;
    std::string at(Span s) const { return text.substr(s.begin, s.end - s.begin); }
    std::string caret() const { return at({diags.at(0).begin, diags.at(0).end}); }
};

Parsed parse(const std::string &text) {
    Parsed p;
    p.text = text;
    p.ok = parse_probe(text, p.ast, p.diags);
    return p;
}

// The tree as a string: (and (== a 1) (not (group (~ c "x*"))))
std::string tree(const FilterNode &n) {
    auto kids = [&] {
        std::string s;
        for (const auto &k : n.kids) s += " " + tree(k);
        return s;
    };
    switch (n.kind) {
    case FilterKind::Or:
        return "(or" + kids() + ")";
    case FilterKind::And:
        return "(and" + kids() + ")";
    case FilterKind::Not:
        return "(not" + kids() + ")";
    case FilterKind::Group:
        return "(group" + kids() + ")";
    case FilterKind::Compare:
        return "(" + n.op + " " + n.field + " " + (n.quoted ? "\"" + n.value + "\"" : n.value) +
               ")";
    }
    return "?";
}

} // namespace

TEST(FilterParse, Tree) {
    auto p = parse("p f a=%0 f:a==1 && !(c ~ \"x*\") || b>=0x10");
    ASSERT_TRUE(p.ok);
    ASSERT_TRUE(p.ast.has_filter);
    EXPECT_EQ(tree(p.ast.filter.root),
              "(or (and (== a 1) (not (group (~ c \"x*\")))) (>= b 0x10))");
    EXPECT_EQ(p.at(p.ast.filter.span), "a==1 && !(c ~ \"x*\") || b>=0x10");
    EXPECT_EQ(p.at(p.ast.filter_span), "f:a==1 && !(c ~ \"x*\") || b>=0x10");
}

TEST(FilterParse, SpansPointIntoTheProbe) {
    auto p = parse("e sched/sched_switch f:prev_comm=='a b' && next_pid & 4");
    ASSERT_TRUE(p.ok);
    const FilterNode &root = p.ast.filter.root;
    ASSERT_EQ(root.kind, FilterKind::And);
    ASSERT_EQ(root.kids.size(), 2u);
    const FilterNode &c = root.kids[0];
    EXPECT_EQ(p.at(c.field_span), "prev_comm");
    EXPECT_EQ(p.at(c.op_span), "==");
    EXPECT_EQ(p.at(c.value_span), "'a b'");
    EXPECT_EQ(c.value, "a b");
    EXPECT_TRUE(c.quoted);
    EXPECT_EQ(p.at(root.kids[1].span), "next_pid & 4");
    EXPECT_EQ(p.at(root.span), "prev_comm=='a b' && next_pid & 4");
}

TEST(FilterParse, ChainsAreFlat) {
    auto p = parse("p f f:a==1&&b==2&&c==3");
    ASSERT_TRUE(p.ok);
    EXPECT_EQ(p.ast.filter.root.kind, FilterKind::And);
    EXPECT_EQ(p.ast.filter.root.kids.size(), 3u);
}

TEST(FilterParse, SyntaxErrorsWithCarets) {
    struct Case {
        const char *line, *message, *caret;
    } cases[] = {
        {"p f f:", "empty filter", ""},
        {"p f f:a=1", "'=' is not a comparison", "="},
        {"p f f:(a==1", "unbalanced '('", "("},
        {"p f f:a==1)", "unbalanced ')'", ")"},
        {"p f f:a==1 &&", "expected a condition", ""},
        {"p f f:a==1 b==2", "expected && or || here", "b"},
        {"p f f:a", "expected a comparison after 'a'", ""},
        {"p f f:a==", "expected a value after '=='", ""},
        {"p f f:1==a", "expected a field name, not '1'", "1"},
        {"p f f:a==\"x", "unterminated string", "\"x"},
        {"p f f:&& a==1", "expected a field name", "&&"},
    };
    for (const auto &k : cases) {
        auto p = parse(k.line);
        EXPECT_FALSE(p.ok) << k.line;
        ASSERT_EQ(p.diags.size(), 1u) << k.line; // one error per filter
        EXPECT_EQ(p.diags[0].message, k.message) << k.line;
        if (*k.caret) {
            EXPECT_EQ(p.caret(), k.caret) << k.line;
        }
    }
}

TEST(FilterParse, OnlyAfterTheTarget) {
    // "f:" as the second token is the target, not a filter
    auto p = parse("e sched/sched_switch");
    ASSERT_TRUE(p.ok);
    EXPECT_FALSE(p.ast.has_filter);
}
