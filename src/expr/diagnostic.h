// A user error in an expression: where (a byte range of the expression),
// what, and what to do. Collected, never thrown.
#pragma once

#include <cstddef>
#include <string>

namespace ksurf::expr {

struct Diagnostic {
    std::string origin;        // "argument 1", "probes.txt:3"
    std::string text;          // the whole expression
    size_t begin = 0, end = 0; // byte range in text, end exclusive
    std::string message, hint;

    // "origin: error: message\n  <text>\n  <spaces>^~~~\n  hint: ...\n"; an
    // origin of the form FILE:LINE is printed as FILE:LINE:COLUMN.
    std::string render() const;
};

struct Span {
    size_t begin = 0, end = 0;
};

} // namespace ksurf::expr
