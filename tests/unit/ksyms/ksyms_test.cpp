#include "ksyms/ksyms.h"

#include <gtest/gtest.h>

using ksurf::ksyms::KernelSymbols;

namespace {

const char *kKallsyms = "ffffffff81000000 T do_sys_openat2\n"
                        "ffffffff81000100 t __pfx_do_sys_openat2\n"
                        "ffffffff81000200 t tcp_rcv_established.isra.0\n"
                        "ffffffff81000300 t sock_def_readable.constprop.0\n"
                        "ffffffff81000310 t sock_def_readable.constprop.1\n"
                        "ffffffff81000400 t helper.cold\n"
                        "ffffffff81000500 T do_int3\n"
                        "ffffffff81000600 D some_data\n"
                        "ffffffffc0000000 t ext4_readdir\t[ext4]\n";
const char *kBlacklist = "0xffffffff81000500-0xffffffff81000510\tdo_int3\n";

KernelSymbols syms() {
    // available_filter_functions: what ftrace can trace (do_int3 is on the
    // blacklist, not here; some_data is no function)
    return KernelSymbols::parse(kKallsyms, kBlacklist,
                                "do_sys_openat2\ntcp_rcv_established.isra.0\n"
                                "sock_def_readable.constprop.0\nsock_def_readable.constprop.1\n"
                                "do_int3\next4_readdir [ext4]\n");
}

} // namespace

TEST(KernelSymbols, PlainFunctionIsProbeable) {
    auto p = syms().check("do_sys_openat2");
    EXPECT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.symbol, "do_sys_openat2");
    EXPECT_TRUE(p.note.empty());
}

TEST(KernelSymbols, CloneSuffixIsResolvedAndReported) {
    auto p = syms().check("tcp_rcv_established");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.symbol, "tcp_rcv_established.isra.0");
    EXPECT_NE(p.note.find("tcp_rcv_established.isra.0"), std::string::npos);
}

TEST(KernelSymbols, SeveralClonesAreListed) {
    auto p = syms().check("sock_def_readable");
    EXPECT_FALSE(p.ok);
    EXPECT_NE(p.error.find("constprop.0"), std::string::npos);
    EXPECT_NE(p.error.find("constprop.1"), std::string::npos);
}

TEST(KernelSymbols, BlacklistedFunctionIsRefused) {
    auto p = syms().check("do_int3");
    EXPECT_FALSE(p.ok);
    EXPECT_NE(p.error.find("blacklist"), std::string::npos);
}

TEST(KernelSymbols, UnknownFunctionGetsDidYouMean) {
    auto p = syms().check("do_sys_opnat2");
    EXPECT_FALSE(p.ok);
    EXPECT_NE(p.error.find("do_sys_opnat2"), std::string::npos);
    EXPECT_NE(p.hint.find("do_sys_openat2"), std::string::npos) << p.hint;
}

TEST(KernelSymbols, DataAndPaddingAreNotFunctions) {
    EXPECT_FALSE(syms().check("some_data").ok);
    EXPECT_FALSE(syms().has_function("__pfx_do_sys_openat2"));
}

TEST(KernelSymbols, ModuleIsChecked) {
    EXPECT_TRUE(syms().check("ext4_readdir", "ext4").ok);
    auto p = syms().check("ext4_readdir", "xfs");
    EXPECT_FALSE(p.ok);
    EXPECT_NE(p.error.find("ext4"), std::string::npos);
}

TEST(KernelSymbols, HostKallsymsLoads) {
    auto k = KernelSymbols::load("/sys/kernel/tracing");
    if (!k.has_function("schedule")) GTEST_SKIP() << "/proc/kallsyms hides names here (not root?)";
    EXPECT_TRUE(k.check("schedule").ok);
}

TEST(KernelSymbols, InlinedFunctionNamesItsCallee) {
    // 6.1: dev_queue_xmit is a static inline wrapper of __dev_queue_xmit
    auto k = KernelSymbols::parse("ffffffff81000000 T __dev_queue_xmit\n", "", "");
    auto p = k.check("dev_queue_xmit");
    EXPECT_FALSE(p.ok);
    EXPECT_NE(p.error.find("inlined"), std::string::npos) << p.error;
    EXPECT_NE(p.hint.find("'__dev_queue_xmit'"), std::string::npos) << p.hint;
}

TEST(KernelSymbols, SeveralCopiesOfOneNameAreRefused) {
    // out-of-line copies of a static inline in several files: the kernel
    // refuses the ambiguous name, so ksurf says why before arming
    auto k = KernelSymbols::parse("ffffffff81000000 t dev_queue_xmit\n"
                                  "ffffffff81000100 t dev_queue_xmit\n"
                                  "ffffffff81000200 T __dev_queue_xmit\n"
                                  "ffffffff81000300 t name_show\n"
                                  "ffffffff81000400 t name_show\n"
                                  "ffffffff81000500 D jiffies\n",
                                  "", "");
    auto p = k.check("dev_queue_xmit");
    EXPECT_FALSE(p.ok);
    EXPECT_NE(p.error.find("2 different functions"), std::string::npos) << p.error;
    EXPECT_NE(p.hint.find("'__dev_queue_xmit'"), std::string::npos) << p.hint;
    auto n = k.check("name_show");
    EXPECT_FALSE(n.ok);
    EXPECT_NE(n.hint.find("p 0xffffffff81000300"), std::string::npos) << n.hint;
    EXPECT_TRUE(k.has_symbol("jiffies"));
    EXPECT_FALSE(k.has_function("jiffies"));
    EXPECT_FALSE(k.has_symbol("no_such_symbol"));
}

TEST(KernelSymbols, NotraceFunctionNamesItsCallee) {
    // 6.1: the one out-of-line copy of the inline dev_queue_xmit has no ftrace
    // entry, and the kernel refuses kprobe events there ("Could not probe
    // notrace function") unless CONFIG_KPROBE_EVENTS_ON_NOTRACE
    auto k = KernelSymbols::parse("ffffffff81000000 T __dev_queue_xmit\n"
                                  "ffffffff81000100 t dev_queue_xmit\n"
                                  "ffffffff81000200 t helper\n",
                                  "", "__dev_queue_xmit\nschedule\n");
    auto p = k.check("dev_queue_xmit");
    EXPECT_FALSE(p.ok);
    EXPECT_NE(p.error.find("notrace"), std::string::npos) << p.error;
    EXPECT_NE(p.hint.find("'__dev_queue_xmit'"), std::string::npos) << p.hint;
    auto h = k.check("helper");
    EXPECT_FALSE(h.ok);
    EXPECT_NE(h.hint.find("caller"), std::string::npos) << h.hint;
    EXPECT_TRUE(k.check("__dev_queue_xmit").ok);
    // without the ftrace list (no function tracer), nothing is known: allowed
    EXPECT_TRUE(KernelSymbols::parse("ffffffff81000100 t dev_queue_xmit\n", "", "")
                    .check("dev_queue_xmit")
                    .ok);
}
