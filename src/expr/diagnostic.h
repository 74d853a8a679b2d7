// A user error in an expression: where (a byte range of the expression),
// what, and what to do. Collected, never thrown.
#pragma once

#include <cstddef>
#include <string>

namespace ksurf::expr {

struct Span {
    size_t begin = 0, end = 0;
};

struct Diagnostic {
    std::string origin;        // "argument 1", "probes.txt:3"
    std::string text;          // the whole expression
    size_t begin = 0, end = 0; // byte range in text, end exclusive
    std::string message, hint;

    // "origin: error: message\n  <text>\n  <spaces>^~~~\n  hint: ...\n"; an
    // origin of the form FILE:LINE is printed as FILE:LINE:COLUMN.
    std::string render() const;

    // An error under `span` of `text` (at least one byte, for the caret).
    static Diagnostic at(std::string origin, std::string text, Span span, std::string message,
                         std::string hint = {}) {
        Diagnostic d;
        d.origin = std::move(origin);
        d.text = std::move(text);
        d.begin = span.begin;
        d.end = span.end > span.begin ? span.end : span.begin + 1;
        d.message = std::move(message);
        d.hint = std::move(hint);
        return d;
    }
};

} // namespace ksurf::expr
