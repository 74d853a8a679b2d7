#include "tracefs/tracefs.h"

#include "util/strings.h"

#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mount.h>
#include <unistd.h>

namespace ksurf::tracefs {

namespace {

bool is_tracefs(const std::string &dir) {
    return ::access((dir + "/README").c_str(), F_OK) == 0;
}

// Timestamp of an error_log entry header "[  298.251173] ...", or -1.
double entry_time(std::string_view line) {
    if (line.empty() || line[0] != '[') return -1;
    size_t close = line.find(']');
    if (close == std::string_view::npos) return -1;
    std::string num(trim(line.substr(1, close - 1)));
    char *end = nullptr;
    double t = std::strtod(num.c_str(), &end);
    return end == num.c_str() ? -1 : t;
}

} // namespace

Result<Tracefs> Tracefs::open() {
    for (const char *d : {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"}) {
        if (is_tracefs(d)) return Tracefs(d);
        if (errno == EACCES)
            return fail(fmt::format("tracefs at {} is open to root only", d), EACCES,
                        "run ksurf as root (sudo ksurf ...); -S needs no root for p/r/P/R");
    }
    if (::geteuid() != 0)
        return fail("tracefs is not mounted and mounting it needs root", EPERM,
                    "run ksurf as root (sudo ksurf ...), or mount it: "
                    "mount -t tracefs nodev /sys/kernel/tracing");
    if (::mount("nodev", "/sys/kernel/tracing", "tracefs", 0, nullptr) != 0) {
        int e = errno;
        return fail("cannot mount tracefs at /sys/kernel/tracing", e,
                    "is CONFIG_TRACING enabled in this kernel?");
    }
    return Tracefs("/sys/kernel/tracing");
}

std::string Tracefs::path(std::string_view rel) const {
    std::string p = root_;
    if (!rel.empty()) {
        p += '/';
        p += rel;
    }
    return p;
}

bool Tracefs::exists(std::string_view rel) const {
    return ::access(path(rel).c_str(), F_OK) == 0;
}

Result<std::string> Tracefs::read(std::string_view rel) const {
    std::string out;
    if (!read_file(path(rel), out)) {
        int e = errno;
        return fail(fmt::format("cannot read {}", path(rel)), e,
                    e == EACCES || e == EPERM ? "tracefs needs root: run ksurf as root" : "");
    }
    return out;
}

std::string Tracefs::error_log(std::string_view dir) const {
    std::string out;
    std::string rel = dir.empty() ? std::string("error_log") : std::string(dir) + "/error_log";
    read_file(path(rel), out);
    return out;
}

Status Tracefs::write(std::string_view rel, std::string_view value, bool append,
                      std::string_view error_log_dir) const {
    std::string p = path(rel);
    // Only these files' parsers write error_log: snapshot it for them alone,
    // so enabling events and flipping options cost one write, not three I/Os.
    bool logs = rel.ends_with("filter") || rel.ends_with("_events") || rel.ends_with("trigger");
    std::string before_top = logs ? error_log() : std::string();
    std::string before_dir =
        logs && !error_log_dir.empty() ? error_log(error_log_dir) : std::string();
    int fd = ::open(p.c_str(), O_WRONLY | O_CLOEXEC | (append ? O_APPEND : O_TRUNC));
    int e = 0;
    if (fd < 0) {
        e = errno;
    } else {
        // One write(2): tracefs parses each write as one command.
        ssize_t n = ::write(fd, value.data(), value.size());
        if (n < 0)
            e = errno;
        else if (static_cast<size_t>(n) != value.size())
            e = EIO;
        ::close(fd);
    }
    if (e == 0) return {};
    std::string shown(value);
    while (!shown.empty() && shown.back() == '\n') shown.pop_back();
    Error err{fmt::format("the kernel refused to write '{}' to {}", shown, p), e, {}, {}};
    if (logs) err.kernel_log = error_log_since(before_top, error_log());
    if (logs && !error_log_dir.empty()) {
        std::string more = error_log_since(before_dir, error_log(error_log_dir));
        if (!more.empty()) err.kernel_log += more;
    }
    if (e == EACCES || e == EPERM) err.hint = "tracefs needs root: run ksurf as root";
    return std::unexpected(std::move(err));
}

std::vector<std::string> Tracefs::list_dir(std::string_view rel) const {
    std::vector<std::string> out;
    DIR *d = ::opendir(path(rel).c_str());
    if (!d) return out;
    while (dirent *ent = ::readdir(d)) {
        if (ent->d_name[0] == '.') continue;
        out.emplace_back(ent->d_name);
    }
    ::closedir(d);
    return out;
}

std::string error_log_since(std::string_view before, std::string_view after) {
    double last = -1;
    for (const auto &line : split(before, '\n')) last = std::max(last, entry_time(line));
    std::string out;
    bool keep = false;
    for (const auto &line : split(after, '\n')) {
        double t = entry_time(line);
        if (t >= 0) keep = t > last;
        if (keep && !line.empty()) {
            out += line;
            out += '\n';
        }
    }
    return out;
}

} // namespace ksurf::tracefs
