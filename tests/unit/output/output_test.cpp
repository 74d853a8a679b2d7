// Formatting of synthetic records: the event formats are parsed from text
// with libtraceevent, the record bytes are built here.
#include "ksyms/kallsyms.h"
#include "output/output.h"
#include "record_builder.h"

#include <algorithm>
#include <cstring>
#include <gtest/gtest.h>
#include <string>
#include <vector>

extern "C" {
#include <traceevent/event-parse.h>
}

namespace {

using namespace ksurf::test_records;
using ksurf::compile::Print;
namespace out = ksurf::output;

const std::string kSyslogFields = "\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
                                  "\tfield:int type;\toffset:16;\tsize:8;\tsigned:0;\n"
                                  "\tfield:char * buf;\toffset:24;\tsize:8;\tsigned:0;\n"
                                  "\tfield:int len;\toffset:32;\tsize:8;\tsigned:0;\n";

class OutputTest : public ::testing::Test {
  protected:
    void SetUp() override {
        syslog_ = events_.add("syscalls", "sys_enter_syslog", 410, kSyslogFields);
        ASSERT_NE(syslog_, nullptr);
        procs_.on_fork(1, "systemd", 1234);
        procs_.on_exec(1234, "dmesg");
        init_record(rec_, syslog_, 40, 1234, 1, 5123456789123ull);
        put<uint64_t>(rec_, 16, 5);
        put<uint64_t>(rec_, 24, 0);
        put<uint64_t>(rec_, 32, 0);
    }
    Events events_;
    tep_event *syslog_ = nullptr;
    out::Styles styles_;
    out::ProcessTable procs_;
    Built rec_;
};

TEST_F(OutputTest, TextHasFtraceShape) {
    auto text =
        run([&](FILE *f) { return out::make_text(f, events_.tep(), styles_, false, &procs_); },
            {&rec_.r});
    // The irq-info columns (here: all clear) sit between CPU and time, as in `cat trace`.
    EXPECT_EQ(text, "           dmesg-1234    [001] .....  5123.456789: sys_enter_syslog: type=5 "
                    "buf=0x0 len=0\n");
    auto plain = run(
        [&](FILE *f) {
            return out::make_text(f, events_.tep(), styles_, false, &procs_, /*irq_info=*/false);
        },
        {&rec_.r});
    EXPECT_EQ(plain,
              "           dmesg-1234    [001]  5123.456789: sys_enter_syslog: type=5 buf=0x0 "
              "len=0\n");
}

TEST_F(OutputTest, JsonHasTypedFields) {
    auto text =
        run([&](FILE *f) { return out::make_json(f, events_.tep(), styles_, false, &procs_); },
            {&rec_.r});
    EXPECT_EQ(text, "{\"ts\":5123.456789,\"cpu\":1,\"pid\":1234,\"comm\":\"dmesg\","
                    "\"event\":\"syscalls/sys_enter_syslog\",\"fields\":{\"type\":5,\"buf\":0,"
                    "\"len\":0}}\n");
}

TEST_F(OutputTest, SyscallIntArgumentsKeepTheirSign) {
    put<int64_t>(rec_, 32, -1);
    put<uint64_t>(rec_, 24, 0xffff8880deadbeefull);
    auto text =
        run([&](FILE *f) { return out::make_text(f, events_.tep(), styles_, false, &procs_); },
            {&rec_.r});
    EXPECT_NE(text.find("buf=0xffff8880deadbeef len=-1\n"), std::string::npos) << text;
}

TEST_F(OutputTest, JsonEscapesNamesAndUnknownPidsGetPlaceholder) {
    procs_.on_exec(1234, "a\"b\\c\x01");
    auto text =
        run([&](FILE *f) { return out::make_json(f, events_.tep(), styles_, false, &procs_); },
            {&rec_.r});
    EXPECT_NE(text.find("\"comm\":\"a\\\"b\\\\c\\u0001\""), std::string::npos) << text;
}

// The byte policy on the per-event path: a comm that is not UTF-8 gives
// valid JSON with \\xNN escapes, and text that cannot break a line.
TEST_F(OutputTest, HostileCommKeepsItsBytesRecoverably) {
    procs_.on_rename(1234, "bad\xff\xfe\x80na\nme");
    auto json =
        run([&](FILE *f) { return out::make_json(f, events_.tep(), styles_, false, &procs_); },
            {&rec_.r});
    EXPECT_NE(json.find(R"("comm":"bad\\xff\\xfe\\x80na\nme")"), std::string::npos) << json;
    auto text =
        run([&](FILE *f) { return out::make_text(f, events_.tep(), styles_, false, &procs_); },
            {&rec_.r});
    EXPECT_EQ(text.rfind(R"(bad\xff\xfe\x80na\x0ame-1234 )", 0), 0u) << text;
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
}

TEST_F(OutputTest, ProbeStylesApply) {
    // A kprobe-shaped event: u32 ip_src, u16 b16_port, u32 B32_x, x64 ptr,
    // u32 arr[2], string name (__data_loc), s32 neg, u64 sym.
    tep_event *ev = events_.add("ksurf_1", "p0", 2001,
                                "\tfield:unsigned long __probe_ip;\toffset:8;\tsize:8;\tsigned:0;\n"
                                "\tfield:u32 ip_src;\toffset:16;\tsize:4;\tsigned:0;\n"
                                "\tfield:u16 b16_port;\toffset:20;\tsize:2;\tsigned:0;\n"
                                "\tfield:u32 B32_x;\toffset:24;\tsize:4;\tsigned:0;\n"
                                "\tfield:x64 ptr;\toffset:32;\tsize:8;\tsigned:0;\n"
                                "\tfield:u32 arr[2];\toffset:40;\tsize:8;\tsigned:0;\n"
                                "\tfield:__data_loc char[] name;\toffset:48;\tsize:4;\tsigned:0;\n"
                                "\tfield:s32 neg;\toffset:52;\tsize:4;\tsigned:1;\n"
                                "\tfield:u64 sym;\toffset:56;\tsize:8;\tsigned:0;\n");
    ASSERT_NE(ev, nullptr);
    ksurf::compile::Probe probe;
    probe.args = {
        {"ip_src", "+12(%di):u32", Print::Ipv4},   {"b16_port", "+0(%si):u16", Print::Be16},
        {"B32_x", "%dx:u32", Print::Be32Hex},      {"ptr", "%cx:x64", Print::Default},
        {"arr", "+0(%di):u32[2]", Print::Default}, {"name", "+0(%di):string", Print::Default},
        {"neg", "%r8:s32", Print::Default},        {"sym", "%r9:symbol", Print::Default}};
    styles_.add("ksurf_1", "p0", out::probe_style(probe));
    auto syms =
        ksurf::ksyms::Kallsyms::parse("ffffffff81000000 T _stext\nffffffff81000100 t do_thing\n");
    ksurf::ksyms::Kallsyms::override_kernel(&syms);

    Built b;
    const char name[] = "eth0";
    init_record(b, ev, 64 + sizeof name, 1234, 0, 1000000000ull);
    const uint8_t ip[4] = {127, 0, 0, 1};
    std::memcpy(b.data.data() + 16, ip, 4);
    put<uint16_t>(b, 20, 0x5000); // port 80 in network order
    put<uint32_t>(b, 24, 0x78563412);
    put<uint64_t>(b, 32, 0xffff0000ull);
    put<uint32_t>(b, 40, 7);
    put<uint32_t>(b, 44, 8);
    put<uint32_t>(b, 48, (static_cast<uint32_t>(sizeof name) << 16) | 64);
    put<int32_t>(b, 52, -5);
    put<uint64_t>(b, 56, 0xffffffff81000110ull);
    std::memcpy(b.data.data() + 64, name, sizeof name);

    auto text = run(
        [&](FILE *f) { return out::make_text(f, events_.tep(), styles_, false, &procs_); }, {&b.r});
    EXPECT_NE(text.find(" p0: (0x0) ip_src=127.0.0.1 b16_port=80 B32_x=0x12345678 "
                        "ptr=0xffff0000 arr={7,8} name=\"eth0\" neg=-5 sym=do_thing+0x10\n"),
              std::string::npos)
        << text;
    auto json = run(
        [&](FILE *f) { return out::make_json(f, events_.tep(), styles_, false, &procs_); }, {&b.r});
    EXPECT_NE(
        json.find("\"fields\":{\"__probe_ip\":\"0x0\",\"ip_src\":\"127.0.0.1\",\"b16_port\":80,"
                  "\"B32_x\":305419896,\"ptr\":4294901760,\"arr\":[7,8],\"name\":\"eth0\","
                  "\"neg\":-5,\"sym\":\"do_thing+0x10\"}"),
        std::string::npos)
        << json;
    ksurf::ksyms::Kallsyms::override_kernel(nullptr);
}

TEST_F(OutputTest, StacksPrintAfterTheirEvent) {
    tep_event *ks =
        events_.add("ftrace", "kernel_stack", 4,
                    "\tfield:int size;\toffset:8;\tsize:4;\tsigned:1;\n"
                    "\tfield:unsigned long caller[8];\toffset:16;\tsize:64;\tsigned:0;\n");
    ASSERT_NE(ks, nullptr);
    auto syms = ksurf::ksyms::Kallsyms::parse("ffffffff81000000 T _stext\n"
                                              "ffffffff81000100 t do_syslog\n"
                                              "ffffffff81000200 T __x64_sys_syslog\n"
                                              "ffffffffc0000000 t modfn\t[mymod]\n");
    ksurf::ksyms::Kallsyms::override_kernel(&syms);
    Built st;
    init_record(st, ks, 16 + 3 * 8, 1234, 1, rec_.r.ts);
    put<int32_t>(st, 8, 3);
    put<uint64_t>(st, 16, 0xffffffff81000105ull);
    put<uint64_t>(st, 24, 0xffffffff81000210ull);
    put<uint64_t>(st, 32, 0xffffffffc0000004ull);
    rec_.r.stack = &st.r;

    auto text =
        run([&](FILE *f) { return out::make_text(f, events_.tep(), styles_, true, &procs_); },
            {&rec_.r});
    EXPECT_NE(text.find("len=0\n => do_syslog+0x5\n => __x64_sys_syslog+0x10\n"
                        " => modfn+0x4 [mymod]\n"),
              std::string::npos)
        << text;
    auto json =
        run([&](FILE *f) { return out::make_json(f, events_.tep(), styles_, true, &procs_); },
            {&rec_.r});
    EXPECT_NE(json.find(",\"stack\":[\"do_syslog+0x5\",\"__x64_sys_syslog+0x10\","
                        "\"modfn+0x4 [mymod]\"]}\n"),
              std::string::npos)
        << json;
    // Without -s the stack record is ignored.
    auto plain =
        run([&](FILE *f) { return out::make_text(f, events_.tep(), styles_, false, &procs_); },
            {&rec_.r});
    EXPECT_EQ(plain.find("=>"), std::string::npos);
    ksurf::ksyms::Kallsyms::override_kernel(nullptr);
}

TEST(ProcessTable, FedFromForkAndExecRecords) {
    Events events;
    tep_event *fork = events.add("sched", "sched_process_fork", 300,
                                 "\tfield:char parent_comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
                                 "\tfield:pid_t parent_pid;\toffset:24;\tsize:4;\tsigned:1;\n"
                                 "\tfield:char child_comm[16];\toffset:28;\tsize:16;\tsigned:0;\n"
                                 "\tfield:pid_t child_pid;\toffset:44;\tsize:4;\tsigned:1;\n");
    tep_event *exec =
        events.add("sched", "sched_process_exec", 301,
                   "\tfield:__data_loc char[] filename;\toffset:8;\tsize:4;\tsigned:0;\n"
                   "\tfield:pid_t pid;\toffset:12;\tsize:4;\tsigned:1;\n"
                   "\tfield:pid_t old_pid;\toffset:16;\tsize:4;\tsigned:1;\n");
    ASSERT_TRUE(fork && exec);
    // pids far above pid_max so /proc cannot answer for them
    const int parent = 40000001, child = 40000002;
    Built f;
    init_record(f, fork, 48, parent, 0, 1);
    std::memcpy(f.data.data() + 8, "bash", 5);
    put<int32_t>(f, 24, parent);
    std::memcpy(f.data.data() + 28, "bash", 5);
    put<int32_t>(f, 44, child);
    Built e;
    const char file[] = "/usr/bin/journalctl-long-name";
    init_record(e, exec, 20 + sizeof file, child, 0, 2);
    put<uint32_t>(e, 8, (static_cast<uint32_t>(sizeof file) << 16) | 20);
    put<int32_t>(e, 12, child);
    std::memcpy(e.data.data() + 20, file, sizeof file);

    out::ProcessTable procs;
    procs.feed(f.r);
    EXPECT_EQ(procs.get(child).comm, "bash");
    procs.feed(e.r);
    const auto &info = procs.get(child);
    EXPECT_EQ(info.comm, "journalctl-long");
    EXPECT_EQ(info.ppid, parent);
    EXPECT_EQ(info.parent_comm, "bash");
    EXPECT_EQ(procs.get(40000003).comm, "<...>");
    EXPECT_EQ(procs.get(0).comm, "<idle>");
}

TEST(ProcessTable, ReadsProcForLivePids) {
    out::ProcessTable procs;
    const auto &me = procs.get(getpid());
    EXPECT_EQ(me.ppid, getppid());
    EXPECT_FALSE(me.comm.empty());
    EXPECT_FALSE(me.parent_comm.empty());
}

TEST(Summary, TextAndJson) {
    std::vector<ksurf::capture::Capture::CpuStats> stats(2);
    stats[0].cpu = 0;
    stats[0].overrun = 12;
    stats[1].cpu = 1;
    stats[1].dropped = 3;
    auto capture = [&](bool json, const std::vector<ksurf::capture::Capture::CpuStats> &s) {
        char *buf = nullptr;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        out::print_summary(f, 42, s, json);
        std::fclose(f);
        std::string r(buf, len);
        std::free(buf);
        return r;
    };
    EXPECT_EQ(capture(false, stats), "ksurf: 42 events read; lost: cpu0 12, cpu1 3\n");
    EXPECT_EQ(capture(true, stats),
              "{\"events\":42,\"lost\":15,\"lost_per_cpu\":{\"cpu0\":12,\"cpu1\":3}}\n");
    EXPECT_EQ(capture(false, {}), "ksurf: 42 events read; lost: none\n");
}

TEST(ProbeStyle, DefaultRefinedFromFetchType) {
    ksurf::compile::Probe probe;
    probe.args = {{"a", "%di:x32", Print::Default},        {"b", "%si:s64", Print::Default},
                  {"c", "+0(%di):string", Print::Default}, {"d", "%dx:symbol", Print::Default},
                  {"e", "%cx:u32", Print::Default},        {"ip_f", "%r8:u32", Print::Ipv4}};
    auto st = out::probe_style(probe);
    EXPECT_EQ(st.fields["a"], Print::Hex);
    EXPECT_EQ(st.fields["b"], Print::Signed);
    EXPECT_EQ(st.fields["c"], Print::String);
    EXPECT_EQ(st.fields["d"], Print::Symbol);
    EXPECT_EQ(st.fields["e"], Print::Default);
    EXPECT_EQ(st.fields["ip_f"], Print::Ipv4);
}

} // namespace
