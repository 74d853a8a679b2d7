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

// A state file names the top-level files to write back: only those ksurf
// itself sets are written. A planted line naming any other file (here the
// tracefs file that defines probes, and a path out of tracefs) is reported,
// never written.
TEST(Session, SavedFilesOnlyRestoreFilesKsurfSets) {
    KSURF_REQUIRE_HOST();
    auto fs = Tracefs::open();
    ASSERT_TRUE(fs);
    ASSERT_TRUE(Session::create(*fs)); // makes the state directory as ksurf makes it
    pid_t dead = dead_pid();
    const std::string planted = "/tmp/ksurf-planted-" + std::to_string(getpid());
    {
        FILE *f = fopen(state_file(dead).c_str(), "w");
        ASSERT_NE(f, nullptr);
        fprintf(f, "kprobe_events\tp:evil do_nothing\n../../..%s\tx\n", planted.c_str());
        fclose(f);
    }
    auto kprobes_before = fs->read("kprobe_events");
    Removed r = remove_leftovers(*fs);
    EXPECT_TRUE(r.restored.empty());
    size_t refused = 0;
    for (const auto &p : r.problems)
        refused += p.find("is not a file ksurf sets") != std::string::npos;
    EXPECT_EQ(refused, 2u);
    EXPECT_NE(access(planted.c_str(), F_OK), 0);
    EXPECT_EQ(fs->read("kprobe_events").has_value(), kprobes_before.has_value());
    if (kprobes_before) {
        EXPECT_EQ(*fs->read("kprobe_events"), *kprobes_before);
    }
    EXPECT_NE(access(state_file(dead).c_str(), F_OK), 0);
}

// ftrace's list files take one word per write(): a value of several words
// (two events for set_event, two functions for set_graph_function) must all
// arrive, not only the first.
TEST(Session, AWriteOfSeveralWordsToAListFileSetsThemAll) {
    KSURF_REQUIRE_HOST();
    auto fs = Tracefs::open();
    ASSERT_TRUE(fs);
    auto s = Session::create(*fs);
    ASSERT_TRUE(s);
    const std::string file = s->instance() + "/set_event";
    ASSERT_TRUE(fs->write(file, "sched:sched_switch sched:sched_wakeup\n"));
    auto now = fs->read(file);
    ASSERT_TRUE(now);
    EXPECT_NE(now->find("sched:sched_switch"), std::string::npos) << *now;
    EXPECT_NE(now->find("sched:sched_wakeup"), std::string::npos) << *now;
}

namespace {

std::string read_text(const std::string &path) {
    std::string out;
    FILE *f = fopen(path.c_str(), "r");
    if (!f) return out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    fclose(f);
    return out;
}

// A file uprobes can be placed in: this test binary.
std::string self_path() {
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

} // namespace

TEST(Session, DynamicEventsLiveExactlyAsLongAsTheSession) {
    KSURF_REQUIRE_HOST();
    auto fs = Tracefs::open();
    ASSERT_TRUE(fs);
    if (!fs->exists("uprobe_events")) GTEST_SKIP() << "no uprobe_events (CONFIG_UPROBE_EVENTS off)";
    std::string id = group_name(getpid()) + "/u0";
    {
        auto s = Session::create(*fs);
        ASSERT_TRUE(s) << s.error().str();
        std::string def = "p:" + s->group() + "/u0 " + self_path() + ":0x0 x=%ip";
        auto st = s->add_dynamic_event("uprobe_events", "u0", def);
        ASSERT_TRUE(st) << st.error().str();
        EXPECT_NE(read_text(fs->path("uprobe_events")).find(id), std::string::npos);
        EXPECT_TRUE(fs->exists("events/" + id + "/format"));
    }
    EXPECT_EQ(read_text(fs->path("uprobe_events")).find(id), std::string::npos);
}

TEST(Session, RefusedDynamicEventCarriesTheKernelsErrorLog) {
    KSURF_REQUIRE_HOST();
    auto fs = Tracefs::open();
    ASSERT_TRUE(fs);
    if (!fs->exists("uprobe_events")) GTEST_SKIP() << "no uprobe_events (CONFIG_UPROBE_EVENTS off)";
    if (!fs->exists("error_log")) GTEST_SKIP() << "no error_log in tracefs (kernel before 5.4)";
    auto s = Session::create(*fs);
    ASSERT_TRUE(s);
    std::string def = "p:" + s->group() + "/bad " + self_path() + ":0x0 x=%no_such_register";
    auto st = s->add_dynamic_event("uprobe_events", "bad", def);
    ASSERT_FALSE(st);
    std::string msg = st.error().str();
    EXPECT_EQ(st.error().err, EINVAL) << msg;
    EXPECT_NE(msg.find("the kernel refused to write"), std::string::npos) << msg;
    EXPECT_NE(msg.find("%no_such_register"), std::string::npos) << msg;
    EXPECT_NE(st.error().kernel_log.find("no_such_register"), std::string::npos) << msg;
}

TEST(Session, DynamicEventsOfDeadRunsAreRemovedAndNothingElse) {
    KSURF_REQUIRE_HOST();
    auto fs = Tracefs::open();
    ASSERT_TRUE(fs);
    if (!fs->exists("uprobe_events")) GTEST_SKIP() << "no uprobe_events (CONFIG_UPROBE_EVENTS off)";
    std::string dead = group_name(dead_pid()) + "/u0";
    std::string foreign = "notksurf_" + std::to_string(getpid()) + "/u0";
    std::string target = self_path() + ":0x0";
    ASSERT_TRUE(fs->write("uprobe_events", "p:" + dead + " " + target + "\n", true));
    ASSERT_TRUE(fs->write("uprobe_events", "p:" + foreign + " " + target + "\n", true));
    Removed r = remove_leftovers(*fs);
    std::string left = read_text(fs->path("uprobe_events"));
    EXPECT_EQ(left.find(dead), std::string::npos) << left;
    EXPECT_NE(left.find(foreign), std::string::npos) << left;
    EXPECT_EQ(std::count(r.dynamic_events.begin(), r.dynamic_events.end(), dead), 1);
    (void)fs->write("uprobe_events", "-:" + foreign + "\n", true);
}
