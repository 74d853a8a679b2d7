#include "tracefs/session.h"

#include "tracefs/lib.h"
#include "tracefs/synth.h"
#include "util/bytes.h"
#include "util/strings.h"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace ksurf::tracefs {

namespace {

constexpr unsigned kDynamicEventKinds = TRACEFS_DYNEVENT_KPROBE | TRACEFS_DYNEVENT_KRETPROBE |
                                        TRACEFS_DYNEVENT_UPROBE | TRACEFS_DYNEVENT_URETPROBE |
                                        TRACEFS_DYNEVENT_EPROBE;

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

// The state directory is trusted only if it is ksurf's own: a directory (not
// a symlink) of the effective user, writable by no one else. Under /tmp
// (when /run is read-only) anyone could plant one, and its *.saved files
// become tracefs writes by root.
bool state_dir_trusted(const std::string &dir) {
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) return false;
    return S_ISDIR(st.st_mode) && st.st_uid == ::geteuid() && (st.st_mode & 022) == 0;
}

// Only the top-level files ksurf itself changes are written back from a state
// file; any other name in one is not ksurf's.
bool restorable_name(std::string_view name) {
    static constexpr std::string_view kFiles[] = {
        "current_tracer",     "tracing_on",         "trace_clock",       "buffer_size_kb",
        "buffer_percent",     "set_ftrace_pid",     "set_event_pid",     "set_event",
        "max_graph_depth",    "set_graph_function", "set_graph_notrace", "set_ftrace_filter",
        "set_ftrace_notrace", "tracing_thresh"};
    for (auto f : kFiles)
        if (name == f) return true;
    if (!name.starts_with("options/") || name.size() == 8) return false;
    for (char c : name.substr(8))
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
    return true;
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
    // ksurf writes pids without leading zeros: "ksurf_0123" is not run 123's.
    if (digits.starts_with('0')) return std::nullopt;
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
    // Synthetic events first, with the hist triggers that hold them and the
    // top-level ones that hold a run's own probes (tracefs/synth.h).
    remove_leftover_synthetic(fs, out);
    // Instances next: an event enabled in an instance cannot be removed.
    use_tracing_dir(fs.root());
    // A POSIX basic regex (REG_ICASE too: owner_of() checks the exact name).
    char **names = tracefs_instances("^ksurf-[0-9][0-9]*$");
    for (char **n = names; n && *n; ++n) {
        std::string name = *n;
        auto pid = owner_of(name);
        if (!pid || owner_alive(*pid)) continue;
        auto inst = existing_instance(fs.root(), name);
        if (inst && tracefs_instance_destroy(inst.get()) == 0) {
            out.instances.push_back(name);
        } else {
            int e = errno;
            out.problems.push_back(fmt::format("cannot remove {}: {}", fs.path("instances/" + name),
                                               std::strerror(e)));
        }
    }
    tracefs_list_free(names);
    // Top-level files a dead run changed (ksurf run's tracer settings).
    Tracefs states(state_dir());
    bool trusted = state_dir_trusted(state_dir());
    if (!trusted && ::access(state_dir().c_str(), F_OK) == 0)
        out.problems.push_back(fmt::format("{} is not ksurf's own (a symlink, another owner, or "
                                           "writable by others): its saved files are not read",
                                           state_dir()));
    for (const auto &name : trusted ? states.list_dir("") : std::vector<std::string>{}) {
        if (!name.ends_with(".saved")) continue;
        auto pid = owner_of(std::string_view(name).substr(0, name.size() - 6));
        if (!pid || owner_alive(*pid)) continue;
        std::string text;
        if (!read_file(states.path(name), text)) continue;
        std::vector<std::pair<std::string, std::string>> saved;
        for (const auto &line : split(text, '\n')) {
            size_t tab = line.find('\t');
            if (tab == std::string::npos) continue;
            std::string file = line.substr(0, tab);
            if (restorable_name(file))
                saved.emplace_back(file, unescape(line.substr(tab + 1)));
            else
                out.problems.push_back(fmt::format("{}: '{}' is not a file ksurf sets: not written",
                                                   states.path(name), text_escaped(file)));
        }
        restore(fs, saved, out.problems);
        for (const auto &f : saved) out.restored.push_back(f.first);
        ::unlink(states.path(name).c_str());
    }
    // Dynamic events of dead runs, whatever their kind. libtracefs 1.6 reads
    // them all from dynamic_events, where a uprobe line also passes for a
    // kprobe: each name is removed once.
    auto all = tracefs_dynevent_get_all(kDynamicEventKinds, nullptr);
    std::set<std::string> seen;
    // A refused removal quotes the top level's error_log, as at teardown.
    InstancePtr top = top_instance(fs.root());
    for (auto **d = all; d && *d; ++d) {
        char *sys = nullptr, *name = nullptr;
        tracefs_dynevent_info(*d, &sys, &name, nullptr, nullptr, nullptr);
        std::string group = take(sys), event = take(name);
        auto pid = owner_of(group);
        if (!pid || group[5] != '_' || owner_alive(*pid)) continue;
        std::string id = group + "/" + event;
        if (!seen.insert(id).second) continue;
        ErrorLogs logs(top.get(), nullptr, top != nullptr);
        errno = 0;
        if (tracefs_dynevent_destroy(*d, false) == 0)
            out.dynamic_events.push_back(id);
        else
            out.problems.push_back(
                refusal("-:" + id, fs.path("dynamic_events"), errno ? errno : EINVAL, logs).str());
    }
    tracefs_dynevent_list_free(all);
    // fprobe and tracepoint probe events libtracefs 1.6 does not list
    // ("f:GROUP/EVENT ..." and "t:..." lines of dynamic_events).
    std::istringstream lines(fs.read("dynamic_events").value_or(""));
    for (std::string line; std::getline(lines, line);) {
        if (line.size() < 3 || (line[0] != 'f' && line[0] != 't')) continue;
        size_t colon = line.find(':'), slash = line.find('/'), sp = line.find(' ');
        if (colon == std::string::npos || slash == std::string::npos || slash < colon) continue;
        std::string group = line.substr(colon + 1, slash - colon - 1);
        std::string id = line.substr(colon + 1, sp == std::string::npos ? sp : sp - colon - 1);
        auto pid = owner_of(group);
        if (!pid || group[5] != '_' || owner_alive(*pid) || !seen.insert(id).second) continue;
        if (auto st = fs.write("dynamic_events", "-:" + id + "\n", true))
            out.dynamic_events.push_back(id);
        else
            out.problems.push_back(st.error().str());
    }
    return out;
}

bool write_state(const std::vector<std::pair<std::string, std::string>> &saved) {
    std::string dir = state_dir();
    ::mkdir(dir.c_str(), 0700);
    if (!state_dir_trusted(dir)) {
        errno = EPERM;
        return false;
    }
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
    bool recorded = write_state({});
    int record_err = errno;
    std::string name = instance_name(pid);
    std::string instance = "instances/" + name;
    // libtracefs creates instances in its tracing directory: make it ours.
    use_tracing_dir(fs.root());
    InstancePtr top = top_instance(fs.root());
    errno = 0;
    InstancePtr inst(top ? tracefs_instance_create(name.c_str()) : nullptr);
    int e = errno;
    // An instance of our name that was there already belongs to a run with
    // our pid that is not us: never take it over.
    if (inst && !tracefs_instance_is_new(inst.get())) {
        inst.reset();
        e = EEXIST;
    }
    if (!inst) {
        ::unlink(state_file(pid).c_str());
        return fail(fmt::format("cannot create tracefs instance {}", fs.path(instance)), e,
                    e == ENOENT   ? "this kernel has no tracefs instances (CONFIG_TRACING too old?)"
                    : e == EACCES ? "run ksurf as root"
                                  : "");
    }
    // Said once the instance is ours (a user who is not root hears only that).
    if (!recorded)
        std::fprintf(stderr,
                     "ksurf: warning: cannot record this run in %s (%s): should it be killed "
                     "with SIGKILL and its pid reused, what it leaves is removed only once that "
                     "pid is free\n",
                     state_dir().c_str(), std::strerror(record_err));
    return Session(fs, std::move(instance), group_name(pid), inst.release(), top.release());
}

Session::Session(Session &&o) noexcept
    : fs_(o.fs_), instance_(std::move(o.instance_)), group_(std::move(o.group_)),
      inst_(std::exchange(o.inst_, nullptr)), top_(std::exchange(o.top_, nullptr)), live_(o.live_),
      saved_(std::move(o.saved_)), dynevents_(std::move(o.dynevents_)),
      text_dynevents_(std::move(o.text_dynevents_)), triggers_(std::move(o.triggers_)),
      cleanups_(std::move(o.cleanups_)) {
    o.live_ = false;
}

Session::~Session() {
    teardown();
    tracefs_instance_free(inst_);
    tracefs_instance_free(top_);
}

Status Session::write(std::string_view rel, std::string_view value, bool append) {
    return write_file(inst_, rel, value, append, top_, inst_);
}

Status Session::set(std::string_view rel, std::string_view value) {
    return write(rel, value, false);
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

Status Session::add_dynamic_event(std::string_view /*file*/, std::string_view /*event*/,
                                  std::string_view definition) {
    if (auto d = split_definition(definition); d && (d->kind == 'f' || d->kind == 't')) {
        std::string line(definition);
        while (!line.empty() && line.back() == '\n') line.pop_back();
        auto st = fs_.write("dynamic_events", line + "\n", true);
        if (!st) return st;
        text_dynevents_.push_back(d->group + "/" + d->event);
        return {};
    }
    auto ev = create_dynevent(top_, definition);
    if (!ev) return std::unexpected(ev.error());
    dynevents_.push_back(ev->release());
    return {};
}

// One file write per event: tracefs_event_enable() takes regular expressions
// and scans every system's and every event's directory for them on each call
// (about 100 systems and 700 syscalls here), which for `e syscalls/*` armed
// one event at a time is quadratic; the name is known, so its enable file is
// written directly (tracefs_event_file_write).
Status Session::enable_event(std::string_view system, std::string_view event) {
    return event_write(system, event, "enable", "1", false);
}

Status Session::add_trigger(std::string_view system, std::string_view event,
                            std::string_view text) {
    auto st = event_write(system, event, "trigger", text, true);
    if (!st) return st;
    triggers_.emplace_back(fmt::format("{}/{}", system, event), std::string(text));
    return {};
}

void Session::on_teardown(std::function<void()> fn) {
    cleanups_.push_back(std::move(fn));
}

Status Session::set_filter(std::string_view system, std::string_view event,
                           std::string_view filter) {
    return event_write(system, event, "filter", filter, false);
}

Status Session::event_write(std::string_view system, std::string_view event, std::string_view file,
                            std::string_view value, bool append) {
    std::string sys(system), ev(event), f(file), text(value);
    ErrorLogs logs(top_, inst_, logs_errors(file));
    errno = 0;
    int n = append
                ? tracefs_event_file_append(inst_, sys.c_str(), ev.c_str(), f.c_str(), text.c_str())
                : tracefs_event_file_write(inst_, sys.c_str(), ev.c_str(), f.c_str(), text.c_str());
    if (n >= 0 && static_cast<size_t>(n) == text.size()) return {};
    int err = n < 0 ? (errno ? errno : EIO) : EIO;
    std::string path = take(tracefs_event_get_file(inst_, sys.c_str(), ev.c_str(), f.c_str()));
    return std::unexpected(refusal(value, path, err, logs));
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
    (void)set("tracing_on", "0");
    tracefs_event_disable(inst_, nullptr, nullptr); // events/enable: every event at once
    for (auto it = triggers_.rbegin(); it != triggers_.rend(); ++it) {
        size_t slash = it->first.find('/');
        auto st = event_write(it->first.substr(0, slash), it->first.substr(slash + 1), "trigger",
                              "!" + it->second, true);
        if (!st) report(st.error().str());
    }
    triggers_.clear();
    if (tracefs_instance_destroy(inst_) != 0 && errno != ENOENT) {
        int e = errno;
        report(fmt::format("cannot remove {}: {}", instance_dir(), std::strerror(e)));
    }
    // What refers to the events from outside the instance (on_teardown).
    for (auto it = cleanups_.rbegin(); it != cleanups_.rend(); ++it) (*it)();
    cleanups_.clear();
    // The events go after the instance that enabled them (an enabled event
    // cannot be removed), newest first.
    for (auto it = dynevents_.rbegin(); it != dynevents_.rend(); ++it) {
        char *sys = nullptr, *name = nullptr;
        tracefs_dynevent_info(*it, &sys, &name, nullptr, nullptr, nullptr);
        std::string id = take(sys) + "/" + take(name);
        ErrorLogs logs(top_, nullptr, true);
        errno = 0;
        if (tracefs_dynevent_destroy(*it, false) != 0)
            report(
                refusal("-:" + id, fs_.path("dynamic_events"), errno ? errno : EINVAL, logs).str());
        tracefs_dynevent_free(*it);
    }
    dynevents_.clear();
    for (auto it = text_dynevents_.rbegin(); it != text_dynevents_.rend(); ++it)
        if (auto st = fs_.write("dynamic_events", "-:" + *it + "\n", true); !st)
            report(st.error().str());
    text_dynevents_.clear();
    std::vector<std::string> problems;
    restore(fs_, saved_, problems);
    for (const auto &p : problems) report(p);
    ::unlink(state_file(::getpid()).c_str());
    saved_.clear();
}

} // namespace ksurf::tracefs
