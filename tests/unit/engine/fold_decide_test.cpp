// Which keys the kernel's hist can take, decided before anything is armed:
// count, hist and lat count in user space instead of being refused by the
// kernel (it takes at most 3 keys, TRACING_MAP_KEYS_MAX).
#include "aggregate/aggregate.h"
#include "engine/fold_mode.h"

#include <gtest/gtest.h>

using ksurf::aggregate::parse_keys;
using ksurf::engine::user_space_key;

TEST(FoldDecide, KeysThatFitTheKernel) {
    EXPECT_FALSE(user_space_key(parse_keys({"comm", "tid", "cpu"}), false));
    EXPECT_FALSE(user_space_key(parse_keys({"comm", "cpu"}), false));
    // func is one trigger per function, not a key.
    EXPECT_FALSE(user_space_key(parse_keys({"func", "comm"}), true));
}

TEST(FoldDecide, ABucketIsAKey) {
    // lat's lat.log2, hist's --of: with two keys and the pid, four.
    auto why = user_space_key(parse_keys({"cpu", "tid"}), true);
    ASSERT_TRUE(why);
    EXPECT_NE(why->find("at most 3 keys (with the pid ksurf adds)"), std::string::npos) << *why;
}

TEST(FoldDecide, ACommKeyCarriesThePid) {
    // common_pid.execname keys by pid already: no pid key is added.
    EXPECT_FALSE(user_space_key(parse_keys({"comm", "tid"}), true));
    auto why = user_space_key(parse_keys({"comm", "tid", "cpu"}), true);
    ASSERT_TRUE(why);
    EXPECT_EQ(why->find("with the pid"), std::string::npos) << *why;
}

TEST(FoldDecide, ThreeKeysGoToUserSpace) {
    // Three keys and the pid to follow -p / -- CMD.
    auto why = user_space_key(parse_keys({"tid", "cpu", "stack"}), false);
    ASSERT_TRUE(why);
    EXPECT_NE(why->find("at most 3 keys"), std::string::npos) << *why;
}

TEST(FoldDecide, KeysTheKernelHasNot) {
    auto pid = user_space_key(parse_keys({"pid"}), false);
    ASSERT_TRUE(pid);
    EXPECT_NE(pid->find("--by pid"), std::string::npos) << *pid;
    auto ustack = user_space_key(parse_keys({"ustack"}), false);
    ASSERT_TRUE(ustack);
    EXPECT_NE(ustack->find("--by ustack"), std::string::npos) << *ustack;
}
