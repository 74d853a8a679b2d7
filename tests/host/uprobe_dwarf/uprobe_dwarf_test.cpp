// Uprobes typed from DWARF, armed on this machine's kernel: the fixture
// program (tests/fixtures_user/dwarf_app.c) passes known values to handle()
// and make_req(); ksurf must print exactly those.
#include "dwarf_app.h"
#include "test_support.h"

#include <gtest/gtest.h>
#include <sstream>
#include <unistd.h>

using ksurf::test::run_ksurf;

namespace {

const std::string kDir = KSURF_USER_FIXTURE_DIR;

std::vector<std::string> lines_with(const std::string &text, const std::string &needle) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (line.find(needle) != std::string::npos) out.push_back(line);
    return out;
}

bool has_uprobes() {
    return access((ksurf::test::tracefs_dir() + "/uprobe_events").c_str(), F_OK) == 0;
}

void expect_clean(int pid) {
    EXPECT_FALSE(ksurf::test::instance_exists(pid));
    auto events = ksurf::test::run_cmd({"cat", ksurf::test::tracefs_dir() + "/uprobe_events"});
    EXPECT_EQ(events.out.find("ksurf_" + std::to_string(pid)), std::string::npos) << events.out;
}

} // namespace

TEST(UprobeDwarf, MemberChainsPrintWhatTheProgramPassed) {
    KSURF_REQUIRE_HOST();
    if (!has_uprobes()) GTEST_SKIP() << "this kernel has no uprobe_events";
    std::string app = kDir + "/dwarf_app";
    // one argument: main passes id DWARF_APP_ID + 1
    auto r = run_ksurf({"P " + app +
                            ":handle id=%0->id name=%0->name:ustring path=%0->path "
                            "a=%0->in.a k=%0->kind tag=%0->next_inner->tag n=n",
                        "--", app, "x"});
    ASSERT_EQ(r.status, 0) << r.err;
    auto hits = lines_with(r.out, " id=");
    ASSERT_EQ(hits.size(), 1u) << r.out;
    const std::string &l = hits[0];
    EXPECT_NE(l.find(" id=" + std::to_string(DWARF_APP_ID + 1) + " "), std::string::npos) << l;
    EXPECT_NE(l.find(" name=\"" DWARF_APP_NAME "\" "), std::string::npos) << l;
    EXPECT_NE(l.find(" path=\"" DWARF_APP_PATH "\" "), std::string::npos) << l;
    EXPECT_NE(l.find(" a=" + std::to_string(DWARF_APP_INNER_A) + " "), std::string::npos) << l;
    EXPECT_NE(l.find(" k=" + std::to_string(DWARF_APP_KIND) + " "), std::string::npos) << l;
    EXPECT_NE(l.find(" tag=\"two\" "), std::string::npos) << l;
    EXPECT_NE(l.find(" n=2"), std::string::npos) << l;
    expect_clean(r.pid);
}

TEST(UprobeDwarf, ReturnValueMembers) {
    KSURF_REQUIRE_HOST();
    if (!has_uprobes()) GTEST_SKIP() << "this kernel has no uprobe_events";
    std::string app = kDir + "/dwarf_app";
    auto r = run_ksurf({"R " + app + ":make_req id=$retval->id name=$retval->name", "--", app});
    ASSERT_EQ(r.status, 0) << r.err;
    auto hits = lines_with(r.out, " id=");
    ASSERT_EQ(hits.size(), 1u) << r.out;
    EXPECT_NE(hits[0].find(" id=77 name=\"made\""), std::string::npos) << hits[0];
    expect_clean(r.pid);
}

TEST(UprobeDwarf, NoDwarfIsDiagnosedBeforeArming) {
    KSURF_REQUIRE_HOST();
    if (!has_uprobes()) GTEST_SKIP() << "this kernel has no uprobe_events";
    std::string app = kDir + "/dwarf_app_nodebug";
    auto r = run_ksurf({"P " + app + ":handle id=%0->id", "--", app});
    EXPECT_NE(r.status, 0);
    EXPECT_NE(r.err.find("no DWARF in " + app), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("build with -g"), std::string::npos) << r.err;
    expect_clean(r.pid);
}
