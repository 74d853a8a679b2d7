// Aggregation without a kernel: trigger text, `hist` files as the kernel
// writes them (samples shaped like Documentation/trace/histogram.rst and
// kernel/trace/trace_events_hist.c's printing), the fold and its rendering.
#include "aggregate/aggregate.h"

#include <bit>
#include <cstdint>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

using namespace ksurf::aggregate;

TEST(AggregateTrigger, CountByComm) {
    Trigger t;
    t.keys = {"common_pid.execname"};
    EXPECT_EQ(trigger_text(t),
              "hist:keys=common_pid.execname:vals=hitcount:sort=hitcount.descending");
    t.filter = "dfd == -100";
    t.size_bits = 13;
    std::string text = trigger_text(t);
    EXPECT_EQ(text,
              "hist:keys=common_pid.execname:vals=hitcount:sort=hitcount.descending:size=8192 "
              "if dfd == -100");
    EXPECT_EQ(trigger_removal(text), "!" + text);
}

TEST(AggregateTrigger, SeveralKeys) {
    Trigger t;
    t.keys = {"common_pid", "n.log2"};
    EXPECT_EQ(trigger_text(t),
              "hist:keys=common_pid,n.log2:vals=hitcount:sort=hitcount.descending");
}

TEST(AggregateReadme, NamesFromReadme) {
    KernelHist none = kernel_hist_from_readme("tracing mini-HOWTO:\n  trace_pipe\n");
    EXPECT_FALSE(none.available);
    EXPECT_FALSE(none.synthetic);
    KernelHist old =
        kernel_hist_from_readme("      hist trigger\n\t    hist:keys=<field1[,field2,...]>\n  "
                                "synthetic_events\t- Create/append/remove"
                                "\n\t    'stacktrace' as key\n");
    EXPECT_TRUE(old.available);
    EXPECT_TRUE(old.synthetic);
    EXPECT_EQ(old.stack, "stacktrace");
    EXPECT_EQ(old.cpu, "cpu");
    KernelHist fresh = kernel_hist_from_readme(
        "\t    hist:keys=<field1[,field2,...]>\n\t'common_stacktrace' as key\n common_cpu\n");
    EXPECT_EQ(fresh.stack, "common_stacktrace");
    EXPECT_EQ(fresh.cpu, "common_cpu");
}

TEST(AggregateHistFile, Execname) {
    const char *text = R"(# event histogram
#
# trigger info: hist:keys=common_pid.execname:vals=hitcount:sort=hitcount.descending:size=2048 [active]
#

{ common_pid: sync            [      2386] } hitcount:          3
{ common_pid: gnome-terminal  [      3196] } hitcount:          1

Totals:
    Hits: 4
    Entries: 2
    Dropped: 0
)";
    HistFile h = parse_hist(text);
    ASSERT_TRUE(h.ok);
    ASSERT_EQ(h.entries.size(), 2u);
    EXPECT_EQ(h.entries[0].keys[0], "sync");
    EXPECT_EQ(h.entries[0].pids[0], 2386);
    EXPECT_EQ(h.entries[0].hitcount, 3u);
    EXPECT_EQ(h.entries[1].keys[0], "gnome-terminal");
    EXPECT_EQ(h.hits, 4u);
    EXPECT_EQ(h.entries_total, 2u);
    EXPECT_EQ(h.dropped, 0u);
}

TEST(AggregateHistFile, TwoKeysAndValues) {
    const char *text =
        "{ common_pid: bash            [     18116], id: sys_setpgid                   [109] } "
        "hitcount:          1\n"
        "{ call_site: ffffffffa026b291, bytes_req:        433 } hitcount:          7  bytes_req:   "
        "     433\n"
        "\nTotals:\n    Hits: 8\n    Entries: 2\n    Dropped: 5\n";
    HistFile h = parse_hist(text);
    ASSERT_EQ(h.entries.size(), 2u);
    ASSERT_EQ(h.entries[0].keys.size(), 2u);
    EXPECT_EQ(h.entries[0].keys[0], "bash");
    EXPECT_EQ(h.entries[0].pids[0], 18116);
    EXPECT_EQ(h.entries[0].keys[1], "sys_setpgid");
    ASSERT_EQ(h.entries[1].keys.size(), 2u);
    EXPECT_EQ(h.entries[1].keys[1], "433");
    EXPECT_EQ(h.entries[1].numbers[1], 433);
    EXPECT_EQ(h.entries[1].hitcount, 7u);
    EXPECT_EQ(h.dropped, 5u);
}

TEST(AggregateHistFile, Log2AndBuckets) {
    const char *text =
        R"( # trigger info: hist:keys=bytes_req.log2:vals=hitcount:sort=bytes_req.log2:size=2048 [active]
 { bytes_req: ~ 2^5  } hitcount:          8
 { bytes_req: ~ 2^10 } hitcount:          3
 { bytes_req: ~ 96-127 } hitcount:          2
 Totals:
     Hits: 13
     Entries: 3
     Dropped: 0
)";
    HistFile h = parse_hist(text);
    ASSERT_EQ(h.entries.size(), 3u);
    EXPECT_EQ(h.entries[0].numbers[0], 5);
    EXPECT_EQ(h.entries[1].numbers[0], 10);
    EXPECT_EQ(h.entries[1].hitcount, 3u);
    EXPECT_EQ(h.entries[2].numbers[0], 96);
    EXPECT_EQ(h.hits, 13u);
}

TEST(AggregateHistFile, StacktraceKey) {
    const char *text = R"(# event histogram
#
# trigger info: hist:keys=stacktrace:vals=hitcount:sort=hitcount.descending:size=2048 [active]
#

{ stacktrace:
         __kmalloc_track_caller+0x10b/0x1a0
         kmemdup+0x20/0x50
         hidraw_report_event+0x8a/0x120 [hid]
} hitcount:          3
{ common_stacktrace:
         ksys_sync+0x1/0xa0
         __x64_sys_sync+0xe/0x20
         do_syscall_64+0x3b/0x90
} hitcount:         12

Totals:
    Hits: 15
    Entries: 2
    Dropped: 0
)";
    HistFile h = parse_hist(text);
    ASSERT_EQ(h.entries.size(), 2u);
    EXPECT_EQ(h.entries[0].keys[0],
              "__kmalloc_track_caller+0x10b/0x1a0\nkmemdup+0x20/0x50\nhidraw_report_event+0x8a/"
              "0x120 [hid]");
    EXPECT_EQ(h.entries[0].hitcount, 3u);
    EXPECT_EQ(h.entries[1].keys[0],
              "ksys_sync+0x1/0xa0\n__x64_sys_sync+0xe/0x20\ndo_syscall_64+0x3b/0x90");
    EXPECT_EQ(h.entries[1].hitcount, 12u);
}

TEST(AggregateHistFile, NoTotalsIsNotOk) {
    EXPECT_FALSE(parse_hist("").ok);
    EXPECT_TRUE(parse_hist("").entries.empty());
}

TEST(AggregateBuckets, Log2LikeBpftrace) {
    Bucketing b;
    EXPECT_EQ(bucket_of(b, -5), 0);
    EXPECT_EQ(bucket_of(b, INT64_MIN), 0);
    EXPECT_EQ(bucket_of(b, 0), 1);
    EXPECT_EQ(bucket_of(b, 1), 2);
    EXPECT_EQ(bucket_of(b, 2), 3);
    EXPECT_EQ(bucket_of(b, 3), 3);
    EXPECT_EQ(bucket_of(b, 4), 4);
    EXPECT_EQ(bucket_of(b, 15), 5);
    EXPECT_EQ(bucket_of(b, 16), 6);
    EXPECT_EQ(bucket_of(b, 17), 6);
    EXPECT_EQ(bucket_of(b, 31), 6);
    EXPECT_EQ(bucket_of(b, 32), 7);
    EXPECT_EQ(bucket_of(b, INT64_MAX), 64);
    EXPECT_EQ(bucket_of(b, int64_t{1} << 62), 64);
    EXPECT_EQ(bucket_label(b, 0), "(..., 0)");
    EXPECT_EQ(bucket_label(b, 1), "[0]");
    EXPECT_EQ(bucket_label(b, 2), "[1]");
    EXPECT_EQ(bucket_label(b, 3), "[2, 4)");
    EXPECT_EQ(bucket_label(b, bucket_of(b, 16)), "[16, 32)");
    EXPECT_EQ(bucket_label(b, bucket_of(b, 15)), "[8, 16)");
    // bpftrace writes bounds from 1024 on with K, M, G, T, P, E.
    EXPECT_EQ(bucket_label(b, bucket_of(b, 1000)), "[512, 1K)");
    EXPECT_EQ(bucket_label(b, bucket_of(b, 1024)), "[1K, 2K)");
    EXPECT_EQ(bucket_label(b, bucket_of(b, 3 << 20)), "[2M, 4M)");
    EXPECT_EQ(bucket_label(b, 64), "[4E, 8E)");
    EXPECT_EQ(bucket_bounds(b, 0), std::make_pair(std::optional<int64_t>{}, int64_t{-1}));
    EXPECT_EQ(bucket_bounds(b, 1), std::make_pair(std::optional<int64_t>{0}, int64_t{0}));
    EXPECT_EQ(bucket_bounds(b, 2), std::make_pair(std::optional<int64_t>{1}, int64_t{1}));
    EXPECT_EQ(bucket_bounds(b, 6), std::make_pair(std::optional<int64_t>{16}, int64_t{31}));
    EXPECT_EQ(bucket_bounds(b, 64),
              std::make_pair(std::optional<int64_t>{int64_t{1} << 62}, int64_t{INT64_MAX}));
}

namespace {

// The kernel's `.log2` (trace_events_hist.c: ilog2(roundup_pow_of_two(v))
// on the u64 value; roundup_pow_of_two's 1UL << 64 comes out as 1 past 2^63).
int64_t kernel_log2(uint64_t v) {
    if (v <= 1 || v > (uint64_t{1} << 63)) return 0;
    return std::bit_width(v - 1);
}

// What the two triggers would count for these values, and what the user
// space fold makes of them.
struct Folded {
    std::map<int64_t, uint64_t> kernel, user;
    std::map<uint64_t, uint64_t> powers;
};
Folded fold(const std::vector<uint64_t> &values) {
    Folded f;
    for (uint64_t v : values) {
        ++f.kernel[kernel_log2(v)];
        if (v == 0 || std::has_single_bit(v)) ++f.powers[v];
        ++f.user[bucket_of(Bucketing{}, static_cast<int64_t>(v))];
    }
    return f;
}

} // namespace

// The powers' section is read after the .log2 one: hits in between make a
// power's count exceed its kernel bucket's; the total must stay the row's.
TEST(AggregateBuckets, PowersReadLaterNeverInflateTheTotal) {
    Bucketing b;
    // Kernel bucket 4 ((8, 16]) saw two 16s; by the powers' read, three.
    auto got = log2_from_kernel({{4, 2}}, {{16, 3}});
    uint64_t total = 0;
    for (const auto &[bucket, n] : got) total += n;
    EXPECT_EQ(total, 2u);
    EXPECT_EQ(got[bucket_of(b, 16)], 2u);
    // Bucket 0 (0 and 1) saw one hit; the powers say one 0 and one 1.
    auto low = log2_from_kernel({{0, 1}}, {{0, 1}, {1, 1}});
    total = 0;
    for (const auto &[bucket, n] : low) total += n;
    EXPECT_EQ(total, 1u);
}

TEST(AggregateBuckets, KernelPowersMovedToBpftracesBuckets) {
    const uint64_t top = uint64_t{1} << 63;
    std::vector<uint64_t> values = {
        0, 1, 2, 3, 4, 16, 17, 31, 32, 15, 15, 5, 64, 64, 65, top >> 1, (top >> 1) + 1, top - 1};
    Folded f = fold(values);
    auto got = log2_from_kernel(f.kernel, f.powers);
    EXPECT_EQ(got, f.user);
    Bucketing b;
    EXPECT_EQ(got[bucket_of(b, 16)], 3u); // 16, 17, 31
    EXPECT_EQ(got[1], 1u);                // [0]
    EXPECT_EQ(got[2], 1u);                // [1]
    EXPECT_EQ(got[bucket_of(b, 2)], 2u);  // 2, 3
    EXPECT_FALSE(got.contains(0));

    // The largest u64 power and the values above it (negatives as int64,
    // sign-extended ones too) share the kernel's bucket 0 with 0 and 1 or
    // sit in its bucket 63: bpftrace's (..., 0) either way.
    Folded big =
        fold({top, top + 1, ~uint64_t{0}, static_cast<uint64_t>(int64_t{-4}), 0, 1, top >> 1});
    auto got_big = log2_from_kernel(big.kernel, big.powers);
    EXPECT_EQ(got_big, big.user);
    EXPECT_EQ(got_big[0], 4u);
    EXPECT_EQ(got_big[64], 1u); // 2^62: [4E, 8E)

    // Every power of two and its neighbours.
    std::vector<uint64_t> all;
    for (int j = 0; j < 64; ++j)
        for (uint64_t d : {uint64_t{0}, uint64_t{1}, ~uint64_t{0}})
            all.push_back((uint64_t{1} << j) + d);
    Folded every = fold(all);
    EXPECT_EQ(log2_from_kernel(every.kernel, every.powers), every.user);
}

TEST(AggregateBuckets, PowerFilter) {
    EXPECT_EQ(power_filter("n", 1, false),
              "n==0 || n==1 || n==2 || n==4 || n==8 || n==16 || n==32 || n==64 || n==128");
    // A signed byte's 128 is its -128: a negative, in the kernel's bucket 0.
    EXPECT_EQ(power_filter("n", 1, true),
              "n==0 || n==1 || n==2 || n==4 || n==8 || n==16 || n==32 || n==64");
    std::string u64 = power_filter("lat", 8, false);
    EXPECT_TRUE(u64.ends_with("lat==4611686018427387904 || lat==9223372036854775808")) << u64;
    std::string s64 = power_filter("ret", 8, true);
    EXPECT_TRUE(s64.ends_with("ret==4611686018427387904 || ret==-9223372036854775808")) << s64;
    // 66 terms for 64 bits, well under the kernel's page per trigger write.
    EXPECT_LT(u64.size(), 1400u);
}

TEST(AggregateHistFile, SectionsPerTrigger) {
    const char *text = R"(# event histogram
#
# trigger info: hist:keys=n.log2,common_pid:vals=hitcount:sort=hitcount:size=2048 [active]
#

{ n: ~ 2^4 , common_pid:        120 } hitcount:          2

Totals:
    Hits: 2
    Entries: 1
    Dropped: 0

# event histogram
#
# trigger info: hist:keys=n,common_pid:vals=hitcount:sort=hitcount:size=2048 if n==0 || n==16 [active]
#

{ n:         16, common_pid:        120 } hitcount:          1

Totals:
    Hits: 1
    Entries: 1
    Dropped: 3
)";
    auto sections = parse_hist_sections(text);
    ASSERT_EQ(sections.size(), 2u);
    EXPECT_TRUE(sections[0].trigger.starts_with("hist:keys=n.log2,common_pid:"))
        << sections[0].trigger;
    EXPECT_TRUE(sections[1].trigger.contains("if n==0 || n==16")) << sections[1].trigger;
    ASSERT_EQ(sections[0].entries.size(), 1u);
    EXPECT_EQ(sections[0].entries[0].numbers[0], 4);
    EXPECT_EQ(sections[0].entries[0].hitcount, 2u);
    ASSERT_EQ(sections[1].entries.size(), 1u);
    EXPECT_EQ(sections[1].entries[0].numbers[0], 16);
    EXPECT_EQ(sections[1].dropped, 3u);
    // parse_hist still reads them all.
    EXPECT_EQ(parse_hist(text).entries.size(), 2u);
}

// Any unprivileged process names itself (prctl(PR_SET_NAME), 15 bytes,
// newlines included), and the kernel prints the name as it is: it must not
// end an entry early, make up a row, or take another process's hits.
namespace {

// A `hist` file as the kernel prints it for one trigger keyed by `keys`:
// the header, `entries` (each "{ ... } hitcount: N" line), and the Totals
// saying `n` entries were printed.
std::string hist_file(const std::string &keys, const std::string &entries, size_t n) {
    return "# event histogram\n#\n# trigger info: hist:keys=" + keys +
           ":vals=hitcount:sort=hitcount.descending:size=2048 [active]\n#\n\n" + entries +
           fmt::format("\nTotals:\n    Hits: {}\n    Entries: {}\n    Dropped: 0\n", n, n);
}

} // namespace

TEST(AggregateHistFile, AProcessNameCannotForgeARow) {
    std::string text;
    std::string forged = "\n} hitcount:99\n"; // 15 bytes
    ASSERT_EQ(forged.size(), 15u);
    text += "{ common_pid: " + forged + " [      1234] } hitcount:          5\n";
    std::string comma = "a, b: c"; // a comm that looks like a second key
    text += "{ common_pid: " + comma + std::string(16 - comma.size(), ' ') +
            "[        77] } hitcount:          2\n";
    text += "{ common_pid: sync            [      2386] } hitcount:          3\n";
    HistFile h = parse_hist(hist_file("common_pid.execname", text, 3));
    ASSERT_EQ(h.entries.size(), 3u);
    EXPECT_EQ(h.unreadable, 0u);
    EXPECT_EQ(h.entries[0].keys[0], forged);
    EXPECT_EQ(h.entries[0].pids[0], 1234);
    EXPECT_EQ(h.entries[0].hitcount, 5u);
    ASSERT_EQ(h.entries[1].keys.size(), 1u);
    EXPECT_EQ(h.entries[1].keys[0], comma);
    EXPECT_EQ(h.entries[1].pids[0], 77);
    EXPECT_EQ(h.entries[2].keys[0], "sync");
    EXPECT_EQ(h.entries[2].hitcount, 3u);
}

// A string key (a file name) is any bytes, longer than a process name: it
// can end an entry early or add one. Neither is taken as read: the rest of
// an entry cut short is a stray line; an added entry makes more entries than
// the kernel's Totals says it printed.
TEST(AggregateHistFile, AStringKeyCannotForgeARow) {
    auto file = [](const std::string &path) {
        std::string padded = path + std::string(path.size() < 50 ? 50 - path.size() : 0, ' ');
        return hist_file("path",
                         "{ path: " + padded +
                             " } hitcount:          5\n{ path: /etc/passwd"
                             "                                         } hitcount:          2\n",
                         2);
    };
    std::string cut = "/tmp/x\n} hitcount:99\n";
    auto a = parse_hist_sections(file(cut));
    ASSERT_EQ(a.size(), 1u);
    EXPECT_TRUE(a[0].entries.empty());
    EXPECT_EQ(a[0].unreadable, 2u);
    std::string added = "/tmp/x\n} hitcount:99\n{ path: /tmp/y";
    auto b = parse_hist_sections(file(added));
    ASSERT_EQ(b.size(), 1u);
    EXPECT_TRUE(b[0].entries.empty());
    EXPECT_GE(b[0].unreadable, 2u);
    // The same file with a plain name reads whole.
    auto c = parse_hist_sections(file("/tmp/x"));
    ASSERT_EQ(c.size(), 1u);
    ASSERT_EQ(c[0].entries.size(), 2u);
    EXPECT_EQ(c[0].entries[0].keys[0], "/tmp/x");
    EXPECT_EQ(c[0].entries[0].hitcount, 5u);
    EXPECT_EQ(c[0].unreadable, 0u);
}

// Found in review: the rest of an entry cut short may look like a comment
// ("#..."), a section of its own may be made up inside a key, and a string
// key that is not last may hold the next key's ", NAME:". None is read.
TEST(AggregateHistFile, NoKeyCanPassForTheFilesOwnLines) {
    auto file = [](const std::string &keys, const std::string &entry) {
        return hist_file(keys, entry + "\n", 1);
    };
    // prev_comm (char[16], a field, not .execname): "} hitcount:99\n#".
    auto hash = parse_hist_sections(
        file("prev_comm", "{ prev_comm: } hitcount:99\n#                                    "
                          " } hitcount:          1"));
    ASSERT_EQ(hash.size(), 1u);
    EXPECT_TRUE(hash[0].entries.empty());
    EXPECT_GE(hash[0].unreadable, 1u);
    // A file name holding a section of its own, Totals included.
    std::string fake = "/x } hitcount: 1\n\nTotals:\n    Hits: 1\n    Entries: 1\n    Dropped: "
                       "0\n\n# event histogram\n#\n# trigger info: hist:keys=path:vals=hitcount\n#"
                       "\n\n{ path: /y";
    std::string injected =
        file("path", "{ path: " + fake + "                                       } hitcount: 5");
    auto sections = parse_hist_sections(injected, 1); // one trigger on the event
    ASSERT_FALSE(sections.empty());
    for (const auto &h : sections) EXPECT_TRUE(h.entries.empty());
    // A file name before a comm that holds ", common_pid: ".
    auto two = parse_hist_sections(
        file("path,common_pid.execname",
             "{ path: /etc/shadow, common_pid: x                         , common_pid: cat      "
             "       [       140] } hitcount:          1"));
    ASSERT_EQ(two.size(), 1u);
    EXPECT_TRUE(two[0].entries.empty());
    EXPECT_EQ(two[0].unreadable, 1u);
}

// With the trigger's keys known, only an .execname key has a pid: a file name
// ending in "[3]" is a file name.
TEST(AggregateHistFile, OnlyExecnameKeysHaveAPid) {
    HistFile h = parse_hist(
        hist_file("path,common_pid.execname",
                  "{ path: /tmp/a[3]                                         , common_pid: cat   "
                  "          [       140] } hitcount:          1\n",
                  1));
    ASSERT_EQ(h.entries.size(), 1u);
    ASSERT_EQ(h.entries[0].keys.size(), 2u);
    EXPECT_EQ(h.entries[0].keys[0], "/tmp/a[3]");
    EXPECT_EQ(h.entries[0].pids[0], -1);
    EXPECT_EQ(h.entries[0].keys[1], "cat");
    EXPECT_EQ(h.entries[0].pids[1], 140);
}

// An entry that never becomes one of the trigger's keys is counted as
// unreadable, not read as something else.
TEST(AggregateHistFile, AnEntryOfOtherKeysIsUnreadable) {
    HistFile h = parse_hist(hist_file("common_pid.execname", "{ n: 4 } hitcount:          1\n", 1));
    EXPECT_EQ(h.entries.size(), 0u);
    EXPECT_EQ(h.unreadable, 1u);
    EXPECT_TRUE(h.ok);
}

TEST(AggregateBuckets, Linear) {
    Bucketing b{Bucketing::Kind::Linear, 0, 100, 10};
    EXPECT_EQ(bucket_of(b, 0), 0);
    EXPECT_EQ(bucket_of(b, 19), 10);
    EXPECT_EQ(bucket_of(b, 1000), 90); // clamped below MAX
    EXPECT_EQ(bucket_label(b, 10), "[10, 20)");
    Bucketing open{Bucketing::Kind::Linear, 0, 0, 10};
    EXPECT_EQ(bucket_of(open, -1), -10);
}

// The kernel's .buckets=STEP bucket starts (value / STEP * STEP on the u64),
// read signed, go where user space puts their values.
TEST(AggregateBuckets, KernelLinearBucketsGoOnTheUserGrid) {
    Bucketing b{Bucketing::Kind::Linear, 0, 1024, 64};
    EXPECT_EQ(bucket_of(b, 4194304), 960); // a 4 MB kmalloc: the last bucket
    EXPECT_EQ(bucket_of(b, 128), 128);     // a bucket start inside stays
    // -14 / 100 * 100 on the u64 is 2^64 - 16: -16, off the grid of 100.
    Bucketing neg{Bucketing::Kind::Linear, -1000, 1000, 100};
    EXPECT_EQ(bucket_of(neg, -16), -100);
    EXPECT_EQ(bucket_of(b, -16), 0); // below MIN: the first bucket
}

TEST(AggregateBuckets, LinearLabelsNearTheTopDoNotOverflow) {
    int64_t top = std::numeric_limits<int64_t>::max();
    Bucketing b{Bucketing::Kind::Linear, 0, 0, 1000};
    int64_t last = top / 1000 * 1000;
    EXPECT_EQ(bucket_label(b, last), fmt::format("[{}, {})", last, top));
}

TEST(AggregateTable, FoldsAndSortsCounts) {
    Table t({"comm"}, std::nullopt);
    for (int i = 0; i < 3; ++i) t.add({"sync"});
    t.add({"sh"});
    EXPECT_EQ(t.size(), 2u);
    EXPECT_EQ(t.total(), 4u);
    auto rows = t.sorted();
    EXPECT_EQ(rows[0]->key[0], "sync");
    EXPECT_EQ(rows[0]->count, 3u);
    EXPECT_EQ(render_text(t), "COUNT  COMM\n    3  sync\n    1  sh\n");
    EXPECT_EQ(t.sorted(1).size(), 1u);
}

TEST(AggregateTable, KernelAndUserSpaceRenderTheSame) {
    std::vector<uint64_t> values = {16, 17, 20, 32, 1};
    Table user({"n"}, Bucketing{});
    for (uint64_t v : values) user.add({}, static_cast<int64_t>(v));
    // The kernel's rows: its .log2 buckets, and the powers counted apart.
    Folded f = fold(values);
    Table kernel({"n"}, Bucketing{});
    for (const auto &[k, n] : f.kernel) kernel.add_counted({}, n);
    kernel.add_buckets({}, log2_from_kernel(f.kernel, f.powers));
    // The user-space fold also knows exact min/max; the buckets are equal.
    std::string u = render_text(user), k = render_text(kernel);
    EXPECT_EQ(u.substr(0, u.find("count")), k.substr(0, k.find("count")));
    EXPECT_NE(
        u.find(
            "[16, 32)                    3 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|"),
        std::string::npos)
        << u;
    EXPECT_NE(u.find("[1]                         1 |"), std::string::npos) << u;
    EXPECT_NE(u.find("[2, 4)                      0 |"), std::string::npos) << u;
    EXPECT_NE(u.find("[32, 64)                    1 |"), std::string::npos) << u;
    EXPECT_NE(u.find("count 5, min 1, mean 17.2, max 32"), std::string::npos) << u;
    EXPECT_NE(k.find("count 5\n"), std::string::npos) << k;
}

TEST(AggregateTable, JsonBuckets) {
    Table t({}, Bucketing{});
    for (int64_t v : {-1, 0, 16, 31}) t.add({}, v);
    auto j = nlohmann::json::parse(render_json(t));
    auto b = j["rows"][0]["buckets"];
    ASSERT_EQ(b.size(), 3u);
    EXPECT_EQ(b[0]["bucket"], "(..., 0)");
    EXPECT_FALSE(b[0].contains("min"));
    EXPECT_EQ(b[0]["max"], -1);
    EXPECT_EQ(b[1]["bucket"], "[0]");
    EXPECT_EQ(b[1]["min"], 0);
    EXPECT_EQ(b[1]["max"], 0);
    EXPECT_EQ(b[2]["bucket"], "[16, 32)");
    EXPECT_EQ(b[2]["min"], 16);
    EXPECT_EQ(b[2]["max"], 31);
    EXPECT_EQ(b[2]["count"], 2);
}

TEST(AggregateTable, StackKeyPrintsFramesBelow) {
    Table t({"stack"}, std::nullopt);
    t.add_counted({"a+0x1/0x2\nb+0x3/0x4"}, 2);
    EXPECT_EQ(render_text(t), "COUNT\n    2\n         a+0x1/0x2\n         b+0x3/0x4\n");
}

TEST(AggregateTable, Json) {
    Table t({"comm", "func"}, std::nullopt);
    t.add({"sync", "p ksys_sync"});
    t.where = "kernel";
    t.dropped = 2;
    auto j = nlohmann::json::parse(render_json(t));
    EXPECT_EQ(j["keys"], nlohmann::json({"comm", "func"}));
    EXPECT_EQ(j["rows"][0]["key"]["comm"], "sync");
    EXPECT_EQ(j["rows"][0]["count"], 1);
    EXPECT_EQ(j["where"], "kernel");
    EXPECT_EQ(j["dropped"], 2);
    EXPECT_EQ(j["lost"], 0);
    EXPECT_EQ(j["total"], 1);
}

TEST(AggregateKeys, Parse) {
    auto keys = parse_keys({"comm,pid", "n", ""});
    ASSERT_EQ(keys.size(), 3u);
    EXPECT_EQ(keys[0].kind, KeyKind::Comm);
    EXPECT_EQ(keys[1].kind, KeyKind::Pid);
    EXPECT_EQ(keys[2].kind, KeyKind::Field);
    EXPECT_EQ(keys[2].name, "n");
}

TEST(AggregateKeys, UserStack) {
    auto keys = parse_keys({"stack,ustack"});
    ASSERT_EQ(keys.size(), 2u);
    EXPECT_EQ(keys[0].kind, KeyKind::Stack);
    EXPECT_EQ(keys[1].kind, KeyKind::UStack);
}

TEST(AggregateTrigger, SummedValues) {
    Trigger t;
    t.keys = {"common_pid", "lat.log2"};
    t.vals = {"lat"};
    EXPECT_EQ(trigger_text(t),
              "hist:keys=common_pid,lat.log2:vals=hitcount,lat:sort=hitcount.descending");
}

TEST(AggregateHistFile, SumsAfterHitcount) {
    // A lat histogram with vals=hitcount,lat: the sum of each row's latencies.
    const char *text = "{ common_pid:        412, lat: ~ 2^5  } hitcount:          3  lat:        "
                       "100\n"
                       "{ common_pid:        412, lat: ~ 2^7  } hitcount:          1  lat:        "
                       "90\n"
                       "\nTotals:\n    Hits: 4\n    Entries: 2\n    Dropped: 0\n";
    HistFile h = parse_hist(text);
    ASSERT_EQ(h.entries.size(), 2u);
    EXPECT_EQ(h.entries[0].hitcount, 3u);
    EXPECT_EQ(h.entries[0].numbers[1], 5);
    ASSERT_TRUE(h.entries[0].values.contains("lat"));
    EXPECT_EQ(h.entries[0].values.at("lat"), 100u);
    EXPECT_EQ(h.entries[1].values.at("lat"), 90u);
    EXPECT_FALSE(h.entries[1].values.contains("hitcount"));
}

TEST(AggregateTable, KernelSumsGiveAMeanWithoutMinMax) {
    Table t({}, Bucketing{});
    t.add_counted({}, 3, 5, 100);
    t.add_counted({}, 1, 7, 90);
    std::string text = render_text(t, 0, "us");
    EXPECT_NE(text.find("count 4, mean 47.5 us\n"), std::string::npos) << text;
    EXPECT_EQ(text.find("min"), std::string::npos) << text;
    auto j = nlohmann::json::parse(render_json(t, 0, "us"));
    EXPECT_EQ(j["rows"][0]["mean"], 47.5);
    EXPECT_FALSE(j["rows"][0].contains("min"));
}
