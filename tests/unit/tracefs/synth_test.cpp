// The cleanup of synthetic events a dead run left (tracefs/synth.h), on a
// directory shaped like tracefs: which files get which removal lines, in
// which order. The kernel's side (that it accepts them) is the lab's.
#include "tracefs/session.h"
#include "tracefs/synth.h"
#include "tracefs/tracefs.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <unistd.h>

using namespace ksurf::tracefs;
namespace fs = std::filesystem;

namespace {

// A pid no process has (above any pid_max), so its owner is dead.
constexpr const char *kDead = "ksurf_99999999";

std::string slurp(const fs::path &p) {
    std::ifstream f(p);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

void put(const fs::path &p, const std::string &text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
}

} // namespace

TEST(Synthetic, OwnerIsThePidInTheName) {
    EXPECT_EQ(synthetic_owner("ksurf_123_lat"), 123);
    EXPECT_FALSE(synthetic_owner("ksurf_123"));
    EXPECT_FALSE(synthetic_owner("ksurf_12x_lat"));
    EXPECT_FALSE(synthetic_owner("wakeup_latency"));
}

TEST(Synthetic, LeftoversOfADeadRunAreRemoved) {
    fs::path root = fs::temp_directory_path() / ("ksurf-synth-test-" + std::to_string(getpid()));
    fs::remove_all(root);
    std::string start = "hist:keys=common_pid:vals=hitcount:__arg_1_1=common_timestamp.usecs:"
                        "sort=hitcount:size=2048:clock=global";
    std::string end = "hist:keys=common_pid:vals=hitcount:lat=common_timestamp.usecs-$__arg_1_1:"
                      "sort=hitcount:size=2048:clock=global:onmatch(ksurf_99999999.p0)."
                      "trace(ksurf_99999999_lat,$lat)";
    put(root / "events" / kDead / "p0" / "trigger",
        "# Available triggers:\n" + start + " [active]\n");
    put(root / "events" / kDead / "r0" / "trigger", end + " [active]\n");
    // Its histogram of the synthetic event, in its instance.
    std::string lat = "hist:keys=lat.log2,common_pid:vals=hitcount,lat:sort=hitcount:size=2048";
    put(root / "instances" / "ksurf-99999999" / "events" / "synthetic" / "ksurf_99999999_lat" /
            "trigger",
        lat + " [active]\n");
    // Another live run's (ours) and someone else's are left alone.
    std::string mine = "ksurf_" + std::to_string(getpid());
    put(root / "events" / mine / "p0" / "trigger", start + " [active]\n");
    put(root / "synthetic_events",
        "ksurf_99999999_lat\tu64 lat\nwakeup_lat\tu64 lat\n" + mine + "_lat\tu64 lat\n");
    Removed out;
    remove_leftover_synthetic(Tracefs(root.string()), out);
    // Each trigger file got its removal line. Writes go through libtracefs,
    // whose "append" writes at offset 0 without truncating (tracefs ignores
    // the offset): a fake file holds the line written over the start of the
    // old text, so the rest of the old text shows where the line ended.
    std::string p0 = slurp(root / "events" / kDead / "p0" / "trigger");
    std::string r0 = slurp(root / "events" / kDead / "r0" / "trigger");
    EXPECT_NE(p0.find("!" + start), std::string::npos) << p0;
    EXPECT_TRUE(r0.starts_with("!" + end)) << r0;
    // The line ended right after the spec: no " [active]" written back.
    EXPECT_EQ(r0.substr(1 + end.size()), "[active]\n") << r0;
    EXPECT_EQ(slurp(root / "events" / mine / "p0" / "trigger"), start + " [active]\n");
    std::string held = slurp(root / "instances" / "ksurf-99999999" / "events" / "synthetic" /
                             "ksurf_99999999_lat" / "trigger");
    EXPECT_NE(held.find("!" + lat), std::string::npos) << held;
    std::string synth = slurp(root / "synthetic_events");
    EXPECT_NE(synth.find("!ksurf_99999999_lat"), std::string::npos) << synth;
    EXPECT_EQ(synth.find("!wakeup_lat"), std::string::npos) << synth;
    EXPECT_EQ(synth.find("!" + mine), std::string::npos) << synth;
    ASSERT_EQ(out.dynamic_events.size(), 1u);
    EXPECT_EQ(out.dynamic_events[0], "synthetic/ksurf_99999999_lat");
    EXPECT_TRUE(out.problems.empty());
    fs::remove_all(root);
}

namespace {

// The steps as one line: "field op value" for a compare, the conjunction or
// bracket otherwise, space separated.
std::string steps_text(const std::vector<FilterStep> &steps) {
    std::string out;
    for (const auto &s : steps) {
        if (!out.empty()) out += ' ';
        switch (s.kind) {
        case FilterStep::Kind::Compare:
            out += s.field + s.op + s.value;
            break;
        case FilterStep::Kind::And:
            out += "&&";
            break;
        case FilterStep::Kind::Or:
            out += "||";
            break;
        case FilterStep::Kind::Not:
            out += "!";
            break;
        case FilterStep::Kind::Open:
            out += "(";
            break;
        case FilterStep::Kind::Close:
            out += ")";
            break;
        }
    }
    return out;
}

} // namespace

TEST(SyntheticFilter, StepsFollowTheFilter) {
    // lat's f:FILTER reaches libtracefs's start filter step by step.
    auto s = filter_steps(R"(comm == "cat" && (n > 1 || !(n < 0)))");
    ASSERT_TRUE(s) << s.error().str();
    EXPECT_EQ(steps_text(*s), R"(comm=="cat" && ( n>1 || ! ( n<0 ) ))");
    auto one = filter_steps("common_pid != 42");
    ASSERT_TRUE(one);
    ASSERT_EQ(one->size(), 1u);
    EXPECT_EQ((*one)[0].field, "common_pid");
    EXPECT_EQ((*one)[0].op, "!=");
    EXPECT_EQ((*one)[0].value, "42");
}

TEST(SyntheticFilter, StringsKeepTheirQuotes) {
    // libtracefs writes the value as given: a string must carry its quotes,
    // and one with a double quote inside takes single ones.
    auto s = filter_steps(R"(comm ~ "ca*" || comm == 'a"b')");
    ASSERT_TRUE(s) << s.error().str();
    EXPECT_EQ(steps_text(*s), R"(comm~"ca*" || comm=='a"b')");
}

TEST(SyntheticFilter, TextThatIsNoFilterIsAnError) {
    EXPECT_FALSE(filter_steps("comm == "));
    EXPECT_FALSE(filter_steps("(n > 1"));
}
