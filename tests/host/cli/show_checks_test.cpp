// -S against this machine's kernel: the kernel's own syntax is printed as
// written under the names given, and what arming would refuse (an unknown
// function, a uprobe that cannot be placed) is an error, exit 2, here too.
// Needs /proc/kallsyms with names and the kernel's BTF.
#include "test_support.h"

#include <fstream>
#include <gtest/gtest.h>
#include <iterator>
#include <string>

using ksurf::test::run_ksurf;

namespace {

// "" when this kernel's kallsyms names and BTF are readable, else why not.
std::string kernel_skip_reason() {
    std::ifstream btf("/sys/kernel/btf/vmlinux");
    if (!btf) return "no /sys/kernel/btf/vmlinux";
    std::ifstream ks("/proc/kallsyms");
    std::string line;
    for (int i = 0; i < 200000 && std::getline(ks, line);)
        if (line.ends_with(" do_sys_openat2")) return "";
    return "/proc/kallsyms shows no do_sys_openat2";
}

} // namespace

TEST(ShowChecks, KernelSyntaxKeepsNamesAndArguments) {
    if (auto why = kernel_skip_reason(); !why.empty()) GTEST_SKIP() << why;
    auto r = run_ksurf({"-S", "p:myprobe do_sys_openat2 dfd=%ax mode=+4($stack)",
                        "p:open do_sys_openat2 filename=+0(%si):string",
                        "p do_sys_openat2 name=filename:ustring"});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("p:ksurf/myprobe do_sys_openat2 dfd=%ax mode=+4($stack)\n"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("p:ksurf/open do_sys_openat2 filename=+0(%si):string\n"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("p:ksurf/p0 do_sys_openat2 name="), std::string::npos) << r.out;

    auto grp = run_ksurf({"-S", "p:mygroup/myev do_sys_openat2"});
    ASSERT_EQ(grp.status, 0) << grp.err;
    EXPECT_NE(grp.out.find("p:ksurf/myev do_sys_openat2"), std::string::npos) << grp.out;
    EXPECT_NE(grp.err.find("group 'mygroup' is not used"), std::string::npos) << grp.err;
}

TEST(ShowChecks, UnknownFunctionIsAnError) {
    if (auto why = kernel_skip_reason(); !why.empty()) GTEST_SKIP() << why;
    auto r = run_ksurf({"-S", "p no_such_function_xyz a=%0"});
    EXPECT_EQ(r.status, 2) << r.out << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find("no_such_function_xyz"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("^"), std::string::npos) << r.err;
}

TEST(ShowChecks, BadKernelFetchargIsRefusedWithCaret) {
    if (auto why = kernel_skip_reason(); !why.empty()) GTEST_SKIP() << why;
    auto r = run_ksurf({"-S", "p:t do_sys_openat2 +0(%ax)+10"});
    EXPECT_EQ(r.status, 2) << r.out << r.err;
    EXPECT_NE(r.err.find("^~~"), std::string::npos) << r.err;
    auto s = run_ksurf({"-S", "p:t do_sys_openat2 %ax:string"});
    EXPECT_EQ(s.status, 2) << s.out << s.err;
    EXPECT_NE(s.err.find("+0(%ax):string"), std::string::npos) << s.err;
}

TEST(ShowChecks, UnplaceableUprobeIsAnError) {
    auto r = run_ksurf({"-S", "P /no/such/binary:main"});
    EXPECT_EQ(r.status, 2) << r.out << r.err;
    EXPECT_NE(r.err.find("/no/such/binary"), std::string::npos) << r.err;
}

TEST(ShowChecks, AnotherKernelsBtfDecides) {
    std::string btf = std::string(KSURF_FIXTURE_DIR) + "/kernel_types.btf";
    auto known = run_ksurf({"-S", "--btf", btf, "p wake_up_new_task c=%0->comm"});
    EXPECT_EQ(known.status, 0) << known.err;
    auto unknown = run_ksurf({"-S", "--btf", btf, "p no_such_function_xyz a=%0"});
    EXPECT_EQ(unknown.status, 2) << unknown.out << unknown.err;
    EXPECT_NE(unknown.err.find("not have it"), std::string::npos) << unknown.err;
}

// Function globs against this machine's kallsyms: -S lists one probe per
// match (vfs_read among them) and the cap refuses `p *` naming the number.
TEST(ShowChecks, FunctionGlobExpandsAndIsCapped) {
    if (auto why = kernel_skip_reason(); !why.empty()) GTEST_SKIP() << why;
    auto r = run_ksurf({"-S", "p vfs_read*"});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find(" vfs_read\n"), std::string::npos) << r.out;
    size_t lines = 0;
    for (size_t at = 0; (at = r.out.find("p:ksurf/p", at)) != std::string::npos; ++at) ++lines;
    EXPECT_GE(lines, 1u) << r.out;

    auto all = run_ksurf({"-S", "p *"});
    EXPECT_EQ(all.status, 2) << all.err;
    EXPECT_EQ(all.out, "");
    EXPECT_NE(all.err.find("probe-able functions, over the cap of 1000"), std::string::npos)
        << all.err;

    auto capped = run_ksurf({"-S", "--max-funcs", "1", "p vfs_*"});
    EXPECT_EQ(capped.status, 2) << capped.err;
    EXPECT_NE(capped.err.find("over the cap of 1"), std::string::npos) << capped.err;
}

// --fprobe-funcs N: fprobe events (f:) where this kernel's tracefs README
// lists them, kprobes (p:) where it does not (this 6.18 host: no fprobes).
TEST(ShowChecks, FprobeFuncsFollowsTheKernelsReadme) {
    if (auto why = kernel_skip_reason(); !why.empty()) GTEST_SKIP() << why;
    std::ifstream in("/sys/kernel/tracing/README");
    if (!in) GTEST_SKIP() << "no /sys/kernel/tracing/README to tell whether it has fprobes";
    std::string readme((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    bool fprobes = readme.find("f[:[<group>/][<event>]] <func-name>[%return]") != std::string::npos;
    auto r = run_ksurf({"-S", "--fprobe-funcs", "1", "p vfs_read*"});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find(fprobes ? "f:ksurf/p" : "p:ksurf/p"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find(fprobes ? "p:ksurf/p" : "f:ksurf/p"), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find("fprobe events (f FUNC), not kprobes") != std::string::npos, fprobes)
        << r.err;
    // a register keeps kprobes either way
#if defined(__aarch64__)
    const std::string line = "p vfs_read* a=%x0";
#else
    const std::string line = "p vfs_read* a=%ax";
#endif
    auto reg = run_ksurf({"-S", "--fprobe-funcs", "1", line});
    ASSERT_EQ(reg.status, 0) << reg.err;
    EXPECT_NE(reg.out.find("p:ksurf/p"), std::string::npos) << reg.out;
    EXPECT_EQ(reg.out.find("f:ksurf/p"), std::string::npos) << reg.out;
}
