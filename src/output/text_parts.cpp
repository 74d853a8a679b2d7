#include "output/text_parts.h"

#include "ksyms/kallsyms.h"
#include "util/bytes.h"

#include <fmt/compile.h>

extern "C" {
#include <traceevent/event-parse.h>
}

namespace ksurf::output {

namespace {

// A symbol further than this from an address is not where the address points.
constexpr uint64_t kMaxSymbolOffset = 1 << 20;

// trace_entry.flags bits (include/linux/trace_events.h). 0x02 was
// IRQS_NOSUPPORT before 6.13 (set only on architectures without irqflags
// tracing, never on x86/arm64/riscv) and is NEED_RESCHED_LAZY since.
enum : uint8_t {
    kIrqsOff = 0x01,
    kNeedReschedLazy = 0x02,
    kNeedResched = 0x04,
    kHardirq = 0x08,
    kSoftirq = 0x10,
    kPreemptResched = 0x20,
    kNmi = 0x40,
    kBhOff = 0x80,
};

ksyms::Kallsyms::Hit find(uint64_t addr) {
    auto hit = ksyms::Kallsyms::kernel().lookup(addr);
    if (hit.name.empty() || hit.offset > kMaxSymbolOffset ||
        (hit.size != 0 && hit.offset >= hit.size))
        return {};
    return hit;
}

// libtraceevent's function resolver: the one kallsyms table, loaded on the
// first %ps, instead of registering every kernel symbol into the tep handle.
// A module's function is named "func [mod]", as the kernel's %ps names it.
char *resolve(void *, unsigned long long *addrp, char **modp) {
    auto hit = find(*addrp);
    if (!hit.c_name) return nullptr;
    *addrp = hit.start;
    *modp = hit.module.empty() ? nullptr : const_cast<char *>(hit.module.data());
    return const_cast<char *>(hit.c_display);
}

char hex_digit(unsigned v) {
    return static_cast<char>(v < 10 ? '0' + v : 'a' + v - 10);
}

} // namespace

void put_irq_info(Buffer &b, uint8_t flags, uint8_t pc) {
    bool bh_off = flags & kBhOff;
    char irqs_off = (flags & kIrqsOff) && bh_off ? 'D'
                    : (flags & kIrqsOff)         ? 'd'
                    : bh_off                     ? 'b'
                                                 : '.';
    char resched = '.';
    switch (flags & (kNeedResched | kNeedReschedLazy | kPreemptResched)) {
    case kNeedResched | kNeedReschedLazy | kPreemptResched:
        resched = 'B';
        break;
    case kNeedResched | kPreemptResched:
        resched = 'N';
        break;
    case kNeedReschedLazy | kPreemptResched:
        resched = 'L';
        break;
    case kNeedResched | kNeedReschedLazy:
        resched = 'b';
        break;
    case kNeedResched:
        resched = 'n';
        break;
    case kPreemptResched:
        resched = 'p';
        break;
    case kNeedReschedLazy:
        resched = 'l';
        break;
    default:
        break;
    }
    bool nmi = flags & kNmi, hard = flags & kHardirq, soft = flags & kSoftirq;
    char irq = nmi && hard ? 'Z' : nmi ? 'z' : hard && soft ? 'H' : hard ? 'h' : soft ? 's' : '.';
    char cols[5] = {irqs_off, resched, irq, pc & 0xf ? hex_digit(pc & 0xf) : '.',
                    pc & 0xf0 ? hex_digit(pc >> 4) : '.'};
    b.append(std::string_view(cols, 5));
}

void put_place(Buffer &b, uint64_t addr, bool with_offset) {
    auto hit = find(addr);
    if (!hit.c_name) {
        fmt::format_to(std::back_inserter(b), FMT_COMPILE("0x{:x}"), addr);
        return;
    }
    b.append(hit.name);
    if (with_offset) {
        fmt::format_to(std::back_inserter(b), FMT_COMPILE("+0x{:x}"), hit.offset);
        if (hit.size) fmt::format_to(std::back_inserter(b), FMT_COMPILE("/0x{:x}"), hit.size);
    }
    if (!hit.module.empty()) {
        b.append(std::string_view(" ["));
        b.append(hit.module);
        b.push_back(']');
    }
}

void put_quoted(Buffer &b, std::string_view s) {
    b.push_back('"');
    append_text_escaped(b, s); // the byte policy, inside the quotes
    b.push_back('"');
}

PrintFmt::PrintFmt(tep_handle *tep) : tep_(tep) {
    trace_seq_init(&seq_);
    if (tep_) tep_set_function_resolver(tep_, resolve, nullptr);
}

PrintFmt::~PrintFmt() {
    trace_seq_destroy(&seq_);
}

void PrintFmt::put(Buffer &b, tep_record *rec) {
    trace_seq_reset(&seq_);
    tep_print_event(tep_, &seq_, rec, "%s", TEP_PRINT_INFO);
    std::string_view text(seq_.buffer, seq_.len);
    // ftrace/print's buf and a few print fmts end in a newline of their own.
    while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.remove_suffix(1);
    append_text_escaped(b, text); // comms and strings of events obey the byte policy too
}

} // namespace ksurf::output
