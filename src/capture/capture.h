// Reads every CPU's trace_pipe_raw of one tracefs instance in binary and
// delivers the decoded records in global timestamp order.
//
// Ordering: each CPU's buffer is already in time order, so records are merged
// across CPUs. While streaming, a record is delivered only once it is older
// than a watermark (the earliest moment any CPU was last read, minus a short
// holdback), so that a record still in flight on a slower CPU cannot come out
// after a newer one. drain() delivers everything.
#pragma once

#include "util/error.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct tep_event;
struct tep_handle;
struct tep_record;

namespace ksurf::capture {

struct EventRef {
    std::string system, name;
};

struct Record {
    const tep_event *event = nullptr;
    tep_record *rec = nullptr; // data, size, ts, cpu
    int cpu = 0;
    uint64_t ts = 0; // ns, in the instance's trace_clock
    int pid = 0;
    // The ftrace/kernel_stack record that followed this one (options/stacktrace).
    const Record *stack = nullptr;
    // The ftrace/user_stack record that followed it (options/userstacktrace).
    const Record *ustack = nullptr;
};

class Sink {
  public:
    virtual ~Sink() = default;
    virtual void on_record(const Record &r) = 0;
};

class Capture {
  public:
    struct Options {
        // How long a record waits before it may be delivered while streaming,
        // so that all CPUs have been read up to its time.
        int holdback_ms = 20;
        // Upper bound on pages held in memory per CPU between deliveries.
        size_t max_pages_per_cpu = 1024;
        // How long poll() lets a trickle of records (only part-filled pages)
        // gather before reading again; 0 reads again at once. -1: 10 ms when
        // the instance's buffer_percent wakes the reader early for a burst,
        // 2 ms when only the timer would (buffer_percent 0).
        int trickle_ms = -1;
        // CPUs to read; empty means every online CPU.
        std::vector<int> cpus;
        // How a CPU's sub-buffers are read from trace_pipe_raw: libtracefs'
        // tracefs_cpu_read() (default), ksurf's own read(2) (what it wraps),
        // or tracefs_cpu_buffered_read() (splice through a pipe).
        // bench/capture.sh reader compares them; the figures are in capture.cpp.
        enum class Reader { TracefsRead, Own, TracefsSplice };
        Reader reader = Reader::TracefsRead;
    };

    // instance_dir: e.g. /sys/kernel/tracing/instances/ksurf-123 (or the top
    // level). tracefs_dir: the mount point, where events/ formats are read.
    // Loads header_page and the formats of `events` (plus ftrace/kernel_stack,
    // ftrace/user_stack and ftrace/print) and opens each online CPU's
    // per_cpu/cpuN/trace_pipe_raw non-blocking.
    static Result<std::unique_ptr<Capture>> open(const std::string &tracefs_dir,
                                                 const std::string &instance_dir,
                                                 const std::vector<EventRef> &events);
    static Result<std::unique_ptr<Capture>> open(const std::string &tracefs_dir,
                                                 const std::string &instance_dir,
                                                 const std::vector<EventRef> &events,
                                                 const Options &options);
    ~Capture();
    Capture(const Capture &) = delete;
    Capture &operator=(const Capture &) = delete;

    tep_handle *tep();

    // Waits up to timeout_ms for data, reads what is there, delivers the
    // records old enough to be in order. Returns how many were delivered.
    Result<size_t> poll(int timeout_ms, Sink &sink);
    // At the end (after tracing_on=0): reads everything left and delivers it all.
    Result<size_t> drain(Sink &sink);

    struct CpuStats {
        int cpu = 0;
        uint64_t entries = 0, overrun = 0, commit_overrun = 0, dropped = 0, read_events = 0;
        uint64_t lost() const { return overrun + commit_overrun + dropped; }
    };
    // per_cpu/cpuN/stats of the instance.
    std::vector<CpuStats> stats() const;
    // Records delivered so far (stack records not counted).
    uint64_t records_read() const;
    // Events the page headers said were lost before a page (-1 counts as 1).
    uint64_t missed_events() const;
    // Records whose event id was not loaded (not delivered).
    uint64_t unknown_records() const;

    struct Impl;

  private:
    explicit Capture(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// The counts of one per_cpu/cpuN/stats file ("overrun: 12" lines); cpu is 0.
Capture::CpuStats parse_cpu_stats(std::string_view text);

} // namespace ksurf::capture
