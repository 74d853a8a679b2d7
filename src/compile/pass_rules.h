// The probe-kind rules pass: what each kind of probe (p r P R f t) allows,
// checked on the AST before any type is resolved or fetcharg written. It
// needs no BTF, no kernel and no architecture. Internal to src/compile.
#pragma once

#include "expr/ast.h"

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace ksurf::compile::detail {

// One place's rules, derived from the probe type alone.
struct KindRules {
    bool is_return = false;     // r R f%return: $retval; the arguments are gone
    bool is_user = false;       // P R: user memory, DWARF types, no kernel globals
    bool is_tracepoint = false; // t: the tracepoint's arguments, no registers, no $retval
    bool ftrace_args = false;   // f t: arguments read as the kernel's $argN, not registers
    const char *entry = "p";    // the letter probing the same place's entry
};

KindRules rules_for(expr::ProbeType type);

using ErrorAt = std::function<void(expr::Span, std::string message, std::string hint)>;

// The rules on one argument's expression (its base, cast and the
// parenthesised expressions inside): one error at most, then false.
bool check_kind_rules(const expr::ProbeAst &probe, const expr::Expr &x, const ErrorAt &error);

// The kernel's rules on argument names, for argument number `index` (from 1):
// the name it gets (argN when written without NAME=), not reserved, short
// enough and unique among `seen`. False after reporting; the name is then
// not added to `seen`.
bool check_arg_name(const expr::Arg &a, size_t index,
                    std::vector<std::pair<std::string, expr::Span>> &seen, std::string &name,
                    const ErrorAt &error);

// More arguments than the kernel takes in one probe: false after reporting.
bool check_arg_count(const expr::ProbeAst &probe, const ErrorAt &error);

} // namespace ksurf::compile::detail
