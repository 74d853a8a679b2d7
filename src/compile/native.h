// -S --native: the kernel's own form of a probe's arguments, where the
// kernel types them itself from BTF (kprobetrace.rst: `$argN`, argument
// names, `ARG->member.member`, a typed `$retval`), instead of the offsets
// ksurf compiles (`+0x40(%di):s64`). Both read the same memory; printing
// them side by side shows what ksurf's offsets stand for, and the lab arms
// both in one event to check that they agree.
//
// What the kernel cannot say in its own syntax keeps ksurf's compiled form,
// with a note saying why: casts, `[i]` indexing, registers, @symbols,
// packets, uprobes, and a kprobe placed past the function's entry.
#pragma once

#include "compile/compile.h"
#include "expr/ast.h"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ksurf::compile {

// Does the tracefs README say this kernel types probe arguments from BTF?
// (The fetcharg list names `<argname>` with its `->field` chains.)
bool readme_has_btf_args(std::string_view readme);

// The native fetcharg for one argument of `ast` (NAME= excluded), or "" with
// `why` set when only ksurf's compiled form can say it. `compiled` is ksurf's
// fetcharg for it, whose type a format letter (S U X) borrows.
std::string native_fetcharg(const expr::ProbeAst &ast, const expr::Arg &arg,
                            std::string_view compiled, std::string &why);

// `plan` (compiled from `sources`, one probe each) with every argument the
// kernel can type itself rewritten in its form. `notes` gets one line per
// argument that kept ksurf's form: "p0 x: casts are ksurf's own".
Plan native_plan(std::span<const Source> sources, const Plan &plan,
                 std::vector<std::string> &notes);

} // namespace ksurf::compile
