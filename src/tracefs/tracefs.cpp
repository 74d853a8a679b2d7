#include "tracefs/tracefs.h"

#include "tracefs/lib.h"
#include "util/strings.h"

#include <cerrno>
#include <dirent.h>
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

namespace {

// The instance an error_log directory names ("" top level, "instances/NAME").
InstancePtr log_instance(const std::string &root, std::string_view dir) {
    if (dir.empty()) return top_instance(root);
    std::string_view name =
        dir.substr(dir.rfind('/') == std::string_view::npos ? 0 : dir.rfind('/') + 1);
    return existing_instance(root, std::string(name));
}

} // namespace

std::string Tracefs::error_log(std::string_view dir) const {
    auto inst = log_instance(root_, dir);
    return inst ? take(tracefs_error_all(inst.get())) : std::string();
}

Status Tracefs::write(std::string_view rel, std::string_view value, bool append,
                      std::string_view error_log_dir) const {
    auto top = top_instance(root_);
    if (!top) return fail(fmt::format("tracefs at {} is not a directory", root_), ENOENT);
    InstancePtr dir = error_log_dir.empty() ? nullptr : log_instance(root_, error_log_dir);
    return write_file(top.get(), rel, value, append, top.get(), dir.get());
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
