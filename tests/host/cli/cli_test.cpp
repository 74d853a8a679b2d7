// The ksurf binary against the real kernel: events captured from commands the
// test runs, filters, globs, cleanup on every exit path, `who`.
// Needs root and tracefs (skipped with the reason otherwise).
#include "test_support.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using ksurf::test::list_instances;
using ksurf::test::run_ksurf;

namespace {

size_t count_lines_with(const std::string &text, const std::string &needle) {
    size_t n = 0;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (line.find(needle) != std::string::npos) ++n;
    return n;
}

bool left_behind(int pid) {
    return ksurf::test::instance_exists(pid);
}

// Starts ksurf in the background with stdout to a pipe; returns pid and read fd.
struct Background {
    pid_t pid = -1;
    int out = -1;
    std::string collected;
    void start(const std::vector<std::string> &args, bool close_stdout_early = false) {
        (void)close_stdout_early;
        int p[2];
        ASSERT_EQ(pipe(p), 0);
        pid = fork();
        if (pid == 0) {
            dup2(p[1], 1);
            close(p[0]);
            close(p[1]);
            std::vector<char *> argv{const_cast<char *>(KSURF_BIN)};
            for (auto &a : args) argv.push_back(const_cast<char *>(a.c_str()));
            argv.push_back(nullptr);
            execv(KSURF_BIN, argv.data());
            _exit(127);
        }
        close(p[1]);
        out = p[0];
    }
    // Waits until ksurf's instance exists (it is armed).
    bool wait_armed(double secs = 10) {
        std::string name = "ksurf-" + std::to_string(pid);
        auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(secs);
        while (std::chrono::steady_clock::now() < end) {
            auto v = list_instances();
            if (std::find(v.begin(), v.end(), name) != v.end()) {
                std::this_thread::sleep_for(std::chrono::milliseconds(300));
                return true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return false;
    }
    int wait_exit() {
        char buf[4096];
        ssize_t n;
        while (out >= 0 && (n = read(out, buf, sizeof buf)) > 0) collected.append(buf, n);
        if (out >= 0) close(out);
        out = -1;
        int st = 0;
        waitpid(pid, &st, 0);
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
};

} // namespace

TEST(Cli, DmesgClearIsSeenAndItsStatusReturned) {
    KSURF_REQUIRE_HOST();
    auto r = run_ksurf({"e syscalls/sys_enter_syslog f:type==5", "--", "dmesg", "-C"});
    auto dm = ksurf::test::run_cmd({"dmesg", "-C"});
    EXPECT_EQ(r.status, dm.status) << r.err;
    EXPECT_EQ(count_lines_with(r.out, "sys_enter_syslog"), 1u) << r.out << r.err;
    EXPECT_NE(r.out.find("dmesg"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("type=5"), std::string::npos) << r.out;
    EXPECT_FALSE(left_behind(r.pid));
}

TEST(Cli, CommandExitStatusIsReturned) {
    KSURF_REQUIRE_HOST();
    auto r = run_ksurf({"e sched/sched_process_exec", "--", "sh", "-c", "exit 7"});
    EXPECT_EQ(r.status, 7) << r.err;
    auto missing = run_ksurf({"e sched/sched_process_exec", "--", "/no/such/program"});
    EXPECT_EQ(missing.status, 127);
    EXPECT_NE(missing.err.find("cannot run"), std::string::npos) << missing.err;
    EXPECT_FALSE(left_behind(r.pid));
    EXPECT_FALSE(left_behind(missing.pid));
}

TEST(Cli, EventsOfTheCommandAndItsChildrenOnly) {
    KSURF_REQUIRE_HOST();
    // sh execs itself once, then forks and execs /bin/true three times.
    auto r = run_ksurf(
        {"e sched/sched_process_exec", "--", "sh", "-c", "/bin/true; /bin/true; /bin/true"});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(count_lines_with(r.out, "sched_process_exec"), 4u) << r.out;
    EXPECT_EQ(count_lines_with(r.out, "filename=/bin/true"), 3u) << r.out;
    EXPECT_NE(r.err.find("4 events"), std::string::npos) << r.err;
}

TEST(Cli, FilterIsReallyApplied) {
    KSURF_REQUIRE_HOST();
    auto r = run_ksurf({"e sched/sched_process_exec f:filename~\"*true\"", "--", "sh", "-c",
                        "/bin/true; /bin/echo hi >/dev/null; /bin/true"});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(count_lines_with(r.out, "sched_process_exec"), 2u) << r.out;
    EXPECT_EQ(count_lines_with(r.out, "echo"), 0u) << r.out;
}

TEST(Cli, GlobIsExpanded) {
    KSURF_REQUIRE_HOST();
    auto r = run_ksurf(
        {"e syscalls/sys_enter_open*", "e syscalls/sys_exit_openat", "--", "cat", "/etc/hostname"});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_GE(count_lines_with(r.out, "sys_enter_openat:"), 1u) << r.out;
    EXPECT_GE(count_lines_with(r.out, "sys_exit_openat:"), 1u) << r.out;
}

TEST(Cli, JsonLinesAreTyped) {
    KSURF_REQUIRE_HOST();
    auto r = run_ksurf({"e sched/sched_process_exec", "--json", "--", "/bin/true"});
    ASSERT_EQ(r.status, 0) << r.err;
    std::istringstream in(r.out);
    int n = 0;
    for (std::string line; std::getline(in, line);) {
        auto j = nlohmann::json::parse(line);
        EXPECT_TRUE(j["pid"].is_number());
        EXPECT_TRUE(j["fields"]["filename"].is_string());
        ++n;
    }
    EXPECT_EQ(n, 1) << r.out;
}

TEST(Cli, CountStopsTheRun) {
    KSURF_REQUIRE_HOST();
    auto t0 = std::chrono::steady_clock::now();
    auto r = run_ksurf({"e sched/sched_process_exec", "-n", "2", "--", "sh", "-c",
                        "/bin/true; /bin/true; /bin/true; exec sleep 30"},
                       20);
    EXPECT_LT(r.status, 128 + 64) << r.err;
    // A status below 192 lets 137 (SIGKILL, the harness's timeout) through.
    EXPECT_EQ(r.signal, 0) << "ksurf was killed by signal " << r.signal << "\n" << r.err;
    EXPECT_EQ(count_lines_with(r.out, "sched_process_exec"), 2u) << r.out;
    // The command is stopped with the run, not waited for.
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 10);
    EXPECT_FALSE(left_behind(r.pid));
}

TEST(Cli, InvalidFilterLeavesNothingBehind) {
    KSURF_REQUIRE_HOST();
    auto r = run_ksurf({"e syscalls/sys_enter_syslog f:typo==5 && len>0"});
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("typo"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("^"), std::string::npos) << r.err;
    EXPECT_FALSE(left_behind(r.pid));
    auto unbalanced = run_ksurf({"e syscalls/sys_enter_syslog f:(type==5"});
    EXPECT_EQ(unbalanced.status, 2) << unbalanced.err;
    EXPECT_FALSE(left_behind(unbalanced.pid));
}

TEST(Cli, DurationStopsAndCleansUp) {
    KSURF_REQUIRE_HOST();
    auto t0 = std::chrono::steady_clock::now();
    auto r = run_ksurf({"e sched/sched_process_exec", "-d", "1"});
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_LT(secs, 5.0);
    EXPECT_NE(r.err.find("events read"), std::string::npos) << r.err;
    EXPECT_FALSE(left_behind(r.pid));
}

class CleanupOnSignal : public ::testing::TestWithParam<int> {};

TEST_P(CleanupOnSignal, InstanceIsGone) {
    KSURF_REQUIRE_HOST();
    Background b;
    b.start({"e sched/sched_process_exec"});
    ASSERT_TRUE(b.wait_armed());
    kill(b.pid, GetParam());
    int status = b.wait_exit();
    EXPECT_EQ(status, 0) << "signal " << GetParam();
    EXPECT_FALSE(left_behind(b.pid));
}

INSTANTIATE_TEST_SUITE_P(Signals, CleanupOnSignal, ::testing::Values(SIGINT, SIGTERM, SIGHUP));

TEST(Cli, PipeClosedByHeadCleansUp) {
    KSURF_REQUIRE_HOST();
    auto t0 = std::chrono::steady_clock::now();
    std::string pidfile = "/tmp/ksurf-pipe-test." + std::to_string(getpid());
    auto r = ksurf::test::run_cmd({"sh", "-c",
                                   "sh -c 'echo $$ > " + pidfile + "; exec " + KSURF_BIN +
                                       " \"e sched/sched_process_exec\" -d 20' | head -1 & "
                                       "sleep 1; for i in 1 2 3 4 5; do /bin/true; done; wait"},
                                  30);
    EXPECT_EQ(count_lines_with(r.out, "sched_process_exec"), 1u) << r.out << r.err;
    auto pid = ksurf::test::run_cmd({"cat", pidfile});
    unlink(pidfile.c_str());
    ASSERT_FALSE(pid.out.empty());
    EXPECT_FALSE(left_behind(std::stoi(pid.out)));
    // It stopped when head went away, not when -d 20 ran out.
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 10);
}

TEST(Cli, SigkilledRunIsCleanedUpByTheNextRun) {
    KSURF_REQUIRE_HOST();
    Background b;
    b.start({"e sched/sched_process_exec"});
    ASSERT_TRUE(b.wait_armed());
    std::string name = "ksurf-" + std::to_string(b.pid);
    kill(b.pid, SIGKILL);
    b.wait_exit();
    auto v = list_instances();
    ASSERT_NE(std::find(v.begin(), v.end(), name), v.end()) << "SIGKILL left nothing?";
    auto r = run_ksurf({"reset"});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find(name), std::string::npos) << r.out;
    EXPECT_FALSE(left_behind(b.pid));
}

TEST(Cli, TwoRunsAtOnceBothWork) {
    KSURF_REQUIRE_HOST();
    Background a;
    a.start({"e sched/sched_process_exec", "-d", "4"});
    ASSERT_TRUE(a.wait_armed());
    auto r = run_ksurf({"e sched/sched_process_exec", "--", "/bin/true"});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(count_lines_with(r.out, "sched_process_exec"), 1u) << r.out;
    EXPECT_EQ(a.wait_exit(), 0);
    EXPECT_NE(a.collected.find("/bin/true"), std::string::npos) << a.collected;
    EXPECT_FALSE(left_behind(a.pid));
    EXPECT_FALSE(left_behind(r.pid));
}

TEST(Who, NamesDmesgAndItsParent) {
    KSURF_REQUIRE_HOST();
    Background b;
    b.start({"who", "syslog", "-d", "3"});
    ASSERT_TRUE(b.wait_armed());
    auto dm = ksurf::test::run_cmd({"sh", "-c", "dmesg -C; echo $$"});
    ASSERT_EQ(dm.status, 0);
    std::string shell_pid = dm.out.substr(0, dm.out.find('\n'));
    EXPECT_EQ(b.wait_exit(), 0);
    std::string out = b.collected;
    // Stream line and table both name dmesg and its parent shell's pid.
    EXPECT_GE(count_lines_with(out, "dmesg"), 2u) << out;
    EXPECT_NE(out.find(" " + shell_pid + " "), std::string::npos) << out;
    // ... and the parent's name, learnt from the fork event (sh may be gone by then).
    bool named = false;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);)
        named |= line.find("dmesg") != std::string::npos &&
                 line.find(" " + shell_pid + " sh ") != std::string::npos;
    EXPECT_TRUE(named) << out;
    EXPECT_NE(out.find("type=5"), std::string::npos) << out;
    EXPECT_FALSE(left_behind(b.pid));
}

TEST(Who, UnknownFunctionWithoutKprobesExplainsWhy) {
    KSURF_REQUIRE_HOST();
    if (access((ksurf::test::tracefs_dir() + "/kprobe_events").c_str(), F_OK) == 0)
        GTEST_SKIP() << "this kernel has kprobes; covered by the lab tier";
    auto r = run_ksurf({"who", "do_syslog", "-d", "1"});
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("no kprobes"), std::string::npos) << r.err;
    EXPECT_FALSE(left_behind(r.pid));
}

TEST(Cli, CommFilterOnAnyEventWithABareWord) {
    KSURF_REQUIRE_HOST();
    auto r = run_ksurf({"e sched/sched_process_exec f:comm==true", "--", "sh", "-c",
                        "/bin/true; /bin/echo x >/dev/null; /bin/true"});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(count_lines_with(r.out, "sched_process_exec"), 2u) << r.out;
}

TEST(Cli, KsurfDoesNotTraceItself) {
    KSURF_REQUIRE_HOST();
    // Tracing everyone, ksurf's own /proc reads and tracefs writes stay out.
    // Positive control: a process of the test's own opens files all through
    // the run, so an empty capture cannot pass as "ksurf left itself out".
    pid_t busy = fork();
    ASSERT_GE(busy, 0);
    if (busy == 0) {
        execl("/bin/sh", "sh", "-c",
              "i=0; while [ $i -lt 4000 ]; do cat /proc/version >/dev/null; i=$((i+1)); done",
              static_cast<char *>(nullptr));
        _exit(127);
    }
    auto r = run_ksurf({"e syscalls/sys_enter_openat", "e syscalls/sys_enter_write", "-d", "1"});
    kill(busy, SIGKILL);
    waitpid(busy, nullptr, 0);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(count_lines_with(r.out, "-" + std::to_string(r.pid) + " "), 0u) << r.out;
    EXPECT_GE(count_lines_with(r.out, "sys_enter_openat:"), 1u) << "nothing captured:\n" << r.out;
    EXPECT_GE(count_lines_with(r.out, "cat-"), 1u) << "the busy cat loop was not seen:\n"
                                                   << r.out.substr(0, 4000);
}
