// ksurf's one byte policy. The kernel hands out bytes, not text: a comm, a
// file name, a user string can hold anything. Every output goes through
// these functions so that none aborts on a byte sequence, JSON is always
// valid UTF-8, text cannot carry terminal escapes or line breaks, and the
// bytes stay recoverable:
//
//   - valid UTF-8 passes through;
//   - each byte that is not part of valid UTF-8 becomes the four characters
//     \xNN (two lower-case hex digits); in JSON that is the string "\\xNN";
//   - a backslash that would read as such an escape (followed by x and two
//     hex digits) becomes \x5c itself, so the escapes are never ambiguous;
//   - text output also writes control characters (C0, DEL, C1) and Unicode
//     direction overrides as \xNN of their bytes.
//
// unescape_bytes() turns any such string back into the original bytes.
#pragma once

#include <fmt/format.h>
#include <string>
#include <string_view>

namespace ksurf {

// The length of the valid UTF-8 sequence at s[i], or 0 when the byte there
// starts none (stray continuation byte, overlong form, surrogate, > U+10FFFF,
// truncated sequence).
size_t utf8_sequence(std::string_view s, size_t i);
bool valid_utf8(std::string_view s);

// How many leading bytes of s a JSON string carries as they are.
size_t json_plain_prefix(std::string_view s);

// The content of a JSON string (without the quotes) for the bytes of s.
void append_json_escaped(fmt::memory_buffer &out, std::string_view s);
// s as it may be shown on a terminal or written to a text file.
void append_text_escaped(fmt::memory_buffer &out, std::string_view s);
std::string text_escaped(std::string_view s);

// The original bytes of a string escaped by either of the above (after JSON
// decoding for JSON): every \xNN becomes the byte NN.
std::string unescape_bytes(std::string_view s);

} // namespace ksurf
