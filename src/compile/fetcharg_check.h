// Checks a fetcharg written in the kernel's own syntax the way the kernel's
// traceprobe_parse_probe_arg() does (kernel/trace/trace_probe.c), before
// anything is armed, with a caret at the offending part. Stricter where the
// kernel is silently lax: text after the closing ')' of a dereference
// ("+0(%ax)+10") and junk after @SYM ("@jiffies*2") are errors here.
#pragma once

#include "arch/arch.h"
#include "expr/raw_probe.h"

#include <functional>
#include <string>
#include <string_view>

namespace ksurf::compile {

struct FetchargContext {
    arch::Arch arch = arch::Arch::X86_64;
    bool kernel = true; // kprobe (false: uprobe)
    bool is_return = false;
    bool at_entry = true; // probe on the function's entry ($argN needs it)
    // Does the kernel have this symbol (kallsyms)? If not, a hint. Null:
    // not known here.
    const std::function<bool(std::string_view, std::string &)> *symbol_exists = nullptr;
};

struct FetchargInfo {
    std::string type;   // as written after ':' ("" = the kernel's default, x64)
    unsigned count = 0; // TYPE[N]
    bool is_string = false;
    bool is_symbol = false;
};

// `text` is the whole probe line; the fetcharg (after NAME=) is [b, e).
bool check_fetcharg(std::string_view text, size_t b, size_t e, const FetchargContext &ctx,
                    FetchargInfo &info, const expr::ErrorFn &error);

} // namespace ksurf::compile
