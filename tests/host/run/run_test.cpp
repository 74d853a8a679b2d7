// ksurf run on this machine's kernel: where the function tracer is refused
// it falls back to the event-mode timeline (and says so), returns CMD's exit
// status, keeps CMD's quoting, follows children, and leaves tracefs as found.
#include "test_support.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using ksurf::test::run_cmd;
using ksurf::test::run_ksurf;

namespace {

std::string read_top(const std::string &rel) {
    std::ifstream f(ksurf::test::tracefs_dir() + "/" + rel);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

// The top-level files ksurf run may touch, as they are now.
std::string top_state() {
    std::string out;
    for (const char *f :
         {"current_tracer", "tracing_on", "trace_clock", "buffer_size_kb", "set_ftrace_pid",
          "set_event_pid", "set_event", "set_graph_function", "set_ftrace_filter",
          "max_graph_depth", "options/function-fork", "options/event-fork", "buffer_percent"})
        out += std::string("## ") + f + "\n" + read_top(f);
    // Other ksurf runs (another session, a helper's tests) may come and go
    // meanwhile: their ksurf-PID instances are theirs. Each test checks its
    // own run's instance with instance_exists(r.pid); every other instance
    // must be the same before and after.
    for (const auto &i : ksurf::test::list_instances())
        if (!i.starts_with("ksurf-")) out += "instance " + i + "\n";
    return out;
}

bool event_mode(const std::string &out) {
    return out.find("# ksurf run: event mode") != std::string::npos;
}

} // namespace

TEST(Run, LsShowsItsSystemCallsAndSaysWhy) {
    KSURF_REQUIRE_HOST();
    std::string before = top_state();
    auto r = run_ksurf({"run", "--", "ls", "/"}, 60);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_FALSE(ksurf::test::instance_exists(r.pid));
    EXPECT_EQ(top_state(), before);
    EXPECT_NE(r.out.find("proc"), std::string::npos) << "ls's own output is missing";
    if (!event_mode(r.out)) GTEST_SKIP() << "function mode here: covered by the lab";
    // Says which mode and why, on both streams.
    EXPECT_NE(r.err.find("event mode"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("instead"), std::string::npos) << r.out;
    for (const char *call : {"openat(", "getdents64(", "write("})
        EXPECT_NE(r.out.find(call), std::string::npos) << call << "\n" << r.out;
    EXPECT_NE(r.out.find("== ls ["), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(" us  "), std::string::npos) << "no durations\n" << r.out;
    EXPECT_NE(r.out.find("top system calls by total time"), std::string::npos) << r.out;
    // The timeline starts at the exec: the child's wait on the gate is not in it.
    size_t tree = r.out.find("== ls [");
    size_t first = r.out.find("execve(", tree);
    EXPECT_NE(first, std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("rt_sigprocmask(", tree), r.out.find("rt_sigprocmask(", first))
        << "steps before exec are shown";
    EXPECT_NE(r.err.find("lost: none"), std::string::npos) << r.err;
}

TEST(Run, ReturnsTheCommandsExitStatus) {
    KSURF_REQUIRE_HOST();
    auto r = run_ksurf({"run", "--", "sh", "-c", "exit 3"}, 60);
    EXPECT_EQ(r.status, 3) << r.err;
    auto missing = run_ksurf({"run", "--", "/no/such/command"}, 60);
    EXPECT_NE(missing.status, 0);
    EXPECT_NE(missing.err.find("cannot run '/no/such/command'"), std::string::npos) << missing.err;
    EXPECT_FALSE(ksurf::test::instance_exists(missing.pid));
}

TEST(Run, QuotingSurvives) {
    KSURF_REQUIRE_HOST();
    auto r = run_ksurf({"run", "--", "sh", "-c", "echo \"a  b\""}, 60);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out.rfind("a  b\n", 0), 0u) << r.out;
}

TEST(Run, FollowsChildrenUnlessAskedNotTo) {
    KSURF_REQUIRE_HOST();
    std::vector<std::string> cmd = {"--", "sh", "-c", "ls / >/dev/null; cat /proc/version"};
    std::vector<std::string> args = {"run"};
    args.insert(args.end(), cmd.begin(), cmd.end());
    auto r = run_ksurf(args, 60);
    EXPECT_EQ(r.status, 0) << r.err;
    if (!event_mode(r.out)) GTEST_SKIP() << "function mode here: covered by the lab";
    EXPECT_NE(r.out.find("== sh ["), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("== ls ["), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("== cat ["), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("summary: cat ["), std::string::npos) << r.out;
    args = {"run", "--no-children"};
    args.insert(args.end(), cmd.begin(), cmd.end());
    auto only = run_ksurf(args, 60);
    EXPECT_EQ(only.status, 0) << only.err;
    EXPECT_NE(only.out.find("== sh ["), std::string::npos) << only.out;
    EXPECT_EQ(only.out.find("== cat ["), std::string::npos) << only.out;
    EXPECT_NE(only.out.find("wait4("), std::string::npos) << only.out;
}

TEST(Run, JsonHasModeTreesAndSummary) {
    KSURF_REQUIRE_HOST();
    auto r = run_ksurf({"run", "--json", "--", "cat", "/proc/version"}, 60);
    EXPECT_EQ(r.status, 0) << r.err;
    std::string last = r.out.substr(r.out.rfind('\n', r.out.size() - 2) + 1);
    auto j = nlohmann::json::parse(last);
    if (j["mode"] != "events") GTEST_SKIP() << "function mode here";
    EXPECT_FALSE(j["reason"].get<std::string>().empty());
    ASSERT_FALSE(j["threads"].empty());
    bool read = false;
    for (const auto &c : j["threads"][0]["calls"])
        if (c["name"] == "read" && c.contains("ret") && c["duration_us"].get<double>() >= 0)
            read = true;
    EXPECT_TRUE(read) << j.dump(1);
    ASSERT_FALSE(j["summary"].empty());
    EXPECT_EQ(j["summary"][0]["comm"], "cat");
    EXPECT_FALSE(j["summary"][0]["top"].empty());
}

TEST(Run, FilterPicksSystemCallsInEventMode) {
    KSURF_REQUIRE_HOST();
    auto r = run_ksurf({"run", "--filter", "open*", "--", "cat", "/proc/version"}, 60);
    EXPECT_EQ(r.status, 0) << r.err;
    if (!event_mode(r.out)) GTEST_SKIP() << "function mode here";
    EXPECT_NE(r.out.find("openat("), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find(" read("), std::string::npos) << r.out;
}

TEST(Run, FoldedAndSvgFlameGraph) {
    KSURF_REQUIRE_HOST();
    std::string svg = "/tmp/ksurf-run-test-" + std::to_string(getpid()) + ".svg";
    auto r = run_ksurf({"run", "--folded", "--svg", svg, "--", "ls", "/"}, 60);
    EXPECT_EQ(r.status, 0) << r.err;
    // Folded lines: "ls-123;openat 4567".
    size_t stacks = 0;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);)
        if (line.starts_with("ls-") && line.find(';') != std::string::npos) {
            ++stacks;
            EXPECT_NE(line.find_last_of(' '), std::string::npos);
            EXPECT_GT(std::stoull(line.substr(line.find_last_of(' ') + 1)), 0u) << line;
        }
    EXPECT_GT(stacks, 3u) << r.out;
    // A real XML parser must accept the SVG.
    auto xml = run_cmd({"xmllint", "--noout", svg});
    if (xml.status == 127)
        xml = run_cmd({"python3", "-c",
                       "import sys,xml.etree.ElementTree as E; "
                       "r=E.parse(sys.argv[1]).getroot(); "
                       "assert r.tag.endswith('svg'), r.tag",
                       svg});
    EXPECT_EQ(xml.status, 0) << xml.err;
    std::ifstream f(svg);
    std::stringstream s;
    s << f.rdbuf();
    EXPECT_NE(s.str().find("<title>"), std::string::npos);
    EXPECT_NE(s.str().find("<rect"), std::string::npos);
    std::remove(svg.c_str());
}

TEST(Run, SigintStopsTheCommandAndRestoresEverything) {
    KSURF_REQUIRE_HOST();
    std::string before = top_state();
    auto start = std::chrono::steady_clock::now();
    pid_t ksurf = fork();
    if (ksurf == 0) {
        int null = ::open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execl(KSURF_BIN, KSURF_BIN, "run", "--", "sleep", "30", static_cast<char *>(nullptr));
        _exit(127);
    }
    // Wait until the command runs (sleep under ksurf), then interrupt ksurf.
    pid_t sleeper = 0;
    for (int i = 0; i < 100 && !sleeper; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        auto ps = run_cmd({"pgrep", "-P", std::to_string(ksurf), "-x", "sleep"});
        if (ps.status == 0) sleeper = std::stoi(ps.out);
    }
    ASSERT_GT(sleeper, 0) << "the command did not start";
    kill(ksurf, SIGINT);
    int st = 0;
    waitpid(ksurf, &st, 0);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
    EXPECT_NE(kill(sleeper, 0), 0) << "the command outlived ksurf";
    EXPECT_FALSE(ksurf::test::instance_exists(ksurf));
    EXPECT_EQ(top_state(), before);
}

// Past --tree-limit the trees stop with a note, and the summary still counts
// every call; nothing is lost at the default buffer size.
TEST(Run, TreesStopAtTheLimitAndTheSummaryCountsEverything) {
    KSURF_REQUIRE_HOST();
    std::string before = top_state();
    std::string loop = std::string(KSURF_USER_FIXTURE_DIR) + "/getppid_loop";
    auto r = run_ksurf({"run", "--tree-limit", "1000", "--", loop, "20000"}, 120);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_FALSE(ksurf::test::instance_exists(r.pid));
    EXPECT_EQ(top_state(), before);
    if (!event_mode(r.out)) GTEST_SKIP() << "function mode here: covered by the lab";
    EXPECT_NE(r.err.find("lost: none"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("# the trees stop at"), std::string::npos) << r.out.substr(0, 2000);
    size_t shown = 0;
    for (size_t at = r.out.find("getppid("); at != std::string::npos;
         at = r.out.find("getppid(", at + 1))
        ++shown;
    EXPECT_LE(shown, 1100u);
    // The summary's getppid row: CALLS first, the name last.
    std::istringstream in(r.out);
    uint64_t calls = 0;
    for (std::string line; std::getline(in, line);) {
        std::istringstream words(line);
        std::vector<std::string> w;
        for (std::string x; words >> x;) w.push_back(x);
        if (w.size() > 2 && w.back() == "getppid" &&
            std::isdigit(static_cast<unsigned char>(w[0][0]))) {
            calls = std::stoull(w[0]);
            break;
        }
    }
    EXPECT_EQ(calls, 20000u) << r.out.substr(r.out.find("# the trees stop"));

    auto j = run_ksurf({"run", "--json", "--tree-limit", "1000", "--", loop, "2000"}, 120);
    EXPECT_EQ(j.status, 0) << j.err;
    auto doc = nlohmann::json::parse(j.out.substr(j.out.find('{')));
    ASSERT_TRUE(doc.contains("trees_cut")) << j.out.substr(0, 500);
    EXPECT_EQ(doc["trees_cut"]["limit"], 1000);
    EXPECT_GT(doc["trees_cut"]["not_shown"].get<uint64_t>(), 1000u);
}
