// Turns capture records into text (the shape of ftrace's trace_pipe) or JSON
// lines, names processes, and prints the exit summary.
#pragma once

#include "capture/capture.h"
#include "compile/plan.h"

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

struct tep_handle;

namespace ksurf::output {

// How each field of one dynamic event (kprobe / uprobe) prints, by field name.
struct ProbeStyle {
    std::map<std::string, compile::Print, std::less<>> fields;
};

// The print styles of every dynamic event of a run, by (system, name).
struct Styles {
    std::map<std::pair<std::string, std::string>, ProbeStyle> events;

    void add(const std::string &system, const std::string &name, ProbeStyle style) {
        events[{system, name}] = std::move(style);
    }
    const ProbeStyle *find(std::string_view system, std::string_view name) const;
};

// The style of a compiled probe's fields: each arg's Print, where Default
// is refined from its fetch type (":x32" -> Hex, ":string" -> String,
// ":symbol" -> Symbol, ":s32" -> Signed).
ProbeStyle probe_style(const compile::Probe &probe);

// Process names: comm for a pid, its ppid and the parent's comm. Resolved
// from /proc on first sight and cached; fed from sched_process_fork /
// sched_process_exec / task_rename records so that short-lived processes
// are still named after they exit. When /proc has no answer it falls back to
// the kernel's saved_cmdlines (tracefs_dir given).
class ProcessTable {
  public:
    struct Info {
        int pid = 0, ppid = -1;
        std::string comm, parent_comm;
    };
    explicit ProcessTable(std::string tracefs_dir = {});
    const Info &get(int pid);
    void on_fork(int parent, std::string_view parent_comm, int child);
    void on_exec(int pid, std::string_view comm);
    void on_rename(int pid, std::string_view comm);
    // Recognises sched_process_fork / sched_process_exec / task_rename records.
    void feed(const capture::Record &r);

  private:
    Info &slot(int pid);
    bool from_proc(int pid, Info &info);
    bool from_saved_cmdlines(int pid, std::string &comm);

    std::unordered_map<int, Info> table_;
    std::string tracefs_dir_;
    std::unordered_map<int, std::string> saved_;
    int64_t saved_loaded_ns_ = -1;
    // What feed() knows about each event id: 0 unknown, 1 nothing, 2 fork, 3 exec, 4 rename.
    std::vector<uint8_t> kind_;
    struct Offsets {
        int a = -1, a_size = 0, b = -1, b_size = 0, c = -1, c_size = 0;
        bool a_relative = false;
        bool a_dynamic = false; // __data_loc char[] (sched_process_fork's comms on 6.x)
    };
    std::vector<Offsets> offsets_;
};

class Formatter {
  public:
    virtual ~Formatter() = default;
    virtual void event(const capture::Record &r) = 0;
    virtual void flush() = 0;
};

// `procs` names the processes; nullptr makes the formatter keep its own.
// Text follows the kernel's `trace` file: tracepoints through their print fmt,
// probes as kprobe_events/uprobe_events print them, and (irq_info) the
// irqs-off / need-resched / hardirq-softirq / preempt-depth columns.
std::unique_ptr<Formatter> make_text(FILE *out, tep_handle *tep, const Styles &styles, bool stacks,
                                     ProcessTable *procs = nullptr, bool irq_info = true);
std::unique_ptr<Formatter> make_json(FILE *out, tep_handle *tep, const Styles &styles, bool stacks,
                                     ProcessTable *procs = nullptr);

// A capture::Sink that hands each record to a formatter.
class FormatterSink : public capture::Sink {
  public:
    explicit FormatterSink(Formatter &f) : f_(f) {}
    void on_record(const capture::Record &r) override { f_.event(r); }

  private:
    Formatter &f_;
};

// The exit summary: "ksurf: N events read; lost: cpu0 12, cpu1 3" (or
// "lost: none"), or one JSON object {"events":N,"lost":{"cpu0":12},...}.
void print_summary(FILE *out, uint64_t events, const std::vector<capture::Capture::CpuStats> &stats,
                   bool json);

} // namespace ksurf::output
