// Arming the function_graph tracer for ksurf run, limited to CMD
// (set_ftrace_pid, and options/function-fork so its children and threads
// follow). Where the kernel offers function_graph inside instances (6.12: the
// instance's available_tracers lists it), all of it happens in ksurf's own
// instance: the top-level tracer and its files are never touched, and two
// runs can work at once. Elsewhere (6.1: top level only) it takes the
// top-level buffer: every top-level file is saved first and restored on every
// exit path (Session::set_global), and a tracer already in use there is not
// taken over without --force.
#pragma once

#include "engine/engine.h"
#include "engine/graph_mode.h"

#include <string>
#include <string_view>

namespace ksurf::engine {

class FunctionGraphArming : public Arming {
  public:
    explicit FunctionGraphArming(const GraphOptions &o) : o_(o) {}
    Status arm(Run &run) override;
    Status start(Run &run) override;
    void stop(Run &run) override;
    void disarm(Run &run) override;
    bool declined() const override { return !refusal_.empty(); }

    // Where it ran and on which tasks, for the report (after arm()).
    std::string description() const;
    // Why the kernel refused function_graph (declined()).
    const std::string &refusal() const { return refusal_; }

  private:
    Status arm_top_level(Run &run);
    Status arm_instance(Run &run);
    Status limits(Run &run);
    Status book_events(Run &run, std::vector<capture::EventRef> &events);

    const GraphOptions &o_;
    bool in_instance_ = false;
    std::string refusal_;
};

// True when `word` is one of the words of a tracefs list (available_tracers).
bool listed(const std::string &list, std::string_view word);
// "EINVAL" for an errno.
std::string errno_name(int e);

} // namespace ksurf::engine
