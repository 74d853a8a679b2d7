#include "ksyms/ksyms.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <string>
#include <vector>

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

// --- function globs (p vfs_*): KernelSymbols::match ---------------------------

namespace {

// A FAKE kernel's function list, not any real one: kallsyms, blacklist and
// available_filter_functions made up to hold one name of each kind a glob
// must leave out.
const char *kFakeGlobKallsyms = "ffffffff81000000 T vfs_read\n"
                                "ffffffff81000100 T vfs_write\n"
                                "ffffffff81000200 T vfs_open\n"
                                "ffffffff81000300 t vfs_notrace_helper\n"
                                "ffffffff81000400 T vfs_blacklisted\n"
                                "ffffffff81000500 t vfs_twice\n"
                                "ffffffff81000600 t vfs_twice\n"
                                "ffffffff81000700 t vfs_split.cold\n"
                                "ffffffff81000800 t vfs_clone.isra.0\n"
                                "ffffffff81000900 t __pfx_vfs_read\n"
                                "ffffffff81000a00 D vfs_data\n"
                                "ffffffff81000b00 T do_sys_openat2\n"
                                "ffffffffc0000000 t vfs_in_module\t[fakemod]\n";
const char *kFakeGlobBlacklist = "0xffffffff81000400-0xffffffff81000410\tvfs_blacklisted\n";
const char *kFakeGlobFilter = "vfs_read\nvfs_write\nvfs_open\nvfs_blacklisted\nvfs_twice\n"
                              "vfs_twice\nvfs_clone.isra.0\ndo_sys_openat2\n"
                              "vfs_in_module [fakemod]\n";

KernelSymbols fake_glob_kernel() {
    return KernelSymbols::parse(kFakeGlobKallsyms, kFakeGlobBlacklist, kFakeGlobFilter);
}

} // namespace

TEST(KernelSymbolsGlob, MatchesOnlyProbeableFunctions) {
    auto m = fake_glob_kernel().match("vfs_*");
    EXPECT_EQ(m.names, (std::vector<std::string>{"vfs_clone.isra.0", "vfs_in_module", "vfs_open",
                                                 "vfs_read", "vfs_write"}));
    EXPECT_EQ(m.blacklisted, 1u);
    EXPECT_EQ(m.notrace, 1u);  // vfs_notrace_helper
    EXPECT_EQ(m.repeated, 1u); // vfs_twice: two functions, one name
    EXPECT_EQ(m.cold, 1u);
    ASSERT_FALSE(m.notes.empty());
    EXPECT_NE(m.notes[0].find("1 on the kprobe blacklist"), std::string::npos) << m.notes[0];
    EXPECT_NE(m.notes[0].find("1 notrace"), std::string::npos) << m.notes[0];
}

TEST(KernelSymbolsGlob, ModuleAndBracketsNarrow) {
    auto k = fake_glob_kernel();
    EXPECT_EQ(k.match("vfs_*", "fakemod").names, (std::vector<std::string>{"vfs_in_module"}));
    EXPECT_EQ(k.match("vfs_[rw]*").names, (std::vector<std::string>{"vfs_read", "vfs_write"}));
    EXPECT_EQ(k.match("*openat?").names, (std::vector<std::string>{"do_sys_openat2"}));
    EXPECT_TRUE(k.match("nothing_*").names.empty());
    EXPECT_TRUE(k.match("vfs_data").names.empty()); // data, not a function
}

TEST(KernelSymbolsGlob, WithoutFilterListEveryTextSymbolCountsAndSaysSo) {
    auto k = KernelSymbols::parse(kFakeGlobKallsyms, "", "");
    auto m = k.match("vfs_*");
    // notrace cannot be told without available_filter_functions; the
    // blacklist is unknown too: both said in the notes.
    EXPECT_NE(std::find(m.names.begin(), m.names.end(), "vfs_notrace_helper"), m.names.end());
    EXPECT_NE(std::find(m.names.begin(), m.names.end(), "vfs_blacklisted"), m.names.end());
    EXPECT_EQ(std::find(m.names.begin(), m.names.end(), "vfs_twice"), m.names.end());
    std::string notes;
    for (const auto &n : m.notes) notes += n + "\n";
    EXPECT_NE(notes.find("available_filter_functions is not readable"), std::string::npos) << notes;
    EXPECT_NE(notes.find("blacklist"), std::string::npos) << notes;
}

TEST(KernelSymbolsGlob, RepeatedNameStillRefusedByCheck) {
    // check() finds copies through the repeated-name set, not a scan of every name.
    auto p = fake_glob_kernel().check("vfs_twice");
    EXPECT_FALSE(p.ok);
    EXPECT_NE(p.error.find("2 different functions"), std::string::npos) << p.error;
    EXPECT_TRUE(fake_glob_kernel().check("vfs_read").ok);
}
