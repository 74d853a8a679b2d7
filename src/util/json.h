// ksurf's one JSON writer: every JSON ksurf prints (events, who, run, list,
// summaries, --stats) is written by it, so every string follows the byte
// policy of util/bytes.h and the output is always valid UTF-8.
//
// A streaming writer into a caller's buffer: it keeps only the nesting
// (commas, indentation), so writing an event costs no allocation once the
// buffer has grown. Listings built as nlohmann::json documents are written
// through value(const nlohmann::json &) instead of nlohmann's dump(), which
// aborts on bytes that are not UTF-8.
#pragma once

#include <cstdint>
#include <fmt/format.h>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace ksurf::json {

class Writer {
  public:
    // indent < 0: one line; otherwise pretty-printed with that many spaces.
    explicit Writer(fmt::memory_buffer &out, int indent = -1) : out_(out), indent_(indent) {
        open_.reserve(8);
    }

    Writer &begin_object() { return open('{'); }
    Writer &end_object() { return close('}'); }
    Writer &begin_array() { return open('['); }
    Writer &end_array() { return close(']'); }
    Writer &key(std::string_view k);

    Writer &value(std::string_view s);
    Writer &value(const char *s) { return value(std::string_view(s)); }
    Writer &value(const std::string &s) { return value(std::string_view(s)); }
    Writer &value(bool b);
    Writer &value(double d); // not finite: null
    template <class T>
    requires(std::is_integral_v<T> && !std::is_same_v<T, bool>) Writer &value(T v) {
        separate();
        fmt::format_int s(v);
        out_.append(s.data(), s.data() + s.size());
        return *this;
    }
    Writer &value(const nlohmann::json &j);
    Writer &null();
    // Text that already is one JSON value (a number formatted by the caller).
    Writer &raw(std::string_view json_text);
    // For callers that write one value's text themselves: emits what must
    // come before a value and hands over the buffer.
    fmt::memory_buffer &value_buffer() {
        separate();
        return out_;
    }

    template <class T> Writer &member(std::string_view k, const T &v) { return key(k).value(v); }

  private:
    Writer &open(char c);
    Writer &close(char c);
    void separate(); // the comma and line break before a value or key
    void newline();

    fmt::memory_buffer &out_;
    int indent_;
    // One entry per open container: 0 empty so far, 1 has members.
    std::vector<uint8_t> open_;
    bool after_key_ = false;
};

// s as a JSON string literal, quotes included.
void append_string(fmt::memory_buffer &out, std::string_view s);

// A whole document as text, with a trailing newline: what --json prints.
std::string dump(const nlohmann::json &j, int indent = -1);

} // namespace ksurf::json
