// The part of a count/hist/lat key that any record carries: who ran it and
// where. Shared by the fold modes (aggregate.cpp, lat.cpp) so each key kind
// reads the same way in both.
#pragma once

#include "aggregate/aggregate.h"
#include "capture/capture.h"
#include "output/output.h"

#include <string>
#include <unordered_map>

namespace ksurf::engine {

// Appends the value of a comm, tid or cpu key for `r` to `key` and returns
// true; returns false (appending nothing) for the kinds that need the mode's
// own context (pid, func, stack, fields).
inline bool append_common_key(aggregate::KeyKind kind, const capture::Record &r,
                              output::ProcessTable &procs, std::vector<std::string> &key) {
    switch (kind) {
    case aggregate::KeyKind::Comm:
        key.push_back(procs.get(r.pid).comm);
        return true;
    case aggregate::KeyKind::Tid:
        key.push_back(std::to_string(r.pid));
        return true;
    case aggregate::KeyKind::Cpu:
        key.push_back(std::to_string(r.cpu));
        return true;
    default:
        return false;
    }
}

// The process (thread group id) of a thread, for --by pid: from
// /proc/TID/status, asked once per thread (the thread itself when it is gone).
class Tgids {
  public:
    int of(int tid);

  private:
    std::unordered_map<int, int> cache_;
};

} // namespace ksurf::engine
