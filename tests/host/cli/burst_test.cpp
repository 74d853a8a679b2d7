// Bursts at default settings: ksurf's own instance gets a buffer sized for
// bursts and wakes its reader on the kernel's watermark (buffer_percent), so
// a burst that fits in the default buffer is kept whole even if the reader
// does not run at all while it happens; -b still sets the size.
#include "capture/buffer_size.h"
#include "test_support.h"

#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <string>

using ksurf::test::run_ksurf;

namespace {

bool has_event(const std::string &rel) {
    return std::ifstream(ksurf::test::tracefs_dir() + "/events/" + rel + "/format").good();
}

// The command prints its own instance's files: ksurf is its parent.
std::string instance_files(const std::vector<std::string> &options) {
    std::string dir = ksurf::test::tracefs_dir() + "/instances/ksurf-$PPID";
    std::vector<std::string> args{"e sched/sched_process_exit"};
    args.insert(args.end(), options.begin(), options.end());
    args.insert(args.end(),
                {"--", "sh", "-c", "cat " + dir + "/buffer_percent " + dir + "/buffer_size_kb"});
    auto r = run_ksurf(args);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_FALSE(ksurf::test::instance_exists(r.pid));
    return r.out;
}

} // namespace

TEST(Burst, DefaultInstanceIsSizedForBurstsAndWakesOnItsWatermark) {
    KSURF_REQUIRE_HOST();
    if (!has_event("sched/sched_process_exit")) GTEST_SKIP() << "no sched/sched_process_exit";
    std::istringstream in(instance_files({}));
    int percent = -1;
    unsigned kb = 0;
    in >> percent >> kb;
    EXPECT_EQ(percent, ksurf::capture::kWakePercent);
    // What the rule gives for this machine now (MemAvailable moves a little).
    unsigned expected = ksurf::capture::default_buffer_kb();
    // The kernel rounds up to whole pages of 4080 data bytes: 16384 reads 16387.
    EXPECT_GE(kb, ksurf::capture::kMinDefaultKb);
    EXPECT_LE(kb, ksurf::capture::kMaxDefaultKb * 101 / 100);
    EXPECT_GE(kb, expected * 9 / 10);
    EXPECT_LE(kb, expected * 11 / 10);

    std::istringstream with_b(instance_files({"-b", "2048"}));
    with_b >> percent >> kb;
    EXPECT_EQ(percent, ksurf::capture::kWakePercent);
    EXPECT_GE(kb, 2048u);
    EXPECT_LE(kb, 2048u * 101 / 100);
}

// 200,000 sys_enter_getppid records (about 5 MB) fit in the default buffer
// wherever it is at least 4 MB per CPU, so none may be lost, however late
// the reader runs.
TEST(Burst, DefaultsKeepEveryEventOfABurstThatFitsTheBuffer) {
    KSURF_REQUIRE_HOST();
    if (!has_event("syscalls/sys_enter_getppid")) GTEST_SKIP() << "no syscalls/sys_enter_getppid";
    if (ksurf::capture::default_buffer_kb() < 8192)
        GTEST_SKIP() << "the default buffer here is " << ksurf::capture::default_buffer_kb()
                     << " KB per CPU (little memory)";
    auto r = run_ksurf({"e syscalls/sys_enter_getppid", "--",
                        std::string(KSURF_USER_FIXTURE_DIR) + "/getppid_loop", "200000"},
                       120);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("ksurf: 200000 events read; lost: none"), std::string::npos) << r.err;
    size_t lines = 0;
    for (size_t at = r.out.find("sys_enter_getppid"); at != std::string::npos;
         at = r.out.find("sys_enter_getppid", at + 1))
        ++lines;
    EXPECT_EQ(lines, 200000u);
    EXPECT_FALSE(ksurf::test::instance_exists(r.pid));
}
