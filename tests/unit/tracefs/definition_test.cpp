// The definition lines ksurf compiles, taken apart for libtracefs' allocators
// (tracefs_kprobe_alloc & co.), and the forms they cannot express.
#include "tracefs/lib.h"

#include <gtest/gtest.h>

using namespace ksurf::tracefs;

TEST(Definition, KprobeWithArguments) {
    auto d = split_definition("p:ksurf_42/p0 do_sys_openat2+4 dfd=%di:s32 name=+0(%si):ustring");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->kind, 'p');
    EXPECT_EQ(d->maxactive, 0u);
    EXPECT_EQ(d->group, "ksurf_42");
    EXPECT_EQ(d->event, "p0");
    EXPECT_EQ(d->address, "do_sys_openat2+4");
    EXPECT_EQ(d->args, "dfd=%di:s32 name=+0(%si):ustring");
}

TEST(Definition, KretprobeKeepsItsMaxactive) {
    auto d = split_definition("r16:ksurf_42/r1 ext4:ext4_file_open ret=$retval\n");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->kind, 'r');
    EXPECT_EQ(d->maxactive, 16u);
    EXPECT_EQ(d->event, "r1");
    EXPECT_EQ(d->address, "ext4:ext4_file_open");
    EXPECT_EQ(d->args, "ret=$retval");
}

TEST(Definition, WithoutArguments) {
    auto d = split_definition("p:ksurf_42/p0 0xffffffff81000000");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->address, "0xffffffff81000000");
    EXPECT_EQ(d->args, "");
}

TEST(Definition, NotADefinition) {
    EXPECT_FALSE(split_definition("do_sys_openat2"));
    EXPECT_FALSE(split_definition("p:noslash do_sys_openat2"));
    EXPECT_FALSE(split_definition("rx:g/e f"));
}

TEST(Definition, UprobeTargets) {
    auto t = split_uprobe_target("/usr/lib/libc.so.6:0xd54e0");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->first, "/usr/lib/libc.so.6");
    EXPECT_EQ(t->second, 0xd54e0u);
    // A USDT semaphore (reference counter): tracefs_uprobe_alloc has no parameter for it.
    EXPECT_FALSE(split_uprobe_target("/bin/x:0x10(0x2008)"));
    EXPECT_FALSE(split_uprobe_target("/bin/x"));
}
