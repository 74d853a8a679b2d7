// Call trees, summaries, folded stacks and flame graphs from synthetic calls:
// no kernel involved.
#include "graph/forest.h"
#include "graph/report.h"

#include <cstdio>
#include <gtest/gtest.h>
#include <memory>
#include <string>

using namespace ksurf::graph;

namespace {

std::string trees_text(const Forest &f, const ReportOptions &o = {}) {
    char *buf = nullptr;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    print_trees(out, f, o);
    std::fclose(out);
    std::string s(buf, len);
    free(buf);
    return s;
}

std::string summary_text(const Forest &f, const ReportOptions &o = {}) {
    char *buf = nullptr;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    print_summary(out, f, summarize(f), o);
    std::fclose(out);
    std::string s(buf, len);
    free(buf);
    return s;
}

// function_graph's shape: entries with depth, exits with depth and duration.
struct Graph {
    Forest f;
    void in(int tid, uint64_t ts, const char *fn, int depth) {
        f.enter(tid, ts, f.intern(fn), depth);
    }
    void out(int tid, uint64_t ts, const char *fn, int depth, uint64_t dur) {
        f.exit(tid, ts, f.intern(fn), depth, dur);
    }
};

} // namespace

TEST(Forest, NestsCallsPerThreadWithDurations) {
    Graph g;
    g.in(10, 1000, "__x64_sys_openat", 0);
    g.in(11, 1100, "__x64_sys_read", 0); // another thread, interleaved
    g.in(10, 1200, "do_sys_openat2", 1);
    g.in(10, 1300, "getname", 2);
    g.out(10, 1400, "getname", 2, 100);
    g.out(11, 1500, "__x64_sys_read", 0, 400);
    g.out(10, 1900, "do_sys_openat2", 1, 700);
    g.out(10, 2000, "__x64_sys_openat", 0, 1000);
    const Thread &t = g.f.threads().at(10);
    const Node &root = g.f.node(t.first_root);
    EXPECT_EQ(g.f.name(root.name), "__x64_sys_openat");
    EXPECT_EQ(root.duration, 1000u);
    EXPECT_TRUE(root.complete);
    const Node &child = g.f.node(root.first_child);
    EXPECT_EQ(g.f.name(child.name), "do_sys_openat2");
    EXPECT_EQ(g.f.name(g.f.node(child.first_child).name), "getname");
    EXPECT_EQ(root.next, kNone);
    EXPECT_EQ(self_time(g.f, t.first_root), 300u);
    std::string text = trees_text(g.f);
    // Each thread's tree is printed whole, not interleaved.
    size_t a = text.find("__x64_sys_openat()"), b = text.find("    do_sys_openat2()"),
           c = text.find("      getname()"), d = text.find("__x64_sys_read()");
    ASSERT_NE(a, std::string::npos) << text;
    ASSERT_NE(b, std::string::npos) << text;
    ASSERT_NE(c, std::string::npos) << text;
    ASSERT_NE(d, std::string::npos) << text;
    EXPECT_LT(a, b);
    EXPECT_LT(b, c);
    EXPECT_LT(c, d);
    EXPECT_NE(text.find("1.000 us"), std::string::npos) << text;
}

TEST(Forest, LostExitsCloseCallsAsUnfinished) {
    Graph g;
    g.in(1, 100, "a", 0);
    g.in(1, 200, "b", 1);
    // b's exit was lost; a new call at depth 1 closes it.
    g.in(1, 300, "c", 1);
    g.out(1, 400, "c", 1, 100);
    g.out(1, 500, "a", 0, 400);
    const Node &a = g.f.node(g.f.threads().at(1).first_root);
    const Node &b = g.f.node(a.first_child);
    EXPECT_FALSE(b.complete);
    EXPECT_EQ(b.duration, 100u);
    EXPECT_TRUE(g.f.node(b.next).complete);
    EXPECT_EQ(g.f.unfinished(), 1u);
    EXPECT_NE(trees_text(g.f).find("b()  (unfinished)"), std::string::npos);
}

TEST(Forest, ExitWithoutEntryIsDropped) {
    Graph g;
    g.out(1, 100, "pipe_read", 1, 50); // entered before tracing started
    g.in(1, 200, "x", 0);
    g.out(1, 300, "x", 0, 100);
    EXPECT_EQ(g.f.orphan_exits(), 1u);
    EXPECT_EQ(g.f.node(g.f.threads().at(1).first_root).next, kNone);
}

TEST(Forest, OpenCallsAtTheEndAreUnfinished) {
    Graph g;
    g.in(1, 100, "do_exit", 0);
    g.in(1, 150, "y", 1);
    g.out(1, 170, "y", 1, 20);
    g.f.finish();
    const Node &n = g.f.node(g.f.threads().at(1).first_root);
    EXPECT_FALSE(n.complete);
    EXPECT_EQ(n.duration, 70u);
}

TEST(Forest, StartAtDropsTheChildsStepsBeforeExec) {
    Forest f;
    auto sys = [&](uint64_t ts, const char *name) {
        f.enter(5, ts, f.intern(name), -1, Kind::Syscall);
        f.exit(5, ts + 10, f.intern(name), -1, std::nullopt, 0);
    };
    sys(100, "rt_sigprocmask");
    sys(200, "execve");
    sys(300, "openat");
    f.start_at(5, "execve");
    EXPECT_EQ(f.name(f.node(f.threads().at(5).first_root).name), "execve");
    f.start_at(5, "no-such");
    EXPECT_EQ(f.name(f.node(f.threads().at(5).first_root).name), "execve");
    f.drop(5);
    EXPECT_TRUE(f.threads().empty());
}

TEST(Forest, StartAtLooksOneLevelDown) {
    Graph g; // x64_sys_call -> __x64_sys_execve, as on Debian's 6.1
    g.in(6, 100, "pipe_read_tail", 0);
    g.out(6, 110, "pipe_read_tail", 0, 10);
    g.in(6, 200, "x64_sys_call", 0);
    g.in(6, 210, "__x64_sys_execve", 1);
    g.out(6, 290, "__x64_sys_execve", 1, 80);
    g.out(6, 300, "x64_sys_call", 0, 100);
    g.f.start_at(6, "execve");
    const Thread &t = g.f.threads().at(6);
    EXPECT_EQ(g.f.name(g.f.node(t.first_root).name), "x64_sys_call");
    EXPECT_EQ(t.first_ts, 200u);
}

TEST(Forest, StartAtLooksThreeLevelsDownAsOnArm64) {
    Graph g; // do_el0_svc -> el0_svc_common -> invoke_syscall -> __arm64_sys_execve (6.12)
    g.in(6, 100, "finish_task_switch.isra.0", 0);
    g.out(6, 110, "finish_task_switch.isra.0", 0, 10);
    g.in(6, 200, "do_el0_svc", 0);
    g.in(6, 202, "el0_svc_common.constprop.0", 1);
    g.in(6, 205, "invoke_syscall", 2);
    g.in(6, 210, "__arm64_sys_execve", 3);
    g.out(6, 280, "__arm64_sys_execve", 3, 70);
    g.out(6, 290, "invoke_syscall", 2, 85);
    g.out(6, 295, "el0_svc_common.constprop.0", 1, 93);
    g.out(6, 300, "do_el0_svc", 0, 100);
    g.f.start_at(6, "execve");
    const Thread &t = g.f.threads().at(6);
    EXPECT_EQ(g.f.name(g.f.node(t.first_root).name), "do_el0_svc");
    EXPECT_EQ(t.first_ts, 200u);
}

TEST(Forest, StartAtDoesNotLookFourLevelsDown) {
    Graph g; // an execve deep in some other call is not the exec itself
    g.in(6, 50, "pipe_read_tail", 0);
    g.out(6, 60, "pipe_read_tail", 0, 10);
    g.in(6, 100, "a", 0);
    g.in(6, 110, "b", 1);
    g.in(6, 120, "c", 2);
    g.in(6, 125, "d", 3);
    g.in(6, 130, "execve_like", 4);
    g.out(6, 140, "execve_like", 4, 10);
    g.out(6, 145, "d", 3, 20);
    g.out(6, 150, "c", 2, 30);
    g.out(6, 160, "b", 1, 50);
    g.out(6, 170, "a", 0, 70);
    g.f.start_at(6, "execve");
    EXPECT_EQ(g.f.name(g.f.node(g.f.threads().at(6).first_root).name), "pipe_read_tail");
}

TEST(Forest, SyscallsWithLeavesAndReturnValues) {
    Forest f;
    uint32_t openat = f.intern("openat"), off = f.intern("[off-cpu]");
    f.enter(7, 1000, openat, -1, Kind::Syscall, "dfd=-100, flags=0x80000");
    f.leaf(7, 1100, 500, off, Kind::OffCpu, "D (uninterruptible, usually I/O)");
    f.exit(7, 2000, openat, -1, std::nullopt, -2);
    uint32_t root = f.threads().at(7).first_root;
    EXPECT_EQ(f.node(root).duration, 1000u);
    EXPECT_EQ(self_time(f, root), 500u);
    ReportOptions o;
    o.syscalls = true;
    std::string text = trees_text(f, o);
    EXPECT_NE(text.find("openat(dfd=-100, flags=0x80000) = -2 (ENOENT)"), std::string::npos)
        << text;
    EXPECT_NE(text.find("  [off-cpu] D (uninterruptible"), std::string::npos) << text;
    std::string sum = summary_text(f, o);
    EXPECT_NE(sum.find("1 context switches"), std::string::npos) << sum;
    EXPECT_NE(sum.find("openat"), std::string::npos) << sum;
}

TEST(Summary, CountsCallsTotalSelfPerProcessAndRecursionOnce) {
    Graph g;
    // pid 1: f calls f (recursion) calls g.
    g.in(1, 0, "f", 0);
    g.in(1, 10, "f", 1);
    g.in(1, 20, "g", 2);
    g.out(1, 30, "g", 2, 10);
    g.out(1, 40, "f", 1, 30);
    g.out(1, 100, "f", 0, 100);
    // Thread 2 of process 1, and process 3.
    g.in(2, 0, "g", 0);
    g.out(2, 5, "g", 0, 5);
    g.in(3, 0, "h", 0);
    g.out(3, 7, "h", 0, 7);
    g.f.thread(2).pid = 1;
    g.f.thread(1).comm = "sh";
    g.f.thread(3).comm = "ls";
    auto s = summarize(g.f);
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[0].pid, 1);
    EXPECT_EQ(s[0].comm, "sh");
    EXPECT_EQ(s[0].tids.size(), 2u);
    const Stat *f = nullptr, *gg = nullptr;
    for (const auto &st : s[0].stats) {
        if (g.f.name(st.name) == "f") f = &st;
        if (g.f.name(st.name) == "g") gg = &st;
    }
    ASSERT_TRUE(f && gg);
    EXPECT_EQ(f->calls, 2u);
    EXPECT_EQ(f->total, 100u); // the inner f is inside the outer one
    EXPECT_EQ(f->self, 70u + 20u);
    EXPECT_EQ(gg->calls, 2u);
    EXPECT_EQ(gg->total, 15u);
    EXPECT_EQ(s[0].stats[0].name, f->name); // sorted by total
    std::string text = summary_text(g.f);
    EXPECT_NE(text.find("summary: sh [1], 2 threads"), std::string::npos) << text;
    EXPECT_NE(text.find("top functions by self time"), std::string::npos) << text;
    auto j = summary_json(g.f, s, {});
    EXPECT_EQ(j[1]["comm"], "ls");
    EXPECT_EQ(j[1]["top"][0]["name"], "h");
}

TEST(Report, MinTimeHidesShortCallsAndWhatTheyCalled) {
    Graph g;
    g.in(1, 0, "long", 0);
    g.in(1, 10, "short", 1);
    g.in(1, 11, "inner", 2);
    g.out(1, 12, "inner", 2, 1);
    g.out(1, 20, "short", 1, 10);
    g.out(1, 5000, "long", 0, 5000);
    ReportOptions o;
    o.min_time_ns = 1000;
    std::string text = trees_text(g.f, o);
    EXPECT_NE(text.find("long()"), std::string::npos);
    EXPECT_EQ(text.find("short()"), std::string::npos);
    EXPECT_EQ(text.find("inner()"), std::string::npos);
    auto j = trees_json(g.f, o);
    EXPECT_EQ(j[0]["calls"][0]["name"], "long");
    EXPECT_FALSE(j[0]["calls"][0].contains("children"));
}

TEST(Report, JsonTree) {
    Graph g;
    g.in(4, 1000, "a", 0);
    g.in(4, 1500, "b", 1);
    g.out(4, 2000, "b", 1, 500);
    g.out(4, 3000, "a", 0, 2000);
    g.f.thread(4).comm = "cat";
    auto j = trees_json(g.f, {});
    ASSERT_EQ(j.size(), 1u);
    EXPECT_EQ(j[0]["tid"], 4);
    EXPECT_EQ(j[0]["comm"], "cat");
    EXPECT_EQ(j[0]["calls"][0]["name"], "a");
    EXPECT_DOUBLE_EQ(j[0]["calls"][0]["duration_us"].get<double>(), 2.0);
    EXPECT_DOUBLE_EQ(j[0]["calls"][0]["children"][0]["start_us"].get<double>(), 0.5);
}

TEST(Flame, FoldedStacksWeighSelfTime) {
    Graph g;
    g.in(9, 0, "a", 0);
    g.in(9, 10, "b", 1);
    g.out(9, 40, "b", 1, 30);
    g.in(9, 50, "b", 1);
    g.out(9, 60, "b", 1, 10);
    g.out(9, 100, "a", 0, 100);
    g.f.thread(9).comm = "my cmd";
    auto folded = fold(g.f);
    ASSERT_EQ(folded.size(), 2u);
    EXPECT_EQ(folded["my_cmd-9;a"], 60u);
    EXPECT_EQ(folded["my_cmd-9;a;b"], 40u);
}

TEST(Flame, SvgHasFramesTitlesAndEscapes) {
    std::map<std::string, uint64_t> folded = {{"ls-1;a;b<c>&", 300}, {"ls-1;a", 700}};
    std::string svg = flame_svg(folded, "ksurf run -- ls \"/\"");
    EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
    EXPECT_NE(svg.find("<svg xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
    EXPECT_NE(svg.find("<title>b&lt;c&gt;&amp; (0.300 us, 30.00%)</title>"), std::string::npos)
        << svg;
    EXPECT_NE(svg.find("<title>all (1.000 us, 100.00%)</title>"), std::string::npos) << svg;
    EXPECT_NE(svg.find("&quot;/&quot;"), std::string::npos);
    EXPECT_EQ(svg.find("b<c>"), std::string::npos);
    EXPECT_NE(svg.find("</svg>"), std::string::npos);
}

// Past the node limit the trees stop, and what ends after is counted in the
// summary and the folded stacks and freed: memory stays bounded.
TEST(Forest, PastTheLimitTreesStopAndFiguresCountEverything) {
    auto build = [](size_t limit) {
        auto g = std::make_unique<Graph>();
        g->f.set_max_nodes(limit);
        g->f.thread(7).comm = "cmd";
        g->f.thread(7).pid = 7;
        for (uint64_t i = 0; i < 1000; ++i) {
            uint64_t t = i * 100;
            g->in(7, t, "outer", 0);
            g->in(7, t + 10, "inner", 1);
            g->out(7, t + 30, "inner", 1, 20);
            g->out(7, t + 50, "outer", 0, 50);
        }
        return g;
    };
    auto all = build(0);
    auto cut = build(100);
    EXPECT_FALSE(all->f.cut());
    EXPECT_EQ(all->f.live_nodes(), 2000u);
    ASSERT_TRUE(cut->f.cut());
    // The tree keeps the first calls (up to the limit and the root that crossed it).
    EXPECT_LE(cut->f.live_nodes(), 102u);
    EXPECT_GE(cut->f.live_nodes(), 100u);
    EXPECT_EQ(cut->f.live_nodes() + cut->f.dropped_nodes(), 2000u);
    EXPECT_LE(cut->f.size(), 104u); // slots were reused, not grown
    std::string tree = trees_text(cut->f);
    size_t outers = 0;
    for (size_t at = tree.find("outer()"); at != std::string::npos;
         at = tree.find("outer()", at + 1))
        ++outers;
    EXPECT_EQ(outers, 50u) << tree;
    EXPECT_EQ(cut->f.cut_ts(), 5000u);
    // The same figures either way.
    auto sa = summarize(all->f), sc = summarize(cut->f);
    ASSERT_EQ(sa.size(), 1u);
    ASSERT_EQ(sc.size(), 1u);
    ASSERT_EQ(sa[0].stats.size(), sc[0].stats.size());
    for (size_t i = 0; i < sa[0].stats.size(); ++i) {
        EXPECT_EQ(all->f.name(sa[0].stats[i].name), cut->f.name(sc[0].stats[i].name));
        EXPECT_EQ(sa[0].stats[i].calls, 1000u);
        EXPECT_EQ(sa[0].stats[i].calls, sc[0].stats[i].calls);
        EXPECT_EQ(sa[0].stats[i].total, sc[0].stats[i].total);
        EXPECT_EQ(sa[0].stats[i].self, sc[0].stats[i].self);
        EXPECT_EQ(sa[0].stats[i].max, sc[0].stats[i].max);
    }
    EXPECT_EQ(fold(all->f), fold(cut->f));
    EXPECT_EQ(fold(cut->f)["cmd-7;outer;inner"], 20000u);
}

// A thread whose every tree was retired past the limit is still summarized.
TEST(Forest, RetiredOnlyThreadsAreStillCounted) {
    Forest f;
    f.set_max_nodes(1);
    f.thread(1).comm = "a";
    f.enter(1, 0, f.intern("x"), -1, Kind::Syscall);
    f.enter(1, 1, f.intern("y"), -1, Kind::Syscall); // nested: 2 live nodes
    f.exit(1, 2, f.intern("y"));
    f.exit(1, 3, f.intern("x"), -1, std::nullopt, -2);
    f.leaf(2, 5, 4, f.intern("[off-cpu]"), Kind::OffCpu);
    f.thread(2).comm = "b";
    ASSERT_TRUE(f.cut());
    EXPECT_EQ(f.live_nodes(), 0u);
    auto s = summarize(f);
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[0].comm, "a");
    EXPECT_EQ(s[1].comm, "b");
    uint64_t errors = 0;
    for (const auto &st : s[0].stats) errors += st.errors;
    EXPECT_EQ(errors, 1u);
    auto folded = fold(f);
    EXPECT_EQ(folded["a-1;x"], 2u);
    EXPECT_EQ(folded["a-1;x;y"], 1u);
    EXPECT_EQ(folded["b-2;[off-cpu]"], 4u);
}
