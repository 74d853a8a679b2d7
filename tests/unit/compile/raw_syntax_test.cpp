// The kernel's own probe syntax, verbatim. The good and bad lists are the
// facts of the kernel's selftests (tools/testing/selftests/ftrace/test.d/
// kprobe/kprobe_args_syntax.tc, kprobe_args_type.tc, probepoint.tc,
// kprobe_syntax_errors.tc, uprobe_syntax_errors.tc): what kprobe_events
// accepts compiles and -S passes it on unchanged; what it refuses is refused
// here, with the caret in the offending argument.
#include "fixture.h"

#include <map>
#include <set>

using namespace ksurf::test;
using ksurf::compile::Print;
using ksurf::compile::ProbeKind;

namespace {

// kallsyms of a pretend kernel: what the selftests probe and read.
class FakeKernel : public ksurf::compile::KernelNames {
  public:
    bool function(std::string_view name, std::string_view, std::string &error,
                  std::string &hint) const override {
        if (functions.contains(std::string(name))) return true;
        error = "no kernel function named '" + std::string(name) + "'";
        if (functions.contains("__" + std::string(name)))
            hint = "probe '__" + std::string(name) + "'";
        return false;
    }
    bool symbol(std::string_view name, std::string &hint) const override {
        hint = "a kernel global";
        return symbols.contains(std::string(name)) || functions.contains(std::string(name));
    }
    std::set<std::string> functions{"vfs_read",           "_do_fork",         "do_sys_open",
                                    "tracefs_create_dir", "__dev_queue_xmit", "do_sys_openat2",
                                    "wake_up_new_task"};
    std::set<std::string> symbols{"_sdata", "jiffies"};
};

const FakeKernel kKernel;

Compiled compile_k(const std::string &line) {
    ksurf::compile::Options opts;
    opts.types = &fixture_types();
    opts.kernel = &kKernel;
    return compile_with({line}, opts);
}

std::string show(const Compiled &c) {
    return ksurf::compile::render_show(c.plan);
}

// The selftest's good arguments (x86_64, GOODSYM=_sdata, SYMADDR an address).
const std::vector<std::string> kGood = {
    "%ax",
    "@_sdata",
    "@0xffffffff82000000",
    "@_sdata+10",
    "@_sdata-10",
    "$stack",
    "$stack0",
    "$stack1",
    "$comm",
    "+0(%ax)",
    "-0(%ax)",
    "+10($stack)",
    "+0($stack1)",
    "+10(@_sdata-10)",
    "+0(+10(+20($stack)))",
    "varname=%ax",
    "%ax:x16",
    "$comm:string",
    "+0($stack):string",
    // kprobe_args_type.tc
    "$stack0:s64",
    "$stack0:u32",
    "$stack0:x8",
    "$stack0:b4@4/32",
    // kprobetrace.rst's other forms
    "$arg1",
    "+u0(%si):ustring",
    "+0(%si):symstr",
    "%ax:symbol",
    "\\42",
    "\\-1",
    "\\\"ksurf\"",
    "+0(%di):u8[16]",
    "+0(%di):char",
    "+0(%di):string[2]",
};

// The selftests' bad arguments; '^' marks where the kernel's caret goes.
const std::vector<std::string> kBad = {
    "^%ex",
    "^@",
    "^@deaqswdefr",
    "^@_sdata*10",
    "^@_sdata/10",
    "^@_sdata%10",
    "^@_sdata&10",
    "^@_sdata|10",
    "^$stackp",
    "^$stack0+10",
    "^$stack1-10",
    "^$retval",
    "^+(%ax)",
    "^(%ax+10)",
    "^-(%ax)",
    "^(%ax)",
    "+10(^$comm)",
    "^+0(%ax)+10",
    "^varname=varname2=%ax",
    "^%ax::x16",
    "%ax:^y16",
    "^x16:%ax",
    "^$comm:x64",
    "$stack:^string",
    "%ax:^string",
    // kprobe_syntax_errors.tc
    "^$stack10000",
    "^$arg10000",
    "^$none_var",
    "^%none_reg",
    "^@12345678abcde",
    "^@+10",
    "^+0@0)",
    "^+0ab1(@0)",
    "+0(+0(@0^)",
    "^&1",
    "+0(^+0(+0(+0(+0(+0(+0(+0(+0(+0(+0(+0(+0(+0(@0))))))))))))))",
    "+0(@11):u8[10^",
    "+0(@11):u8[10]^a",
    "+0(@11):u8[^10a]",
    "+0(@11):u8[^256]",
    "@11:^unknown_type",
    "$stack0:^string",
    "@11:^b10@a/16",
    "^arg123456789012345678901234567890=@11",
    "^=@11",
    "^var.1=@11",
    "var1=@11 ^var1=@12",
    "^+1234567(+1234567(+1234567(+1234567(+1234567(+1234567(@1234))))))",
    "arg1=^",
};

// Does the first diagnostic of `c` start inside the token that holds '^'
// in `marked` (prefix + marked)?
void expect_caret(const Compiled &c, const std::string &prefix, const std::string &marked) {
    ASSERT_FALSE(c.ok) << prefix + marked << " compiled: " << c.args();
    ASSERT_FALSE(c.diags.empty());
    size_t at = prefix.size() + marked.find('^');
    std::string line = prefix + marked;
    line.erase(at, 1);
    size_t tb = line.rfind(' ', at == 0 ? 0 : at - 1);
    tb = tb == std::string::npos ? 0 : tb + 1;
    size_t te = line.find(' ', at);
    if (te == std::string::npos) te = line.size();
    const auto &d = c.diag();
    EXPECT_GE(d.begin, tb) << line << "\n" << c.errors();
    EXPECT_LE(d.begin, te) << line << "\n" << c.errors();
    EXPECT_FALSE(d.message.empty());
}

} // namespace

TEST(RawSyntax, SelftestGoodArgumentsPassUnchanged) {
    for (const auto &arg : kGood) {
        auto c = compile_k("p:testprobe vfs_read " + arg);
        ASSERT_TRUE(c.ok) << arg << "\n" << c.errors();
        std::string want =
            arg.find('=') != std::string::npos && arg[0] != '\\' ? arg : "arg1=" + arg;
        EXPECT_EQ(c.args(), want);
        EXPECT_EQ(show(c), "p:ksurf/testprobe vfs_read " + want + "\n");
    }
}

TEST(RawSyntax, SelftestGoodArgumentsInPlainLines) {
    // Without a kernel head, ksurf's language reads the forms both share; the
    // result is the argument itself or an equivalent the kernel accepts.
    const std::map<std::string, std::string> equivalent = {{"$comm:string", "$comm"}};
    for (const auto &arg : kGood) {
        auto c = compile_k("p vfs_read " + arg);
        ASSERT_TRUE(c.ok) << arg << "\n" << c.errors();
        std::string body = arg.starts_with("varname=") ? arg.substr(8) : arg;
        auto eq = equivalent.find(body);
        std::string want = eq != equivalent.end() ? eq->second : body;
        EXPECT_EQ(c.probe().args.at(0).fetch, want) << arg;
    }
}

TEST(RawSyntax, SelftestBadArgumentsRefusedWithCaret) {
    for (const auto &arg : kBad)
        expect_caret(compile_k("p:testprobe vfs_read " +
                               [&] {
                                   std::string s = arg;
                                   s.erase(s.find('^'), 1);
                                   return s;
                               }()),
                     "p:testprobe vfs_read ", arg);
}

TEST(RawSyntax, SelftestHeadErrors) {
    const std::vector<std::string> bad = {
        "p^100 vfs_read",
        "r^1a111 vfs_read",
        "r^100000 vfs_read",
        "p ^non_exist_func",
        "p ^hoge-fuga",
        "p ^hoge+1000-1000",
        "r ^vfs_read+10",
        "p:^/bar vfs_read",
        "p:^12345678901234567890123456789012345678901234567890123456789012345/bar vfs_read",
        "p:^foo.1/bar vfs_read",
        "p:foo/^ vfs_read",
        "p:foo/^12345678901234567890123456789012345678901234567890123456789012345 vfs_read",
        "p:foo/^bar.1 vfs_read",
        "p /bin/sh:^10a",
        "p /bin/sh:10(^1a)",
        "p /bin/sh:10(10^",
        "p /bin/sh:10(10)^a",
        "p /bin/sh:10 ^@+ab",
        "p /bin/sh:10 ^@symbol",
    };
    for (const auto &marked : bad) {
        std::string line = marked;
        line.erase(line.find('^'), 1);
        expect_caret(compile_k(line), "", marked);
    }
}

TEST(RawSyntax, EventNamesAreKept) {
    auto seed = compile_k("p:myprobe do_sys_open dfd=%ax filename=%dx flags=%cx mode=+4($stack)");
    ASSERT_TRUE(seed.ok) << seed.errors();
    EXPECT_EQ(seed.probe().event_name, "myprobe");
    EXPECT_EQ(show(seed),
              "p:ksurf/myprobe do_sys_open dfd=%ax filename=%dx flags=%cx mode=+4($stack)\n");

    auto perf = compile_k("p:open do_sys_open filename=+0(%si):string");
    ASSERT_TRUE(perf.ok) << perf.errors();
    EXPECT_EQ(show(perf), "p:ksurf/open do_sys_open filename=+0(%si):string\n");
    EXPECT_EQ(perf.probe().args.at(0).print, Print::String);

    auto ret = compile_k("r5:myret vfs_read $retval");
    ASSERT_TRUE(ret.ok) << ret.errors();
    EXPECT_EQ(ret.probe().kind, ProbeKind::Kretprobe);
    EXPECT_EQ(show(ret), "r5:ksurf/myret vfs_read arg1=$retval\n");

    // The user's group is not used; the event name is.
    auto grp = compile_k("p:mygrp/myev vfs_read");
    ASSERT_TRUE(grp.ok) << grp.errors();
    EXPECT_EQ(grp.probe().user_group, "mygrp");
    EXPECT_EQ(show(grp), "p:ksurf/myev vfs_read\n");

    // Unnamed probes get pN, never a name the user took.
    ksurf::compile::Options opts;
    opts.types = &fixture_types();
    opts.kernel = &kKernel;
    auto two = compile_with({"p vfs_read", "p:p0 _do_fork", "p do_sys_open"}, opts);
    ASSERT_TRUE(two.ok) << two.errors();
    EXPECT_EQ(show(two), "p:ksurf/p1 vfs_read\np:ksurf/p0 _do_fork\np:ksurf/p2 do_sys_open\n");
    auto dup = compile_with({"p:same vfs_read", "p:same _do_fork"}, opts);
    EXPECT_FALSE(dup.ok);
    EXPECT_NE(dup.errors().find("already used"), std::string::npos) << dup.errors();
}

TEST(RawSyntax, KernelPlaces) {
    auto addr = compile_k("p:testprobe 0xffffffff81234560");
    ASSERT_TRUE(addr.ok) << addr.errors();
    EXPECT_EQ(show(addr), "p:ksurf/testprobe 0xffffffff81234560\n");
    auto next = compile_k("p:testprobe tracefs_create_dir+16");
    ASSERT_TRUE(next.ok) << next.errors();
    EXPECT_EQ(show(next), "p:ksurf/testprobe tracefs_create_dir+16\n");
    auto pret = compile_k("p:rp vfs_read%return $retval");
    ASSERT_TRUE(pret.ok) << pret.errors();
    EXPECT_EQ(pret.probe().kind, ProbeKind::Kretprobe);
    EXPECT_EQ(show(pret), "r:ksurf/rp vfs_read arg1=$retval\n");
    auto r0 = compile_k("r vfs_read+0");
    EXPECT_TRUE(r0.ok) << r0.errors();

    auto up = compile_k("p:sh /bin/sh:0x100 %ip @+0x20 +0($stack):u32");
    ASSERT_TRUE(up.ok) << up.errors();
    EXPECT_EQ(up.probe().kind, ProbeKind::Uprobe);
    EXPECT_EQ(up.probe().path, "/bin/sh");
    EXPECT_EQ(up.probe().offset, 0x100u);
    EXPECT_EQ(ksurf::compile::probe_definition(up.probe(), "g", "sh"),
              "p:g/sh /bin/sh:0x100 arg1=%ip arg2=@+0x20 arg3=+0($stack):u32");
    auto uret = compile_k("r /bin/sh:0x100%return(0x40) $retval");
    ASSERT_TRUE(uret.ok) << uret.errors();
    EXPECT_EQ(uret.probe().kind, ProbeKind::Uretprobe);
    EXPECT_EQ(ksurf::compile::probe_definition(uret.probe(), "g", "p0"),
              "r:g/p0 /bin/sh:0x100(0x40) arg1=$retval");
    auto uarg = compile_k("p /bin/sh:0x100 $arg1");
    EXPECT_FALSE(uarg.ok);
}

TEST(RawSyntax, MixedWithStructuredArguments) {
    auto c = compile_k("p:mix wake_up_new_task comm=%0->comm raw=+0x10(%di):u32 s=$stack0");
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(c.args().substr(c.args().find(" raw=")), " raw=+0x10(%di):u32 s=$stack0");
    EXPECT_TRUE(c.args().starts_with("comm=+0x")) << c.args();
    EXPECT_TRUE(c.args().find("(%di):string") != std::string::npos) << c.args();
    // several expressions on one command line, one raw and one structured
    ksurf::compile::Options opts;
    opts.types = &fixture_types();
    opts.kernel = &kKernel;
    auto both = compile_with(
        {"p:open do_sys_open filename=+0(%si):string", "p wake_up_new_task c=%0->comm"}, opts);
    ASSERT_TRUE(both.ok) << both.errors();
    EXPECT_EQ(ksurf::compile::probe_names(both.plan), (std::vector<std::string>{"open", "p0"}));
}

TEST(RawSyntax, UnknownFunctionsAreErrorsWhenKallsymsIsThere) {
    auto c = compile_k("p no_such_function_xyz a=%ax");
    ASSERT_FALSE(c.ok);
    EXPECT_EQ(c.caret(), "no_such_function_xyz");
    auto inl = compile_k("p dev_queue_xmit");
    ASSERT_FALSE(inl.ok);
    EXPECT_NE(inl.errors().find("__dev_queue_xmit"), std::string::npos) << inl.errors();
    // --btf of another kernel: its BTF decides
    ksurf::compile::Options opts;
    opts.types = &fixture_types();
    opts.functions_from_btf = true;
    auto btf = compile_with({"p no_such_function_xyz"}, opts);
    EXPECT_FALSE(btf.ok);
    EXPECT_NE(btf.errors().find("not have it"), std::string::npos) << btf.errors();
    auto known = compile_with({"p wake_up_new_task"}, opts);
    EXPECT_TRUE(known.ok) << known.errors();
}
