// Arming a Plan: its kprobes and uprobes checked against the kernel and the
// binaries, then defined in ksurf's group, filtered and enabled in ksurf's
// instance, limited to -p PIDs and CMD.
#include "engine/engine.h"

#include "capture/buffer_size.h"
#include "compile/compile.h"
#include "compile/kernel_support.h"
#include "ksyms/ksyms.h"
#include "tracefs/user_strings.h"
#include "types/elf_symbols.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <fmt/format.h>
#include <optional>
#include <traceevent/event-parse.h>
#include <unistd.h>

namespace ksurf::engine {

namespace {

using compile::ProbeKind;

// Everything that can be refused before the kernel is touched: missing
// kprobe/uprobe support, a uprobe's file or symbol. Fills `places` with each
// uprobe's resolved file and offset (by probe index).
// A kprobe's symbol is checked against kallsyms and the blacklist, and
// replaced by its compiler clone (name.isra.0) when that is what exists.
// `bad_input` tells a user's mistake from a kernel that cannot.
Status check_plan(const tracefs::Tracefs &fs, compile::Plan &plan,
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

Status arm_probes(tracefs::Session &s, const compile::Plan &plan,
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

} // namespace

std::vector<const tep_event *> find_events(tep_handle *tep,
                                           const std::vector<capture::EventRef> &refs) {
    std::vector<const tep_event *> out;
    for (const auto &e : refs)
        if (tep_event *ev = tep_find_event_by_name(tep, e.system.c_str(), e.name.c_str()))
            out.push_back(ev);
    return out;
}

std::vector<pid_t> threads_of(pid_t pid) {
    std::vector<pid_t> out;
    tracefs::Tracefs proc("/proc");
    for (const auto &t : proc.list_dir(fmt::format("{}/task", pid))) out.push_back(std::stoi(t));
    if (out.empty()) out.push_back(pid);
    return out;
}

Status PlanArming::check(const tracefs::Tracefs &fs, bool &bad_input) {
    return check_plan(fs, plan_, places_, bad_input);
}

Status PlanArming::arm(Run &run) {
    const RunOptions &opt = run.options();
    tracefs::Session &s = run.session();
    std::vector<capture::EventRef> events;
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
        for (const auto &p : plan_.probes)
            user |= p.kind == ProbeKind::Uprobe || p.kind == ProbeKind::Uretprobe;
        if (user && s.fs().exists(s.instance() + "/options/userstacktrace"))
            if (auto st = s.set("options/userstacktrace", "1"); !st) return st;
    }
    if (auto st = arm_probes(s, plan_, places_, opt.stream_probes, opt.user_strings, events,
                             run.armed(), run.styles(), run.probe_texts());
        !st)
        return st;
    for (const auto &e : opt.extra_events) {
        if (auto st = s.enable_event(e.system, e.name); !st) return st;
        events.push_back(e);
    }
    std::vector<pid_t> &pids = run.traced();
    for (pid_t p : opt.pids) {
        if (::kill(p, 0) != 0 && errno == ESRCH)
            return fail(fmt::format("no process with pid {}", p), ESRCH);
        for (pid_t t : threads_of(p)) pids.push_back(t);
    }
    if (!opt.command.empty()) {
        if (auto st = run.start_child(); !st) return st;
        pids.push_back(run.child_pid());
    }
    if (!pids.empty())
        if (auto st = s.set_event_pids(pids, true); !st) return st;
    // Tracing everyone: leave out ksurf itself (its /proc reads, its writes).
    if (pids.empty() && s.fs().exists(s.instance() + "/set_event_notrace_pid"))
        if (auto st = s.set("set_event_notrace_pid", std::to_string(::getpid())); !st) return st;
    return run.open_capture(s.instance_dir(), events);
}

} // namespace ksurf::engine
