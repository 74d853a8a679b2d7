// count and hist: answers instead of events. The same probes, session,
// child and stop rules as the probe stream; the handler folds instead of
// printing. In the kernel where it can (hist triggers on the run's own
// instance, read at the end and every -i SECS), in user space where it must
// (records folded as they arrive, nothing stored per event). Both fill an
// aggregate::Table, so the output is the same.
#pragma once

#include "aggregate/aggregate.h"
#include "engine/engine.h"

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

// plan and req must outlive the run.
std::unique_ptr<Handler> make_fold_handler(tep_handle *tep, const compile::Plan &plan,
                                           const FoldRequest &req, Where where,
                                           aggregate::KernelHist kh,
                                           std::vector<capture::EventRef> bookkeeping,
                                           std::string tracefs_dir);

} // namespace ksurf::engine
