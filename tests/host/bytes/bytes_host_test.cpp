// Issue 10 on the real kernel: hostile process names, outputs that cannot be
// written, and owners that are dead without being gone (zombies, reused pids).
#include "test_support.h"
#include "tracefs/session.h"
#include "util/bytes.h"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/klog.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace {

using ksurf::test::instance_exists;
using ksurf::test::run_ksurf;

const std::string kBadName = "bad\xff\xfe\x80name";

// The helper process: this test binary started with KSURF_BYTES_HELPER=1 names
// itself with bytes that are not UTF-8, then calls syslog(SIZE_BUFFER) and
// getppid, before gtest ever runs.
[[maybe_unused]] const bool kHelper = [] {
    if (!std::getenv("KSURF_BYTES_HELPER")) return false;
    ::prctl(PR_SET_NAME, kBadName.c_str());
    ::klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, nullptr, 0);
    (void)::getppid();
    std::_Exit(0);
}();

std::string self_exe() {
    char buf[4096];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

struct HelperEnv {
    HelperEnv() { ::setenv("KSURF_BYTES_HELPER", "1", 1); }
    ~HelperEnv() { ::unsetenv("KSURF_BYTES_HELPER"); }
};

std::vector<std::string> lines_of(const std::string &s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);)
        if (!l.empty()) out.push_back(l);
    return out;
}

// Every line is one JSON document that a strict parser takes (nlohmann
// rejects invalid UTF-8); returns them.
std::vector<nlohmann::json> parse_lines(const std::string &out) {
    std::vector<nlohmann::json> docs;
    for (const auto &l : lines_of(out)) {
        EXPECT_TRUE(ksurf::valid_utf8(l)) << l;
        try {
            docs.push_back(nlohmann::json::parse(l));
        } catch (const std::exception &e) {
            ADD_FAILURE() << "not JSON: " << l << ": " << e.what();
        }
    }
    return docs;
}

bool has_raw_name(const nlohmann::json &j, const char *key) {
    return j.is_object() && j.contains(key) && j[key].is_string() &&
           ksurf::unescape_bytes(j[key].get<std::string>()) == kBadName;
}

TEST(HostileNames, WhoJsonIsStrictUtf8AndKeepsTheBytes) {
    KSURF_REQUIRE_HOST();
    HelperEnv env;
    auto r = run_ksurf({"who", "syslog", "--json", "--", self_exe()}, 60);
    ASSERT_EQ(r.status, 0) << r.err;
    auto docs = parse_lines(r.out);
    bool call = false, table = false;
    for (const auto &d : docs) {
        call |= has_raw_name(d, "comm") && d.value("call", "") == "syslog";
        if (d.contains("processes"))
            for (const auto &p : d["processes"]) table |= has_raw_name(p, "comm");
    }
    EXPECT_TRUE(call) << r.out;
    EXPECT_TRUE(table) << r.out;
    EXPECT_FALSE(instance_exists(r.pid));
}

TEST(HostileNames, EventJsonIsStrictUtf8AndKeepsTheBytes) {
    KSURF_REQUIRE_HOST();
    HelperEnv env;
    auto r = run_ksurf({"e syscalls/sys_enter_getppid", "--json", "--", self_exe()}, 60);
    ASSERT_EQ(r.status, 0) << r.err;
    bool seen = false;
    for (const auto &d : parse_lines(r.out)) seen |= has_raw_name(d, "comm");
    EXPECT_TRUE(seen) << r.out;
    // The summary on stderr is JSON too.
    EXPECT_NE(r.err.find("\"events\":"), std::string::npos) << r.err;
    EXPECT_FALSE(instance_exists(r.pid));
}

TEST(HostileNames, TextShowsEscapesNotRawBytes) {
    KSURF_REQUIRE_HOST();
    HelperEnv env;
    auto r = run_ksurf({"e syscalls/sys_enter_getppid", "--", self_exe()}, 60);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(ksurf::valid_utf8(r.out));
    EXPECT_NE(r.out.find(R"(bad\xff\xfe\x80name-)"), std::string::npos) << r.out;
    auto w = run_ksurf({"who", "syslog", "--", self_exe()}, 60);
    ASSERT_EQ(w.status, 0) << w.err;
    EXPECT_TRUE(ksurf::valid_utf8(w.out));
    EXPECT_NE(w.out.find(R"(bad\xff\xfe\x80name)"), std::string::npos) << w.out;
}

// count/hist/lat keys are process names too: their JSON parses strictly and
// keeps the bytes, their text shows escapes.
TEST(HostileNames, CountKeysAreEscapedInJsonAndText) {
    KSURF_REQUIRE_HOST();
    HelperEnv env;
    auto j = run_ksurf(
        {"count", "e syscalls/sys_enter_getppid", "--by", "comm", "--json", "--", self_exe()}, 60);
    ASSERT_EQ(j.status, 0) << j.err;
    bool seen = false;
    for (const auto &d : parse_lines(j.out))
        if (d.contains("rows"))
            for (const auto &row : d["rows"]) seen |= has_raw_name(row["key"], "comm");
    EXPECT_TRUE(seen) << j.out;
    EXPECT_FALSE(instance_exists(j.pid));
    auto t =
        run_ksurf({"count", "e syscalls/sys_enter_getppid", "--by", "comm", "--", self_exe()}, 60);
    ASSERT_EQ(t.status, 0) << t.err;
    EXPECT_TRUE(ksurf::valid_utf8(t.out)) << t.out;
    EXPECT_NE(t.out.find(R"(bad\xff\xfe\x80name)"), std::string::npos) << t.out;
}

// Runs ksurf with standard output on `out_path`; stderr is returned.
ksurf::test::RunResult run_ksurf_to(const std::string &out_path,
                                    const std::vector<std::string> &args) {
    ksurf::test::RunResult r;
    char err_path[] = "/tmp/ksurf-bytes-err-XXXXXX";
    int err = ::mkstemp(err_path);
    if (err < 0) return r;
    pid_t pid = ::fork();
    if (pid == 0) {
        int out = ::open(out_path.c_str(), O_WRONLY);
        if (out < 0) _exit(126);
        ::dup2(out, 1);
        ::dup2(err, 2);
        std::vector<char *> argv{const_cast<char *>(KSURF_BIN)};
        for (const auto &a : args) argv.push_back(const_cast<char *>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(KSURF_BIN, argv.data());
        _exit(127);
    }
    r.pid = pid;
    int st = 0;
    ::waitpid(pid, &st, 0);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    std::ifstream in(err_path);
    r.err.assign(std::istreambuf_iterator<char>(in), {});
    ::close(err);
    ::unlink(err_path);
    return r;
}

constexpr int kExitOutput = 74; // README: the output could not be written

bool have_dev_full() {
    struct stat sb {};
    return ::stat("/dev/full", &sb) == 0 && S_ISCHR(sb.st_mode);
}

TEST(OutputFailures, FullStdoutFailsTheRunAndTearsDown) {
    KSURF_REQUIRE_HOST();
    if (!have_dev_full()) GTEST_SKIP() << "no /dev/full device here";
    HelperEnv env; // the helper calls getppid: there is an event to write
    for (bool json : {false, true}) {
        std::vector<std::string> args{"e syscalls/sys_enter_getppid"};
        if (json) args.push_back("--json");
        args.push_back("--");
        args.push_back(self_exe());
        auto r = run_ksurf_to("/dev/full", args);
        EXPECT_EQ(r.status, kExitOutput) << r.err;
        EXPECT_NE(r.err.find("cannot write standard output: No space left on device (ENOSPC)"),
                  std::string::npos)
            << r.err;
        EXPECT_FALSE(instance_exists(r.pid));
    }
    auto w = run_ksurf_to("/dev/full", {"who", "getppid", "--json", "--", self_exe()});
    EXPECT_EQ(w.status, kExitOutput) << w.err;
    EXPECT_NE(w.err.find("cannot write standard output"), std::string::npos) << w.err;
    EXPECT_FALSE(instance_exists(w.pid));
}

TEST(OutputFailures, ListingsAndScriptsToAFullDiskFail) {
    KSURF_REQUIRE_HOST();
    if (!have_dev_full()) GTEST_SKIP() << "no /dev/full device here";
    auto l = run_ksurf_to("/dev/full", {"list", "events", "syscalls/*", "--json"});
    EXPECT_EQ(l.status, kExitOutput) << l.err;
    EXPECT_NE(l.err.find("No space left on device"), std::string::npos) << l.err;
    auto o = run_ksurf({"e syscalls/sys_enter_getppid", "-o", "/dev/full"});
    EXPECT_EQ(o.status, kExitOutput) << o.err;
    EXPECT_NE(o.err.find("cannot write /dev/full"), std::string::npos) << o.err;
    // A script cut short is removed only when it is a regular file.
    struct stat sb {};
    ASSERT_EQ(::stat("/dev/full", &sb), 0);
    EXPECT_TRUE(S_ISCHR(sb.st_mode)) << "ksurf -o removed or replaced /dev/full";
}

TEST(OutputFailures, SvgToAFullDiskFailsTheRun) {
    KSURF_REQUIRE_HOST();
    if (!have_dev_full()) GTEST_SKIP() << "no /dev/full device here";
    auto r = run_ksurf({"run", "--events", "--svg", "/dev/full", "--", "/bin/true"}, 90);
    EXPECT_EQ(r.status, kExitOutput) << r.err;
    EXPECT_NE(r.err.find("cannot write /dev/full: No space left on device"), std::string::npos)
        << r.err;
    EXPECT_FALSE(instance_exists(r.pid));
}

char proc_state(pid_t pid) {
    auto st = ksurf::tracefs::proc_stat(pid);
    return st ? st->state : 0;
}

template <class F> bool wait_for(F &&cond, double seconds) {
    auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < end) {
        if (cond()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return cond();
}

TEST(Owners, ResetCleansAKilledRunThatIsAZombie) {
    KSURF_REQUIRE_HOST();
    pid_t pid = ::fork();
    if (pid == 0) {
        int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, 1);
        ::dup2(null, 2);
        ::execl(KSURF_BIN, KSURF_BIN, "e syscalls/sys_enter_getppid", "-d", "60", nullptr);
        _exit(127);
    }
    ASSERT_GT(pid, 0);
    ASSERT_TRUE(wait_for([&] { return instance_exists(pid); }, 20)) << "ksurf never armed";
    ::kill(pid, SIGKILL);
    // Not reaped: the run is a zombie, and its instance stays behind.
    ASSERT_TRUE(wait_for([&] { return proc_state(pid) == 'Z'; }, 10));
    EXPECT_TRUE(instance_exists(pid));
    auto r = run_ksurf({"reset"});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("removed instance ksurf-" + std::to_string(pid)), std::string::npos)
        << r.out;
    EXPECT_FALSE(instance_exists(pid));
    EXPECT_NE(::access(ksurf::tracefs::state_file(pid).c_str(), F_OK), 0);
    int st = 0;
    ::waitpid(pid, &st, 0);
}

// A live process named "ksurf" owning an instance: kept while the start time
// recorded for it matches (or none was recorded, as older ksurf did),
// removed when the recorded start time says it is another process.
TEST(Owners, ResetTellsAReusedPidByItsStartTime) {
    KSURF_REQUIRE_HOST();
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    pid_t pid = ::fork();
    if (pid == 0) {
        ::prctl(PR_SET_NAME, "ksurf");
        char c = 1;
        (void)!::write(ready[1], &c, 1);
        ::pause();
        _exit(0);
    }
    ASSERT_GT(pid, 0);
    char c;
    ASSERT_EQ(::read(ready[0], &c, 1), 1);
    ::close(ready[0]);
    ::close(ready[1]);
    auto st = ksurf::tracefs::proc_stat(pid);
    ASSERT_TRUE(st);
    ASSERT_EQ(st->comm, "ksurf");
    std::string dir = ksurf::test::tracefs_dir() + "/instances/ksurf-" + std::to_string(pid);
    std::string state = ksurf::tracefs::state_file(pid);
    ::mkdir(ksurf::tracefs::state_dir().c_str(), 0700);
    auto write_state = [&](const std::string &text) { std::ofstream(state) << text; };
    auto reset_removes = [&] {
        auto r = run_ksurf({"reset"});
        EXPECT_EQ(r.status, 0) << r.err;
        return r.out.find("removed instance ksurf-" + std::to_string(pid)) != std::string::npos;
    };
    ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);

    write_state(""); // an older ksurf's file: the comm rule
    EXPECT_FALSE(reset_removes());
    EXPECT_TRUE(instance_exists(pid));

    write_state("#start " + std::to_string(st->start_time) + "\n");
    EXPECT_FALSE(reset_removes());
    EXPECT_TRUE(instance_exists(pid));

    write_state("#start " + std::to_string(st->start_time + 1) + "\n");
    EXPECT_TRUE(reset_removes());
    EXPECT_FALSE(instance_exists(pid));
    EXPECT_NE(::access(state.c_str(), F_OK), 0);

    ::rmdir(dir.c_str());
    ::unlink(state.c_str());
    ::kill(pid, SIGKILL);
    int ws = 0;
    ::waitpid(pid, &ws, 0);
}

} // namespace
