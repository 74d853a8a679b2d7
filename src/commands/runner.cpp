#include "commands/runner.h"

#include "capture/buffer_size.h"

#include "commands/child.h"
#include "commands/commands.h"
#include "compile/compile.h"
#include "compile/kernel_support.h"
#include "ksyms/ksyms.h"
#include "tracefs/profile.h"
#include "tracefs/user_strings.h"
#include "types/elf_symbols.h"
#include "util/json.h"
#include "util/signals.h"
#include "util/strings.h"
#include "util/write_error.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <map>
#include <optional>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ksurf::commands {

namespace {

using compile::ProbeKind;

void report(const Error &e) {
    std::fprintf(stderr, "ksurf: %s\n", e.str().c_str());
}

// Delivers records to the handler, counting events for -n.
class LimitSink : public capture::Sink {
  public:
    LimitSink(Handler &h, uint64_t max) : h_(h), max_(max) {}
    void on_record(const capture::Record &r) override {
        if (max_ && count_ >= max_) return;
        if (h_.on_record(r) && ++count_ == max_) request_stop();
    }
    uint64_t count() const { return count_; }

  private:
    Handler &h_;
    uint64_t max_;
    uint64_t count_ = 0;
};

// Everything that can be refused before the kernel is touched: missing
// kprobe/uprobe support, a uprobe's file or symbol. Fills `places` with each
// uprobe's resolved file and offset (by probe index).
// A kprobe's symbol is checked against kallsyms and the blacklist, and
// replaced by its compiler clone (name.isra.0) when that is what exists.
// `bad_input` tells a user's mistake from a kernel that cannot.
Status check(const tracefs::Tracefs &fs, compile::Plan &plan,
             std::vector<types::UprobeTarget> &places, bool &bad_input) {
    places.assign(plan.probes.size(), {});
    std::optional<ksyms::KernelSymbols> syms;
    for (size_t i = 0; i < plan.probes.size(); ++i) {
        auto &probe = plan.probes[i];
        if (probe.kind == ProbeKind::Kprobe || probe.kind == ProbeKind::Kretprobe) {
            if (!fs.exists("kprobe_events"))
                return fail(fmt::format("cannot arm '{}': this kernel has no kprobes "
                                        "(no kprobe_events in tracefs; CONFIG_KPROBES is off)",
                                        probe.text),
                            0,
                            "print the lines for another kernel with -S (--btf FILE -a ARCH), "
                            "or use trace events (e SYSTEM/EVENT; 'ksurf list events') or "
                            "uprobes (P/R PATH:SYMBOL)");
            if (probe.has_address) continue; // a raw address: the kernel checks it
            if (!syms) syms = ksyms::KernelSymbols::load(fs.root());
            ksyms::Place place = syms->check(probe.symbol, probe.module);
            if (!place.ok) {
                bad_input = true;
                return fail(fmt::format("cannot probe '{}': {}", probe.text, place.error), 0,
                            place.hint);
            }
            if (!place.note.empty()) std::fprintf(stderr, "ksurf: %s\n", place.note.c_str());
            probe.symbol = place.symbol;
        } else if (probe.kind == ProbeKind::Fprobe || probe.kind == ProbeKind::Fretprobe ||
                   probe.kind == ProbeKind::Tprobe) {
            // f and t: the kernel says in its README whether it has them.
            std::string why =
                compile::missing_probe_support(probe.kind, fs.read("README").value_or(""));
            if (!why.empty())
                return fail(fmt::format("cannot arm '{}': {}", probe.text, why), 0,
                            "use p FUNC / r FUNC (kprobes) or e SYSTEM/EVENT (trace events) on "
                            "this kernel");
        } else if (probe.kind == ProbeKind::Uprobe || probe.kind == ProbeKind::Uretprobe) {
            if (!fs.exists("uprobe_events"))
                return fail(fmt::format("cannot arm '{}': this kernel has no uprobes (no "
                                        "uprobe_events in tracefs; CONFIG_UPROBE_EVENTS is off)",
                                        probe.text));
            std::string why;
            if (!types::resolve_uprobe(probe.path, probe.symbol, probe.offset, places[i], why)) {
                bad_input = true;
                return fail(fmt::format("cannot place '{}': {}", probe.text, why), 0,
                            "list a binary's functions with: nm -D --defined-only PATH");
            }
        }
    }
    return {};
}

Status arm(tracefs::Session &s, const compile::Plan &plan,
           const std::vector<types::UprobeTarget> &places, bool stream, bool user_strings,
           std::vector<capture::EventRef> &events, std::vector<ArmedEvent> &armed,
           output::Styles &styles, std::map<std::string, std::string> &texts) {
    auto names = compile::probe_names(plan);
    tracefs::UserStrings strings(s);
    for (size_t i = 0; i < plan.probes.size(); ++i) {
        const auto &probe = plan.probes[i];
        std::vector<std::pair<std::string, std::string>> targets;
        switch (probe.kind) {
        case ProbeKind::Event:
            targets = probe.matched;
            break;
        case ProbeKind::Kprobe:
        case ProbeKind::Kretprobe:
        case ProbeKind::Uprobe:
        case ProbeKind::Uretprobe:
        case ProbeKind::Fprobe:
        case ProbeKind::Fretprobe:
        case ProbeKind::Tprobe: {
            bool user = probe.kind == ProbeKind::Uprobe || probe.kind == ProbeKind::Uretprobe;
            const std::string &name = names[i];
            std::string def = user ? compile::probe_definition(probe, s.group(), name,
                                                               places[i].path, places[i].offset)
                                   : compile::probe_definition(probe, s.group(), name);
            auto st = s.add_dynamic_event(compile::definition_file(probe), name, def);
            if (!st) {
                Error e = st.error();
                e.message =
                    fmt::format("the kernel refused the probe '{}' ({})", probe.text, e.message);
                return std::unexpected(e);
            }
            targets.emplace_back(s.group(), name);
            styles.add(s.group(), name, output::probe_style(probe));
            texts[s.group() + "/" + name] = probe.text;
            break;
        }
        }
        for (auto [sys, ev] : targets) {
            if (stream && user_strings)
                if (auto in = strings.stand_in(sys, ev, probe.filter)) {
                    output::ProbeStyle style;
                    for (const auto &a : in->args) style.fields[a.name] = a.print;
                    styles.add(in->system, in->name, std::move(style));
                    sys = in->system, ev = in->name;
                }
            armed.push_back({{sys, ev}, i});
            events.push_back({sys, ev}); // its format decodes records
            if (!stream) continue;       // a trigger takes the filter itself
            if (!probe.filter.empty()) {
                auto st = s.set_filter(sys, ev, probe.filter);
                if (!st) return st;
            }
            auto st = s.enable_event(sys, ev);
            if (!st) return st;
        }
    }
    return {};
}

// The reader of our stdout went away (`ksurf ... | head -1`): a pipe's write
// end polls POLLERR then, even when there is nothing to write.
bool reader_gone() {
    pollfd p{1, 0, 0};
    return ::poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

// --stats: how often each probe fired, and how often the kernel missed it.
void print_stats(const std::vector<tracefs::ProbeProfile> &profiles,
                 const std::map<std::string, std::string> &texts, bool json) {
    for (const auto &p : profiles) {
        auto it = texts.find(p.event);
        std::string text = it == texts.end() ? std::string() : it->second;
        if (json) {
            fmt::memory_buffer b;
            json::Writer(b)
                .begin_object()
                .member("probe", p.event)
                .member("expression", text)
                .member("hits", p.hits)
                .member("misses", p.misses)
                .end_object();
            b.push_back('\n');
            std::fwrite(b.data(), 1, b.size(), stderr);
        } else {
            std::fprintf(stderr, "ksurf: %s '%s': %llu hits, %llu missed\n", p.event.c_str(),
                         text.c_str(), static_cast<unsigned long long>(p.hits),
                         static_cast<unsigned long long>(p.misses));
        }
    }
}

} // namespace

std::vector<pid_t> threads_of(pid_t pid) {
    std::vector<pid_t> out;
    tracefs::Tracefs proc("/proc");
    for (const auto &t : proc.list_dir(fmt::format("{}/task", pid))) out.push_back(std::stoi(t));
    if (out.empty()) out.push_back(pid);
    return out;
}

int run_plan(compile::Plan plan, const RunOptions &opt, const HandlerFactory &make) {
    install_stop_handlers();
    auto fs = tracefs::Tracefs::open();
    if (!fs) {
        report(fs.error());
        return kExitFailure;
    }
    std::vector<types::UprobeTarget> places;
    bool bad_input = false;
    if (auto st = check(*fs, plan, places, bad_input); !st) {
        report(st.error());
        return bad_input ? kExitUsage : kExitFailure;
    }
    auto session = tracefs::Session::create(*fs);
    if (!session) {
        report(session.error());
        return kExitFailure;
    }
    tracefs::Session &s = *session;
    GatedChild child;
    std::unique_ptr<capture::Capture> cap;
    std::unique_ptr<Handler> handler;
    output::Styles styles; // the handler's formatter refers to it until the end
    std::map<std::string, std::string> probe_texts; // "ksurf_1/p0" -> "p do_sys_openat2 ..."
    int status = kExitOk;

    auto setup = [&]() -> Status {
        std::vector<capture::EventRef> events;
        std::vector<ArmedEvent> armed;
        // Nothing is recorded until everything is armed.
        if (auto st = s.tracing_on(false); !st) return st;
        // Timestamps comparable with CLOCK_MONOTONIC, so CPUs can be merged while streaming.
        if (auto st = s.set("trace_clock", "mono"); !st) return st;
        // Sized for bursts unless -b says otherwise; the reader wakes when a
        // CPU's buffer is kWakePercent full (capture/buffer_size.h).
        unsigned kb = opt.buffer_kb ? opt.buffer_kb : capture::default_buffer_kb();
        if (auto st = s.set("buffer_size_kb", std::to_string(kb)); !st) return st;
        if (s.fs().exists(s.instance() + "/buffer_percent"))
            if (auto st = s.set("buffer_percent", std::to_string(capture::kWakePercent)); !st)
                return st;
        if (opt.stacks) {
            if (auto st = s.set("options/stacktrace", "1"); !st) return st;
            // Uprobes fire in user code: their user stack is the one that tells.
            bool user = false;
            for (const auto &p : plan.probes)
                user |= p.kind == ProbeKind::Uprobe || p.kind == ProbeKind::Uretprobe;
            if (user && s.fs().exists(s.instance() + "/options/userstacktrace"))
                if (auto st = s.set("options/userstacktrace", "1"); !st) return st;
        }
        if (auto st = arm(s, plan, places, opt.stream_probes, opt.user_strings, events, armed,
                          styles, probe_texts);
            !st)
            return st;
        for (const auto &e : opt.extra_events) {
            if (auto st = s.enable_event(e.system, e.name); !st) return st;
            events.push_back(e);
        }
        std::vector<pid_t> pids;
        for (pid_t p : opt.pids) {
            if (::kill(p, 0) != 0 && errno == ESRCH)
                return fail(fmt::format("no process with pid {}", p), ESRCH);
            for (pid_t t : threads_of(p)) pids.push_back(t);
        }
        if (!opt.command.empty()) {
            if (auto st = child.start(opt.command); !st) return st;
            pids.push_back(child.pid());
        }
        if (!pids.empty())
            if (auto st = s.set_event_pids(pids, true); !st) return st;
        // Tracing everyone: leave out ksurf itself (its /proc reads, its writes).
        if (pids.empty() && s.fs().exists(s.instance() + "/set_event_notrace_pid"))
            if (auto st = s.set("set_event_notrace_pid", std::to_string(::getpid())); !st)
                return st;
        auto c = capture::Capture::open(fs->root(), s.instance_dir(), events);
        if (!c) return std::unexpected(c.error());
        cap = std::move(*c);
        handler = make(cap->tep(), styles);
        if (auto st = handler->armed(s, armed, pids); !st) return st;
        if (auto st = s.tracing_on(true); !st) return st;
        if (!opt.command.empty())
            if (auto st = child.release(opt.command[0]); !st) return st;
        return {};
    };

    if (auto st = setup(); !st) {
        report(st.error());
        child.stop(SIGKILL);
        cap.reset();
        s.teardown();
        return opt.command.empty() || child.status() == 0 ? kExitFailure : child.status();
    }

    LimitSink sink(*handler, opt.max_events);
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                        std::chrono::duration<double>(opt.duration_s));
    auto every = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(opt.interval_s));
    auto next_tick = std::chrono::steady_clock::now() + every;
    bool failed = false;
    while (!stop_requested()) {
        auto r = cap->poll(100, sink);
        if (!r) {
            report(r.error());
            failed = true;
            break;
        }
        if (*r > 0) handler->flush();
        if (opt.interval_s > 0 && std::chrono::steady_clock::now() >= next_tick) {
            handler->tick();
            next_tick += every;
        }
        if (handler->broken() || reader_gone()) break;
        if (!opt.command.empty() && child.reap()) break;
        if (opt.duration_s > 0 && std::chrono::steady_clock::now() >= deadline) break;
    }
    (void)s.tracing_on(false);
    if (!handler->broken() && !failed) {
        auto r = cap->drain(sink);
        if (!r) report(r.error());
    }
    handler->finish();
    flush_checked(stdout, "standard output");
    // A lost output ends the run as a failure, whatever the traced command did.
    std::optional<WriteError> lost_output = write_failure();
    if (lost_output) std::fprintf(stderr, "ksurf: %s; stopped\n", lost_output->str().c_str());
    if (opt.stats) print_stats(tracefs::read_profiles(*fs, s.group()), probe_texts, opt.json);
    if (!opt.quiet_summary) output::print_summary(stderr, sink.count(), cap->stats(), opt.json);
    cap.reset(); // trace_pipe_raw must be closed before the instance can go
    if (!opt.command.empty()) {
        // -d/-n ended the run early, or a signal did: the command goes too.
        child.stop(stop_signal() == SIGPIPE ? SIGTERM : stop_signal());
        status = child.status();
    }
    s.teardown();
    if (lost_output) return kExitOutput;
    if (failed) return kExitFailure;
    return status;
}

} // namespace ksurf::commands
