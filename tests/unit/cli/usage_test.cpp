// The command line without touching the kernel: help, usage errors.
#include "test_support.h"

#include <gtest/gtest.h>

using ksurf::test::run_ksurf;

TEST(Usage, HelpAnswersQuestions) {
    auto r = run_ksurf({"--help"});
    EXPECT_EQ(r.status, 0);
    for (const char *word : {"who", "reset", "e SYSTEM/EVENT", "p FUNC", "f:FILTER", "-S"})
        EXPECT_NE(r.out.find(word), std::string::npos) << word;
    auto p = run_ksurf({"help", "probe"});
    EXPECT_EQ(p.status, 0);
    for (const char *opt : {"--pid", "--duration", "--count", "--buffer", "--stack", "--json",
                            "--show", "--script", "--arch", "--btf", "--file"})
        EXPECT_NE(p.out.find(opt), std::string::npos) << opt;
    auto w = run_ksurf({"who", "--help"});
    EXPECT_EQ(w.status, 0);
    EXPECT_NE(w.out.find("NAME"), std::string::npos);
}

TEST(Usage, BadInputExitsTwo) {
    EXPECT_EQ(run_ksurf({}).status, 2);
    EXPECT_EQ(run_ksurf({"--no-such-option", "e sched/sched_switch"}).status, 2);
    auto arch = run_ksurf({"-S", "-a", "mips", "p do_sys_openat2"});
    EXPECT_EQ(arch.status, 2);
    EXPECT_NE(arch.err.find("mips"), std::string::npos);
    EXPECT_EQ(run_ksurf({"who"}).status, 2);
}

TEST(Usage, Version) {
    auto r = run_ksurf({"--version"});
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.out.find("ksurf "), std::string::npos);
}

TEST(Usage, VersionNamesWhatItWasBuiltWith) {
    // Tests and lab scenarios take optional parts as a precondition from here.
    auto r = run_ksurf({"-V"});
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.out.rfind("ksurf ", 0), 0u) << r.out;
#ifdef KSURF_HAVE_CAPSTONE
    EXPECT_NE(r.out.find("\nbuilt with: capstone\n"), std::string::npos) << r.out;
#else
    EXPECT_NE(r.out.find("\nbuilt with: (no capstone"), std::string::npos) << r.out;
#endif
}

TEST(Usage, LatFilterAndKeys) {
    // lat's f:FILTER and --by are checked before anything is compiled or armed.
    auto help = run_ksurf({"lat", "--help"});
    EXPECT_EQ(help.status, 0);
    for (const char *word : {"FILTER", "f:CONDITION", "pid", "stack", "one JSON document"})
        EXPECT_NE(help.out.find(word), std::string::npos) << word;
    auto two = run_ksurf({"lat", "vfs_read f:count>1", "f:count<9"});
    EXPECT_EQ(two.status, 2);
    EXPECT_NE(two.err.find("two filters"), std::string::npos) << two.err;
    auto bare = run_ksurf({"lat", "vfs_read", "count>1"});
    EXPECT_EQ(bare.status, 2);
    EXPECT_NE(bare.err.find("is not a filter"), std::string::npos) << bare.err;
    auto func = run_ksurf({"lat", "vfs_read", "--by", "func"});
    EXPECT_EQ(func.status, 2);
    EXPECT_NE(func.err.find("lat keys are comm, pid, tid, cpu and stack"), std::string::npos)
        << func.err;
    auto ustack = run_ksurf({"lat", "vfs_read", "--by", "ustack"});
    EXPECT_EQ(ustack.status, 2) << ustack.err;
    // The probe stream prints an object per event, count a document.
    auto probe = run_ksurf({"help", "probe"});
    EXPECT_NE(probe.out.find("one JSON object per event"), std::string::npos);
    auto count = run_ksurf({"count", "--help"});
    EXPECT_NE(count.out.find("one JSON document"), std::string::npos);
    EXPECT_EQ(count.out.find("per event"), std::string::npos) << count.out;
}
