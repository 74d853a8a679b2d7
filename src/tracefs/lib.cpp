#include "tracefs/lib.h"

#include "tracefs/tracefs.h"

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <optional>
#include <unistd.h>

namespace ksurf::tracefs {

InstancePtr top_instance(const std::string &root) {
    return InstancePtr(tracefs_instance_alloc(root.c_str(), nullptr));
}

InstancePtr existing_instance(const std::string &root, const std::string &name) {
    return InstancePtr(tracefs_instance_alloc(root.c_str(), name.c_str()));
}

void use_tracing_dir(const std::string &root) {
    const char *cur = tracefs_tracing_dir();
    if (cur && root == cur) return;
    std::string copy = root;
    tracefs_set_tracing_dir(copy.data());
}

std::string take(char *s) {
    if (!s) return {};
    std::string out(s);
    std::free(s);
    return out;
}

bool logs_errors(std::string_view rel) {
    return rel.ends_with("filter") || rel.ends_with("_events") || rel.ends_with("trigger");
}

ErrorLogs::ErrorLogs(tracefs_instance *top, tracefs_instance *also, bool watch)
    : top_(top), also_(also), watch_(watch) {
    if (!watch_) return;
    before_top_ = take(tracefs_error_all(top_));
    if (also_) before_also_ = take(tracefs_error_all(also_));
}

std::string ErrorLogs::since() const {
    if (!watch_) return {};
    std::string out = error_log_since(before_top_, take(tracefs_error_all(top_)));
    if (also_) out += error_log_since(before_also_, take(tracefs_error_all(also_)));
    return out;
}

Error refusal(std::string_view value, const std::string &path, int err, const ErrorLogs &logs) {
    std::string shown(value);
    while (!shown.empty() && shown.back() == '\n') shown.pop_back();
    Error e{fmt::format("the kernel refused to write '{}' to {}", shown, path), err, {}, {}};
    e.kernel_log = logs.since();
    if (err == EACCES || err == EPERM) e.hint = "tracefs needs root: run ksurf as root";
    return e;
}

Status write_file(tracefs_instance *where, std::string_view rel, std::string_view value,
                  bool append, tracefs_instance *top, tracefs_instance *also) {
    std::string file(rel), text(value);
    ErrorLogs logs(top, also, logs_errors(rel));
    errno = 0;
    int n = append ? tracefs_instance_file_append(where, file.c_str(), text.c_str())
                   : tracefs_instance_file_write(where, file.c_str(), text.c_str());
    // ftrace's list files (set_ftrace_filter, set_graph_function, set_event
    // ...) take one word per write() and return how much of it they used;
    // libtracefs writes once. The rest is appended until all is taken, as a
    // write(2) loop would (appending keeps what the first write set).
    size_t done = n > 0 ? static_cast<size_t>(n) : 0;
    while (n > 0 && done < text.size()) {
        n = tracefs_instance_file_append(where, file.c_str(), text.c_str() + done);
        if (n > 0) done += static_cast<size_t>(n);
    }
    if (n >= 0 && done == text.size()) return {};
    int err = n < 0 ? (errno ? errno : EIO) : EIO;
    std::string path = take(tracefs_instance_get_file(where, file.c_str()));
    return std::unexpected(refusal(value, path, err, logs));
}

} // namespace ksurf::tracefs

namespace ksurf::tracefs {

std::optional<Definition> split_definition(std::string_view def) {
    while (!def.empty() && (def.back() == '\n' || def.back() == ' ')) def.remove_suffix(1);
    size_t sp = def.find(' ');
    if (sp == std::string_view::npos) return std::nullopt;
    std::string_view head = def.substr(0, sp), rest = def.substr(sp + 1);
    size_t colon = head.find(':'), slash = head.find('/');
    if (head.empty() || colon == std::string_view::npos || slash == std::string_view::npos ||
        slash < colon)
        return std::nullopt;
    Definition d;
    d.kind = head[0];
    std::string_view max = head.substr(1, colon - 1);
    if (!max.empty() &&
        std::from_chars(max.data(), max.data() + max.size(), d.maxactive).ec != std::errc())
        return std::nullopt;
    d.group = std::string(head.substr(colon + 1, slash - colon - 1));
    d.event = std::string(head.substr(slash + 1));
    size_t end = rest.find(' ');
    d.address = std::string(rest.substr(0, end));
    if (end != std::string_view::npos) d.args = std::string(rest.substr(end + 1));
    return d;
}

std::optional<std::pair<std::string, unsigned long long>>
split_uprobe_target(const std::string &a) {
    size_t colon = a.rfind(':');
    if (colon == std::string::npos) return std::nullopt;
    std::string off = a.substr(colon + 1);
    unsigned long long v = 0;
    const char *b = off.data(), *e = off.data() + off.size();
    int base = 10;
    if (off.starts_with("0x")) {
        b += 2;
        base = 16;
    }
    auto [p, ec] = std::from_chars(b, e, v, base);
    if (ec != std::errc() || p != e || b == e) return std::nullopt;
    return std::pair{a.substr(0, colon), v};
}

Result<DyneventPtr> create_dynevent(tracefs_instance *top, std::string_view definition) {
    auto d = split_definition(definition);
    if (!d) return fail(fmt::format("not a dynamic event definition: '{}'", definition), EINVAL);
    const char *args = d->args.empty() ? nullptr : d->args.c_str();
    bool user = d->address.find('/') != std::string::npos && d->kind != 'e';
    DyneventPtr ev;
    // Written as the kernel's own text when no allocator can express the form.
    std::string raw_file;
    if (d->kind == 'e') {
        size_t dot = d->address.find_first_of("./");
        if (dot == std::string::npos) return fail("an eprobe needs SYSTEM.EVENT", EINVAL);
        ev.reset(tracefs_eprobe_alloc(d->group.c_str(), d->event.c_str(),
                                      d->address.substr(0, dot).c_str(),
                                      d->address.substr(dot + 1).c_str(), args));
    } else if (user) {
        // tracefs_uprobe_alloc writes "PATH:0xOFFSET" and nothing after it:
        // a USDT semaphore's "(0xREF)" (reference counter) has no parameter,
        // so that form goes to uprobe_events as ksurf wrote it and is then
        // looked up (tracefs_dynevent_get) for its removal.
        auto target = split_uprobe_target(d->address);
        if (!target || d->maxactive)
            raw_file = "uprobe_events";
        else if (d->kind == 'p')
            ev.reset(tracefs_uprobe_alloc(d->group.c_str(), d->event.c_str(), target->first.c_str(),
                                          target->second, args));
        else if (d->kind == 'r')
            ev.reset(tracefs_uretprobe_alloc(d->group.c_str(), d->event.c_str(),
                                             target->first.c_str(), target->second, args));
    } else if (d->kind == 'p') {
        ev.reset(
            tracefs_kprobe_alloc(d->group.c_str(), d->event.c_str(), d->address.c_str(), args));
    } else if (d->kind == 'r' && d->maxactive) {
        // tracefs_kretprobe_alloc(..., max) makes the prefix "r16:", to which
        // tracefs_dynevent_create adds another ':' ("r16::GROUP/EVENT", which
        // the kernel refuses: libtracefs 1.6.4 and still 1.8.1): written as
        // ksurf compiled it, and looked up for its removal.
        raw_file = "kprobe_events";
    } else if (d->kind == 'r') {
        ev.reset(tracefs_kretprobe_alloc(d->group.c_str(), d->event.c_str(), d->address.c_str(),
                                         args, 0));
    }
    if (!ev && raw_file.empty())
        return fail(fmt::format("cannot describe '{}' to libtracefs", definition),
                    errno ? errno : EINVAL);
    std::string line(definition);
    while (!line.empty() && line.back() == '\n') line.pop_back();
    ErrorLogs logs(top, nullptr, true);
    errno = 0;
    if (!raw_file.empty()) {
        auto st = write_file(top, raw_file, line + "\n", true, top, nullptr);
        if (!st) return std::unexpected(st.error());
        auto type = user ? (d->kind == 'r' ? TRACEFS_DYNEVENT_URETPROBE : TRACEFS_DYNEVENT_UPROBE)
                         : TRACEFS_DYNEVENT_KRETPROBE;
        ev.reset(tracefs_dynevent_get(type, d->group.c_str(), d->event.c_str()));
        if (!ev) {
            // Not tracked, so no teardown would remove it: remove it now.
            int e = errno ? errno : ENOENT;
            (void)write_file(top, raw_file, fmt::format("-:{}/{}\n", d->group, d->event), true, top,
                             nullptr);
            return fail(fmt::format("created {}/{} but cannot find it", d->group, d->event), e);
        }
        return ev;
    }
    if (tracefs_dynevent_create(ev.get()) != 0) {
        int err = errno ? errno : EINVAL;
        std::string dir = take(tracefs_instance_get_dir(top));
        // The file libtracefs wrote to: dynamic_events when the kernel has it.
        std::string target =
            dir + (::access((dir + "/dynamic_events").c_str(), F_OK) == 0 ? "/dynamic_events"
                   : user                                                 ? "/uprobe_events"
                                                                          : "/kprobe_events");
        // Quoted as libtracefs wrote it (its prefix, group/event, address, args).
        char *sys = nullptr, *name = nullptr, *prefix = nullptr, *addr = nullptr, *fmt = nullptr;
        tracefs_dynevent_info(ev.get(), &sys, &name, &prefix, &addr, &fmt);
        std::string pre = take(prefix), args_text = take(fmt);
        std::string written = fmt::format("{}{}{}/{} {}", pre, pre.empty() ? "" : ":", take(sys),
                                          take(name), take(addr));
        if (!args_text.empty()) written += " " + args_text;
        return std::unexpected(refusal(written, target, err, logs));
    }
    return ev;
}

} // namespace ksurf::tracefs
