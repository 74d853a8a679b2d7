// Internal to output: the pieces of the text format that follow the kernel's
// own `trace` file -- the irq-info columns, places as %pS prints them, and
// tracepoints rendered with their event's print fmt.
#pragma once

#include <cstdint>
#include <fmt/format.h>
#include <string_view>

extern "C" {
#include <traceevent/trace-seq.h>
}

struct tep_handle;
struct tep_record;

namespace ksurf::output {

using Buffer = fmt::memory_buffer;

// ftrace's irq-info columns from common_flags and common_preempt_count:
// irqs-off/BH-disabled, need-resched, hardirq/softirq, preempt-depth,
// migrate-disable ("d.h2.").
void put_irq_info(Buffer &b, uint8_t flags, uint8_t preempt_count);

// A kernel text address as the kernel's %pS prints it, "func+0x1a/0x40" (and
// " [module]"), or as %ps, "func"; "0x..." when no symbol holds it.
void put_place(Buffer &b, uint64_t addr, bool with_offset);

// A string as kprobe/uprobe events print one: in double quotes.
void put_quoted(Buffer &b, std::string_view s);

// Renders records with their event's print fmt (what `cat trace` shows for a
// tracepoint): symbolic fields, flags, %ps as function names. One trace_seq
// is reused, so a record costs no allocation of ours.
class PrintFmt {
  public:
    explicit PrintFmt(tep_handle *tep);
    ~PrintFmt();
    PrintFmt(const PrintFmt &) = delete;
    PrintFmt &operator=(const PrintFmt &) = delete;
    void put(Buffer &b, tep_record *rec);

  private:
    tep_handle *tep_;
    trace_seq seq_;
};

} // namespace ksurf::output
