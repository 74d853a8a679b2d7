#include "util/bytes.h"

#include <array>

namespace ksurf {

namespace {

constexpr char kHex[] = "0123456789abcdef";

bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return c - 'A' + 10;
}

// A backslash at s[i] that a reader would take for the start of \xNN.
bool looks_like_escape(std::string_view s, size_t i) {
    return i + 3 < s.size() && s[i + 1] == 'x' && is_hex(s[i + 2]) && is_hex(s[i + 3]);
}

// "\xNN" (text) or "\\xNN" (the same four characters inside a JSON string).
void put_byte_escape(fmt::memory_buffer &out, unsigned char c, bool json) {
    char e[5] = {'\\', '\\', 'x', kHex[c >> 4], kHex[c & 15]};
    if (json)
        out.append(e, e + 5);
    else
        out.append(e + 1, e + 5);
}

bool in(unsigned char c, unsigned char lo, unsigned char hi) {
    return c >= lo && c <= hi;
}

// Valid UTF-8 that a terminal acts on instead of showing: C1 controls,
// direction marks and overrides (they reorder what follows), line separators.
bool invisible_control(std::string_view s, size_t i, size_t n) {
    auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
    if (n == 2) return (b(0) == 0xc2 && b(1) <= 0x9f) || (b(0) == 0xd8 && b(1) == 0x9c);
    if (n == 3 && b(0) == 0xe2 && b(1) == 0x80)
        return b(2) == 0x8e || b(2) == 0x8f || in(b(2), 0xa8, 0xae);
    if (n == 3 && b(0) == 0xe2 && b(1) == 0x81) return in(b(2), 0xa6, 0xa9);
    return false;
}

// Bytes that pass as they are: printable ASCII but the backslash (and, in
// JSON, the quote). A table, as this is on the path of every event.
template <bool Json>
constexpr std::array<bool, 256> kPlain = [] {
    std::array<bool, 256> t{};
    for (int c = 0x20; c < 0x7f; ++c) t[static_cast<size_t>(c)] = c != '\\' && (!Json || c != '"');
    return t;
}();

template <bool Json> void append_escaped(fmt::memory_buffer &out, std::string_view s) {
    const char *p = s.data();
    size_t n = s.size(), i = 0;
    // The common case, a string that needs nothing, in one pass straight
    // into the buffer; the first byte that needs care leaves it to the loop.
    size_t at = out.size();
    out.resize(at + n);
    char *d = out.data() + at;
    while (i < n && kPlain<Json>[static_cast<unsigned char>(p[i])]) {
        d[i] = p[i];
        ++i;
    }
    out.resize(at + i);
    while (i < n) {
        // The common case: a run of printable ASCII that needs nothing.
        size_t run = i;
        while (run < n && kPlain<Json>[static_cast<unsigned char>(p[run])]) ++run;
        if (run > i) out.append(p + i, p + run);
        i = run;
        if (i >= n) break;
        unsigned char c = static_cast<unsigned char>(p[i]);
        if (c == '\\') {
            if (looks_like_escape(s, i))
                put_byte_escape(out, c, Json);
            else if (Json)
                out.append(std::string_view("\\\\"));
            else
                out.push_back('\\');
            ++i;
        } else if (c == '"') { // JSON only
            out.append(std::string_view("\\\""));
            ++i;
        } else if (c < 0x20 || c == 0x7f) {
            if (!Json) {
                put_byte_escape(out, c, false);
            } else if (c == '\n') {
                out.append(std::string_view("\\n"));
            } else if (c == '\t') {
                out.append(std::string_view("\\t"));
            } else if (c == '\r') {
                out.append(std::string_view("\\r"));
            } else if (c == 0x7f) {
                out.push_back(static_cast<char>(c));
            } else {
                char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
                out.append(u, u + 6);
            }
            ++i;
        } else {
            size_t len = utf8_sequence(s, i);
            if (len == 0) {
                put_byte_escape(out, c, Json);
                ++i;
            } else if (!Json && invisible_control(s, i, len)) {
                for (size_t k = 0; k < len; ++k)
                    put_byte_escape(out, static_cast<unsigned char>(p[i + k]), false);
                i += len;
            } else {
                out.append(p + i, p + i + len);
                i += len;
            }
        }
    }
}

} // namespace

size_t utf8_sequence(std::string_view s, size_t i) {
    auto at = [&](size_t k) -> unsigned char {
        return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0;
    };
    unsigned char c = at(0);
    if (i >= s.size()) return 0;
    if (c < 0x80) return 1;
    auto cont = [&](size_t k) { return in(at(k), 0x80, 0xbf); };
    if (in(c, 0xc2, 0xdf)) return cont(1) ? 2 : 0;
    if (c == 0xe0) return in(at(1), 0xa0, 0xbf) && cont(2) ? 3 : 0;
    if (in(c, 0xe1, 0xec) || in(c, 0xee, 0xef)) return cont(1) && cont(2) ? 3 : 0;
    if (c == 0xed) return in(at(1), 0x80, 0x9f) && cont(2) ? 3 : 0; // no surrogates
    if (c == 0xf0) return in(at(1), 0x90, 0xbf) && cont(2) && cont(3) ? 4 : 0;
    if (in(c, 0xf1, 0xf3)) return cont(1) && cont(2) && cont(3) ? 4 : 0;
    if (c == 0xf4) return in(at(1), 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
    return 0;
}

bool valid_utf8(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        size_t n = utf8_sequence(s, i);
        if (!n) return false;
        i += n;
    }
    return true;
}

size_t json_plain_prefix(std::string_view s) {
    size_t i = 0;
    while (i < s.size() && kPlain<true>[static_cast<unsigned char>(s[i])]) ++i;
    return i;
}

void append_json_escaped(fmt::memory_buffer &out, std::string_view s) {
    append_escaped<true>(out, s);
}

void append_text_escaped(fmt::memory_buffer &out, std::string_view s) {
    append_escaped<false>(out, s);
}

std::string text_escaped(std::string_view s) {
    fmt::memory_buffer b;
    append_text_escaped(b, s);
    return std::string(b.data(), b.size());
}

std::string unescape_bytes(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && looks_like_escape(s, i)) {
            out.push_back(static_cast<char>(hex_value(s[i + 2]) * 16 + hex_value(s[i + 3])));
            i += 3;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

} // namespace ksurf
