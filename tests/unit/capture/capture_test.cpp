// Capture over a fake tracefs directory: formats and header_page as text,
// each CPU's trace_pipe_raw a plain file of hand-built ring-buffer pages.
#include "capture/buffer_size.h"
#include "capture/capture.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <string>
#include <unistd.h>
#include <vector>

extern "C" {
#include <traceevent/event-parse.h>
}

namespace {

namespace fs = std::filesystem;
using ksurf::capture::Capture;
using ksurf::capture::Record;

const char *kHeaderPage = "\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n"
                          "\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n"
                          "\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n"
                          "\tfield: char data;\toffset:16;\tsize:4080;\tsigned:0;\n";

const char *kCommon = "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
                      "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
                      "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
                      "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n";

constexpr int kEv = 500, kStack = 4;
constexpr size_t kPage = 4096;

// One ring-buffer sub-buffer: 16-byte header, then events with 27-bit deltas.
class PageBuilder {
  public:
    explicit PageBuilder(uint64_t base) : page_(kPage, 0), last_(base) {
        std::memcpy(page_.data(), &base, 8);
    }
    void add(uint64_t ts, const std::vector<char> &data) {
        uint64_t delta = ts - last_;
        last_ = ts;
        if (delta >= (1u << 27)) {
            put32(30u | static_cast<uint32_t>((delta & ((1u << 27) - 1)) << 5));
            put32(static_cast<uint32_t>(delta >> 27));
            delta = 0;
        }
        size_t len = (data.size() + 3) & ~size_t(3);
        put32(static_cast<uint32_t>(len / 4) | static_cast<uint32_t>(delta << 5));
        std::memcpy(page_.data() + off_, data.data(), data.size());
        off_ += len;
    }
    std::vector<char> done(bool missed = false) {
        uint64_t commit = off_ - 16;
        if (missed) commit |= 1ull << 31; // RB_MISSED_EVENTS
        std::memcpy(page_.data() + 8, &commit, 8);
        return page_;
    }

  private:
    void put32(uint32_t v) {
        std::memcpy(page_.data() + off_, &v, 4);
        off_ += 4;
    }
    std::vector<char> page_;
    size_t off_ = 16;
    uint64_t last_;
};

std::vector<char> ev(uint32_t seq, int pid = 42) {
    std::vector<char> d(16, 0);
    uint16_t type = kEv;
    std::memcpy(d.data(), &type, 2);
    std::memcpy(d.data() + 4, &pid, 4);
    std::memcpy(d.data() + 8, &seq, 4);
    return d;
}

std::vector<char> raw_event(uint16_t type) {
    std::vector<char> d(16, 0);
    std::memcpy(d.data(), &type, 2);
    return d;
}

std::vector<char> stack(std::vector<uint64_t> callers) {
    std::vector<char> d(16 + callers.size() * 8, 0);
    uint16_t type = kStack;
    std::memcpy(d.data(), &type, 2);
    int n = static_cast<int>(callers.size());
    std::memcpy(d.data() + 8, &n, 4);
    std::memcpy(d.data() + 16, callers.data(), callers.size() * 8);
    return d;
}

class FakeTracefs {
  public:
    FakeTracefs() {
        root_ = fs::temp_directory_path() / ("ksurf-capture-test-" + std::to_string(getpid()));
        fs::remove_all(root_);
        fs::create_directories(root_ / "events" / "test" / "ev");
        fs::create_directories(root_ / "events" / "ftrace" / "kernel_stack");
        write("events/header_page", kHeaderPage);
        write("events/test/ev/format",
              std::string("name: ev\nID: ") + std::to_string(kEv) + "\nformat:\n" + kCommon +
                  "\tfield:u32 seq;\toffset:8;\tsize:4;\tsigned:0;\n\nprint fmt: \"seq=%u\", "
                  "REC->seq\n");
        write("events/ftrace/kernel_stack/format",
              std::string("name: kernel_stack\nID: 4\nformat:\n") + kCommon +
                  "\tfield:int size;\toffset:8;\tsize:4;\tsigned:1;\n"
                  "\tfield:unsigned long caller[8];\toffset:16;\tsize:64;\tsigned:0;\n\n"
                  "print fmt: \"\\t=> %ps\\n\", (void *)REC->caller[0]\n");
    }
    ~FakeTracefs() { fs::remove_all(root_); }
    void write(const std::string &rel, const std::string &text) {
        fs::create_directories((root_ / rel).parent_path());
        std::ofstream(root_ / rel) << text;
    }
    void pages(int cpu, const std::vector<std::vector<char>> &pages) {
        fs::path p = root_ / "per_cpu" / ("cpu" + std::to_string(cpu));
        fs::create_directories(p);
        std::ofstream f(p / "trace_pipe_raw", std::ios::binary);
        for (const auto &pg : pages) f.write(pg.data(), static_cast<std::streamsize>(pg.size()));
    }
    std::string dir() const { return root_.string(); }

  private:
    fs::path root_;
};

struct Collect : ksurf::capture::Sink {
    struct Seen {
        uint32_t seq;
        uint64_t ts;
        int cpu;
        int stack_depth;
    };
    std::vector<Seen> seen;
    void on_record(const Record &r) override {
        uint32_t seq = 0;
        std::memcpy(&seq, static_cast<const char *>(r.rec->data) + 8, 4);
        int depth = -1;
        if (r.stack) std::memcpy(&depth, static_cast<const char *>(r.stack->rec->data) + 8, 4);
        EXPECT_EQ(r.ts, r.rec->ts);
        EXPECT_EQ(r.cpu, r.rec->cpu);
        seen.push_back({seq, r.ts, r.cpu, depth});
    }
};

std::unique_ptr<Capture> open_fake(const FakeTracefs &t, std::vector<int> cpus = {0, 1}) {
    Capture::Options o;
    o.cpus = std::move(cpus);
    auto c = Capture::open(t.dir(), t.dir(), {{"test", "ev"}}, o);
    EXPECT_TRUE(c.has_value()) << (c ? "" : c.error().str());
    return c ? std::move(*c) : nullptr;
}

TEST(Capture, DrainMergesCpusInTimestampOrder) {
    FakeTracefs t;
    PageBuilder a(100), a2(700), b(200);
    a.add(100, ev(1));
    a.add(300, ev(3));
    a.add(500, ev(5));
    a2.add(700, ev(7));
    a2.add(800, ev(8)); // same time as cpu1's 8: cpu0 first
    b.add(200, ev(2));
    b.add(400, ev(4));
    b.add(600, ev(6));
    b.add(800, ev(9));
    b.add(800 + (1ull << 28), ev(10)); // needs a time extend
    t.pages(0, {a.done(), a2.done()});
    t.pages(1, {b.done()});
    auto cap = open_fake(t);
    ASSERT_TRUE(cap);
    Collect c;
    auto n = cap->drain(c);
    ASSERT_TRUE(n.has_value());
    EXPECT_EQ(*n, 10u);
    EXPECT_EQ(cap->records_read(), 10u);
    ASSERT_EQ(c.seen.size(), 10u);
    for (uint32_t i = 0; i < 10; ++i) EXPECT_EQ(c.seen[i].seq, i + 1) << "at " << i;
    EXPECT_EQ(c.seen[7].cpu, 0);
    EXPECT_EQ(c.seen[8].cpu, 1);
    EXPECT_EQ(c.seen[9].ts, 800 + (1ull << 28));
}

TEST(Capture, StackRecordsAttachToTheEventBeforeThemAcrossPages) {
    FakeTracefs t;
    PageBuilder p1(10), p2(11);
    p1.add(10, ev(1));
    p1.add(10, stack({0xffffffff81000000ull, 0xffffffff81000010ull}));
    p1.add(11, ev(2)); // its stack begins the next page
    p2.add(11, stack({1, 2, 3}));
    p2.add(12, ev(3)); // no stack
    t.pages(0, {p1.done(), p2.done()});
    t.pages(1, {});
    auto cap = open_fake(t);
    ASSERT_TRUE(cap);
    Collect c;
    ASSERT_TRUE(cap->drain(c).has_value());
    ASSERT_EQ(c.seen.size(), 3u);
    EXPECT_EQ(c.seen[0].stack_depth, 2);
    EXPECT_EQ(c.seen[1].stack_depth, 3);
    EXPECT_EQ(c.seen[2].stack_depth, -1);
}

TEST(Capture, UnknownEventsAreCountedNotDelivered) {
    FakeTracefs t;
    PageBuilder p(1);
    p.add(1, ev(1));
    p.add(2, raw_event(999));
    p.add(3, ev(2));
    t.pages(0, {p.done(true)});
    auto cap = open_fake(t, {0});
    ASSERT_TRUE(cap);
    Collect c;
    ASSERT_TRUE(cap->drain(c).has_value());
    EXPECT_EQ(c.seen.size(), 2u);
    EXPECT_EQ(cap->unknown_records(), 1u);
    EXPECT_EQ(cap->missed_events(), 1u); // the page said events were lost before it
}

TEST(Capture, PollHoldsBackUntilEveryCpuHasBeenReadPastTheRecord) {
    // No trace_clock file: the watermark is what the previous round saw.
    FakeTracefs t;
    PageBuilder a(100), b(150);
    a.add(100, ev(1));
    a.add(200, ev(3));
    b.add(150, ev(2));
    t.pages(0, {a.done()});
    t.pages(1, {b.done()});
    auto cap = open_fake(t);
    ASSERT_TRUE(cap);
    Collect c;
    auto first = cap->poll(0, c);
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(*first, 0u);
    auto second = cap->poll(0, c);
    ASSERT_TRUE(second.has_value());
    EXPECT_EQ(*second, 3u);
    ASSERT_EQ(c.seen.size(), 3u);
    EXPECT_EQ(c.seen[1].seq, 2u);
}

TEST(Capture, PollWithMonoClockDeliversRecordsOlderThanTheHoldback) {
    FakeTracefs t;
    t.write("trace_clock", "local global counter uptime perf [mono] mono_raw boot\n");
    PageBuilder a(100);
    a.add(100, ev(1));
    a.add(200, ev(2));
    t.pages(0, {a.done()});
    t.pages(1, {});
    auto cap = open_fake(t);
    ASSERT_TRUE(cap);
    Collect c;
    auto n = cap->poll(0, c);
    ASSERT_TRUE(n.has_value());
    EXPECT_EQ(*n, 2u);
}

TEST(Capture, ManyPagesWithASmallPageCapStayInOrder) {
    FakeTracefs t;
    std::vector<std::vector<char>> p0, p1;
    uint32_t seq = 0;
    uint64_t ts = 1000;
    for (int page = 0; page < 20; ++page) {
        PageBuilder a(ts), b(ts + 1);
        for (int i = 0; i < 100; ++i) {
            a.add(ts, ev(seq++));
            b.add(ts + 1, ev(seq++));
            ts += 2;
        }
        p0.push_back(a.done());
        p1.push_back(b.done());
    }
    t.pages(0, p0);
    t.pages(1, p1);
    Capture::Options o;
    o.cpus = {0, 1};
    o.max_pages_per_cpu = 3;
    auto cap = Capture::open(t.dir(), t.dir(), {{"test", "ev"}}, o);
    ASSERT_TRUE(cap.has_value());
    Collect c;
    ASSERT_TRUE((*cap)->drain(c).has_value());
    ASSERT_EQ(c.seen.size(), 4000u);
    for (uint32_t i = 0; i < 4000; ++i) ASSERT_EQ(c.seen[i].seq, i);
}

TEST(Capture, StatsParsePerCpuFiles) {
    FakeTracefs t;
    t.pages(0, {});
    t.write("per_cpu/cpu0/stats", "entries: 5\noverrun: 12\ncommit overrun: 1\nbytes: 100\n"
                                  "oldest event ts:     1.000000\nnow ts:   2.000000\n"
                                  "dropped events: 3\nread events: 7\n");
    auto cap = open_fake(t, {0});
    ASSERT_TRUE(cap);
    auto s = cap->stats();
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].entries, 5u);
    EXPECT_EQ(s[0].overrun, 12u);
    EXPECT_EQ(s[0].commit_overrun, 1u);
    EXPECT_EQ(s[0].dropped, 3u);
    EXPECT_EQ(s[0].read_events, 7u);
    EXPECT_EQ(s[0].lost(), 16u);
}

TEST(Capture, MissingEventIsAnError) {
    FakeTracefs t;
    t.pages(0, {});
    Capture::Options o;
    o.cpus = {0};
    auto cap = Capture::open(t.dir(), t.dir(), {{"nope", "nothing"}}, o);
    ASSERT_FALSE(cap.has_value());
    EXPECT_NE(cap.error().message.find("nope/nothing"), std::string::npos);
}

} // namespace

// The default buffer: 1/64 of MemAvailable over the CPUs, within bounds.
TEST(BufferSize, ScalesWithMemoryAndCpusWithinBounds) {
    using namespace ksurf::capture;
    EXPECT_EQ(default_buffer_kb(2, 23397304), kMaxDefaultKb);         // 24 GB, 2 CPUs: the cap
    EXPECT_EQ(default_buffer_kb(4, 4 * 1024 * 1024), 16384u);         // 4 GB / 64 / 4
    EXPECT_EQ(default_buffer_kb(8, 4 * 1024 * 1024), 8192u);          // twice the CPUs: half
    EXPECT_EQ(default_buffer_kb(64, 2 * 1024 * 1024), kMinDefaultKb); // never below the kernel's
    EXPECT_EQ(default_buffer_kb(0, 1024 * 1024), 16384u);             // 0 CPUs read as 1
    EXPECT_EQ(default_buffer_kb(2, 0), kFallbackKb);                  // unknown memory
    EXPECT_EQ(mem_available_kb("MemTotal:       24684084 kB\n"
                               "MemFree:        1000 kB\n"
                               "MemAvailable:   23397304 kB\n"),
              23397304u);
    EXPECT_EQ(mem_available_kb("MemTotal: 5 kB\n"), 0u);
    EXPECT_EQ(mem_available_kb("XMemAvailable: 5 kB\n"), 0u);
    EXPECT_GE(default_buffer_kb(), kMinDefaultKb);
    EXPECT_LE(default_buffer_kb(), kMaxDefaultKb);
}
