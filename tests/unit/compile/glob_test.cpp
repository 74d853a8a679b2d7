// Function globs (compile/glob.h): `p do_*` becomes one probe per matched
// function, each typed from its own BTF prototype; the cap refuses too many;
// arguments that do not resolve on some functions skip them with a note.
// The function list is a FAKE one (FakeFunctionList), made up for these
// tests; the types are the fixture BTF's (do_sys_openat2(dfd, filename, how),
// do_filp_open(dfd, pathname)).
#include "fixture.h"

#include "compile/glob.h"
#include "expr/ast.h"
#include "util/strings.h"

#include <set>
#include <string>
#include <vector>

using namespace ksurf::test;
using ksurf::compile::ProbeKind;

namespace {

// A FAKE kernel: the functions a glob may match. do_not_in_btf is probe-able
// but has no BTF prototype (as asm functions and .isra clones have none).
class FakeFunctionList : public ksurf::compile::KernelNames {
  public:
    bool function(std::string_view name, std::string_view, std::string &error,
                  std::string &) const override {
        if (names.contains(std::string(name))) return true;
        error = "no kernel function named '" + std::string(name) + "'";
        return false;
    }
    bool symbol(std::string_view, std::string &) const override { return false; }
    bool functions(std::string_view glob, std::string_view, std::vector<std::string> &out,
                   std::vector<std::string> &notes) const override {
        for (const auto &n : names)
            if (ksurf::glob_match(glob, n)) out.push_back(n);
        notes.push_back("fake note: 1 on the kprobe blacklist");
        return true;
    }
    bool probe_kind(ProbeKind kind, std::string &why) const override {
        if (fprobes || (kind != ProbeKind::Fprobe && kind != ProbeKind::Fretprobe)) return true;
        why = "this fake kernel has no fprobe events";
        return false;
    }
    std::set<std::string> names{"do_sys_openat2", "do_filp_open", "do_not_in_btf",
                                "wake_up_new_task", "alloc_file_pseudo"};
    bool fprobes = true; // does its tracefs/README have the fprobe line?
};

const FakeFunctionList kFake;
const FakeFunctionList kFakeWithoutFprobes = [] {
    FakeFunctionList k;
    k.fprobes = false;
    return k;
}();

// With the fprobe threshold at `fmin` (the fake lists 3 do_* functions).
Compiled compile_glob_f(const std::vector<std::string> &lines, size_t fmin,
                        const FakeFunctionList &kernel = kFake) {
    ksurf::compile::Options opts;
    opts.types = &fixture_types();
    opts.kernel = &kernel;
    opts.glob_fprobe_min = fmin;
    return compile_with(lines, opts);
}

std::vector<ProbeKind> kinds(const Compiled &c) {
    std::vector<ProbeKind> out;
    for (const auto &p : c.plan.probes) out.push_back(p.kind);
    return out;
}

Compiled compile_glob(const std::vector<std::string> &lines, size_t cap = 1000) {
    ksurf::compile::Options opts;
    opts.types = &fixture_types();
    opts.kernel = &kFake;
    opts.max_glob_functions = cap;
    return compile_with(lines, opts);
}

std::vector<std::string> texts(const Compiled &c) {
    std::vector<std::string> out;
    for (const auto &p : c.plan.probes) out.push_back(p.text);
    return out;
}

std::string notes(const Compiled &c) {
    std::string out;
    for (const auto &n : c.plan.notes) out += n + "\n";
    return out;
}

} // namespace

TEST(FunctionGlob, ParserKeepsGlobsInKernelFunctionNames) {
    for (std::string line : {"p vfs_*", "r tcp_*_rcv", "p *_fsync", "p vfs_[rw]*", "p vfs_rea?",
                             "p ext4:ext4_*", "p vfs_*%return"}) {
        ksurf::expr::ProbeAst ast;
        std::vector<ksurf::expr::Diagnostic> diags;
        ASSERT_TRUE(ksurf::expr::parse_probe(line, ast, diags)) << line;
        EXPECT_TRUE(ksurf::compile::is_function_glob(ast)) << line;
    }
    ksurf::expr::ProbeAst plain;
    std::vector<ksurf::expr::Diagnostic> diags;
    ASSERT_TRUE(ksurf::expr::parse_probe("p vfs_read", plain, diags));
    EXPECT_FALSE(ksurf::compile::is_function_glob(plain));
}

TEST(FunctionGlob, OneProbePerMatchedFunction) {
    auto c = compile_glob({"p do_*"});
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(texts(c),
              (std::vector<std::string>{"p do_filp_open", "p do_not_in_btf", "p do_sys_openat2"}));
    for (const auto &p : c.plan.probes) {
        EXPECT_EQ(p.kind, ProbeKind::Kprobe);
        EXPECT_EQ(p.glob, "do_*");
        EXPECT_EQ(p.origin, "argument 1");
    }
    EXPECT_EQ(c.plan.probes[2].symbol, "do_sys_openat2");
    std::string shown = ksurf::compile::render_show(c.plan);
    EXPECT_NE(shown.find("p:ksurf/p0 do_filp_open\n"), std::string::npos) << shown;
    EXPECT_NE(shown.find("p:ksurf/p2 do_sys_openat2\n"), std::string::npos) << shown;
    EXPECT_NE(notes(c).find("fake note"), std::string::npos) << notes(c);
}

TEST(FunctionGlob, ReturnProbesAndPlainProbesMix) {
    auto c = compile_glob({"r do_[fs]*", "p wake_up_new_task"});
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(texts(c), (std::vector<std::string>{"r do_filp_open", "r do_sys_openat2",
                                                  "p wake_up_new_task"}));
    EXPECT_EQ(c.plan.probes[0].kind, ProbeKind::Kretprobe);
    EXPECT_TRUE(c.plan.probes[2].glob.empty());
}

TEST(FunctionGlob, EachFunctionTypedFromItsOwnPrototype) {
    // dfd is the first parameter of both; its type comes from each one's BTF.
    auto c = compile_glob({"p do_[fs]* d=dfd f:d==3"});
    ASSERT_TRUE(c.ok) << c.errors();
    ASSERT_EQ(c.plan.probes.size(), 2u);
    for (const auto &p : c.plan.probes) {
        ASSERT_EQ(p.args.size(), 1u) << p.text;
        EXPECT_EQ(p.args[0].fetch, "%di:s32") << p.text;
        EXPECT_EQ(p.filter, "d==3") << p.text;
    }
}

TEST(FunctionGlob, ArgumentsMissingOnSomeFunctionsSkipThemWithANote) {
    // filename is do_sys_openat2's; do_filp_open calls it pathname, and
    // do_not_in_btf has no prototype at all.
    auto c = compile_glob({"p do_* name=filename:string"});
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(texts(c), (std::vector<std::string>{"p do_sys_openat2 name=filename:string"}));
    std::string n = notes(c);
    EXPECT_NE(n.find("skipped 2 of the 3 matched functions"), std::string::npos) << n;
    EXPECT_NE(n.find("do_filp_open"), std::string::npos) << n;
    EXPECT_NE(n.find("do_not_in_btf"), std::string::npos) << n;
}

TEST(FunctionGlob, ArgumentsResolvingNowhereAreTheError) {
    auto c = compile_glob({"p do_* x=no_such_parameter"});
    EXPECT_FALSE(c.ok);
    EXPECT_TRUE(c.plan.probes.empty());
    std::string e = c.errors();
    EXPECT_NE(e.find("resolve on none of the 3 functions 'do_*' matches"), std::string::npos) << e;
    EXPECT_NE(e.find("no_such_parameter"), std::string::npos) << e;
}

TEST(FunctionGlob, CapRefusesWithTheNumberMatchedAndHowToNarrow) {
    auto c = compile_glob({"p do_*"}, 2);
    EXPECT_FALSE(c.ok);
    EXPECT_TRUE(c.plan.probes.empty());
    std::string e = c.errors();
    EXPECT_NE(e.find("'do_*' matches 3 probe-able functions, over the cap of 2"), std::string::npos)
        << e;
    EXPECT_NE(e.find("--max-funcs"), std::string::npos) << e;
    EXPECT_NE(e.find("ksurf list funcs"), std::string::npos) << e;
    EXPECT_EQ(c.caret(), "do_*");
    // At the cap exactly: armed.
    EXPECT_TRUE(compile_glob({"p do_*"}, 3).ok);
}

TEST(FunctionGlob, CapCountsEveryGlobOfThePlan) {
    auto c = compile_glob({"p do_[fs]*", "r do_*"}, 4);
    EXPECT_FALSE(c.ok);
    std::string e = c.errors();
    EXPECT_NE(e.find("with the 2 of the globs before it that is 5, over the cap of 4"),
              std::string::npos)
        << e;
    EXPECT_NE(e.find("argument 2"), std::string::npos) << e;
}

TEST(FunctionGlob, NoMatchOffsetAndEventNameAreRefused) {
    auto none = compile_glob({"p zz_*"});
    EXPECT_FALSE(none.ok);
    EXPECT_NE(none.errors().find("no probe-able function matches 'zz_*'"), std::string::npos)
        << none.errors();
    auto off = compile_glob({"p do_*+4"});
    EXPECT_FALSE(off.ok);
    EXPECT_NE(off.errors().find("cannot take an offset"), std::string::npos) << off.errors();
    auto named = compile_glob({"p:myev do_*"});
    EXPECT_FALSE(named.ok);
    EXPECT_NE(named.errors().find("one event name"), std::string::npos) << named.errors();
    EXPECT_EQ(named.caret(), "myev");
}

TEST(FunctionGlob, WithoutAFunctionListItIsAnError) {
    ksurf::compile::Options opts;
    opts.types = &fixture_types();
    auto c = compile_with({"p do_*"}, opts);
    EXPECT_FALSE(c.ok);
    EXPECT_NE(c.errors().find("cannot expand 'do_*'"), std::string::npos) << c.errors();
}

TEST(FunctionGlob, AnotherKernelsBtfListsItsFunctions) {
    // --btf FILE: no kallsyms of that kernel; its BTF FUNCs are matched.
    ksurf::compile::Options opts;
    opts.types = &fixture_types();
    opts.functions_from_btf = true;
    auto c = compile_with({"p do_*"}, opts);
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(texts(c), (std::vector<std::string>{"p do_filp_open", "p do_sys_openat2"}));
    EXPECT_NE(notes(c).find("BTF given"), std::string::npos) << notes(c);
}

// Where the kernel has fprobe events, a glob of at least glob_fprobe_min
// functions is compiled as `f FUNC` / `f FUNC%return`: arguments as $argN,
// the function named by each probe's text as before.
TEST(FunctionGlobFprobes, ManyFunctionsBecomeFprobeEvents) {
    auto c = compile_glob_f({"p do_[fs]* d=dfd f:d==3"}, 2);
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(kinds(c), (std::vector<ProbeKind>{ProbeKind::Fprobe, ProbeKind::Fprobe}));
    EXPECT_EQ(texts(c), (std::vector<std::string>{"p do_filp_open d=dfd f:d==3",
                                                  "p do_sys_openat2 d=dfd f:d==3"}));
    for (const auto &p : c.plan.probes) {
        ASSERT_EQ(p.args.size(), 1u) << p.text;
        EXPECT_EQ(p.args[0].fetch, "$arg1:s32") << p.text;
        EXPECT_EQ(p.filter, "d==3") << p.text;
        EXPECT_EQ(p.glob, "do_[fs]*");
    }
    EXPECT_EQ(c.plan.probes[1].symbol, "do_sys_openat2");
    std::string shown = ksurf::compile::render_show(c.plan);
    EXPECT_NE(shown.find("f:ksurf/p0 do_filp_open d=$arg1:s32\n"), std::string::npos) << shown;
    EXPECT_NE(shown.find("f:ksurf/p1 do_sys_openat2 d=$arg1:s32\n"), std::string::npos) << shown;
    EXPECT_EQ(ksurf::compile::definition_file(c.plan.probes[0]), "dynamic_events");
    EXPECT_NE(notes(c).find("'do_[fs]*': 2 fprobe events (f FUNC), not kprobes"), std::string::npos)
        << notes(c);
}

TEST(FunctionGlobFprobes, ReturnGlobsBecomeFprobeExitsWithTypedRetval) {
    auto c = compile_glob_f({"r do_[fs]* rv=$retval"}, 2);
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(kinds(c), (std::vector<ProbeKind>{ProbeKind::Fretprobe, ProbeKind::Fretprobe}));
    std::string shown = ksurf::compile::render_show(c.plan);
    // do_filp_open returns struct file * (x64), the fixture's do_sys_openat2 an int (s32)
    EXPECT_NE(shown.find("f:ksurf/p0 do_filp_open%return rv=$retval:x64\n"), std::string::npos)
        << shown;
    EXPECT_NE(shown.find("f:ksurf/p1 do_sys_openat2%return rv=$retval:s32\n"), std::string::npos)
        << shown;
    EXPECT_EQ(c.plan.probes[0].text, "r do_filp_open rv=$retval");
}

TEST(FunctionGlobFprobes, BelowTheThresholdKprobes) {
    auto c = compile_glob_f({"p do_*", "r do_*"}, 4); // 3 functions each
    ASSERT_TRUE(c.ok) << c.errors();
    for (const auto &p : c.plan.probes)
        EXPECT_TRUE(p.kind == ProbeKind::Kprobe || p.kind == ProbeKind::Kretprobe) << p.text;
    EXPECT_EQ(notes(c).find("fprobe"), std::string::npos) << notes(c);
    // at the threshold exactly: fprobes
    EXPECT_EQ(compile_glob_f({"p do_*"}, 3).plan.probes.at(0).kind, ProbeKind::Fprobe);
    // 0 is never, and the default (bench_glob measured fprobes slower to arm)
    EXPECT_EQ(ksurf::compile::kDefaultGlobFprobeMin, 0u);
    EXPECT_EQ(compile_glob_f({"p do_*"}, 0).plan.probes.at(0).kind, ProbeKind::Kprobe);
    EXPECT_EQ(compile_glob({"p do_*"}).plan.probes.at(0).kind, ProbeKind::Kprobe);
}

TEST(FunctionGlobFprobes, KernelWithoutFprobeEventsKeepsKprobes) {
    auto c = compile_glob_f({"p do_[fs]* d=dfd", "r do_*"}, 1, kFakeWithoutFprobes);
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(c.plan.probes.at(0).kind, ProbeKind::Kprobe);
    EXPECT_EQ(c.plan.probes.at(0).args.at(0).fetch, "%di:s32");
    EXPECT_EQ(c.plan.probes.back().kind, ProbeKind::Kretprobe);
    EXPECT_EQ(notes(c).find("fprobe"), std::string::npos) << notes(c);
    // Another kernel's BTF (--btf): its README is unknown, so kprobes.
    ksurf::compile::Options opts;
    opts.types = &fixture_types();
    opts.functions_from_btf = true;
    opts.glob_fprobe_min = 1;
    auto b = compile_with({"p do_*"}, opts);
    ASSERT_TRUE(b.ok) << b.errors();
    EXPECT_EQ(b.plan.probes.at(0).kind, ProbeKind::Kprobe);
}

TEST(FunctionGlobFprobes, WhatOnlyKprobesReadKeepsKprobes) {
    // registers and stack slots (also inside a cast), maxactive, the
    // kernel's own fetchargs: silently kprobes, compiled as before.
    for (std::string line : {"p do_[fs]* a=%ax", "p do_[fs]* s=$stack2", "p do_[fs]* s=$stack",
                             "p do_[fs]* m=(struct file *)(%si)->f_pos",
                             "p do_[fs]* x=+0(%si):string", "r5 do_[fs]*", "r do_[fs]* a=%ax"}) {
        auto c = compile_glob_f({line}, 1);
        ASSERT_TRUE(c.ok) << line << "\n" << c.errors();
        ASSERT_EQ(c.plan.probes.size(), 2u) << line;
        for (const auto &p : c.plan.probes)
            EXPECT_TRUE(p.kind == ProbeKind::Kprobe || p.kind == ProbeKind::Kretprobe)
                << line << ": " << p.text;
    }
    auto c = compile_glob_f({"p do_[fs]* a=%ax"}, 1);
    EXPECT_EQ(c.plan.probes.at(0).args.at(0).fetch, "%ax");
    // $comm, @symbols and %N have fprobe fetchargs
    auto f = compile_glob_f({"p do_[fs]* c=$comm n=%1:string"}, 1);
    ASSERT_TRUE(f.ok) << f.errors();
    EXPECT_EQ(f.plan.probes.at(0).kind, ProbeKind::Fprobe);
    EXPECT_EQ(f.args(), "c=$comm n=+0x0($arg2):string");
}

TEST(FunctionGlobFprobes, ErrorsAreTheKprobesTheUserWrote) {
    // Nothing compiles as fprobes: the errors are those of `p`, not of `f`.
    auto c = compile_glob_f({"p do_* x=$retval"}, 1);
    EXPECT_FALSE(c.ok);
    std::string e = c.errors();
    EXPECT_NE(e.find("$retval is only known in a return probe"), std::string::npos) << e;
    EXPECT_NE(e.find("use r (or R for user space) instead of p"), std::string::npos) << e;
    EXPECT_EQ(e.find("f FUNC%return"), std::string::npos) << e;
    // Some functions skipped: the rest are fprobes, with the skip note.
    auto s = compile_glob_f({"p do_* name=filename:string"}, 1);
    ASSERT_TRUE(s.ok) << s.errors();
    EXPECT_EQ(kinds(s), (std::vector<ProbeKind>{ProbeKind::Fprobe}));
    EXPECT_EQ(s.args(), "name=+0x0($arg2):string");
    EXPECT_NE(notes(s).find("skipped 2 of the 3"), std::string::npos) << notes(s);
}
