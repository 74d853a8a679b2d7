// What `ksurf run` prints from a Forest: an indented tree per thread (never
// interleaved across CPUs or threads), a summary per process, the same as
// JSON, and a flame graph (SVG drawn here: rects, text, title tooltips).
#pragma once

#include "graph/forest.h"

#include <cstdint>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace ksurf::graph {

struct ReportOptions {
    uint64_t min_time_ns = 0; // calls shorter than this are hidden (with what they called)
    size_t top = 15;          // rows per summary table
    bool syscalls = false;    // event mode: names are system calls, not functions
};

// "12.345 us"
std::string format_duration(uint64_t ns);

// One line per node: start offset, duration, indented name.
void print_trees(FILE *out, const Forest &forest, const ReportOptions &options);
void print_summary(FILE *out, const Forest &forest, const std::vector<ProcessSummary> &summary,
                   const ReportOptions &options);

// {"threads":[{"tid","pid","comm","calls":[{"name","start_us","duration_us",
// "complete","ret","detail","children":[...]}]}]}
nlohmann::json trees_json(const Forest &forest, const ReportOptions &options);
// [{"pid","comm","threads":[..],"top":[{"name","calls","total_us","self_us","max_us","errors"}]}]
nlohmann::json summary_json(const Forest &forest, const std::vector<ProcessSummary> &summary,
                            const ReportOptions &options);

// "stack;frames weight" lines, sorted.
void print_folded(FILE *out, const std::map<std::string, uint64_t> &folded);
// A self-contained flame graph of folded stacks (weights in ns).
std::string flame_svg(const std::map<std::string, uint64_t> &folded, const std::string &title);

} // namespace ksurf::graph
