#include "tracefs/profile.h"

#include <gtest/gtest.h>

using namespace ksurf::tracefs;

TEST(Profile, KprobesPairedByPositionAndGroup) {
    std::string defs = "p:ksurf_9/p0 do_sys_openat2 name=+0(%si):ustring\n"
                       "p:ksurf_12/p0 vfs_read\n"
                       "r10:ksurf_12/p1 vfs_read r=$retval\n";
    std::string prof = "  p0      5      0\n  p0     40      0\n  p1     38      2\n";
    auto p = pair_profile(defs, prof, "ksurf_12", false);
    ASSERT_EQ(p.size(), 2u);
    EXPECT_EQ(p[0].event, "ksurf_12/p0");
    EXPECT_EQ(p[0].hits, 40u);
    EXPECT_EQ(p[1].event, "ksurf_12/p1");
    EXPECT_EQ(p[1].hits, 38u);
    EXPECT_EQ(p[1].misses, 2u);
}

TEST(Profile, UprobesHavePathThenName) {
    std::string defs = "p:ksurf_3/p0 /usr/lib/x86_64-linux-gnu/libc.so.6:0x00000000000cfe90\n";
    std::string prof = "  /usr/lib/x86_64-linux-gnu/libc.so.6 p0      7\n";
    auto p = pair_profile(defs, prof, "ksurf_3", true);
    ASSERT_EQ(p.size(), 1u);
    EXPECT_EQ(p[0].hits, 7u);
}

TEST(Profile, ListsThatDisagreeGiveNothing) {
    EXPECT_TRUE(
        pair_profile("p:ksurf_1/p0 f\np:ksurf_1/p1 g\n", "  p0 1 0\n", "ksurf_1", false).empty());
}
