// Function globs: `p vfs_*`, `r tcp_*`, `p 'vfs_*' n=%2 f:n>0`. One line
// becomes one probe per matched function, each compiled on its own (its own
// BTF prototype for argument names, %N types and $retval), in every command
// that compiles expressions (the probe stream, -S, -o, count, hist, who).
//
// What is matched: the functions a kprobe can take (KernelNames::functions:
// kallsyms, minus the kprobe blacklist, minus what available_filter_functions
// lacks (notrace), minus names several functions share, minus .cold parts);
// with --btf FILE (another kernel, no kallsyms) the FUNC names of its BTF.
//
// Choices:
//  - A cap (Options::max_glob_functions, 1000 by default, --max-funcs N) on
//    all the functions globs expand to in one plan: above it nothing is
//    armed and the error names the number matched and how to narrow.
//  - Arguments that do not resolve on some matched functions (a parameter
//    name, a member, a type only some have) skip those functions with a note
//    naming them; when they resolve on none, the first function's errors are
//    the error.
//  - No offset (`p vfs_*+4`: offsets are per function) and no event name
//    (`p:NAME vfs_*`: one name cannot name many events).
#pragma once

#include "compile/compile.h"
#include "expr/ast.h"

#include <cstddef>
#include <string>
#include <vector>

namespace ksurf::compile {

// A kprobe or kretprobe whose function is a glob (has * ? or [).
bool is_function_glob(const expr::ProbeAst &ast);

// Compiles `src` (parsed as `ast`, a function glob) into one probe per
// matched function, appended to `plan` (notes to plan.notes). `used` counts
// the functions globs already gave this plan, for the cap. False with
// diagnostics when nothing can be armed for this line.
bool compile_function_glob(const Source &src, const expr::ProbeAst &ast, const Options &opts,
                           Plan &plan, std::vector<Diagnostic> &diags, size_t &used);

} // namespace ksurf::compile
