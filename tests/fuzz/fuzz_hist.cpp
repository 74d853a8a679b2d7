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
#include <cstdlib>
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

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
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
