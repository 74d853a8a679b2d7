// Real tracefs: instances, saved/restored files, the kernel's error_log,
// leftovers of dead runs. Needs root and tracefs (skipped otherwise).
#include "test_support.h"
#include "tracefs/event_catalog.h"
#include "tracefs/session.h"

#include <algorithm>
#include <csignal>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace ksurf::tracefs;

namespace {

bool has_instance(const std::string &name) {
    auto v = ksurf::test::list_instances();
    return std::find(v.begin(), v.end(), name) != v.end();
}

pid_t dead_pid() {
    pid_t p = fork();
    if (p == 0) _exit(0);
    waitpid(p, nullptr, 0);
    return p;
}

} // namespace

TEST(Session, InstanceLivesExactlyAsLongAsTheSession) {
    KSURF_REQUIRE_HOST();
    auto fs = Tracefs::open();
    ASSERT_TRUE(fs) << fs.error().str();
    std::string name = instance_name(getpid());
    {
        auto s = Session::create(*fs);
        ASSERT_TRUE(s) << s.error().str();
        EXPECT_TRUE(has_instance(name));
        EXPECT_EQ(s->group(), group_name(getpid()));
    }
    EXPECT_FALSE(has_instance(name));
}

TEST(Session, GlobalFilesAreWrittenBack) {
    KSURF_REQUIRE_HOST();
    auto fs = Tracefs::open();
    ASSERT_TRUE(fs);
    auto before = fs->read("trace_clock");
    ASSERT_TRUE(before);
    {
        auto s = Session::create(*fs);
        ASSERT_TRUE(s) << s.error().str();
        ASSERT_TRUE(s->set_global("trace_clock", "mono"));
        auto during = fs->read("trace_clock");
        ASSERT_TRUE(during);
        EXPECT_NE(during->find("[mono]"), std::string::npos);
    }
    EXPECT_EQ(*fs->read("trace_clock"), *before);
}

TEST(Session, RefusedWriteCarriesFileValueErrnoAndErrorLog) {
    KSURF_REQUIRE_HOST();
    auto fs = Tracefs::open();
    ASSERT_TRUE(fs);
    auto s = Session::create(*fs);
    ASSERT_TRUE(s);
    auto st = s->set_filter("syscalls", "sys_enter_getppid", "no_such_field == 1");
    ASSERT_FALSE(st);
    std::string msg = st.error().str();
    EXPECT_EQ(st.error().err, EINVAL);
    EXPECT_NE(msg.find("no_such_field == 1"), std::string::npos) << msg;
    EXPECT_NE(msg.find("sys_enter_getppid/filter"), std::string::npos) << msg;
    EXPECT_NE(msg.find("Invalid argument"), std::string::npos) << msg;
    EXPECT_NE(st.error().kernel_log.find("Field not found"), std::string::npos) << msg;
}

TEST(Session, LeftoversOfDeadRunsAreRemovedAndNothingElse) {
    KSURF_REQUIRE_HOST();
    auto fs = Tracefs::open();
    ASSERT_TRUE(fs);
    std::string dead = instance_name(dead_pid());
    std::string foreign = "not-ksurf-" + std::to_string(getpid());
    ASSERT_EQ(mkdir(fs->path("instances/" + dead).c_str(), 0700), 0);
    ASSERT_EQ(mkdir(fs->path("instances/" + foreign).c_str(), 0700), 0);
    Removed r = remove_leftovers(*fs);
    EXPECT_FALSE(has_instance(dead));
    EXPECT_TRUE(has_instance(foreign));
    EXPECT_NE(std::find(r.instances.begin(), r.instances.end(), dead), r.instances.end());
    rmdir(fs->path("instances/" + foreign).c_str());
}

TEST(EventCatalog, GlobsExpandLikeTracefs) {
    KSURF_REQUIRE_HOST();
    auto fs = Tracefs::open();
    ASSERT_TRUE(fs);
    TracefsEventCatalog cat(*fs);
    auto m = cat.match("syscalls", "sys_enter_open*");
    auto dirs = fs->list_dir("events/syscalls");
    size_t expected = std::count_if(dirs.begin(), dirs.end(), [](const std::string &d) {
        return d.starts_with("sys_enter_open");
    });
    ASSERT_GT(expected, 0u);
    EXPECT_EQ(m.size(), expected);
    auto f = cat.fields("syscalls", "sys_enter_syslog");
    ASSERT_TRUE(f);
    EXPECT_TRUE(std::any_of(f->begin(), f->end(), [](auto &x) { return x.name == "type"; }));
    EXPECT_FALSE(cat.fields("syscalls", "no_such_event"));
}

TEST(Session, TopLevelChangesOfAKilledRunAreRestoredByTheNext) {
    KSURF_REQUIRE_HOST();
    auto fs = Tracefs::open();
    ASSERT_TRUE(fs);
    auto before = fs->read("trace_clock");
    ASSERT_TRUE(before);
    int ready[2];
    ASSERT_EQ(pipe(ready), 0);
    pid_t child = fork();
    if (child == 0) {
        // A run that changes a top-level file, then dies without teardown.
        auto s = Session::create(*fs);
        if (!s || !s->set_global("trace_clock", "mono")) _exit(1);
        char c = 1;
        (void)!write(ready[1], &c, 1);
        pause();
        _exit(0);
    }
    char c;
    ASSERT_EQ(read(ready[0], &c, 1), 1);
    EXPECT_NE(fs->read("trace_clock")->find("[mono]"), std::string::npos);
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    // The dead child's comm is not "ksurf", so it counts as dead either way.
    Removed r = remove_leftovers(*fs);
    EXPECT_EQ(*fs->read("trace_clock"), *before);
    EXPECT_NE(std::find(r.restored.begin(), r.restored.end(), "trace_clock"), r.restored.end());
    EXPECT_NE(access(state_file(child).c_str(), F_OK), 0);
}
