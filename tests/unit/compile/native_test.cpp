// -S --native: the kernel's own typed form of the arguments, beside (or
// instead of) ksurf's compiled offsets.
#include "compile/native.h"
#include "fixture.h"

using namespace ksurf::test;
using namespace ksurf::compile;

namespace {

struct Native {
    Plan plan;
    std::vector<std::string> notes;
    std::string args() const {
        std::string out;
        for (const auto &a : plan.probes.at(0).args)
            out += (out.empty() ? "" : " ") + a.name + "=" + a.fetch;
        return out;
    }
};

Native native(const std::string &line) {
    Options opts;
    opts.arch = Arch::X86_64;
    opts.types = &fixture_types();
    auto c = compile_with({line}, opts);
    EXPECT_TRUE(c.ok) << c.errors();
    std::vector<Source> sources = {{line, "argument 1"}};
    Native n;
    n.plan = native_plan(sources, c.plan, n.notes);
    return n;
}

TEST(Native, NamesAndMemberChainsAreTheKernels) {
    // An argument without NAME= is named argN by ksurf, the field the kernel's form keeps.
    auto n = native("p do_sys_openat2 dfd name=filename:ustring");
    EXPECT_EQ(n.args(), "arg1=dfd name=filename:ustring");
    EXPECT_TRUE(n.notes.empty());
    n = native("p wake_up_new_task u=p->mm->mm_users.counter t=%0");
    EXPECT_EQ(n.args(), "u=p->mm->mm_users.counter t=$arg1");
    // The kernel (6.12) refuses $arg1->pid: chains start at a name.
    n = native("p wake_up_new_task pid=%0->pid");
    ASSERT_EQ(n.notes.size(), 1u);
    EXPECT_NE(n.notes[0].find("not $argN"), std::string::npos) << n.notes[0];
}

TEST(Native, TypedRetvalAndItsMembers) {
    auto n = native("r alloc_file_pseudo m=$retval->f_mode r=$retval");
    EXPECT_EQ(n.args(), "m=$retval->f_mode r=$retval");
}

TEST(Native, AFormatLetterBorrowsTheWidthKsurfFound) {
    // X on a pointer argument: ksurf's x64, which the kernel then prints in hex too.
    auto n = native("p wake_up_new_task X%0");
    EXPECT_EQ(n.args(), "arg1=$arg1:x64");
    // A written type is kept as written.
    n = native("p wake_up_new_task pid=p->pid:x32");
    EXPECT_EQ(n.args(), "pid=p->pid:x32");
}

TEST(Native, WhatOnlyKsurfCanSayKeepsItsFormWithAReason) {
    auto n =
        native("p wake_up_new_task a=%di b=p->pids[1].node.next c=(struct task_struct *)%0->pid "
               "d=$comm");
    auto args = n.plan.probes.at(0).args;
    ASSERT_EQ(args.size(), 4u);
    EXPECT_EQ(args[0].fetch, "%di");
    EXPECT_EQ(args[1].fetch.find("p->"), std::string::npos) << args[1].fetch;
    EXPECT_EQ(args[2].fetch.find("$arg"), std::string::npos) << args[2].fetch;
    EXPECT_EQ(args[3].fetch, "$comm");
    ASSERT_EQ(n.notes.size(), 3u);
    EXPECT_NE(n.notes[0].find("p0 a: ksurf's form kept: a register"), std::string::npos)
        << n.notes[0];
    EXPECT_NE(n.notes[1].find("[i] indexing"), std::string::npos) << n.notes[1];
    EXPECT_NE(n.notes[2].find("casts are ksurf's own"), std::string::npos) << n.notes[2];
}

TEST(Native, UnsignedCharPointersReadAsStringsLikeTheKernelDoes) {
    // dentry names are const unsigned char *: the kernel's BTF fetchargs read
    // them with :string, and so does ksurf (plain char stays the rule otherwise).
    Options opts;
    opts.arch = Arch::X86_64;
    opts.types = &fixture_types();
    auto c = compile_with({"p __netif_receive_skb_core d=skb->data:string"}, opts);
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_TRUE(c.args().starts_with("d=+0x0(+0x")) << c.args();
    EXPECT_TRUE(c.args().ends_with("(%di)):string")) << c.args();
    EXPECT_EQ(native("p __netif_receive_skb_core d=skb->data:string").args(), "d=skb->data:string");
}

TEST(Native, PastTheEntryTheKernelHasNoTypes) {
    auto n = native("p do_sys_openat2+4 d=%di");
    ASSERT_EQ(n.notes.size(), 1u);
    EXPECT_NE(n.notes[0].find("only at a function's entry"), std::string::npos) << n.notes[0];
}

TEST(Native, RendersAsShowDoes) {
    auto n = native("p do_sys_openat2 dfd=dfd f:dfd==-100");
    std::string text = render_show(n.plan);
    EXPECT_NE(text.find("p:ksurf/p0 do_sys_openat2 dfd=dfd\n"), std::string::npos) << text;
    EXPECT_NE(text.find("# filter ksurf/p0: dfd==-100"), std::string::npos) << text;
}

TEST(Native, ReadmeSaysWhetherTheKernelTypesArguments) {
    // 6.12 (CONFIG_PROBE_EVENTS_BTF_ARGS) lists argument names in its
    // fetcharg line; 6.1 lists $arg<N> only (by register).
    EXPECT_TRUE(readme_has_btf_args("\t           $stack<index>, $stack, $retval, $comm, $arg<N>,\n"
                                    "\t           <argname>[->field[->field|.field...]],\n"));
    EXPECT_FALSE(readme_has_btf_args("\t           $stack<index>, $stack, $retval, $comm, "
                                     "$arg<N>,\n"));
}

} // namespace
