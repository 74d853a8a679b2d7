#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ksurf {

std::vector<std::string> split(std::string_view s, char sep);
std::string_view trim(std::string_view s);
bool starts_with(std::string_view s, std::string_view prefix);
// fnmatch(3) glob match ("sys_enter_open*").
bool glob_match(std::string_view pattern, std::string_view text);
bool has_glob(std::string_view s);
// Reads a whole small file; empty optional-like result via ok flag.
bool read_file(const std::string &path, std::string &out);
// Levenshtein distance, for did-you-mean hints.
size_t edit_distance(std::string_view a, std::string_view b);
// The closest candidate within a sensible distance, or "".
std::string closest(std::string_view word, const std::vector<std::string> &candidates);

} // namespace ksurf
