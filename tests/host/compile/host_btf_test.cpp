// The compiler against this machine's kernel BTF: offsets agree with pahole's
// view of the same BTF, and surftrace's documented vectors compile to the
// same shapes. Needs only a readable /sys/kernel/btf/vmlinux (no root).
#include "compile/compile.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <regex>
#include <unistd.h>

namespace {

constexpr const char *kVmlinux = "/sys/kernel/btf/vmlinux";

class HostBtf : public ::testing::Test {
  protected:
    void SetUp() override {
        if (::access(kVmlinux, R_OK) != 0) GTEST_SKIP() << "no readable " << kVmlinux;
        std::string err;
        types_ = ksurf::types::TypeInfo::open(kVmlinux, err);
        ASSERT_TRUE(types_) << err;
    }

    // "p:p0 ..." args of one expression, or the rendered diagnostics.
    std::string args(const std::string &line) {
        ksurf::compile::Options opts;
        opts.arch = ksurf::compile::Arch::X86_64;
        opts.types = types_.get();
        ksurf::compile::Plan plan;
        std::vector<ksurf::compile::Diagnostic> diags;
        std::vector<ksurf::compile::Source> src = {{line, "argument 1"}};
        if (!ksurf::compile::compile_into(src, opts, plan, diags)) {
            std::string out = "ERROR ";
            for (const auto &d : diags) out += d.render();
            return out;
        }
        filter_ = plan.probes[0].filter;
        std::string out;
        for (const auto &a : plan.probes[0].args)
            out += (out.empty() ? "" : " ") + a.name + "=" + a.fetch;
        return out;
    }

    // The byte offset pahole reports for `member` of `strct`, or -1.
    static long pahole_offset(const std::string &strct, const std::string &member) {
        auto r = ksurf::test::run_cmd({"pahole", "-C", strct, kVmlinux}, 60);
        std::regex re("[ *]" + member + R"((\[\d+\])?(:\d+)?;\s*/\*\s*(\d+))");
        std::smatch m;
        if (!std::regex_search(r.out, m, re)) return -1;
        return std::stol(m[3]);
    }

    static std::string hex(long v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "+0x%lx", v);
        return buf;
    }

    bool have_pahole() { return ksurf::test::run_cmd({"pahole", "--version"}).status == 0; }

    std::unique_ptr<ksurf::types::TypeInfo> types_;
    std::string filter_;
};

} // namespace

TEST_F(HostBtf, OffsetsAgreeWithPahole) {
    if (!have_pahole()) GTEST_SKIP() << "pahole not installed";
    struct Case {
        const char *strct, *member, *expr, *type;
    } cases[] = {
        {"task_struct", "mm", "p wake_up_new_task v=%0->mm", "x64"},
        {"task_struct", "comm", "p wake_up_new_task v=%0->comm", "string"},
        {"task_struct", "pid", "p wake_up_new_task v=%0->pid", "s32"},
        {"task_struct", "flags", "p wake_up_new_task v=%0->flags", "u32"},
        {"task_struct", "real_parent", "p wake_up_new_task v=%0->real_parent", "x64"},
        {"file", "f_mode", "p fput v=%0->f_mode", "u32"},
        {"file", "f_pos", "p fput v=%0->f_pos", "s64"},
        {"sk_buff", "len", "p netif_receive_skb v=%0->len", "u32"},
    };
    for (const auto &c : cases) {
        long off = pahole_offset(c.strct, c.member);
        ASSERT_GE(off, 0) << c.strct << "." << c.member;
        EXPECT_EQ(args(c.expr), "v=" + hex(off) + "(%di):" + c.type) << c.expr;
    }
    long mm = pahole_offset("task_struct", "mm"), users = pahole_offset("mm_struct", "mm_users");
    EXPECT_EQ(args("p wake_up_new_task users=S%0->mm->mm_users"),
              "users=" + hex(users) + "(" + hex(mm) + "(%di)):s32");
    // a bitfield: pahole prints "offset: bit size"
    auto r = ksurf::test::run_cmd({"pahole", "-C", "task_struct", kVmlinux}, 60);
    std::smatch m;
    std::regex bf(R"(sched_reset_on_fork:1;\s*/\*\s*(\d+):\s*(\d+)\s+(\d+))");
    ASSERT_TRUE(std::regex_search(r.out, m, bf));
    long byte = std::stol(m[1]), bit = std::stol(m[2]), storage = std::stol(m[3]);
    long start = (byte * 8 + bit) / (storage * 8) * (storage * 8);
    EXPECT_EQ(args("p wake_up_new_task b=%0->sched_reset_on_fork"),
              "b=" + hex(start / 8) + "(%di):b1@" + std::to_string(byte * 8 + bit - start) + "/" +
                  std::to_string(storage * 8));
}

TEST_F(HostBtf, SurftraceVectorsHaveTheSameShapes) {
    auto expect = [&](const std::string &line, const std::string &pattern) {
        std::string got = args(line);
        EXPECT_TRUE(std::regex_match(got, std::regex(pattern))) << line << "\n  -> " << got;
    };
    expect("p do_filp_open dfd=X%0", R"(dfd=%di:x32)");
    expect("p wake_up_new_task uesrs=S%0->mm->mm_users",
           R"(uesrs=\+0x[0-9a-f]+\(\+0x[0-9a-f]+\(%di\)\):s32)");
    expect("p do_filp_open+121 pos=X!(struct file*)%ax->f_pos", R"(pos=\+0x[0-9a-f]+\(%ax\):x64)");
    expect("p wake_up_new_task comm=%0->comm", R"(comm=\+0x[0-9a-f]+\(%di\):string)");
    expect("r kernel_clone r=$retval", R"(r=\$retval:s32)");
    expect("p kernel_clone+21 r=%r12", R"(r=%r12)");
    expect("p wake_up_new_task name=!(struct kmem_cache*)@task_group_cache->name",
           R"(name=\+0x0\(\+0x[0-9a-f]+\(@task_group_cache\)\):string)");
    expect("p do_sys_openat2 name=filename:ustring", R"(name=\+0x0\(%si\):ustring)");
    expect("r alloc_file_pseudo m=$retval->f_mode", R"(m=\+0x[0-9a-f]+\(\$retval\):u32)");
    long data = pahole_offset("sk_buff", "data");
    std::string d = data >= 0 ? hex(data) : "\\+0x[0-9a-f]+";
    std::string got = args("p netif_receive_skb proto=@(struct iphdr *)l3%0->protocol "
                           "ip_src=@(struct iphdr *)%0->saddr f:proto==1&&ip_src==127.0.0.1");
    EXPECT_EQ(got, "proto=+0x9(" + d + "(%di)):u8 ip_src=+0xc(" + d + "(%di)):u32");
    EXPECT_EQ(filter_, "proto==1&&ip_src==0x100007f");
}

TEST_F(HostBtf, UserPointersBecomeUstring) {
    // BTF type tags carry __user on kernels built with them; otherwise string.
    std::string got = args("p do_sys_open name=filename");
    EXPECT_TRUE(got == "name=+0x0(%si):ustring" || got == "name=+0x0(%si):string") << got;
}

TEST_F(HostBtf, CompilesQuickly) {
    auto t0 = std::chrono::steady_clock::now();
    std::string got = args("p wake_up_new_task users=S%0->mm->mm_users comm=%0->comm");
    auto ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(got.rfind("users=", 0), 0u) << got;
    EXPECT_LT(ms, 500.0) << "parse + compile of one expression took " << ms << " ms";
    RecordProperty("first_compile_ms", std::to_string(ms));
}
