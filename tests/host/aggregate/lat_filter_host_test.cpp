// ksurf lat FUNC f:FILTER through uprobes on this host: only the calls whose
// entry matched are timed; a return whose entry was filtered out is not
// counted. In user space here (no hist triggers); --by pid and --by stack.
#include "test_support.h"

#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

using namespace ksurf::test;

namespace {

bool has_uprobes() {
    std::ifstream f(tracefs_dir() + "/uprobe_events");
    return f.good();
}

// lat of calls_getppid's main (once per run, argc 2 with one argument).
nlohmann::json lat_main(const std::vector<std::string> &extra, RunResult *raw = nullptr) {
    std::vector<std::string> args = {"lat", std::string(KSURF_CALLS_GETPPID) + ":main"};
    args.insert(args.end(), extra.begin(), extra.end());
    for (const char *a : {"--json", "--", KSURF_CALLS_GETPPID, "10"}) args.emplace_back(a);
    auto r = run_ksurf(args, 60);
    if (raw) *raw = r;
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_FALSE(instance_exists(r.pid));
    try {
        return nlohmann::json::parse(r.out);
    } catch (const std::exception &) {
        ADD_FAILURE() << "not JSON: " << r.out << r.err;
        return {};
    }
}

} // namespace

TEST(LatFilter, OnlyMatchingEntriesAreTimed) {
    KSURF_REQUIRE_HOST();
    if (!has_uprobes()) GTEST_SKIP() << "no uprobe_events";
    // argc, main's parameter, fetched by its DWARF name.
    EXPECT_EQ(lat_main({"f:argc==2"})["total"], 1);
    // Its entry filtered out: the return arrives alone and is not counted.
    auto none = lat_main({"f:argc==3"});
    EXPECT_EQ(none["total"], 0);
    EXPECT_EQ(none["rows"].size(), 0u);
    EXPECT_EQ(lat_main({R"(f:comm=="calls_getppid")"})["total"], 1);
    EXPECT_EQ(lat_main({R"(f:comm=="no-such-comm")"})["total"], 0);
}

TEST(LatFilter, FilterInsideFuncAndOnDefinedNames) {
    KSURF_REQUIRE_HOST();
    if (!has_uprobes()) GTEST_SKIP() << "no uprobe_events";
    std::string main = std::string(KSURF_CALLS_GETPPID) + ":main";
    for (const auto &spec :
         {main + " f:argc==2", main + " n=%0 f:n==2", main + R"( f:argc>1 && comm~"calls*")"}) {
        auto r = run_ksurf({"lat", spec, "--json", "--", KSURF_CALLS_GETPPID, "10"}, 60);
        ASSERT_EQ(r.status, 0) << spec << "\n" << r.err;
        EXPECT_EQ(nlohmann::json::parse(r.out)["total"], 1) << spec;
    }
    auto none =
        run_ksurf({"lat", main + " n=%0 f:n==5", "--json", "--", KSURF_CALLS_GETPPID, "1"}, 60);
    ASSERT_EQ(none.status, 0) << none.err;
    EXPECT_EQ(nlohmann::json::parse(none.out)["total"], 0);
}

TEST(LatFilter, UnknownNameIsTheCompilersError) {
    KSURF_REQUIRE_HOST();
    if (!has_uprobes()) GTEST_SKIP() << "no uprobe_events";
    auto r = run_ksurf(
        {"lat", std::string(KSURF_CALLS_GETPPID) + ":main", "f:nosuch==1", "--", "true"}, 60);
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find("has no parameter 'nosuch'"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("nothing was armed"), std::string::npos) << r.err;
    EXPECT_FALSE(instance_exists(r.pid));
}

TEST(LatFilter, ByPidAndStack) {
    KSURF_REQUIRE_HOST();
    if (!has_uprobes()) GTEST_SKIP() << "no uprobe_events";
    std::ifstream opt(tracefs_dir() + "/options/stacktrace");
    if (!opt.good()) GTEST_SKIP() << "no options/stacktrace";
    RunResult raw;
    auto j = lat_main({"f:argc==2", "--by", "pid,stack"}, &raw);
    EXPECT_EQ(j["where"], "user space");
    ASSERT_EQ(j["rows"].size(), 1u) << raw.out;
    const auto &key = j["rows"][0]["key"];
    // The process: calls_getppid, a child of ksurf, not ksurf itself.
    int pid = std::stoi(key["pid"].get<std::string>());
    EXPECT_GT(pid, 0);
    EXPECT_NE(pid, raw.pid);
    // The kernel stack at the return: the uretprobe's way in from user space.
    std::string stack = key["stack"];
    EXPECT_NE(stack.find("uretprobe"), std::string::npos) << stack;
    EXPECT_NE(stack.find("+0x"), std::string::npos) << stack;
}
