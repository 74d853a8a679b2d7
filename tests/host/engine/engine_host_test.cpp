// The run engine on its own, without a command line: the order in which a
// mode is called, CMD's status passed on, -n, and an arming that declines.
// Needs root and tracefs (skipped otherwise).
#include "engine/engine.h"
#include "test_support.h"
#include "tracefs/session.h"

#include <algorithm>
#include <cstdio>
#include <gtest/gtest.h>
#include <unistd.h>

using namespace ksurf;
using namespace ksurf::engine;

namespace {

bool has_own_instance() {
    auto v = test::list_instances();
    return std::find(v.begin(), v.end(), tracefs::instance_name(::getpid())) != v.end();
}

// An event every exec of CMD's tree fires.
compile::Plan exec_plan() {
    compile::Probe p;
    p.kind = compile::ProbeKind::Event;
    p.text = "e sched/sched_process_exec";
    p.matched = {{"sched", "sched_process_exec"}};
    compile::Plan plan;
    plan.probes.push_back(p);
    return plan;
}

// Remembers what the engine called, in order.
struct Calls {
    std::string order;
    uint64_t records = 0;
    int status = -2;
};

class Recorder : public Handler {
  public:
    explicit Recorder(Calls &c) : c_(c) {}
    Status armed(tracefs::Session &, const std::vector<ArmedEvent> &events,
                 const std::vector<pid_t> &pids) override {
        c_.order += events.empty() || pids.empty() ? "a?" : "a";
        return {};
    }
    bool on_record(const capture::Record &) override {
        ++c_.records;
        return true;
    }
    void finish() override { c_.order += "f"; }
    void report(const RunEnd &end) override {
        c_.order += "r";
        c_.status = end.status;
    }

  private:
    Calls &c_;
};

// Starts CMD and then gives up the way a kernel that refuses a tracer does.
class Declining : public Arming {
  public:
    Status arm(Run &run) override {
        if (auto st = run.start_child(); !st) return st;
        return fail("refused on purpose");
    }
    bool declined() const override { return true; }
};

} // namespace

TEST(Engine, ModeIsArmedThenFinishedThenReportedWithCommandStatus) {
    KSURF_REQUIRE_HOST();
    RunOptions o;
    o.command = {"sh", "-c", "/bin/true; exit 3"};
    o.quiet_summary = true;
    Calls calls;
    int status = run_plan(exec_plan(), o, [&](tep_handle *, const output::Styles &) {
        return std::make_unique<Recorder>(calls);
    });
    EXPECT_EQ(status, 3);
    EXPECT_EQ(calls.status, 3);
    EXPECT_EQ(calls.order, "afr");
    // sh's own exec and /bin/true's.
    EXPECT_GE(calls.records, 2u);
    EXPECT_FALSE(has_own_instance());
}

TEST(Engine, MaxEventsStopsTheRunAtN) {
    KSURF_REQUIRE_HOST();
    RunOptions o;
    o.command = {"sh", "-c", "for i in 1 2 3 4 5 6 7 8; do /bin/true; done"};
    o.max_events = 2;
    o.quiet_summary = true;
    Calls calls;
    run_plan(exec_plan(), o, [&](tep_handle *, const output::Styles &) {
        return std::make_unique<Recorder>(calls);
    });
    EXPECT_EQ(calls.records, 2u);
    EXPECT_FALSE(has_own_instance());
}

TEST(Engine, DeclinedArmingNeverRunsTheCommandAndLeavesNothing) {
    KSURF_REQUIRE_HOST();
    char path[] = "/tmp/ksurf-engine-test-XXXXXX";
    int fd = ::mkstemp(path);
    ASSERT_GE(fd, 0);
    ::close(fd);
    ::unlink(path);
    RunOptions o;
    o.command = {"touch", path};
    engine::Run run(o);
    Declining arming;
    bool made = false;
    int status = run.execute(arming, [&](tep_handle *, const output::Styles &) {
        made = true;
        return std::unique_ptr<Handler>();
    });
    EXPECT_EQ(status, kDeclined);
    EXPECT_FALSE(made) << "no handler is made for a run that never armed";
    EXPECT_NE(::access(path, F_OK), 0) << "the gated command ran although nothing was armed";
    ::unlink(path);
    EXPECT_FALSE(has_own_instance());
}
