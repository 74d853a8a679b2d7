#include "tracefs/session.h"

#include "util/strings.h"

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ksurf::tracefs {

namespace {

constexpr std::string_view kDynamicEventFiles[] = {"dynamic_events", "kprobe_events",
                                                   "uprobe_events"};

// Old content of a top-level file in the form it can be written back with.
std::string restorable(std::string_view rel, std::string content) {
    // Files listing alternatives mark the current one: "[local] global ...".
    if (rel == "trace_clock" || rel == "current_tracer") {
        size_t open = content.find('[');
        size_t close = content.find(']');
        if (open != std::string::npos && close != std::string::npos && close > open)
            return content.substr(open + 1, close - open - 1);
    }
    // Filters and pid lists say "no pid" or "#### all functions enabled ####".
    if (content.starts_with("#") || content.starts_with("no pid")) return "";
    return std::string(trim(content));
}

// The line of a state file that names its owner by start time (no tab: an
// older ksurf reading it skips it instead of restoring a file of that name).
constexpr std::string_view kStartLine = "#start ";

std::string escape(std::string_view v) {
    std::string out;
    for (char c : v) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string unescape(std::string_view v) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '\\' && i + 1 < v.size()) {
            ++i;
            out += v[i] == 'n' ? '\n' : v[i];
        } else {
            out += v[i];
        }
    }
    return out;
}

// Writes saved values back, newest first; reports what the kernel refused.
void restore(const Tracefs &fs, const std::vector<std::pair<std::string, std::string>> &saved,
             std::vector<std::string> &problems) {
    for (auto it = saved.rbegin(); it != saved.rend(); ++it) {
        auto st = fs.write(it->first, it->second.empty() ? std::string("\n") : it->second);
        if (!st) problems.push_back(st.error().str());
    }
}

} // namespace

std::string state_dir() {
    return ::access("/run", W_OK) == 0 ? "/run/ksurf" : "/tmp/ksurf";
}

std::string state_file(pid_t pid) {
    return fmt::format("{}/ksurf-{}.saved", state_dir(), pid);
}

std::string instance_name(pid_t pid) {
    return fmt::format("ksurf-{}", pid);
}
std::string group_name(pid_t pid) {
    return fmt::format("ksurf_{}", pid);
}

std::optional<pid_t> owner_of(std::string_view name) {
    if (!name.starts_with("ksurf-") && !name.starts_with("ksurf_")) return std::nullopt;
    std::string_view digits = name.substr(6);
    pid_t pid = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
    if (ec != std::errc() || end != digits.data() + digits.size() || pid <= 0) return std::nullopt;
    return pid;
}

std::optional<ProcStat> proc_stat(pid_t pid) {
    std::string text;
    if (!read_file(fmt::format("/proc/{}/stat", pid), text)) return std::nullopt;
    // "PID (COMM) S PPID ...": COMM may hold spaces and parentheses, the last ')' ends it.
    size_t open = text.find('('), close = text.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close < open)
        return std::nullopt;
    ProcStat st;
    st.comm = text.substr(open + 1, close - open - 1);
    auto fields = split(std::string(trim(std::string_view(text).substr(close + 1))), ' ');
    // fields[0] is field 3 (state), so field 22 (starttime) is fields[19].
    if (fields.size() < 20 || fields[0].empty()) return std::nullopt;
    st.state = fields[0][0];
    auto [end, ec] =
        std::from_chars(fields[19].data(), fields[19].data() + fields[19].size(), st.start_time);
    if (ec != std::errc()) return std::nullopt;
    return st;
}

std::optional<uint64_t> recorded_start(pid_t pid) {
    std::string text;
    if (!read_file(state_file(pid), text)) return std::nullopt;
    for (const auto &line : split(text, '\n')) {
        if (!line.starts_with(kStartLine)) continue;
        uint64_t start = 0;
        std::string_view v = std::string_view(line).substr(kStartLine.size());
        auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), start);
        if (ec == std::errc()) return start;
    }
    return std::nullopt;
}

bool owner_alive(pid_t pid) {
    auto st = proc_stat(pid);
    auto start = recorded_start(pid);
    // Our own pid: alive, unless the state file is a predecessor's with our pid.
    if (pid == ::getpid()) return !start || (st && st->start_time == *start);
    // Gone, or a zombie (killed, not yet reaped): nothing of it runs any more.
    if (!st || st->state == 'Z' || st->state == 'X' || st->state == 'x') return false;
    // The start time tells a reused pid even when the new process is a ksurf too.
    if (start) return st->start_time == *start;
    // A run that recorded no start time (an older ksurf): its name is all there is.
    return st->comm == "ksurf";
}

Removed remove_leftovers(const Tracefs &fs) {
    Removed out;
    // Instances first: an event enabled in an instance cannot be removed.
    for (const auto &name : fs.list_dir("instances")) {
        auto pid = owner_of(name);
        if (!pid || name[5] != '-' || owner_alive(*pid)) continue;
        std::string dir = fs.path("instances/" + name);
        if (::rmdir(dir.c_str()) == 0) {
            out.instances.push_back(name);
        } else {
            int e = errno;
            out.problems.push_back(fmt::format("cannot remove {}: {}", dir, std::strerror(e)));
        }
    }
    // Top-level files a dead run changed (ksurf run's tracer settings).
    Tracefs states(state_dir());
    for (const auto &name : states.list_dir("")) {
        if (!name.ends_with(".saved")) continue;
        auto pid = owner_of(std::string_view(name).substr(0, name.size() - 6));
        if (!pid || owner_alive(*pid)) continue;
        std::string text;
        if (!read_file(states.path(name), text)) continue;
        std::vector<std::pair<std::string, std::string>> saved;
        for (const auto &line : split(text, '\n')) {
            size_t tab = line.find('\t');
            if (tab != std::string::npos)
                saved.emplace_back(line.substr(0, tab), unescape(line.substr(tab + 1)));
        }
        restore(fs, saved, out.problems);
        for (const auto &f : saved) out.restored.push_back(f.first);
        ::unlink(states.path(name).c_str());
    }
    for (std::string_view file : kDynamicEventFiles) {
        auto content = fs.read(file);
        if (!content) continue;
        for (const auto &line : split(*content, '\n')) {
            // "p:ksurf_123/p0 do_sys_openat2 ..." -> "ksurf_123/p0"
            size_t colon = line.find(':');
            size_t space = line.find(' ');
            if (colon == std::string::npos || space == std::string::npos || colon > space) continue;
            std::string id = line.substr(colon + 1, space - colon - 1);
            size_t slash = id.find('/');
            if (slash == std::string::npos) continue;
            auto pid = owner_of(std::string_view(id).substr(0, slash));
            if (!pid || id[5] != '_' || owner_alive(*pid)) continue;
            auto st = fs.write(file, "-:" + id + "\n", true);
            if (st)
                out.dynamic_events.push_back(id);
            else
                out.problems.push_back(st.error().str());
        }
    }
    return out;
}

bool write_state(const std::vector<std::pair<std::string, std::string>> &saved) {
    std::string dir = state_dir();
    ::mkdir(dir.c_str(), 0700);
    std::string text;
    if (auto me = proc_stat(::getpid())) text += fmt::format("{}{}\n", kStartLine, me->start_time);
    for (const auto &[file, value] : saved) text += file + "\t" + escape(value) + "\n";
    // Written whole then renamed: a cleaner never reads half a file.
    std::string path = state_file(::getpid()), tmp = path + ".tmp";
    std::FILE *f = std::fopen(tmp.c_str(), "w");
    if (!f) return false;
    bool ok = std::fputs(text.c_str(), f) >= 0;
    ok = std::fclose(f) == 0 && ok;
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
        int e = errno;
        ::unlink(tmp.c_str());
        errno = e;
        return false;
    }
    return true;
}

Result<Session> Session::create(const Tracefs &fs) {
    Removed old = remove_leftovers(fs);
    for (const auto &name : old.instances)
        std::fprintf(stderr, "ksurf: removed instance %s left by a dead ksurf run\n", name.c_str());
    for (const auto &id : old.dynamic_events)
        std::fprintf(stderr, "ksurf: removed dynamic event %s left by a dead ksurf run\n",
                     id.c_str());
    for (const auto &file : old.restored)
        std::fprintf(stderr, "ksurf: restored %s, changed by a dead ksurf run\n", file.c_str());
    pid_t pid = ::getpid();
    // Who owns what follows, by start time, before there is anything to own:
    // the cleaners of other runs compare it to tell a reused pid.
    write_state({});
    std::string instance = "instances/" + instance_name(pid);
    if (::mkdir(fs.path(instance).c_str(), 0700) != 0) {
        int e = errno;
        ::unlink(state_file(pid).c_str());
        return fail(fmt::format("cannot create tracefs instance {}", fs.path(instance)), e,
                    e == ENOENT   ? "this kernel has no tracefs instances (CONFIG_TRACING too old?)"
                    : e == EACCES ? "run ksurf as root"
                                  : "");
    }
    return Session(fs, std::move(instance), group_name(pid));
}

Session::Session(Session &&o) noexcept
    : fs_(o.fs_), instance_(std::move(o.instance_)), group_(std::move(o.group_)), live_(o.live_),
      saved_(std::move(o.saved_)), dynevents_(std::move(o.dynevents_)) {
    o.live_ = false;
}

Session::~Session() {
    teardown();
}

Status Session::set(std::string_view rel, std::string_view value) {
    return fs_.write(instance_ + "/" + std::string(rel), value, false, instance_);
}

Status Session::set_global(std::string_view rel, std::string_view value) {
    bool known = false;
    for (const auto &s : saved_) known |= s.first == rel;
    if (!known) {
        auto old = fs_.read(rel);
        if (!old) return std::unexpected(old.error());
        saved_.emplace_back(std::string(rel), restorable(rel, std::move(*old)));
        // On disk too, so a run killed with SIGKILL is undone by the next one.
        if (!write_state(saved_))
            return fail(fmt::format("cannot save tracefs state in {}", state_dir()), errno);
    }
    return fs_.write(rel, value);
}

Status Session::add_dynamic_event(std::string_view file, std::string_view event,
                                  std::string_view definition) {
    std::string line(definition);
    line += '\n';
    auto st = fs_.write(file, line, true);
    if (!st) return st;
    dynevents_.emplace_back(std::string(file), group_ + "/" + std::string(event));
    return {};
}

Status Session::enable_event(std::string_view system, std::string_view event) {
    return set(fmt::format("events/{}/{}/enable", system, event), "1");
}

Status Session::add_trigger(std::string_view system, std::string_view event,
                            std::string_view text) {
    std::string rel = fmt::format("events/{}/{}/trigger", system, event);
    auto st = fs_.write(instance_ + "/" + rel, text, true, instance_);
    if (!st) return st;
    triggers_.emplace_back(rel, std::string(text));
    return {};
}

Status Session::set_filter(std::string_view system, std::string_view event,
                           std::string_view filter) {
    return set(fmt::format("events/{}/{}/filter", system, event), filter);
}

Status Session::set_event_pids(const std::vector<pid_t> &pids, bool follow_fork) {
    if (follow_fork) {
        auto st = set("options/event-fork", "1");
        if (!st) return st;
    }
    std::string list;
    for (pid_t p : pids) list += fmt::format("{} ", p);
    return set("set_event_pid", list);
}

Status Session::tracing_on(bool on) {
    return set("tracing_on", on ? "1" : "0");
}

void Session::teardown() noexcept {
    if (!live_) return;
    live_ = false;
    auto report = [](const std::string &what) {
        std::fprintf(stderr, "ksurf: cleanup: %s\n", what.c_str());
    };
    // Stop and disable first so removing the instance and events cannot race with writers.
    (void)fs_.write(instance_ + "/tracing_on", "0");
    (void)fs_.write(instance_ + "/events/enable", "0");
    for (auto it = triggers_.rbegin(); it != triggers_.rend(); ++it) {
        auto st = fs_.write(instance_ + "/" + it->first, "!" + it->second, true, instance_);
        if (!st) report(st.error().str());
    }
    std::string dir = fs_.path(instance_);
    if (::rmdir(dir.c_str()) != 0 && errno != ENOENT) {
        int e = errno;
        report(fmt::format("cannot remove {}: {}", dir, std::strerror(e)));
    }
    for (auto it = dynevents_.rbegin(); it != dynevents_.rend(); ++it) {
        auto st = fs_.write(it->first, "-:" + it->second + "\n", true);
        if (!st) report(st.error().str());
    }
    dynevents_.clear();
    std::vector<std::string> problems;
    restore(fs_, saved_, problems);
    for (const auto &p : problems) report(p);
    ::unlink(state_file(::getpid()).c_str());
    saved_.clear();
}

} // namespace ksurf::tracefs
