// The text format against what the kernel's own `trace` file prints:
// tracepoints through their print fmt, probes' places and strings, and the
// irq-info columns.
#include "capture/print_fmt.h"
#include "ksyms/kallsyms.h"
#include "output/output.h"
#include "record_builder.h"

#include <gtest/gtest.h>
#include <string>
#include <unistd.h>

namespace {

using namespace ksurf::test_records;
using ksurf::ksyms::Kallsyms;
namespace out = ksurf::output;

// A little kernel: two functions with __pfx_ padding between them, and a
// module function.
const char *kSyms = "ffffffff81000000 T _stext\n"
                    "ffffffff810000f0 t __pfx_hrtimer_wakeup\n"
                    "ffffffff81000100 t hrtimer_wakeup\n"
                    "ffffffff81000270 T __pfx_do_sys_openat2\n"
                    "ffffffff81000280 T do_sys_openat2\n"
                    "ffffffff81000410 T __pfx_do_filp_open\n"
                    "ffffffff81000420 T do_filp_open\n"
                    "ffffffff81000600 D some_data\n"
                    "ffffffff81000700 T _etext\n"
                    "ffffffffc0000000 t modfn\t[mymod]\n"
                    "ffffffffc0000040 t modfn2\t[mymod]\n";

class TextTest : public ::testing::Test {
  protected:
    void SetUp() override {
        syms_ = Kallsyms::parse(kSyms);
        Kallsyms::override_kernel(&syms_);
    }
    void TearDown() override { Kallsyms::override_kernel(nullptr); }
    std::string text(const Record &r, bool irq_info = true) {
        return run(
            [&](FILE *f) {
                return out::make_text(f, events_.tep(), styles_, false, &procs_, irq_info);
            },
            {&r});
    }
    Kallsyms syms_;
    Events events_;
    out::Styles styles_;
    out::ProcessTable procs_;
};

TEST(Kallsyms, SizeRunsToTheNextSymbolAsTheKernelCounts) {
    auto k = Kallsyms::parse(kSyms);
    auto hit = k.lookup(0xffffffff810002afull);
    EXPECT_EQ(hit.name, "do_sys_openat2");
    EXPECT_EQ(hit.offset, 0x2fu);
    EXPECT_EQ(hit.size, 0x190u); // up to __pfx_do_filp_open, padding counted as the kernel does
    EXPECT_STREQ(hit.c_name, "do_sys_openat2");
    EXPECT_STREQ(hit.c_display, "do_sys_openat2");
    auto mod = k.lookup(0xffffffffc0000004ull);
    EXPECT_EQ(mod.name, "modfn");
    EXPECT_EQ(mod.module, "mymod");
    EXPECT_EQ(mod.size, 0x40u);
    EXPECT_STREQ(mod.c_display, "modfn [mymod]");
    EXPECT_TRUE(k.lookup(0x1000).name.empty());
}

TEST_F(TextTest, IrqInfoColumnsReadAsTheKernelWritesThem) {
    tep_event *ev = events_.add("syscalls", "sys_enter_getpid", 500,
                                "\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n");
    ASSERT_NE(ev, nullptr);
    Built b;
    init_record(b, ev, 16, 1234, 0, 1000000000ull);
    struct Case {
        uint8_t flags, pc;
        const char *cols;
    } cases[] = {
        {0x00, 0x00, "....."}, {0x01, 0x02, "d..2."}, {0x0d, 0x12, "dnh21"}, {0x25, 0x01, "dN.1."},
        {0x90, 0x00, "b.s.."}, {0x81, 0x00, "D...."}, {0x48, 0x00, "..Z.."}, {0x40, 0x00, "..z.."},
        {0x18, 0x0f, "..Hf."}, {0x20, 0x00, ".p..."}, {0x02, 0x00, ".l..."}, {0x26, 0x00, ".B..."},
    };
    for (const auto &c : cases) {
        b.data[2] = static_cast<char>(c.flags);
        b.data[3] = static_cast<char>(c.pc);
        EXPECT_NE(text(b.r).find(std::string("[000] ") + c.cols + "     1.000000: "),
                  std::string::npos)
            << "flags " << int(c.flags) << " preempt " << int(c.pc) << ": " << text(b.r);
    }
}

TEST_F(TextTest, TracepointUsesItsPrintFmt) {
    tep_event *ev = events_.add(
        "irq", "softirq_entry", 501, "\tfield:unsigned int vec;\toffset:8;\tsize:4;\tsigned:0;\n",
        "\"vec=%u [action=%s]\", REC->vec, __print_symbolic(REC->vec, { 0, \"HI\" }, "
        "{ 1, \"TIMER\" }, { 4, \"BLOCK\" }, { 9, \"RCU\" })");
    ASSERT_NE(ev, nullptr);
    Built b;
    init_record(b, ev, 12, 1234, 1, 2000000000ull);
    put<uint32_t>(b, 8, 4);
    EXPECT_NE(text(b.r).find(" softirq_entry: vec=4 [action=BLOCK]\n"), std::string::npos)
        << text(b.r);
}

TEST_F(TextTest, PrintFmtFlagsAndFunctionNames) {
    tep_event *ev = events_.add(
        "sched", "sched_switch", 502,
        "\tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
        "\tfield:long prev_state;\toffset:24;\tsize:8;\tsigned:1;\n"
        "\tfield:void * function;\toffset:32;\tsize:8;\tsigned:0;\n",
        "\"prev_comm=%s prev_state=%s%s ==> fn=%ps\", REC->prev_comm, (REC->prev_state & 0xff) ? "
        "__print_flags(REC->prev_state & 0xff, \"|\", { 0x01, \"S\" }, { 0x02, \"D\" }) : \"R\", "
        "REC->prev_state & 0x100 ? \"+\" : \"\", REC->function");
    ASSERT_NE(ev, nullptr);
    Built b;
    init_record(b, ev, 40, 1234, 1, 2000000000ull);
    std::memcpy(b.data.data() + 8, "bash", 5);
    put<int64_t>(b, 24, 1);
    put<uint64_t>(b, 32, 0xffffffff81000100ull);
    EXPECT_NE(text(b.r).find(" sched_switch: prev_comm=bash prev_state=S ==> fn=hrtimer_wakeup\n"),
              std::string::npos)
        << text(b.r);
    put<int64_t>(b, 24, 0);
    EXPECT_NE(text(b.r).find("prev_state=R ==>"), std::string::npos) << text(b.r);
}

TEST_F(TextTest, ProbePlacesAndStringsAsTheKernelPrintsThem) {
    tep_event *kp = events_.add("ksurf_1", "p0", 503,
                                "\tfield:unsigned long __probe_ip;\toffset:8;\tsize:8;\tsigned:0;\n"
                                "\tfield:__data_loc char[] c;\toffset:16;\tsize:4;\tsigned:0;\n");
    tep_event *rp =
        events_.add("ksurf_1", "r1", 504,
                    "\tfield:unsigned long __probe_func;\toffset:8;\tsize:8;\tsigned:0;\n"
                    "\tfield:unsigned long __probe_ret_ip;\toffset:16;\tsize:8;\tsigned:0;\n"
                    "\tfield:u64 ret;\toffset:24;\tsize:8;\tsigned:0;\n");
    ASSERT_TRUE(kp && rp);
    Built k;
    const char comm[] = "sh -c";
    init_record(k, kp, 20 + sizeof comm, 1234, 0, 1000000000ull);
    put<uint64_t>(k, 8, 0xffffffff81000280ull);
    put<uint32_t>(k, 16, (static_cast<uint32_t>(sizeof comm) << 16) | 20);
    std::memcpy(k.data.data() + 20, comm, sizeof comm);
    EXPECT_NE(text(k.r).find(" p0: (do_sys_openat2+0x0/0x190) c=\"sh -c\"\n"), std::string::npos)
        << text(k.r);
    // A string the probe could not read has length 0 (an empty one has its
    // NUL): the kernel prints (fault), an eprobe's unread user page too.
    Built f;
    init_record(f, kp, 24, 1234, 0, 1000000000ull);
    put<uint64_t>(f, 8, 0xffffffff81000280ull);
    put<uint32_t>(f, 16, 20);
    EXPECT_NE(text(f.r).find(" c=(fault)\n"), std::string::npos) << text(f.r);
    Built e;
    init_record(e, kp, 24, 1234, 0, 1000000000ull);
    put<uint64_t>(e, 8, 0xffffffff81000280ull);
    put<uint32_t>(e, 16, (1u << 16) | 20);
    EXPECT_NE(text(e.r).find(" c=\"\"\n"), std::string::npos) << text(e.r);

    Built r;
    init_record(r, rp, 32, 1234, 0, 1000000000ull);
    put<uint64_t>(r, 8, 0xffffffff81000420ull);
    put<uint64_t>(r, 16, 0xffffffff8100032full);
    put<uint64_t>(r, 24, 3);
    EXPECT_NE(text(r.r).find(" r1: (do_sys_openat2+0xaf/0x190 <- do_filp_open) ret=3\n"),
              std::string::npos)
        << text(r.r);
    // A module function carries its module, as %pS writes it.
    put<uint64_t>(r, 8, 0xffffffffc0000000ull);
    put<uint64_t>(r, 16, 0xffffffffc0000044ull);
    EXPECT_NE(text(r.r).find("(modfn2+0x4 [mymod] <- modfn [mymod])"), std::string::npos)
        << text(r.r);
}

TEST(PrintFmtEnums, KernelEnumConstantsAreResolvedFromBtf) {
    if (::access("/sys/kernel/btf/vmlinux", R_OK) != 0)
        GTEST_SKIP() << "no /sys/kernel/btf/vmlinux on this machine";
    std::string fmt = "name: hrtimer_start\nID: 1\nformat:\n\tfield:int mode;\toffset:8;\tsize:4;"
                      "\tsigned:1;\n\nprint fmt: \"HRTIMER_MODE_REL mode=%s\", "
                      "__print_symbolic(REC->mode, { HRTIMER_MODE_ABS, \"ABS\" }, "
                      "{ HRTIMER_MODE_REL, \"REL\" }), REC->HRTIMER_MODE_REL\n";
    auto out = ksurf::capture::prepare_format(fmt);
    // Arguments are resolved; the format string and field names are not.
    EXPECT_NE(out.find("{ 0, \"ABS\" }, { 1, \"REL\" }"), std::string::npos) << out;
    EXPECT_NE(out.find("\"HRTIMER_MODE_REL mode=%s\""), std::string::npos) << out;
    EXPECT_NE(out.find("REC->HRTIMER_MODE_REL\n"), std::string::npos) << out;
    // Constant subexpressions are folded; calls, casts, suffixed numbers and strings are not.
    std::string sw = "name: x\nprint fmt: \"s=%s (%d)\", (REC->prev_state & ((((0x00000000 | "
                     "0x00000001 | 0x00000002) + 1) << 1) - 1)) ? \"(1+1)\" : \"R\", "
                     "__get_str(2), (unsigned long)(1UL), (-1)\n";
    EXPECT_EQ(ksurf::capture::prepare_format(sw),
              "name: x\nprint fmt: \"s=%s (%d)\", (REC->prev_state & 7) ? \"(1+1)\" : \"R\", "
              "__get_str(2), (unsigned long)(1UL), (-1)\n");
    // Nothing to resolve: unchanged.
    std::string plain = "name: x\nprint fmt: \"vec=%u\", REC->vec\n";
    EXPECT_EQ(ksurf::capture::prepare_format(plain), plain);
}

} // namespace
