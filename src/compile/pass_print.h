// The print pass's choices that depend on the argument's name and format
// letter alone (the rest of the pass is ProbeCompiler::finish, which also
// knows the value's type). Internal to src/compile.
#pragma once

#include "compile/plan.h"

#include <string_view>

namespace ksurf::compile::detail {

// How an argument prints: a name prefix (ip_, b16_, B32_ ...) wins over the
// format letter (S signed, U unsigned, X hex); Default without either.
Print print_choice(std::string_view name, char format);

// The kernel type letter of an integer fetcharg (s, u or x): the format
// letter's, else 'u' under a byte-order prefix (output swaps and signs it),
// else the C type's signedness.
char int_type_letter(char format, std::string_view name, bool is_signed);

} // namespace ksurf::compile::detail
