// The eprobes that read system calls' user strings, built from format texts
// as the kernel writes them (copied from the 6.18 host's tracefs).
#include "compile/eprobe_strings.h"
#include "tracefs/event_catalog.h"

#include <gtest/gtest.h>

using namespace ksurf::compile;
using ksurf::tracefs::parse_format_fields;

namespace {

const char *kCommon = "name: sys_enter_X\nID: 1\nformat:\n"
                      "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
                      "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
                      "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
                      "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
                      "\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n";

std::vector<EventField> format(const std::string &fields) {
    return parse_format_fields(std::string(kCommon) + fields +
                               "\nprint fmt: \"...\", ((unsigned long)(REC->x))\n");
}

const std::string kOpenat = "\tfield:int dfd;\toffset:16;\tsize:8;\tsigned:0;\n"
                            "\tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;\n"
                            "\tfield:int flags;\toffset:32;\tsize:8;\tsigned:0;\n"
                            "\tfield:umode_t mode;\toffset:40;\tsize:8;\tsigned:0;\n";

TEST(EprobeStrings, OpenatReadsTheFileNameAndKeepsEveryField) {
    auto p = string_eprobe("ksurf_42", "sys_enter_openat", "syscalls", "sys_enter_openat",
                           format(kOpenat));
    ASSERT_TRUE(p);
    // The syntax of eprobetrace.rst: e:GRP/EVENT SYS.EVENT, $FIELD, +0(...):ustring.
    EXPECT_EQ(p->definition, "e:ksurf_42/sys_enter_openat syscalls.sys_enter_openat "
                             "dfd=$dfd:s32 filename=+0($filename):ustring flags=$flags:s32 "
                             "mode=$mode:u32");
    EXPECT_EQ(p->strings, std::vector<std::string>{"filename"});
    ASSERT_EQ(p->args.size(), 4u);
    EXPECT_EQ(p->args[1].print, Print::String);
    EXPECT_EQ(p->args[0].print, Print::Signed);
}

TEST(EprobeStrings, WriteBufferIsBytesNotAString) {
    auto fields = format("\tfield:unsigned int fd;\toffset:16;\tsize:8;\tsigned:0;\n"
                         "\tfield:const char * buf;\toffset:24;\tsize:8;\tsigned:0;\n"
                         "\tfield:size_t count;\toffset:32;\tsize:8;\tsigned:0;\n");
    EXPECT_FALSE(string_eprobe("g", "sys_enter_write", "syscalls", "sys_enter_write", fields));
}

TEST(EprobeStrings, ExecveReadsTheFileNameNotTheArgvArray) {
    auto p = string_eprobe(
        "g", "sys_enter_execve", "syscalls", "sys_enter_execve",
        format("\tfield:const char * filename;\toffset:16;\tsize:8;\tsigned:0;\n"
               "\tfield:const char *const * argv;\toffset:24;\tsize:8;\tsigned:0;\n"
               "\tfield:const char *const * envp;\toffset:32;\tsize:8;\tsigned:0;\n"));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->definition, "e:g/sys_enter_execve syscalls.sys_enter_execve "
                             "filename=+0($filename):ustring argv=$argv:x64 envp=$envp:x64");
}

TEST(EprobeStrings, MountNamesWithoutConstAreStrings) {
    auto p = string_eprobe("g", "sys_enter_mount", "syscalls", "sys_enter_mount",
                           format("\tfield:char * dev_name;\toffset:16;\tsize:8;\tsigned:0;\n"
                                  "\tfield:char * dir_name;\toffset:24;\tsize:8;\tsigned:0;\n"
                                  "\tfield:char * type;\toffset:32;\tsize:8;\tsigned:0;\n"
                                  "\tfield:unsigned long flags;\toffset:40;\tsize:8;\tsigned:0;\n"
                                  "\tfield:void * data;\toffset:48;\tsize:8;\tsigned:0;\n"));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->strings, (std::vector<std::string>{"dev_name", "dir_name", "type"}));
    EXPECT_NE(p->definition.find(" flags=$flags:u64 data=$data:x64"), std::string::npos)
        << p->definition;
}

TEST(EprobeStrings, RenameatReadsBothNames) {
    auto p =
        string_eprobe("g", "sys_enter_renameat", "syscalls", "sys_enter_renameat",
                      format("\tfield:int olddfd;\toffset:16;\tsize:8;\tsigned:0;\n"
                             "\tfield:const char * oldname;\toffset:24;\tsize:8;\tsigned:0;\n"
                             "\tfield:int newdfd;\toffset:32;\tsize:8;\tsigned:0;\n"
                             "\tfield:const char * newname;\toffset:40;\tsize:8;\tsigned:0;\n"));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->strings, (std::vector<std::string>{"oldname", "newname"}));
}

TEST(EprobeStrings, FiltersOnStringsOrTheSyscallNumberStayOnTheTracepoint) {
    auto p =
        string_eprobe("g", "sys_enter_openat", "syscalls", "sys_enter_openat", format(kOpenat));
    ASSERT_TRUE(p);
    EXPECT_TRUE(filter_fits_eprobe("", *p));
    EXPECT_TRUE(filter_fits_eprobe("dfd==-100 && flags&0x40", *p));
    EXPECT_TRUE(filter_fits_eprobe("common_pid==1 && mode==0x1ff", *p));
    // The same word inside a quoted literal is not a field.
    EXPECT_TRUE(filter_fits_eprobe("dfd==1 || dfd==\"filename\"", *p));
    EXPECT_FALSE(filter_fits_eprobe("filename==0x7ffd0000", *p));
    EXPECT_FALSE(filter_fits_eprobe("__syscall_nr==257", *p));
}

TEST(EprobeStrings, ReadmeListsEventProbes) {
    // 6.1, 6.12 and 6.18 all print this line (the 6.18 host then refuses
    // the write: the README alone does not decide).
    EXPECT_TRUE(readme_has_eprobes(
        "\t           e[:[<group>/][<event>]] <attached-group>.<attached-event> [<args>] "
        "[if <filter>]\n"));
    EXPECT_FALSE(readme_has_eprobes("\t   Format: p[:[<group>/][<event>]] <place> [<args>]\n"));
}

} // namespace
