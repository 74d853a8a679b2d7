// Capture against the real kernel: each test arms syscalls/sys_enter_getppid
// in its own instance, filtered to its own threads, makes a known number of
// getppid() calls and checks that exactly those records come out, in order.
#include "capture/capture.h"
#include "output/output.h"
#include "test_support.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <gtest/gtest.h>
#include <sched.h>
#include <string>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern "C" {
#include <traceevent/event-parse.h>
}

namespace {

using ksurf::capture::Capture;
using ksurf::capture::Record;

using ksurf::test::write_file;

int gettid_() {
    return static_cast<int>(syscall(SYS_gettid));
}

void getppid_n(long n) {
    for (long i = 0; i < n; ++i) syscall(SYS_getppid);
}

bool pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set) == 0;
}

int cpu_count() {
    return static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
}

// A private instance, removed when the test ends however it ends.
class Instance {
  public:
    Instance() {
        static int seq = 0;
        tracefs_ = ksurf::test::tracefs_dir();
        name_ = "ksurf-test-capture-" + std::to_string(getpid()) + "-" + std::to_string(seq++);
        dir_ = tracefs_ + "/instances/" + name_;
        ok_ = ::mkdir(dir_.c_str(), 0755) == 0;
        write("tracing_on", "0");
        write("trace_clock", "mono");
    }
    ~Instance() {
        if (!ok_) return;
        write("tracing_on", "0");
        write("events/enable", "0");
        write("options/stacktrace", "0");
        ::rmdir(dir_.c_str());
    }
    bool ok() const { return ok_; }
    bool write(const std::string &rel, const std::string &text) {
        return write_file(dir_ + "/" + rel, text);
    }
    // Arms sys_enter_getppid for these thread ids.
    bool arm_getppid(const std::vector<int> &tids) {
        std::string filter;
        for (int t : tids)
            filter += (filter.empty() ? "" : " || ") + ("common_pid == " + std::to_string(t));
        return write("events/syscalls/sys_enter_getppid/filter", filter) &&
               write("events/syscalls/sys_enter_getppid/enable", "1");
    }
    std::unique_ptr<Capture> capture() {
        auto c = Capture::open(tracefs_, dir_, {{"syscalls", "sys_enter_getppid"}});
        EXPECT_TRUE(c.has_value()) << (c ? "" : c.error().str());
        return c ? std::move(*c) : nullptr;
    }
    const std::string &name() const { return name_; }
    const std::string &tracefs() const { return tracefs_; }

  private:
    std::string tracefs_, name_, dir_;
    bool ok_ = false;
};

struct Collect : ksurf::capture::Sink {
    std::vector<Record> seen; // pointers inside are not kept past on_record
    std::vector<int> stack_depth;
    void on_record(const Record &r) override {
        Record copy = r;
        copy.rec = nullptr;
        int depth = -1;
        if (r.stack) std::memcpy(&depth, static_cast<const char *>(r.stack->rec->data) + 8, 4);
        copy.stack = nullptr;
        seen.push_back(copy);
        stack_depth.push_back(depth);
    }
};

void expect_ordered(const std::vector<Record> &seen) {
    for (size_t i = 1; i < seen.size(); ++i)
        ASSERT_LE(seen[i - 1].ts, seen[i].ts) << "record " << i << " is older than the one before";
}

// What `write` puts into a FILE, as a string.
template <class F> std::string written(F &&write) {
    char *buf = nullptr;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    write(f);
    std::fclose(f);
    std::string s(buf, len);
    std::free(buf);
    return s;
}

class CaptureHost : public ::testing::Test {
  protected:
    void SetUp() override { KSURF_REQUIRE_HOST(); }
    void TearDown() override {
        for (const auto &n : ksurf::test::list_instances())
            EXPECT_NE(n.rfind("ksurf-test-capture-" + std::to_string(getpid()) + "-", 0), 0u)
                << "instance left behind: " << n;
    }
};

TEST_F(CaptureHost, ExactlyTheCallsMadeComeOutInOrder) {
    Instance inst;
    ASSERT_TRUE(inst.ok());
    int me = gettid_();
    ASSERT_TRUE(inst.arm_getppid({me}));
    auto cap = inst.capture();
    ASSERT_TRUE(cap);
    ASSERT_TRUE(inst.write("tracing_on", "1"));
    const long n = 5000;
    getppid_n(n);
    Collect c;
    ASSERT_TRUE(cap->poll(10, c).has_value());
    ASSERT_TRUE(inst.write("tracing_on", "0"));
    ASSERT_TRUE(cap->drain(c).has_value());
    ASSERT_EQ(c.seen.size(), static_cast<size_t>(n));
    EXPECT_EQ(cap->records_read(), static_cast<uint64_t>(n));
    for (const auto &r : c.seen) ASSERT_EQ(r.pid, me);
    expect_ordered(c.seen);
    for (const auto &s : cap->stats()) EXPECT_EQ(s.lost(), 0u) << "cpu" << s.cpu;
}

TEST_F(CaptureHost, StreamingWhileAnotherThreadGenerates) {
    Instance inst;
    ASSERT_TRUE(inst.ok());
    ASSERT_TRUE(inst.write("buffer_size_kb", "4096"));
    std::atomic<int> tid{0};
    std::atomic<bool> go{false}, done{false};
    const long n = 200000;
    std::thread gen([&] {
        tid = gettid_();
        while (!go) std::this_thread::yield();
        getppid_n(n);
        done = true;
    });
    while (!tid) std::this_thread::yield();
    ASSERT_TRUE(inst.arm_getppid({tid}));
    auto cap = inst.capture();
    if (!cap) {
        go = true;
        gen.join();
        FAIL();
    }
    inst.write("tracing_on", "1");
    go = true;
    Collect c;
    size_t polls = 0;
    while (!done) {
        ASSERT_TRUE(cap->poll(20, c).has_value());
        ++polls;
    }
    gen.join();
    inst.write("tracing_on", "0");
    size_t streamed = c.seen.size();
    ASSERT_TRUE(cap->drain(c).has_value());
    uint64_t lost = 0;
    for (const auto &s : cap->stats()) lost += s.lost();
    EXPECT_EQ(c.seen.size() + lost, static_cast<size_t>(n));
    EXPECT_EQ(lost, 0u);
    expect_ordered(c.seen);
    for (const auto &r : c.seen) ASSERT_EQ(r.pid, tid.load());
    RecordProperty("streamed_before_drain", static_cast<int>(streamed));
    RecordProperty("polls", static_cast<int>(polls));
}

TEST_F(CaptureHost, TwoCpusTakingTurnsComeOutAlternating) {
    if (cpu_count() < 2) GTEST_SKIP() << "needs two CPUs";
    Instance inst;
    ASSERT_TRUE(inst.ok());
    const int rounds = 2000;
    std::atomic<int> turn{-1}; // -1: wait; even: A's turn (round turn/2); odd: B's
    std::atomic<int> tids[2] = {0, 0};
    std::atomic<bool> pinned_ok{true};
    auto body = [&](int who) {
        if (!pin(who)) pinned_ok = false;
        tids[who] = gettid_();
        for (int i = 0; i < rounds; ++i) {
            while (turn.load() != 2 * i + who) std::this_thread::yield();
            syscall(SYS_getppid);
            turn.store(2 * i + who + 1);
        }
    };
    std::thread a(body, 0), b(body, 1);
    while (!tids[0] || !tids[1]) std::this_thread::yield();
    bool armed = inst.arm_getppid({tids[0], tids[1]});
    auto cap = armed ? inst.capture() : nullptr;
    inst.write("tracing_on", "1");
    turn = 0;
    Collect c;
    // Stream while they run: ordering must hold across polls too.
    while (turn.load() < 2 * rounds && cap) ASSERT_TRUE(cap->poll(5, c).has_value());
    a.join();
    b.join();
    ASSERT_TRUE(armed && cap);
    ASSERT_TRUE(pinned_ok.load());
    inst.write("tracing_on", "0");
    ASSERT_TRUE(cap->drain(c).has_value());
    ASSERT_EQ(c.seen.size(), static_cast<size_t>(2 * rounds));
    for (size_t i = 0; i < c.seen.size(); ++i) {
        ASSERT_EQ(c.seen[i].pid, tids[i % 2].load()) << "record " << i << " out of turn";
        ASSERT_EQ(c.seen[i].cpu, static_cast<int>(i % 2));
        if (i) {
            ASSERT_LT(c.seen[i - 1].ts, c.seen[i].ts);
        }
    }
}

TEST_F(CaptureHost, TinyBufferReportsWhatWasLost) {
    Instance inst;
    ASSERT_TRUE(inst.ok());
    ASSERT_TRUE(inst.write("buffer_size_kb", "8"));
    int me = gettid_();
    ASSERT_TRUE(inst.arm_getppid({me}));
    auto cap = inst.capture();
    ASSERT_TRUE(cap);
    cpu_set_t old;
    sched_getaffinity(0, sizeof old, &old);
    ASSERT_TRUE(pin(0));
    inst.write("tracing_on", "1");
    const long n = 100000;
    getppid_n(n);
    inst.write("tracing_on", "0");
    sched_setaffinity(0, sizeof old, &old);
    Collect c;
    ASSERT_TRUE(cap->drain(c).has_value());
    auto stats = cap->stats();
    auto cpu0 = std::find_if(stats.begin(), stats.end(), [](auto &s) { return s.cpu == 0; });
    ASSERT_NE(cpu0, stats.end());
    EXPECT_GT(cpu0->overrun, 0u);
    EXPECT_LT(c.seen.size(), static_cast<size_t>(n));
    EXPECT_EQ(c.seen.size() + cpu0->lost(), static_cast<size_t>(n));
    expect_ordered(c.seen);

    std::string summary = written(
        [&](FILE *f) { ksurf::output::print_summary(f, cap->records_read(), stats, false); });
    EXPECT_NE(summary.find("lost: cpu0 " + std::to_string(cpu0->lost())), std::string::npos)
        << summary;
}

TEST_F(CaptureHost, StacksFollowTheirEventsAndSymbolize) {
    Instance inst;
    ASSERT_TRUE(inst.ok());
    int me = gettid_();
    ASSERT_TRUE(inst.arm_getppid({me}));
    ASSERT_TRUE(inst.write("options/stacktrace", "1"));
    auto cap = inst.capture();
    ASSERT_TRUE(cap);
    inst.write("tracing_on", "1");
    getppid_n(20);
    inst.write("tracing_on", "0");

    ksurf::output::Styles styles;
    ksurf::output::ProcessTable procs;
    std::string out = written([&](FILE *f) {
        auto text = ksurf::output::make_text(f, cap->tep(), styles, true, &procs);
        struct Both : ksurf::capture::Sink {
            Collect c;
            ksurf::output::Formatter *fmt;
            void on_record(const Record &r) override {
                c.on_record(r);
                fmt->event(r);
            }
        } both;
        both.fmt = text.get();
        ASSERT_TRUE(cap->drain(both).has_value());
        text->flush();
        ASSERT_EQ(both.c.seen.size(), 20u);
        for (int d : both.c.stack_depth) EXPECT_GT(d, 0);
    });
    EXPECT_NE(out.find(" sys_enter_getppid:\n => "), std::string::npos) << out.substr(0, 2000);
    EXPECT_NE(out.find("do_syscall_64+0x"), std::string::npos) << out.substr(0, 2000);
    EXPECT_EQ(out.find("kernel_stack"), std::string::npos) << "stack records printed alone";
}

TEST_F(CaptureHost, TextNamesTheProcess) {
    Instance inst;
    ASSERT_TRUE(inst.ok());
    int me = gettid_();
    ASSERT_TRUE(inst.arm_getppid({me}));
    auto cap = inst.capture();
    ASSERT_TRUE(cap);
    inst.write("tracing_on", "1");
    getppid_n(3);
    inst.write("tracing_on", "0");
    ksurf::output::ProcessTable procs(inst.tracefs());
    // The expected name comes from the kernel, not from the table under test.
    std::string comm;
    {
        std::ifstream in("/proc/self/task/" + std::to_string(me) + "/comm");
        std::getline(in, comm);
    }
    ASSERT_FALSE(comm.empty());
    EXPECT_EQ(procs.get(me).comm, comm);
    std::string out = written([&](FILE *f) {
        auto json = ksurf::output::make_json(f, cap->tep(), {}, false, &procs);
        ksurf::output::FormatterSink sink(*json);
        ASSERT_TRUE(cap->drain(sink).has_value());
    });
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 3);
    EXPECT_NE(out.find("\"pid\":" + std::to_string(me) + ",\"comm\":\"" + comm +
                       "\",\"event\":\"syscalls/sys_enter_getppid\",\"fields\":{}}"),
              std::string::npos)
        << out;
}

} // namespace
