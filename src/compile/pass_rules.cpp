// The probe-kind rules pass (see pass_rules.h). The messages are the ones
// users have always seen for p/r/P/R; f and t add their own.
#include "compile/pass_rules.h"

#include <algorithm>

namespace ksurf::compile::detail {

namespace {

using expr::BaseKind;
using expr::ProbeType;

constexpr size_t kMaxArgs = 128;         // MAX_TRACE_ARGS
constexpr size_t kMaxArgNameLen = 32;    // MAX_ARG_NAME_LEN, with the NUL
constexpr uint64_t kMaxStackSlot = 2048; // PARAM_MAX_STACK: 16 KiB / sizeof(long)

const char *const kTracepointArgs = "read the tracepoint's arguments by name or %N";

} // namespace

KindRules rules_for(ProbeType type) {
    KindRules r;
    switch (type) {
    case ProbeType::Kprobe:
    case ProbeType::Event:
        break;
    case ProbeType::Kretprobe:
        r.is_return = true;
        break;
    case ProbeType::Uprobe:
        r.is_user = true;
        r.entry = "P";
        break;
    case ProbeType::Uretprobe:
        r.is_user = r.is_return = true;
        r.entry = "P";
        break;
    case ProbeType::Fprobe:
        r.ftrace_args = true;
        r.entry = "f";
        break;
    case ProbeType::Fretprobe:
        r.ftrace_args = r.is_return = true;
        r.entry = "f";
        break;
    case ProbeType::Tprobe:
        r.ftrace_args = r.is_tracepoint = true;
        r.entry = "t";
        break;
    }
    return r;
}

bool check_kind_rules(const expr::ProbeAst &probe, const expr::Expr &x, const ErrorAt &error) {
    KindRules r = rules_for(probe.type);
    if (x.cast.present && x.cast.packet && r.is_user) {
        error(x.cast.span, "packet headers are kernel memory; not available in uprobes", "");
        return false;
    }
    const expr::Base &b = x.base;
    std::string back = std::string("arguments are gone when the function returns: read $retval, "
                                   "or probe the entry with ") +
                       r.entry;
    switch (b.kind) {
    case BaseKind::ArgIndex:
        if (r.is_return) {
            error(b.span,
                  "%" + std::to_string(b.number) + " in a return probe reads a clobbered register",
                  back);
            return false;
        }
        return true;
    case BaseKind::Name:
        if (r.is_return) {
            error(b.span, "parameter '" + b.text + "' in a return probe", back);
            return false;
        }
        return true;
    case BaseKind::Retval:
        if (r.is_tracepoint) {
            error(b.span, "a tracepoint probe has no $retval", kTracepointArgs);
            return false;
        }
        if (!r.is_return) {
            error(b.span, "$retval is only known in a return probe",
                  r.ftrace_args ? "write f FUNC%return for the function's exit"
                                : "use r (or R for user space) instead of p");
            return false;
        }
        return true;
    case BaseKind::Register:
        if (r.is_tracepoint) {
            error(b.span, "a tracepoint probe has no registers of its own", kTracepointArgs);
            return false;
        }
        return true;
    case BaseKind::StackN:
        if (!r.is_user && b.number > kMaxStackSlot) {
            error(b.span, "stack slot " + std::to_string(b.number) + " is past the kernel stack",
                  "at most $stack" + std::to_string(kMaxStackSlot));
            return false;
        }
        return true;
    case BaseKind::Symbol:
        if (r.is_user) {
            error(b.span, "@symbol reads kernel memory; not available in uprobes", "");
            return false;
        }
        return true;
    case BaseKind::Address:
        if (r.is_user) {
            error(b.span, "@ADDR reads kernel memory; not available in uprobes", "");
            return false;
        }
        return true;
    case BaseKind::Paren: {
        const expr::Expr &inner = b.inner.front();
        if (inner.format || !inner.suffix.empty()) {
            error(inner.span, "format letters and :types go on the whole expression", "");
            return false;
        }
        return check_kind_rules(probe, inner, error);
    }
    case BaseKind::Comm:
    case BaseKind::Stack:
        return true;
    }
    return true;
}

bool check_arg_name(const expr::Arg &a, size_t index,
                    std::vector<std::pair<std::string, expr::Span>> &seen, std::string &name,
                    const ErrorAt &error) {
    name = a.name.empty() ? "arg" + std::to_string(index) : a.name;
    expr::Span nspan = a.name.empty() ? a.expr.span : a.name_span;
    if (name.starts_with("common_")) {
        error(nspan, "'" + name + "' is reserved for the kernel's common fields",
              "common_pid and friends are in every event already; pick another name");
        return false;
    }
    if (name.size() >= kMaxArgNameLen) {
        error(nspan,
              "name '" + name + "' is longer than the kernel's " +
                  std::to_string(kMaxArgNameLen - 1) + " characters",
              "pick a shorter name");
        return false;
    }
    if (name == "__probe_ip" || name == "__probe_ret_ip" || name == "__probe_func") {
        error(nspan, "'" + name + "' is reserved by the kernel", "pick another name");
        return false;
    }
    auto dup =
        std::find_if(seen.begin(), seen.end(), [&](const auto &p) { return p.first == name; });
    if (dup != seen.end()) {
        error(nspan, "duplicate name '" + name + "'",
              "first used at column " + std::to_string(dup->second.begin + 1) +
                  "; names must be unique in a probe");
        return false;
    }
    seen.emplace_back(name, nspan);
    return true;
}

bool check_arg_count(const expr::ProbeAst &probe, const ErrorAt &error) {
    if (probe.args.size() <= kMaxArgs) return true;
    error(probe.args[kMaxArgs].span, "more than 128 arguments",
          "the kernel allows at most 128 per probe; split it in two probes");
    return false;
}

} // namespace ksurf::compile::detail
