// Helpers shared by test tiers: run the ksurf binary, check privileges.
#pragma once

#include <string>
#include <vector>

namespace ksurf::test {

struct RunResult {
    int status = -1;      // exit status, or 128+signal
    int signal = 0;       // the signal that killed it (status alone cannot tell 137 from exit(137))
    int pid = -1;         // the process that ran (ksurf's instance is ksurf-<pid>)
    std::string out, err; // captured stdout / stderr
    long max_rss_kb = 0;  // peak resident set (wait4's ru_maxrss), its children's included
};

// Runs ksurf (the built binary) with args; optional stdin text; kills it after timeout_s.
RunResult run_ksurf(const std::vector<std::string> &args, double timeout_s = 30.0);
// Runs any command the same way.
RunResult run_cmd(const std::vector<std::string> &argv, double timeout_s = 30.0);

// "" when the host tier can run here, else the reason (not root, no tracefs).
std::string host_skip_reason();
// The mounted tracefs path ("/sys/kernel/tracing"), mounting it if needed.
std::string tracefs_dir();
// True while instances/ksurf-<pid> exists.
bool instance_exists(int pid);
// Names of directories under instances/.
std::vector<std::string> list_instances();
// Writes `text` to an existing file (a tracefs control file) in one write().
bool write_file(const std::string &path, const std::string &text);

} // namespace ksurf::test

#define KSURF_REQUIRE_HOST()                                                                       \
    do {                                                                                           \
        std::string why_ = ::ksurf::test::host_skip_reason();                                      \
        if (!why_.empty()) GTEST_SKIP() << "host tier skipped: " << why_;                          \
    } while (0)
