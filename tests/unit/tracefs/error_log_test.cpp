#include "tracefs/event_catalog.h"
#include "tracefs/session.h"
#include "tracefs/tracefs.h"

#include <gtest/gtest.h>

using namespace ksurf::tracefs;

TEST(ErrorLog, OnlyEntriesAfterTheLastSeenOne) {
    std::string before = "[  10.000001] trace_kprobe: error: Unknown symbol\n  Command: p foo\n";
    std::string after = before + "[  12.500000] event filter parse error: error: Field not found\n"
                                 "  Command: x == 1\n            ^\n";
    std::string got = error_log_since(before, after);
    EXPECT_EQ(got.find("Unknown symbol"), std::string::npos);
    EXPECT_NE(got.find("Field not found"), std::string::npos);
    EXPECT_NE(got.find("  Command: x == 1"), std::string::npos);
}

TEST(ErrorLog, NothingNewIsEmpty) {
    std::string log = "[  10.000001] a\n";
    EXPECT_EQ(error_log_since(log, log), "");
    EXPECT_EQ(error_log_since("", ""), "");
}

TEST(Owner, NamesCarryThePid) {
    EXPECT_EQ(instance_name(42), "ksurf-42");
    EXPECT_EQ(group_name(42), "ksurf_42");
    EXPECT_EQ(owner_of("ksurf-42"), 42);
    EXPECT_EQ(owner_of("ksurf_7"), 7);
    EXPECT_FALSE(owner_of("ksurf-"));
    EXPECT_FALSE(owner_of("ksurf-12x"));
    // ksurf never writes a leading zero: such a name is someone else's.
    EXPECT_FALSE(owner_of("ksurf_0123"));
    EXPECT_FALSE(owner_of("ksurf-0"));
    EXPECT_FALSE(owner_of("surftrace"));
    EXPECT_FALSE(owner_of("ksurfx-1"));
}

TEST(Format, ParsesFieldLines) {
    std::string fmt = "name: sys_enter_openat\nID: 700\nformat:\n"
                      "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
                      "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
                      "\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
                      "\tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;\n"
                      "\tfield:char comm[16];\toffset:32;\tsize:16;\tsigned:0;\n"
                      "\tfield:__data_loc char[] name;\toffset:48;\tsize:4;\tsigned:0;\n";
    auto f = parse_format_fields(fmt);
    ASSERT_EQ(f.size(), 6u);
    EXPECT_EQ(f[1].name, "common_pid");
    EXPECT_TRUE(f[1].is_common);
    EXPECT_TRUE(f[1].is_signed);
    EXPECT_EQ(f[3].name, "filename");
    EXPECT_EQ(f[3].type, "const char *");
    EXPECT_FALSE(f[3].is_string); // a user pointer, not a string the kernel copied
    EXPECT_EQ(f[4].name, "comm");
    EXPECT_EQ(f[4].type, "char[16]");
    EXPECT_TRUE(f[4].is_string);
    EXPECT_EQ(f[5].name, "name");
    EXPECT_TRUE(f[5].is_string);
    EXPECT_EQ(f[5].offset, 48u);
}
