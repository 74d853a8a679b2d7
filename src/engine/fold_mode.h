// count and hist: answers instead of events. The same probes, session,
// child and stop rules as the probe stream; the handler folds instead of
// printing. In the kernel where it can (hist triggers on the run's own
// instance, read at the end and every -i SECS), in user space where it must
// (records folded as they arrive, nothing stored per event). Both fill an
// aggregate::Table, so the output is the same. lat uses it too where the
// kernel pairs entry and return (a synthetic event, tracefs/synth.h).
#pragma once

#include "aggregate/aggregate.h"
#include "engine/engine.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ksurf::engine {

struct FoldRequest {
    std::vector<aggregate::Key> keys;
    std::optional<aggregate::Bucketing> bucketing;
    std::string of; // hist: the value's field
    size_t top = 0;
    bool json = false;
    std::string unit; // what the values are in ("us"), for the text
    // lat in the kernel: the plan's probe 0 (entry) and 1 (return) are
    // paired by a synthetic event of this name (ksurf_<pid>_lat) whose
    // field `lat` is bucketed; usecs says its unit (else ns).
    std::string latency_event;
    bool usecs = true;
};

// Where to count, and the one line that says why.
struct Where {
    bool kernel = false;
    std::string why;
};

// Where this request can be counted on this kernel. one_by_one: -n, which
// needs every event in user space.
Where decide_where(const tracefs::Tracefs &fs, const aggregate::KernelHist &kh,
                   const FoldRequest &req, bool one_by_one);

// Why these keys can only be counted in user space (--by pid, --by ustack:
// the kernel's hist has no such key; more keys than it takes, with the
// bucket's key when `bucketed`), or nothing. count, hist and lat ask.
std::optional<std::string> user_space_key(const std::vector<aggregate::Key> &keys, bool bucketed);

// plan and req must outlive the run.
std::unique_ptr<Handler> make_fold_handler(tep_handle *tep, const compile::Plan &plan,
                                           const FoldRequest &req, Where where,
                                           aggregate::KernelHist kh,
                                           std::vector<capture::EventRef> bookkeeping,
                                           std::string tracefs_dir);

// What a fold lost, for its `lost`: the records the instance's ring buffer
// dropped (per_cpu/cpuN/stats: overrun, commit overrun, dropped events) and
// the hits its probes missed (kprobe/uprobe_profile; a kretprobe out of
// maxactive instances). The kernel's hist `Dropped:` is counted apart.
uint64_t fold_lost(const tracefs::Session &s);

// The frames of a kernel_stack / user_stack record, one a line, as the
// kernel's hist prints a stacktrace key (kernel frames "func+0x1a/0x40",
// user frames as addresses).
std::string stack_key(const capture::Record &stack);

} // namespace ksurf::engine
