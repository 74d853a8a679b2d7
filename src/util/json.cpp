#include "util/json.h"

#include "util/bytes.h"

#include <cmath>
#include <nlohmann/json.hpp>

namespace ksurf::json {

void append_string(fmt::memory_buffer &out, std::string_view s) {
    out.push_back('"');
    append_json_escaped(out, s);
    out.push_back('"');
}

void Writer::newline() {
    if (indent_ < 0) return;
    out_.push_back('\n');
    for (size_t i = 0, n = open_.size() * static_cast<size_t>(indent_); i < n; ++i)
        out_.push_back(' ');
}

void Writer::separate() {
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (open_.empty()) return;
    if (open_.back()) out_.push_back(',');
    open_.back() = 1;
    newline();
}

Writer &Writer::open(char c) {
    separate();
    out_.push_back(c);
    open_.push_back(0);
    return *this;
}

Writer &Writer::close(char c) {
    bool had_members = !open_.empty() && open_.back();
    if (!open_.empty()) open_.pop_back();
    if (had_members) newline();
    out_.push_back(c);
    return *this;
}

Writer &Writer::key(std::string_view k) {
    separate();
    append_string(out_, k);
    out_.push_back(':');
    if (indent_ >= 0) out_.push_back(' ');
    after_key_ = true;
    return *this;
}

Writer &Writer::value(std::string_view s) {
    separate();
    append_string(out_, s);
    return *this;
}

Writer &Writer::value(bool b) {
    return raw(b ? "true" : "false");
}

Writer &Writer::value(double d) {
    if (!std::isfinite(d)) return null();
    separate();
    // The shortest text that reads back as d; always with a dot or exponent.
    auto before = out_.size();
    fmt::format_to(std::back_inserter(out_), "{}", d);
    std::string_view text(out_.data() + before, out_.size() - before);
    if (text.find_first_of(".e") == std::string_view::npos) out_.append(std::string_view(".0"));
    return *this;
}

Writer &Writer::null() {
    return raw("null");
}

Writer &Writer::raw(std::string_view text) {
    separate();
    out_.append(text);
    return *this;
}

Writer &Writer::value(const nlohmann::json &j) {
    using T = nlohmann::json::value_t;
    switch (j.type()) {
    case T::object:
        begin_object();
        for (const auto &[k, v] : j.items()) key(k).value(v);
        return end_object();
    case T::array:
        begin_array();
        for (const auto &v : j) value(v);
        return end_array();
    case T::string:
        return value(std::string_view(j.get_ref<const std::string &>()));
    case T::boolean:
        return value(j.get<bool>());
    case T::number_integer:
        return value(j.get<int64_t>());
    case T::number_unsigned:
        return value(j.get<uint64_t>());
    case T::number_float:
        return value(j.get<double>());
    case T::binary: // never built by ksurf; an array of bytes if it were
        begin_array();
        for (uint8_t b : j.get_binary()) value(b);
        return end_array();
    case T::null:
    case T::discarded:
        return null();
    }
    return null();
}

std::string dump(const nlohmann::json &j, int indent) {
    fmt::memory_buffer b;
    Writer w(b, indent);
    w.value(j);
    b.push_back('\n');
    return std::string(b.data(), b.size());
}

} // namespace ksurf::json
