// One tracing run, whatever the command: the session (ksurf's instance and
// every file it touches, restored at the end), the captures of its ring
// buffers, the gated child (`-- CMD`), the stop rules (-d, -n, CMD's exit,
// SIGINT/SIGTERM/SIGHUP/SIGPIPE, a closed stdout, a failed write -> exit 74),
// the loss report and teardown. All of that lives here once.
//
// A command brings two things:
//  - an Arming: what to arm in the kernel (a Plan's probes and events:
//    PlanArming; or the function_graph tracer: FunctionGraphArming);
//  - a Handler (the mode): how records are folded and printed (a stream of
//    lines, a table per process, call trees, counts and histograms).
#pragma once

#include "capture/capture.h"
#include "compile/plan.h"
#include "engine/child.h"
#include "engine/exit_status.h"
#include "output/output.h"
#include "tracefs/session.h"
#include "tracefs/tracefs.h"
#include "types/elf_symbols.h"
#include "util/error.h"
#include "util/write_error.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

struct tep_event;
struct tep_handle;

namespace ksurf::engine {

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
    // Stop when the reader of stdout goes away (`ksurf ... | head -1`). A
    // mode that writes only at the end (ksurf run's function mode) keeps
    // tracing CMD to its exit instead, as it always did.
    bool stop_on_closed_stdout = true;
};

// One event armed for a probe of the plan.
struct ArmedEvent {
    capture::EventRef ref;
    size_t probe = 0; // index in Plan::probes
};

// How the run ended, for a mode that reports after teardown.
struct RunEnd {
    int status = -1;   // CMD's exit status (128 + signal), -1 without a command
    uint64_t lost = 0; // records the kernel lost in the main capture
};

// The mode: how records are folded. The engine calls, in order: armed(),
// on_record()/flush()/tick() while running, finish() after the last record,
// report() after teardown.
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
    // After the kernel is restored and CMD has exited: a report that
    // includes CMD's exit status (ksurf run's function mode).
    virtual void report(const RunEnd &) {}
};

// Called once the captures are open: the main capture's tep handle decodes
// records, and styles say how the armed dynamic events' fields print.
using HandlerFactory =
    std::function<std::unique_ptr<Handler>(tep_handle *, const output::Styles &styles)>;

class Run;

// What a run arms in the kernel. The engine creates the session, calls
// check() and arm(), makes the handler, then start(); at the end stop(),
// and disarm() before the session's teardown restores the rest.
class Arming {
  public:
    virtual ~Arming() = default;
    // Refusals before the kernel is touched. bad_input: the user's mistake
    // (exit 2), otherwise the kernel cannot (exit 1).
    virtual Status check(const tracefs::Tracefs &, bool & /*bad_input*/) { return {}; }
    // Everything up to recording: buffers, events, filters, the tracer, the
    // gated child (Run::start_child) and the captures (Run::open_capture).
    virtual Status arm(Run &run) = 0;
    // Recording on, once the handler is armed (the child is released after).
    virtual Status start(Run &run);
    // Recording off, before the last records are drained.
    virtual void stop(Run &run);
    // After the captures are closed and CMD stopped, before teardown.
    virtual void disarm(Run &) {}
    // True when arm() failed because the kernel declined this way of
    // tracing and the caller has another one: the engine says nothing and
    // returns kDeclined.
    virtual bool declined() const { return false; }
};

// run() returns this when the arming declined (Arming::declined).
constexpr int kDeclined = -1;

class Run {
  public:
    explicit Run(RunOptions options);
    Run(const Run &) = delete;
    Run &operator=(const Run &) = delete;
    ~Run();

    // Arms, streams into the handler until a stop rule fires, tears down.
    // Returns the process exit status: CMD's status when a command was
    // traced, otherwise 0 (1 when the kernel refused something, 2 for bad
    // input, kExitOutput when the output could not be written), or kDeclined.
    int execute(Arming &arming, const HandlerFactory &make);

    // For armings and factories.
    const RunOptions &options() const { return opt_; }
    const tracefs::Tracefs &fs() const { return *fs_; }
    tracefs::Session &session() { return *session_; }
    // Forks CMD, held before exec until tracing is on.
    Status start_child();
    pid_t child_pid() const { return child_.pid(); }
    // A capture of one buffer (the instance's, or the top level's). The first
    // is the main one: its tep decodes for the handler, its per-CPU stats are
    // the loss report. Records of each capture come in time order; the
    // others (bookkeeping: who is who) are read after it in each round.
    Status open_capture(const std::string &instance_dir,
                        const std::vector<capture::EventRef> &events);
    // What the handler is told in armed(), and how probes print.
    std::vector<ArmedEvent> &armed() { return armed_; }
    std::vector<pid_t> &traced() { return traced_; }
    output::Styles &styles() { return styles_; }
    // "ksurf_1/p0" -> "p do_sys_openat2 ...", for --stats.
    std::map<std::string, std::string> &probe_texts() { return probe_texts_; }

  private:
    int fail_setup(Arming &arming, const Error &e);
    bool stream(Handler &h, capture::Sink &sink);

    RunOptions opt_;
    std::optional<tracefs::Tracefs> fs_;
    std::optional<tracefs::Session> session_;
    GatedChild child_;
    std::vector<std::unique_ptr<capture::Capture>> captures_;
    std::vector<ArmedEvent> armed_;
    std::vector<pid_t> traced_;
    output::Styles styles_; // the handler's formatter refers to it until the end
    std::map<std::string, std::string> probe_texts_;
};

// The probes and events of a Plan (probe stream, who, count, hist, lat, the
// event timeline of ksurf run): kprobes and uprobes checked first, defined in
// ksurf's group, filtered, enabled (or left to triggers), limited to -p and
// CMD.
class PlanArming : public Arming {
  public:
    explicit PlanArming(compile::Plan plan) : plan_(std::move(plan)) {}
    Status check(const tracefs::Tracefs &fs, bool &bad_input) override;
    Status arm(Run &run) override;

  private:
    compile::Plan plan_;
    std::vector<types::UprobeTarget> places_; // by probe index
};

// A Plan through a run: PlanArming and the handler `make` builds.
int run_plan(compile::Plan plan, const RunOptions &options, const HandlerFactory &make);

// The tep events of `refs`, to recognise their records.
std::vector<const tep_event *> find_events(tep_handle *tep,
                                           const std::vector<capture::EventRef> &refs);

// Expands -p PID into the pids of all its threads.
std::vector<pid_t> threads_of(pid_t pid);

} // namespace ksurf::engine
