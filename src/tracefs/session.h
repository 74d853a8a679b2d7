// One run's kernel objects, owned RAII-style: a private tracefs instance
// (instances/ksurf-<pid>), dynamic events in group ksurf_<pid>, and any
// top-level file changed (saved first, written back at teardown). The pid in
// every name says who owns it, so a run killed with SIGKILL is cleaned up by
// the next one, and two runs at once never clash.
#pragma once

#include "tracefs/tracefs.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <utility>
#include <vector>

struct tracefs_instance;
struct tracefs_dynevent;

namespace ksurf::tracefs {

std::string instance_name(pid_t pid); // "ksurf-<pid>"
std::string group_name(pid_t pid);    // "ksurf_<pid>"
// The owner pid of a name ksurf made ("ksurf-123", "ksurf_123"), if it is one.
std::optional<pid_t> owner_of(std::string_view name);
// What /proc/PID/stat says of a process.
struct ProcStat {
    std::string comm;
    char state = '?';        // R, S, D, Z (zombie), X (dead) ...
    uint64_t start_time = 0; // field 22: clock ticks after boot; with the pid, names one process
};
std::optional<ProcStat> proc_stat(pid_t pid);
// The start time a run recorded for itself in its state file, if it did.
std::optional<uint64_t> recorded_start(pid_t pid);
// True while pid is a live ksurf run: false when it is gone, a zombie, or a
// process other than the one that recorded its start time (a reused pid).
// Runs without a recorded start time (older ksurf) are told by comm "ksurf".
bool owner_alive(pid_t pid);

struct Removed {
    std::vector<std::string> instances;      // "ksurf-123"
    std::vector<std::string> dynamic_events; // "ksurf_123/p0"
    std::vector<std::string> restored;       // top-level files written back: "current_tracer"
    std::vector<std::string> problems;       // what could not be removed, and why
};
// Where a run keeps its start time ("#start N") and the old values of
// top-level files it changed ("FILE<TAB>VALUE") (/run/ksurf/ksurf-<pid>.saved),
// so the next run can tell it is dead and restore them after a SIGKILL.
std::string state_dir();
std::string state_file(pid_t pid);
// (Re)writes this process's state file with its start time and `saved`.
bool write_state(const std::vector<std::pair<std::string, std::string>> &saved);

// Removes what ksurf runs that are no longer alive left behind (instances,
// dynamic events, top-level files they changed), and nothing else.
Removed remove_leftovers(const Tracefs &fs);

class Session {
  public:
    // Removes dead runs' leftovers, then creates this run's instance.
    static Result<Session> create(const Tracefs &fs);
    Session(Session &&other) noexcept;
    Session &operator=(Session &&) = delete;
    ~Session();

    const Tracefs &fs() const { return fs_; }
    const std::string &instance() const { return instance_; } // "instances/ksurf-123"
    std::string instance_dir() const { return fs_.path(instance_); }
    const std::string &group() const { return group_; }

    // A file inside the instance (it disappears with the instance).
    Status set(std::string_view rel, std::string_view value);
    // A top-level file: its old content is saved first and written back at teardown.
    Status set_global(std::string_view rel, std::string_view value);
    // Defines a dynamic event from its definition line (as for kprobe_events /
    // uprobe_events; libtracefs picks the file it writes), removed at teardown.
    Status add_dynamic_event(std::string_view file, std::string_view event,
                             std::string_view definition);

    Status enable_event(std::string_view system, std::string_view event);
    // Attaches a trigger ("hist:keys=...") to one of the instance's events;
    // teardown removes it ("!hist:...") before the instance goes. (Removing
    // the instance would clear it too, which is what covers a SIGKILL.)
    Status add_trigger(std::string_view system, std::string_view event, std::string_view text);
    // Runs `fn` at teardown once the instance is gone and before the dynamic
    // events go: for what refers to those events from outside the instance
    // (a synthetic event's top-level histograms, tracefs/synth.h).
    void on_teardown(std::function<void()> fn);
    Status set_filter(std::string_view system, std::string_view event, std::string_view filter);
    // Limits events to these tasks (set_event_pid), optionally following forks.
    Status set_event_pids(const std::vector<pid_t> &pids, bool follow_fork);
    Status tracing_on(bool on);

    // Undoes everything, in reverse. Idempotent; also run by the destructor.
    // Problems are reported on stderr (a teardown cannot fail the run).
    void teardown() noexcept;

  private:
    Session(Tracefs fs, std::string instance, std::string group, tracefs_instance *inst,
            tracefs_instance *top)
        : fs_(std::move(fs)), instance_(std::move(instance)), group_(std::move(group)), inst_(inst),
          top_(top) {}
    // A write to the instance (rel inside it) quoting its and the top level's error_log.
    Status write(std::string_view rel, std::string_view value, bool append);
    // A file of one of the instance's events (enable, filter, trigger).
    Status event_write(std::string_view system, std::string_view event, std::string_view file,
                       std::string_view value, bool append);

    Tracefs fs_;
    std::string instance_;
    std::string group_;
    // libtracefs' handles: this run's instance and the top level (owned).
    tracefs_instance *inst_ = nullptr;
    tracefs_instance *top_ = nullptr;
    bool live_ = true;
    std::vector<std::pair<std::string, std::string>> saved_; // top-level file, old content
    std::vector<tracefs_dynevent *> dynevents_;              // owned, removed at teardown
    // fprobe (f) and tracepoint probe (t) events, "GROUP/EVENT": libtracefs
    // 1.6 has no type for them (tracefs_dynevent_get cannot find them), so
    // they are written to dynamic_events as text and removed as "-:GROUP/EVENT".
    std::vector<std::string> text_dynevents_;
    std::vector<std::pair<std::string, std::string>> triggers_; // trigger file, text
    std::vector<std::function<void()>> cleanups_;               // on_teardown
};

} // namespace ksurf::tracefs
