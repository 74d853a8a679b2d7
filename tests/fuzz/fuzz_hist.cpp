// libFuzzer target: a `hist` file as the kernel prints it, where any bytes can
// come from a user (a process name set with prctl, a string key such as a
// file name), through parse_hist_sections, into Tables the way the kernel
// fold fills them (counts, linear buckets, bpftrace's log2 buckets from the
// kernel's), and out as text and JSON. Any crash or sanitizer report fails,
// and so does JSON that does not parse.
//
// Built like fuzz_decode (fuzz_hist.cmake), coverage from fuzz_coverage.cpp.
#include "aggregate/aggregate.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <fuzzer/FuzzedDataProvider.h>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

using namespace ksurf::aggregate;

namespace {

void check(const Table &t) {
    (void)render_text(t, 0, "us");
    (void)render_text(t, 3, "ns");
    // Throws (and so aborts the fuzzer) when it does not parse.
    auto doc = nlohmann::json::parse(render_json(t, 0, "us"));
    if (!doc.is_object()) std::abort();
}

// The second half: a hist file printed as the kernel prints it, from entries
// whose process names and strings are the fuzzer's bytes. Read back, it is
// either refused whole or the very entries printed: no count made up, none
// moved to another key.
std::string rtrim(std::string s) {
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
}

void printed_file_reads_back(FuzzedDataProvider &in) {
    bool comm = in.ConsumeBool(), path = in.ConsumeBool() || !comm, path_first = in.ConsumeBool();
    struct Truth {
        std::string comm, path;
        int pid;
        uint64_t hits;
    };
    std::vector<Truth> truth(in.ConsumeIntegralInRange<size_t>(1, 6));
    std::string keys = path_first ? "path" : "";
    if (comm) keys += std::string(keys.empty() ? "" : ",") + "common_pid.execname";
    if (path && !path_first) keys += std::string(keys.empty() ? "" : ",") + "path";
    if (!path) path_first = false;
    std::string text = "# event histogram\n#\n# trigger info: hist:keys=" + keys +
                       ":vals=hitcount:sort=hitcount.descending:size=2048 [active]\n#\n\n";
    uint64_t hits = 0;
    for (auto &t : truth) {
        auto bytes = [&](size_t max) {
            std::string b = in.ConsumeRandomLengthString(max);
            std::erase(b, '\0'); // %s stops at the first
            return b;
        };
        t.comm = bytes(15);
        t.path = bytes(80);
        t.pid = in.ConsumeIntegralInRange<int>(1, 4194304);
        t.hits = in.ConsumeIntegralInRange<uint64_t>(1, 1000000);
        hits += t.hits;
        std::string c = fmt::format("common_pid: {:<16}[{:>10}]", t.comm, t.pid);
        std::string p = fmt::format("path: {:<50}", t.path);
        std::string k = path_first ? p : comm ? c : p;
        if (comm && path) k += ", " + (path_first ? c : p);
        text += "{ " + k + " } hitcount: " + fmt::format("{:>10}", t.hits) + "\n";
    }
    text += fmt::format("\nTotals:\n    Hits: {}\n    Entries: {}\n    Dropped: 0\n", hits,
                        truth.size());
    auto sections = parse_hist_sections(text, 1);
    if (std::getenv("FUZZ_HIST_SHOW")) // to see a crash's file: FUZZ_HIST_SHOW=1 fuzz_hist CRASH
        std::fprintf(stderr, "%s--- %zu sections, %zu entries, %llu unreadable\n", text.c_str(),
                     sections.size(), sections.empty() ? 0 : sections[0].entries.size(),
                     sections.empty() ? 0ULL
                                      : static_cast<unsigned long long>(sections[0].unreadable));
    if (std::getenv("FUZZ_HIST_SHOW"))
        for (const auto &t : truth)
            std::fprintf(stderr, "printed: %llu [%s|%d] [%s]\n",
                         static_cast<unsigned long long>(t.hits), t.comm.c_str(), t.pid,
                         t.path.c_str());
    if (std::getenv("FUZZ_HIST_SHOW"))
        for (const auto &h : sections)
            for (const auto &e : h.entries) {
                std::fprintf(stderr, "read: %llu", static_cast<unsigned long long>(e.hitcount));
                for (size_t k = 0; k < e.keys.size(); ++k)
                    std::fprintf(stderr, " [%s|%d]", e.keys[k].c_str(), e.pids[k]);
                std::fprintf(stderr, "\n");
            }
    if (sections.size() != 1) { // a key held a section of its own: all refused
        for (const auto &h : sections)
            if (!h.entries.empty()) std::abort();
        return;
    }
    const HistFile &h = sections[0];
    // Refused whole, or entry by entry (an entry readable two ways): said,
    // never miscounted. What is read is the printed entries, in order.
    if (h.entries.size() + h.unreadable != truth.size()) std::abort();
    if (h.entries.empty()) return;
    size_t next = 0;
    for (const HistEntry &e : h.entries) {
        auto same = [&](const Truth &t) {
            if (e.hitcount != t.hits || e.keys.size() != (comm && path ? 2u : 1u)) return false;
            size_t at = path_first ? 1 : 0;
            return !comm || (e.pids[at] == t.pid && e.keys[at] == rtrim(t.comm));
        };
        while (next < truth.size() && !same(truth[next])) ++next;
        if (next == truth.size()) std::abort(); // a row that was not printed
        ++next;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 0 && data[0] == 'P') {
        FuzzedDataProvider in(data + 1, size - 1);
        printed_file_reads_back(in);
        return 0;
    }
    std::string_view text(reinterpret_cast<const char *>(data), size);
    Table counts({"comm", "stack"}, std::nullopt);
    Bucketing linear{Bucketing::Kind::Linear, -100, 100, 7};
    Table lin({"k"}, linear);
    Table log2({"k"}, Bucketing{});
    for (const auto &h : parse_hist_sections(text)) {
        for (const auto &e : h.entries) {
            std::vector<std::string> key = e.keys;
            key.resize(2);
            counts.add_counted(key, e.hitcount, std::nullopt, std::nullopt);
            std::vector<std::string> one{e.keys.empty() ? std::string() : e.keys.front()};
            std::optional<int64_t> bucket = e.numbers.empty() ? std::nullopt : e.numbers.back();
            std::optional<uint64_t> sum;
            if (!e.values.empty()) sum = e.values.begin()->second;
            if (bucket) lin.add_counted(one, e.hitcount, bucket_of(linear, *bucket), sum);
            std::map<int64_t, uint64_t> kernel;
            std::map<uint64_t, uint64_t> powers;
            if (bucket) {
                kernel[*bucket] += e.hitcount;
                powers[static_cast<uint64_t>(*bucket)] += e.hitcount / 2;
            }
            log2.add_buckets(one, log2_from_kernel(kernel, powers));
        }
    }
    check(counts);
    check(lin);
    check(log2);
    return 0;
}
