#include "util/write_error.h"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <poll.h>

namespace ksurf {

namespace {

std::optional<WriteError> g_first;

} // namespace

std::string WriteError::str() const {
    const char *name = err ? strerrorname_np(err) : nullptr;
    return fmt::format("cannot write {}: {}{}", file, err ? std::strerror(err) : "write error",
                       name ? fmt::format(" ({})", name) : std::string());
}

void note_write_error(std::string_view file, int err) {
    if (!g_first) g_first = WriteError{std::string(file), err};
}

bool write_checked(std::FILE *f, std::string_view data, std::string_view file) {
    if (data.empty() || std::fwrite(data.data(), 1, data.size(), f) == data.size()) return true;
    note_write_error(file, errno ? errno : EIO);
    return false;
}

bool flush_checked(std::FILE *f, std::string_view file) {
    errno = 0;
    if (std::fflush(f) == 0 && !std::ferror(f)) return true;
    // stdio keeps no errno of its own: EIO when the failing call did not say.
    note_write_error(file, errno ? errno : EIO);
    return false;
}

std::optional<WriteError> write_failure() {
    if (!g_first) {
        if (!std::ferror(stdout)) return std::nullopt;
        // A write whose errno nobody kept: a pipe without reader polls POLLERR.
        pollfd p{1, 0, 0};
        if (::poll(&p, 1, 0) == 1 && (p.revents & POLLERR)) return std::nullopt;
        return WriteError{"standard output", EIO};
    }
    if (g_first->err == EPIPE && g_first->file == "standard output") return std::nullopt;
    return g_first;
}

bool output_broken() {
    return g_first.has_value() || std::ferror(stdout);
}

} // namespace ksurf
