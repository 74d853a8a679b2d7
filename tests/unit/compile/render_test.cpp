// -S lines, -o scripts, -f files, architecture tables.
#include "fixture.h"
#include "test_support.h"
#include "util/strings.h"

#include <fstream>
#include <unistd.h>

using namespace ksurf::test;
using namespace ksurf::compile;

namespace {

class OneEvent : public EventCatalog {
  public:
    std::vector<std::pair<std::string, std::string>> match(std::string_view,
                                                           std::string_view) const override {
        return {{"sched", "sched_switch"}};
    }
    std::optional<std::vector<EventField>> fields(std::string_view,
                                                  std::string_view) const override {
        return std::vector<EventField>{{"prev_pid", "pid_t", 24, 4, true, false, false}};
    }
};

Plan plan_of(const std::vector<std::string> &lines) {
    static OneEvent events;
    Options opts;
    opts.arch = Arch::X86_64;
    opts.types = &fixture_types();
    opts.events = &events;
    auto c = compile_with(lines, opts);
    EXPECT_TRUE(c.ok) << c.errors();
    return c.plan;
}

std::string temp_file(const std::string &content) {
    char name[] = "/tmp/ksurf_compile_XXXXXX";
    int fd = mkstemp(name);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
    close(fd);
    return name;
}

} // namespace

TEST(Render, ShowLines) {
    Plan plan = plan_of({"p do_sys_openat2 name=filename:ustring f:name~\"*.so\"",
                         "e sched/sched_switch f:prev_pid==1", "r10 _do_fork r=$retval",
                         "p do_filp_open+121 dfd=X%0"});
    EXPECT_EQ(probe_names(plan), (std::vector<std::string>{"p0", "", "p1", "p2"}));
    EXPECT_EQ(render_show(plan), "p:ksurf/p0 do_sys_openat2 name=+0x0(%si):ustring\n"
                                 "r10:ksurf/p1 _do_fork r=$retval:s64\n"
                                 "p:ksurf/p2 do_filp_open+121 dfd=%di:x32\n"
                                 "# filter ksurf/p0: name~\"*.so\"\n"
                                 "# event sched/sched_switch\n"
                                 "# filter sched/sched_switch: prev_pid==1\n");
}

TEST(Render, ShowResolvesUprobes) {
    Plan plan = plan_of({"P /bin/sh:nosuchsymbol_xyz a=%0", "P /bin/sh:0x40 a=%0"});
    std::string show = render_show(plan);
    EXPECT_NE(show.find("# P ksurf/p0 /bin/sh:nosuchsymbol_xyz: cannot resolve: no function"),
              std::string::npos)
        << show;
    EXPECT_NE(show.find(":0x40 a=%di\n"), std::string::npos) << show;
    EXPECT_NE(show.find("p:ksurf/p1 /"), std::string::npos) << show;
}

TEST(Render, ShowResolvesUprobeSymbols) {
    // the test binary itself has a symbol table with main
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    ASSERT_GT(n, 0);
    self[n] = 0;
    Plan plan = plan_of(
        {std::string("P ") + self + ":main a=%0", std::string("R ") + self + ":main+4 r=$retval"});
    std::string show = render_show(plan);
    EXPECT_EQ(show.find("cannot resolve"), std::string::npos) << show;
    EXPECT_EQ(show.rfind(std::string("p:ksurf/p0 ") + self + ":0x", 0), 0u) << show;
    EXPECT_NE(show.find(std::string("r:ksurf/p1 ") + self + ":0x"), std::string::npos) << show;
}

TEST(Render, ScriptIsValidShAndCleansUp) {
    Plan plan = plan_of({"p do_sys_openat2 name=filename:ustring f:name~\"it's*\"",
                         "e sched/sched_switch f:prev_pid==1", "r _do_fork r=$retval"});
    std::string s = render_script(plan);
    EXPECT_EQ(s.rfind("#!/bin/sh\n", 0), 0u);
    EXPECT_NE(s.find("G=ksurfsh_$$"), std::string::npos);
    EXPECT_NE(s.find("trap cleanup EXIT"), std::string::npos);
    EXPECT_NE(s.find("trap 'exit 130' INT"), std::string::npos);
    EXPECT_NE(s.find("trap 'exit 143' TERM"), std::string::npos);
    EXPECT_NE(s.find("echo 'p:'\"$G\"'/p0 do_sys_openat2 name=+0x0(%si):ustring' >> "
                     "\"$T/kprobe_events\""),
              std::string::npos)
        << s;
    EXPECT_NE(s.find("echo 'r:'\"$G\"'/p1 _do_fork r=$retval:s64'"), std::string::npos) << s;
    EXPECT_NE(s.find("echo 'name~\"it'\\''s*\"' > \"$I/events/$G/p0/filter\""), std::string::npos)
        << s;
    EXPECT_NE(s.find("echo 'prev_pid==1' > \"$I/events/sched/sched_switch/filter\""),
              std::string::npos);
    EXPECT_NE(s.find("echo 1 > \"$I/events/sched/sched_switch/enable\""), std::string::npos);
    EXPECT_NE(s.find("cat \"$I/trace_pipe\""), std::string::npos);
    std::string file = temp_file(s);
    auto r = run_cmd({"sh", "-n", file});
    EXPECT_EQ(r.status, 0) << r.err;
    unlink(file.c_str());
}

TEST(Render, ScriptAgainstFakeTracefsRemovesEverything) {
    // Runs the script against a directory shaped like tracefs: definitions are
    // appended, the instance made and removed, removal lines written at exit.
    char dir[] = "/tmp/ksurf_tracefs_XXXXXX";
    ASSERT_TRUE(mkdtemp(dir));
    std::string t = dir;
    Plan plan = plan_of({"p do_sys_openat2 fd=%0 f:fd==1"});
    std::string s = render_script(plan);
    // a fake instance: mkdir works, trace_pipe ends at once; events dirs prepared by a hook
    std::string hook =
        "mkdir() { command mkdir \"$@\" && command mkdir -p \"$1/events/$G/p0\"; }\n";
    s.insert(s.find("mkdir \"$I\""), hook);
    s.insert(s.find("cat \"$I/trace_pipe\""), ": > \"$I/trace_pipe\"\n");
    // rmdir of a non-empty fake instance: use rm -r instead
    s.replace(s.find("rmdir \"$I\""), 10, "rm -r \"$I\"");
    std::string file = temp_file(s);
    run_cmd({"mkdir", "-p", t + "/instances"});
    auto r = run_cmd({"env", "TRACEFS=" + t, "sh", file});
    EXPECT_EQ(r.status, 0) << r.err;
    std::string defs;
    ASSERT_TRUE(ksurf::read_file(t + "/kprobe_events", defs));
    EXPECT_NE(defs.find("p:ksurfsh_"), std::string::npos) << defs;
    EXPECT_NE(defs.find("/p0 do_sys_openat2 fd=%di:s32\n-:ksurfsh_"), std::string::npos) << defs;
    auto ls = run_cmd({"ls", t + "/instances"});
    EXPECT_EQ(ls.out, "");
    run_cmd({"rm", "-rf", t});
    unlink(file.c_str());
}

TEST(Render, ExpressionFiles) {
    auto sources = split_expression_file("# comment\n\np do_sys_openat2 a=%0\r\n  # x\n"
                                         "r _do_fork r=$retval",
                                         "probes.txt");
    ASSERT_EQ(sources.size(), 2u);
    EXPECT_EQ(sources[0].origin, "probes.txt:3");
    EXPECT_EQ(sources[0].text, "p do_sys_openat2 a=%0");
    EXPECT_EQ(sources[1].origin, "probes.txt:5");
    std::string file = temp_file("p do_sys_openat2 n=filenme\n");
    auto read = read_expression_file(file);
    ASSERT_TRUE(read.has_value());
    ASSERT_EQ(read->size(), 1u);
    EXPECT_EQ((*read)[0].origin, file + ":1");
    Options opts;
    opts.types = &fixture_types();
    auto c = compile(*read, opts);
    ASSERT_FALSE(c.has_value());
    EXPECT_EQ(c.error()[0].render().rfind(file + ":1:20: error:", 0), 0u) << c.error()[0].render();
    unlink(file.c_str());
    EXPECT_FALSE(read_expression_file("/nonexistent/probes.txt").has_value());
}

TEST(Arch, Registers) {
    EXPECT_EQ(arch_from_name("x86_64"), Arch::X86_64);
    EXPECT_EQ(arch_from_name("arm64"), Arch::Aarch64);
    EXPECT_EQ(arch_from_name("riscv64"), Arch::Riscv64);
    EXPECT_FALSE(arch_from_name("mips"));
    EXPECT_EQ(*arg_register(Arch::X86_64, 3), "cx");
    EXPECT_FALSE(arg_register(Arch::X86_64, 6));
    EXPECT_EQ(*arg_register(Arch::Aarch64, 7), "x7");
    EXPECT_EQ(*arg_register(Arch::Riscv64, 0), "a0");
    EXPECT_TRUE(is_register(Arch::X86_64, "r15"));
    EXPECT_TRUE(is_register(Arch::X86_64, "orig_ax"));
    EXPECT_FALSE(is_register(Arch::X86_64, "x0"));
    EXPECT_TRUE(is_register(Arch::Aarch64, "x30"));
    EXPECT_FALSE(is_register(Arch::Aarch64, "x31"));
    EXPECT_FALSE(is_register(Arch::Aarch64, "x01"));
    EXPECT_TRUE(is_register(Arch::Aarch64, "pstate"));
    EXPECT_TRUE(is_register(Arch::Riscv64, "s11"));
    EXPECT_FALSE(is_register(Arch::Riscv64, "di"));
    EXPECT_EQ(register_alias(Arch::X86_64, "rax"), "ax");
    EXPECT_EQ(register_alias(Arch::X86_64, "r12d"), "r12");
    EXPECT_EQ(register_alias(Arch::X86_64, "eflags"), "flags");
    EXPECT_EQ(register_names(Arch::Aarch64).size(), 34u);
#if defined(__x86_64__)
    EXPECT_EQ(host_arch(), Arch::X86_64);
#endif
}
