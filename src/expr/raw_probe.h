// The kernel's own probe syntax (Documentation/trace/kprobetrace.rst and
// uprobetracer.rst), beside surftrace's: the head `p[:[GRP/]EVENT]`,
// `r[MAXACTIVE][:[GRP/]EVENT]`, the places `SYM[+OFF]`, `MEMADDR`,
// `SYM%return`, `PATH:OFFSET[%return][(REF_CTR_OFFSET)]`, and which
// arguments are kernel fetchargs to be passed on as written.
#pragma once

#include "expr/ast.h"

#include <functional>
#include <string_view>

namespace ksurf::expr {

// Reports an error at [begin, end) of the probe text.
using ErrorFn =
    std::function<void(size_t begin, size_t end, std::string message, std::string hint)>;

// The kernel's kstrtoul(s, 0): the whole string, decimal, 0x hex or 0 octal.
bool kernel_number(std::string_view s, uint64_t &v);

// The kernel's rule for group, event and argument names: a C identifier.
bool is_good_name(std::string_view s);

// Parses the ":[GRP/]EVENT" part of a head at [b, e) (after the ':').
bool parse_event_name(std::string_view text, size_t b, size_t e, ProbeAst &p, const ErrorFn &error);

// For p/r written with a kernel place: rewrites a uprobe place
// (PATH:OFFSET[%return][(REF)]) or a `%return` suffix into the probe type,
// reads a MEMADDR, and returns the end of what is left for the usual
// SYMBOL[+OFFSET] / PATH:SYMBOL parser (or npos when the place was complete
// or an error was reported; `done` tells which).
size_t parse_kernel_place(std::string_view text, size_t b, size_t e, ProbeAst &p, bool &done,
                          const ErrorFn &error);

// The place of an fprobe (`f [MOD:]FUNC[%return]`, which makes it a
// Fretprobe) or a tracepoint probe (`t TRACEPOINT`) at [b, e): a name and no
// offset, as fprobetrace.rst has them.
bool parse_ftrace_place(std::string_view text, size_t b, size_t e, ProbeAst &p,
                        const ErrorFn &error);

// Is the argument body at [b, e) a kernel fetcharg to pass on as written?
// In plain lines only what surftrace's language cannot mean is (+0(%si),
// -8(%sp), \IMM, $argN, @SYM+OFF, @+OFF); in a line with a kernel head
// (p:EVENT) every kernel-shaped argument is, so it means what the kernel says.
bool is_raw_fetcharg(std::string_view text, size_t b, size_t e, bool kernel_form);

} // namespace ksurf::expr
