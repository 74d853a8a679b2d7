// ksurf run's two modes, call trees per thread (graph::Forest, built by
// RunModel) from one of two sources:
//  - function graph: the function_graph tracer limited to CMD
//    (FunctionGraphArming, function_graph.cpp);
//  - event timeline: system calls with durations and return values,
//    off-CPU intervals, user page faults, block requests (a Plan of trace
//    events through PlanArming), where the function tracer is absent or
//    refused.
// Both print the same report: trees, the summary, folded stacks, a flame graph.
#pragma once

#include "engine/engine.h"
#include "graph/forest.h"

#include <string>
#include <vector>

namespace ksurf::engine {

struct GraphOptions {
    std::vector<std::string> graph_functions, filters, notrace; // -g, --filter, --notrace
    int max_depth = 0;                                          // --max-depth
    double min_time_us = 0;                                     // --min-time
    bool no_irqs = false;                                       // --no-irqs
    unsigned buffer_kb = 0;                                     // -b, 0 = the mode's default
    bool json = false, folded = false;                          // --json, --folded
    std::string svg;                                            // --svg FILE
    bool no_children = false, force = false;                    // --no-children, --force
    size_t tree_limit = graph::Forest::kDefaultMaxNodes;        // --tree-limit, 0 = none
    std::vector<std::string> command;                           // -- CMD ARGS...
};

// function_graph on CMD. Returns CMD's exit status (or 1, 74), or kDeclined
// with `why` set when the kernel refused the tracer (then the event timeline
// is the way).
int run_function_graph(const GraphOptions &o, std::string &why);

// System calls and scheduler events of CMD; `why` says why not functions.
int run_event_timeline(const tracefs::Tracefs &fs, const GraphOptions &o, const std::string &why);

} // namespace ksurf::engine
