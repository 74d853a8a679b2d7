// ksurf's text against the kernel's own: one private instance records
// sched_switch, softirq_entry and hrtimer_start; its `trace` file is read
// (the kernel's rendering) and then its trace_pipe_raw is decoded and
// printed by ksurf's text formatter. The same records (same CPU, pid,
// microsecond and event) must read the same, column by column and field by
// field.
#include "capture/capture.h"
#include "output/output.h"
#include "test_support.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <map>
#include <netinet/in.h>
#include <regex>
#include <sstream>
#include <string>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <tuple>
#include <unistd.h>
#include <vector>

namespace {

using ksurf::capture::Capture;

using ksurf::test::write_file;

std::string read_all(const std::string &path) {
    std::string out;
    FILE *f = std::fopen(path.c_str(), "r");
    if (!f) return out;
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    std::fclose(f);
    return out;
}

// One line of trace text, cut into its columns.
struct Line {
    int pid = 0, cpu = 0;
    std::string flags, ts, event, info;
};

// "   comm-pid  [cpu] flags  secs.usecs: event: info", comm may hold spaces and dashes.
std::vector<Line> parse(const std::string &text) {
    static const std::regex re(R"(^.*-(\d+) +\[(\d+)\] (\S{5}) +(\d+\.\d{6}): (\w+): (.*)$)");
    std::vector<Line> out;
    std::istringstream in(text);
    std::string l;
    std::smatch m;
    while (std::getline(in, l)) {
        if (l.starts_with("#") || !std::regex_match(l, m, re)) continue;
        out.push_back({std::stoi(m[1]), std::stoi(m[2]), m[3], m[4], m[5], m[6]});
    }
    return out;
}

std::vector<std::string> words(const std::string &s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    std::string w;
    while (in >> w) out.push_back(w);
    return out;
}

// The kernel prints %p without "0x" (and hashed unless options/hash-ptr is
// off); ksurf prints the address as 0x...: the same number either way.
bool same_word(const std::string &kernel, const std::string &ours) {
    if (kernel == ours) return true;
    auto eq = kernel.find('=');
    if (eq == std::string::npos || ours.compare(0, eq + 1, kernel, 0, eq + 1) != 0) return false;
    std::string k = kernel.substr(eq + 1), o = ours.substr(eq + 1);
    if (!o.starts_with("0x") || k.empty()) return false;
    char *end = nullptr;
    unsigned long long kv = std::strtoull(k.c_str(), &end, 16);
    if (*end) return false;
    return kv == std::strtoull(o.c_str() + 2, nullptr, 16);
}

struct Formatted : ksurf::capture::Sink {
    ksurf::output::Formatter *f = nullptr;
    void on_record(const ksurf::capture::Record &r) override { f->event(r); }
};

class TraceText : public ::testing::Test {
  protected:
    void SetUp() override {
        KSURF_REQUIRE_HOST();
        tracefs_ = ksurf::test::tracefs_dir();
        dir_ = tracefs_ + "/instances/ksurf-test-text-" + std::to_string(getpid());
        ASSERT_EQ(::mkdir(dir_.c_str(), 0755), 0) << dir_ << ": " << std::strerror(errno);
        made_ = true;
        write("tracing_on", "0");
        write("buffer_size_kb", "2048");
        // Real addresses in the kernel's %p, so that hrtimer= can be compared too.
        hash_ptr_off_ = write("options/hash-ptr", "0");
    }
    void TearDown() override {
        if (!made_) return;
        write("tracing_on", "0");
        write("events/enable", "0");
        EXPECT_EQ(::rmdir(dir_.c_str()), 0) << "instance left behind: " << dir_;
    }
    bool write(const std::string &rel, const std::string &text) {
        return write_file(dir_ + "/" + rel, text);
    }

    std::string tracefs_, dir_;
    bool made_ = false, hash_ptr_off_ = false;
};

// Sleeps (hrtimer_start of hrtimer_wakeup, mode REL; sched_switch with
// prev_state=S) and loopback packets (a NET_RX softirq); the tick adds
// timer and RCU softirqs.
void make_activity() {
    int rx = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int tx = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    bool net = rx >= 0 && tx >= 0 && ::bind(rx, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0 &&
               ::getsockname(rx, reinterpret_cast<sockaddr *>(&a), &len) == 0;
    for (int i = 0; i < 20; ++i) {
        if (net) ::sendto(tx, "x", 1, 0, reinterpret_cast<sockaddr *>(&a), sizeof a);
        timespec t{0, 5 * 1000 * 1000};
        ::nanosleep(&t, nullptr);
    }
    if (rx >= 0) ::close(rx);
    if (tx >= 0) ::close(tx);
}

TEST_F(TraceText, SameRecordsReadAsTheKernelPrintsThem) {
    const std::vector<ksurf::capture::EventRef> wanted = {
        {"sched", "sched_switch"}, {"irq", "softirq_entry"}, {"timer", "hrtimer_start"}};
    std::vector<ksurf::capture::EventRef> events;
    std::string missing;
    for (const auto &e : wanted) {
        if (::access((tracefs_ + "/events/" + e.system + "/" + e.name + "/format").c_str(), R_OK)) {
            missing += " " + e.system + "/" + e.name;
            continue;
        }
        ASSERT_TRUE(write("events/" + e.system + "/" + e.name + "/enable", "1")) << e.name;
        events.push_back(e);
    }
    if (events.empty()) GTEST_SKIP() << "this kernel has none of:" << missing;
    if (!missing.empty()) std::printf("not compared (no such event here):%s\n", missing.c_str());

    ASSERT_TRUE(write("tracing_on", "1"));
    make_activity();
    ASSERT_TRUE(write("tracing_on", "0"));

    // The kernel's rendering first: reading `trace` does not consume the buffer.
    auto kernel = parse(read_all(dir_ + "/trace"));
    ASSERT_FALSE(kernel.empty()) << "the instance's trace file has no records";

    auto cap = Capture::open(tracefs_, dir_, events);
    ASSERT_TRUE(cap.has_value()) << cap.error().str();
    char *buf = nullptr;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    {
        ksurf::output::Styles styles;
        ksurf::output::ProcessTable procs(tracefs_);
        auto text = ksurf::output::make_text(mem, (*cap)->tep(), styles, false, &procs);
        Formatted sink;
        sink.f = text.get();
        ASSERT_TRUE((*cap)->drain(sink).has_value());
        text->flush();
    }
    std::fclose(mem);
    std::string ours_text(buf, len);
    std::free(buf);
    auto ours = parse(ours_text);
    ASSERT_FALSE(ours.empty()) << "ksurf decoded no records from the instance";

    // Records by (cpu, pid, time, event), in order within a key.
    using Key = std::tuple<int, int, std::string, std::string>;
    std::map<Key, std::vector<const Line *>> by_key;
    for (const auto &l : ours) by_key[{l.cpu, l.pid, l.ts, l.event}].push_back(&l);
    std::map<Key, size_t> used;
    std::map<std::string, int> compared;
    int mismatches = 0;
    for (const auto &k : kernel) {
        Key key{k.cpu, k.pid, k.ts, k.event};
        auto it = by_key.find(key);
        if (it == by_key.end() || used[key] >= it->second.size()) continue;
        const Line &o = *it->second[used[key]++];
        ++compared[k.event];
        auto kw = words(k.info), ow = words(o.info);
        bool same = k.flags == o.flags && kw.size() == ow.size();
        for (size_t i = 0; same && i < kw.size(); ++i)
            same = same_word(kw[i], ow[i]) || (!hash_ptr_off_ && kw[i].starts_with("hrtimer="));
        if (!same && ++mismatches <= 5)
            ADD_FAILURE() << k.event << " at " << k.ts << " on cpu " << k.cpu
                          << ":\n  kernel: " << k.flags << " " << k.info
                          << "\n  ksurf:  " << o.flags << " " << o.info;
    }
    EXPECT_EQ(mismatches, 0);
    // Every record the kernel printed is found in ksurf's text at the same
    // cpu, pid and time: a time printed differently (ksurf truncated to the
    // microsecond where the kernel rounds) leaves records unpaired.
    size_t paired = 0;
    for (const auto &[event, n] : compared) paired += static_cast<size_t>(n);
    EXPECT_EQ(paired, kernel.size()) << "kernel records without a twin in ksurf's text";
    for (const auto &e : events) {
        EXPECT_GT(compared[e.name], 0)
            << "no record of " << e.name << " was found in both renderings (kernel "
            << kernel.size() << " lines, ksurf " << ours.size() << ")";
        std::printf("%s: %d records compared\n", e.name.c_str(), compared[e.name]);
    }
    // What the kernel's print fmts say and raw fields would not.
    bool state = false, action = false, function = false;
    for (const auto &l : ours) {
        state = state || (l.event == "sched_switch" && l.info.find(" ==> ") != std::string::npos &&
                          std::regex_search(l.info, std::regex(" prev_state=[A-Z]")));
        action = action || (l.event == "softirq_entry" &&
                            std::regex_search(l.info, std::regex(R"(\[action=[A-Z_]+\])")));
        function = function || (l.event == "hrtimer_start" &&
                                l.info.find("function=hrtimer_wakeup") != std::string::npos &&
                                std::regex_search(l.info, std::regex(" mode=(REL|ABS)")));
    }
    auto armed = [&](const char *name) {
        for (const auto &e : events)
            if (e.name == name) return true;
        return false;
    };
    EXPECT_TRUE(state || !armed("sched_switch"))
        << "no sched_switch with prev_state letters and ==>";
    EXPECT_TRUE(action || !armed("softirq_entry")) << "no softirq_entry with [action=NAME]";
    EXPECT_TRUE(function || !armed("hrtimer_start"))
        << "no hrtimer_start naming hrtimer_wakeup with a mode";
}

} // namespace
