// f FUNC[%return] (fprobe events) and t TRACEPOINT (tracepoint probes): the
// kernel's definition lines, arguments as $argN with ksurf's own offsets
// (from offsetof over the fixture's C), and where they are refused.
#include "compile/kernel_support.h"
#include "fixture.h"
#include "kernel_types.h"

using namespace ksurf::test;
using namespace kfx;
using ksurf::compile::Arch;
using ksurf::compile::Print;
using ksurf::compile::ProbeKind;

namespace {

std::string off(size_t v) {
    return hex(static_cast<long long>(v));
}

std::string def(const Compiled &c) {
    return ksurf::compile::probe_definition(c.probe(), "g", "e");
}

} // namespace

TEST(Fprobe, EntryArgumentsAreTheKernelsArgN) {
    auto c = compile_one("f do_sys_openat2 dfd name=filename flags=how->flags");
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(c.probe().kind, ProbeKind::Fprobe);
    EXPECT_EQ(def(c), "f:g/e do_sys_openat2 arg1=$arg1:s32 name=+0x0($arg2):string flags=" +
                          off(offsetof(open_how, flags)) + "($arg3):u64");
    EXPECT_EQ(c.probe().args[1].print, Print::String);
    // %N counts from 0 as for p; the kernel's $argN from 1
    auto n = compile_one("f wake_up_new_task pid=%0->pid");
    ASSERT_TRUE(n.ok) << n.errors();
    EXPECT_EQ(n.args(), "pid=" + off(offsetof(task_struct, pid)) + "($arg1):s32");
}

TEST(Fprobe, SameOnEveryArchitecture) {
    // $argN is the kernel's: no register names in an fprobe's line
    auto x = compile_one("f _do_fork p->pid clone_flags", Arch::X86_64);
    auto a = compile_one("f _do_fork p->pid clone_flags", Arch::Aarch64);
    ASSERT_TRUE(x.ok && a.ok) << x.errors() << a.errors();
    EXPECT_EQ(x.args(), a.args());
    EXPECT_EQ(x.args(), "arg1=" + off(offsetof(task_struct, pid)) + "($arg1):s32 arg2=$arg2:u64");
}

TEST(Fprobe, ReturnWithTypedRetvalAndFilter) {
    auto c = compile_one("f _do_fork%return r=$retval f:r<0");
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(c.probe().kind, ProbeKind::Fretprobe);
    EXPECT_EQ(def(c), "f:g/e _do_fork%return r=$retval:s64");
    EXPECT_EQ(c.probe().filter, "r<0");
    auto m = compile_one("f:mine do_filp_open%return fm=$retval->f_mode");
    ASSERT_TRUE(m.ok) << m.errors();
    EXPECT_EQ(m.probe().event_name, "mine");
    EXPECT_EQ(m.args(), "fm=" + off(offsetof(file, f_mode)) + "($retval):u32");
    EXPECT_EQ(ksurf::compile::definition_file(m.probe()), "dynamic_events");
}

TEST(Fprobe, Refusals) {
    auto c = compile_one("f _do_fork%return p=%0");
    ASSERT_FALSE(c.ok);
    EXPECT_EQ(c.diag().message, "%0 in a return probe reads a clobbered register");
    EXPECT_EQ(c.diag().hint, "arguments are gone when the function returns: read $retval, or "
                             "probe the entry with f");
    c = compile_one("f _do_fork r=$retval");
    ASSERT_FALSE(c.ok);
    EXPECT_EQ(c.diag().hint, "write f FUNC%return for the function's exit");
    c = compile_one("f _do_fork+4");
    ASSERT_FALSE(c.ok);
    EXPECT_EQ(c.caret(), "+4");
    EXPECT_NE(c.diag().hint.find("p SYMBOL+OFFSET"), std::string::npos) << c.errors();
    c = compile_one("f mod:func");
    ASSERT_FALSE(c.ok);
    EXPECT_EQ(c.diag().message, "an fprobe takes no MODULE:");
    c = compile_one("f do_sys_openat2 nosuch");
    ASSERT_FALSE(c.ok);
    EXPECT_EQ(c.diag().message, "'do_sys_openat2' has no parameter 'nosuch'");
}

TEST(Tprobe, ArgumentsByNameFromTheProbeStub) {
    auto c = compile_one("t sched_switch_fixture preempt prev=prev->pid nc=next->comm");
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(c.probe().kind, ProbeKind::Tprobe);
    // __data is not the tracepoint's: preempt is $arg1
    EXPECT_EQ(def(c),
              "t:g/e sched_switch_fixture arg1=$arg1:s32 prev=" + off(offsetof(task_struct, pid)) +
                  "($arg2):s32 nc=" + off(offsetof(task_struct, comm)) + "($arg3):string");
    auto n = compile_one("t sched_switch_fixture p=%1->prio");
    ASSERT_TRUE(n.ok) << n.errors();
    EXPECT_EQ(n.args(), "p=" + off(offsetof(task_struct, prio)) + "($arg2):s32");
}

TEST(Tprobe, TypesFromTheTypedefWithoutAStub) {
    auto c = compile_one("t sched_wakeup_fixture pid=%0->pid");
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(c.args(), "pid=" + off(offsetof(task_struct, pid)) + "($arg1):s32");
    // the typedef has no names
    c = compile_one("t sched_wakeup_fixture p->pid");
    ASSERT_FALSE(c.ok);
}

TEST(Tprobe, Refusals) {
    auto c = compile_one("t sched_switch_fixture r=$retval");
    ASSERT_FALSE(c.ok);
    EXPECT_EQ(c.diag().message, "a tracepoint probe has no $retval");
    c = compile_one("t sched_switch_fixture x=%ax");
    ASSERT_FALSE(c.ok);
    EXPECT_EQ(c.diag().message, "a tracepoint probe has no registers of its own");
    EXPECT_EQ(c.caret(), "%ax");
    c = compile_one("t sched/sched_switch");
    ASSERT_FALSE(c.ok);
    EXPECT_EQ(c.diag().message, "a tracepoint probe names the tracepoint without its system");
    EXPECT_EQ(c.diag().hint, "write t sched_switch (e SYSTEM/EVENT is the trace event)");
    c = compile_one("t no_such_tp x=prev");
    ASSERT_FALSE(c.ok);
    EXPECT_EQ(c.diag().message, "unknown tracepoint 'no_such_tp' (no btf_trace_no_such_tp in BTF)");
    c = compile_one("t sched_switch_fixture%return");
    ASSERT_FALSE(c.ok);
}

TEST(FtraceProbes, ShowAndScriptUseDynamicEvents) {
    auto c = compile_with({"f _do_fork%return r=$retval", "t sched_switch_fixture preempt"}, [] {
        ksurf::compile::Options o;
        o.types = &fixture_types();
        return o;
    }());
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(ksurf::compile::render_show(c.plan),
              "f:ksurf/p0 _do_fork%return r=$retval:s64\n"
              "t:ksurf/p1 sched_switch_fixture arg1=$arg1:s32\n");
    std::string script = ksurf::compile::render_script(c.plan);
    EXPECT_NE(script.find(">> \"$T/dynamic_events\""), std::string::npos) << script;
    EXPECT_EQ(script.find("kprobe_events"), std::string::npos) << script;
}

TEST(KernelSupport, FromTheReadme) {
    using ksurf::compile::missing_probe_support;
    // trace.c's readme_msg lines (6.12), and a 6.1 README without them
    const std::string k612 = "\t  Format:\n"
                             "\t      p[:[<group>/][<event>]] <place> [<args>]\n"
                             "\t      r[maxactive][:[<group>/][<event>]] <place> [<args>]\n"
                             "\t      f[:[<group>/][<event>]] <func-name>[%return] [<args>]\n"
                             "\t      t[:[<group>/][<event>]] <tracepoint> [<args>]\n";
    const std::string k61 = "\t  Format:\n"
                            "\t      p[:[<group>/][<event>]] <place> [<args>]\n"
                            "\t      r[maxactive][:[<group>/][<event>]] <place> [<args>]\n";
    EXPECT_EQ(missing_probe_support(ProbeKind::Fretprobe, k612), "");
    EXPECT_EQ(missing_probe_support(ProbeKind::Tprobe, k612), "");
    EXPECT_NE(missing_probe_support(ProbeKind::Fprobe, k61).find("no fprobe events"),
              std::string::npos);
    EXPECT_NE(missing_probe_support(ProbeKind::Fretprobe, k61).find("no fprobe events"),
              std::string::npos);
    EXPECT_NE(missing_probe_support(ProbeKind::Tprobe, k61).find("no tracepoint probes"),
              std::string::npos);
    EXPECT_EQ(missing_probe_support(ProbeKind::Kprobe, k61), "");
    EXPECT_EQ(missing_probe_support(ProbeKind::Event, ""), "");
}

namespace {

// A kernel whose README lists neither f nor t (as 6.1's).
class OldKernel : public ksurf::compile::KernelNames {
  public:
    bool function(std::string_view, std::string_view, std::string &, std::string &) const override {
        return true;
    }
    bool symbol(std::string_view, std::string &) const override { return true; }
    bool probe_kind(ProbeKind kind, std::string &why) const override {
        why = ksurf::compile::missing_probe_support(kind, "p[:[<group>/][<event>]] <place>");
        return why.empty();
    }
};

} // namespace

TEST(KernelSupport, RefusedFirstWhenTheKernelLacksThem) {
    OldKernel old;
    ksurf::compile::Options o;
    o.types = &fixture_types();
    o.kernel = &old;
    // the kind is said, not the types (a kernel without stubs has no names)
    auto c = compile_with({"t sched_wakeup_fixture p->pid"}, o);
    ASSERT_FALSE(c.ok);
    ASSERT_EQ(c.diags.size(), 1u) << c.errors();
    EXPECT_NE(c.diag().message.find("no tracepoint probes"), std::string::npos);
    EXPECT_EQ(c.caret(), "t");
    c = compile_with({"f _do_fork%return r=$retval"}, o);
    ASSERT_FALSE(c.ok);
    EXPECT_NE(c.diag().message.find("no fprobe events"), std::string::npos);
    // kprobes are not its business
    c = compile_with({"r _do_fork r=$retval"}, o);
    EXPECT_TRUE(c.ok) << c.errors();
}
