// The probe-kind rules pass on parsed ASTs alone: no BTF, no kernel, no arch.
#include "compile/pass_rules.h"

#include <gtest/gtest.h>

using namespace ksurf::compile::detail;
using ksurf::expr::ProbeType;

namespace {

struct Checked {
    bool parsed = false;
    std::vector<bool> ok; // per argument
    std::vector<std::string> messages;
    std::vector<std::string> carets;
};

Checked check(const std::string &line) {
    Checked out;
    ksurf::expr::ProbeAst ast;
    std::vector<ksurf::expr::Diagnostic> diags;
    out.parsed = ksurf::expr::parse_probe(line, ast, diags);
    if (!out.parsed) return out;
    ErrorAt err = [&](ksurf::expr::Span s, std::string m, std::string) {
        out.messages.push_back(std::move(m));
        out.carets.push_back(line.substr(s.begin, s.end - s.begin));
    };
    for (const auto &a : ast.args) out.ok.push_back(a.raw || check_kind_rules(ast, a.expr, err));
    return out;
}

} // namespace

TEST(PassRules, KindsOfProbe) {
    EXPECT_TRUE(rules_for(ProbeType::Kretprobe).is_return);
    EXPECT_TRUE(rules_for(ProbeType::Uretprobe).is_return);
    EXPECT_TRUE(rules_for(ProbeType::Uretprobe).is_user);
    EXPECT_TRUE(rules_for(ProbeType::Fretprobe).is_return);
    EXPECT_TRUE(rules_for(ProbeType::Fretprobe).ftrace_args);
    EXPECT_FALSE(rules_for(ProbeType::Fprobe).is_return);
    EXPECT_TRUE(rules_for(ProbeType::Tprobe).is_tracepoint);
    EXPECT_FALSE(rules_for(ProbeType::Kprobe).ftrace_args);
    EXPECT_STREQ(rules_for(ProbeType::Uprobe).entry, "P");
    EXPECT_STREQ(rules_for(ProbeType::Fretprobe).entry, "f");
}

TEST(PassRules, EntryAndReturn) {
    auto c = check("p f a=%0 b=$retval c=x");
    ASSERT_TRUE(c.parsed);
    EXPECT_EQ(c.ok, (std::vector<bool>{true, false, true}));
    EXPECT_EQ(c.messages.at(0), "$retval is only known in a return probe");
    c = check("r f a=%1 b=$retval c=x");
    EXPECT_EQ(c.ok, (std::vector<bool>{false, true, false}));
    EXPECT_EQ(c.messages.at(0), "%1 in a return probe reads a clobbered register");
    EXPECT_EQ(c.messages.at(1), "parameter 'x' in a return probe");
    EXPECT_EQ(c.carets.at(1), "x");
    c = check("f f%return a=(%0)->x");
    EXPECT_EQ(c.ok, (std::vector<bool>{false}));
    EXPECT_EQ(c.carets.at(0), "%0"); // found inside the parentheses
}

TEST(PassRules, UserProbesReadNoKernelMemory) {
    auto c = check("P /bin/sh:main a=@jiffies c=@(struct iphdr *)%0->saddr d=$stack9999");
    ASSERT_TRUE(c.parsed);
    EXPECT_EQ(c.ok, (std::vector<bool>{false, false, true}));
    EXPECT_EQ(c.messages.at(0), "@symbol reads kernel memory; not available in uprobes");
    EXPECT_EQ(c.messages.at(1), "packet headers are kernel memory; not available in uprobes");
    c = check("p f d=$stack9999 e=$stack2048");
    EXPECT_EQ(c.ok, (std::vector<bool>{false, true}));
    EXPECT_EQ(c.messages.at(0), "stack slot 9999 is past the kernel stack");
}

TEST(PassRules, Tracepoints) {
    auto c = check("t sched_switch a=%0 b=prev c=%ax d=$retval e=$comm");
    ASSERT_TRUE(c.parsed);
    EXPECT_EQ(c.ok, (std::vector<bool>{true, true, false, false, true}));
    EXPECT_EQ(c.messages.at(0), "a tracepoint probe has no registers of its own");
    EXPECT_EQ(c.messages.at(1), "a tracepoint probe has no $retval");
}

TEST(PassRules, ParenthesesKeepFormatsOutside) {
    auto c = check("p f a=(%0X~(struct file))->f_mode");
    ASSERT_TRUE(c.parsed);
    EXPECT_EQ(c.ok, (std::vector<bool>{false}));
    EXPECT_EQ(c.messages.at(0), "format letters and :types go on the whole expression");
}

TEST(PassRules, ArgumentNames) {
    ksurf::expr::ProbeAst ast;
    std::vector<ksurf::expr::Diagnostic> diags;
    std::string line = "p f x=%0 %1 common_pid=%2 x=%3 __probe_ip=%4 "
                       "a_name_far_longer_than_thirty_one_chars=%5";
    ASSERT_TRUE(ksurf::expr::parse_probe(line, ast, diags));
    std::vector<std::string> messages;
    ErrorAt err = [&](ksurf::expr::Span, std::string m, std::string) {
        messages.push_back(std::move(m));
    };
    std::vector<std::pair<std::string, ksurf::expr::Span>> seen;
    std::vector<std::string> names;
    for (size_t i = 0; i < ast.args.size(); ++i) {
        std::string name;
        if (check_arg_name(ast.args[i], i + 1, seen, name, err)) names.push_back(name);
    }
    EXPECT_EQ(names, (std::vector<std::string>{"x", "arg2"}));
    ASSERT_EQ(messages.size(), 4u);
    EXPECT_EQ(messages[0], "'common_pid' is reserved for the kernel's common fields");
    EXPECT_EQ(messages[1], "duplicate name 'x'");
    EXPECT_EQ(messages[2], "'__probe_ip' is reserved by the kernel");
    EXPECT_NE(messages[3].find("longer than the kernel's 31 characters"), std::string::npos);
}

TEST(PassRules, ArgumentCount) {
    std::string line = "p f";
    for (int i = 0; i < 129; ++i) line += " a" + std::to_string(i) + "=%0";
    ksurf::expr::ProbeAst ast;
    std::vector<ksurf::expr::Diagnostic> diags;
    ASSERT_TRUE(ksurf::expr::parse_probe(line, ast, diags));
    std::string message;
    ErrorAt err = [&](ksurf::expr::Span, std::string m, std::string) { message = m; };
    EXPECT_FALSE(check_arg_count(ast, err));
    EXPECT_EQ(message, "more than 128 arguments");
    ast.args.resize(128);
    EXPECT_TRUE(check_arg_count(ast, err));
}
