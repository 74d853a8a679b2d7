#include "expr/diagnostic.h"

#include <algorithm>

namespace ksurf::expr {

namespace {

bool is_file_line(const std::string &origin) {
    size_t colon = origin.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == origin.size()) return false;
    return std::all_of(origin.begin() + static_cast<long>(colon) + 1, origin.end(),
                       [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

std::string Diagnostic::render() const {
    size_t b = std::min(begin, text.size());
    size_t e = std::max(b, std::min(end, text.size()));
    std::string out = origin;
    if (is_file_line(origin)) out += ":" + std::to_string(b + 1);
    out += ": error: " + message + "\n";
    std::string line = text;
    std::replace(line.begin(), line.end(), '\t', ' ');
    std::replace(line.begin(), line.end(), '\n', ' ');
    out += "  " + line + "\n";
    out += "  " + std::string(b, ' ') + "^";
    if (e > b + 1) out += std::string(e - b - 1, '~');
    out += "\n";
    if (!hint.empty()) out += "  hint: " + hint + "\n";
    return out;
}

} // namespace ksurf::expr
