// A latency measured in the kernel: a synthetic event that fires when a
// return event matches an entry event of the same task, carrying the time
// between them (histogram.rst's "onmatch().trace()"), built with libtracefs's
// synthetic-event API. libtracefs 1.6 puts the entry and return histograms on
// the top-level trigger files of the two events (tracefs_synth_set_instance
// came in 1.7), so only the run's own events (group ksurf_<pid>) may be used:
// nothing of anyone else's is touched, and the pid in every name lets a later
// run remove what a SIGKILLed one left.
#pragma once

#include "tracefs/session.h"
#include "util/error.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct tep_handle;
struct tracefs_synth;

namespace ksurf::tracefs {

class LatencySynth {
  public:
    // Creates synthetic/NAME with one u64 field `lat`, the time from
    // SYSTEM/START to SYSTEM/END of the same task (common_pid), in
    // microseconds (usecs) or nanoseconds. `tep` must know both events.
    // start_filter (a kernel filter over START's fields, "" for none) gates
    // the start histogram: only the entries it matches are timed. The
    // filter file of START would not do: a trigger runs before the event's
    // filter is tested (kernel/trace/trace.h, __event_trigger_test_discard).
    static Result<std::shared_ptr<LatencySynth>>
    create(tep_handle *tep, const Tracefs &fs, const std::string &name, const std::string &system,
           const std::string &start, const std::string &end, bool usecs,
           const std::string &start_filter = {});
    ~LatencySynth();
    LatencySynth(const LatencySynth &) = delete;
    LatencySynth &operator=(const LatencySynth &) = delete;

    const std::string &name() const { return name_; }
    // Removes both histograms and the synthetic event. Idempotent. Nothing
    // may still use the event (a hist trigger on it in an instance): remove
    // those first. Problems go to stderr (a teardown cannot fail the run).
    void destroy() noexcept;

  private:
    LatencySynth(tracefs_synth *s, std::string name) : synth_(s), name_(std::move(name)) {}
    tracefs_synth *synth_;
    std::string name_;
    bool live_ = true;
};

// A kernel filter, one step at a time, as libtracefs builds a histogram's
// filter (tracefs_synth_append_start_filter takes no filter text).
struct FilterStep {
    enum class Kind { Compare, And, Or, Not, Open, Close };
    Kind kind = Kind::Compare;
    std::string field, op, value; // Compare: value as the kernel reads it ("\"cat\"", 42)
};
// The steps of `filter`, a filter in the kernel's syntax as compile_filter
// makes it (`comm == "cat" && (n > 1 || !(n < 0))`); an error for text
// that is not one.
Result<std::vector<FilterStep>> filter_steps(std::string_view filter);

// "ksurf_123_lat" -> "synthetic event names of run 123": the owner of a
// synthetic event ksurf made, if it is one.
std::optional<pid_t> synthetic_owner(std::string_view name);

// What dead runs left of their synthetic events: the hist triggers on them
// in the runs' instances (removing an instance does not release the
// synthetic event they hold), the hist triggers on the top-level trigger
// files of the runs' own events (events/ksurf_<pid>/*/trigger; the return's
// first, as it refers to the entry's variables) and the synthetic events
// ksurf_<pid>_*. Run before the instances and the dynamic events are
// removed. Reported into `out`.
void remove_leftover_synthetic(const Tracefs &fs, Removed &out);

} // namespace ksurf::tracefs
