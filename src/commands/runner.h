// The shared path of every tracing command: arm a Plan in a session, start
// the command to trace (if any), stream records until a stop condition, then
// tear everything down and report what was lost.
#pragma once

#include "capture/capture.h"
#include "compile/plan.h"
#include "output/output.h"
#include "tracefs/session.h"
#include "util/write_error.h"

#include <functional>
#include <memory>
#include <string>
#include <sys/types.h>
#include <vector>

struct tep_handle;

namespace ksurf::commands {

struct RunOptions {
    std::vector<pid_t> pids;          // -p: these processes (all their threads)
    std::vector<std::string> command; // -- CMD ARGS...
    double duration_s = 0;            // -d, 0 = until stopped
    uint64_t max_events = 0;          // -n, 0 = no limit
    unsigned buffer_kb = 0;           // -b, 0 = capture::default_buffer_kb()
    bool stacks = false;              // -s
    bool json = false;                // --json (summary form)
    bool stats = false;               // --stats: kprobe_profile / uprobe_profile at exit
    bool quiet_summary = false;
    // false: the probes' events are armed (defined, filtered by the
    // handler's own means) but not enabled, so nothing of theirs streams;
    // a handler that folds in the kernel attaches triggers to them instead.
    bool stream_probes = true;
    double interval_s = 0; // -i: Handler::tick() every SECS seconds
    // syscalls/sys_enter_* events with user string arguments are read through
    // event probes that also read the strings, where the kernel has them
    // (tracefs/user_strings.h): a handler that reads fields by name, or
    // triggers, keeps the tracepoints.
    bool user_strings = false;
    // Events armed for the handler's bookkeeping (not counted for -n).
    std::vector<capture::EventRef> extra_events;
};

// One event armed for a probe of the plan.
struct ArmedEvent {
    capture::EventRef ref;
    size_t probe = 0; // index in Plan::probes
};

class Handler {
  public:
    virtual ~Handler() = default;
    // Returns true when the record counts as an event (for -n).
    virtual bool on_record(const capture::Record &r) = 0;
    // After each batch of records: make them visible.
    virtual void flush() {}
    // After the last record, before the loss report.
    virtual void finish() {}
    // Once the probes are armed and the traced tasks are known (empty: all),
    // before tracing starts: a mode that folds in the kernel attaches its
    // triggers here (Session::add_trigger; teardown removes them).
    virtual Status armed(tracefs::Session &, const std::vector<ArmedEvent> &,
                         const std::vector<pid_t> &) {
        return {};
    }
    // Every RunOptions::interval_s seconds while running (live reports).
    virtual void tick() {}
    // True if writing output failed (a full disk, the reader went away): stop.
    virtual bool broken() const { return output_broken(); }
};

// Called once the capture is open: its tep handle decodes records, and
// styles say how the armed dynamic events' fields print.
using HandlerFactory =
    std::function<std::unique_ptr<Handler>(tep_handle *, const output::Styles &styles)>;

// Arms and streams. Returns the process exit status: CMD's status when a
// command was traced, otherwise 0 (1 when the kernel refused something,
// kExitOutput when the output could not be written).
int run_plan(compile::Plan plan, const RunOptions &options, const HandlerFactory &make);

// Expands -p PID into the pids of all its threads.
std::vector<pid_t> threads_of(pid_t pid);

} // namespace ksurf::commands
