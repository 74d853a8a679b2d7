// ksurf who NAME: which processes call this system call or kernel function?
// (seed 002: "who cleared my kernel log?"). One line per call while it runs,
// then a table per process.
#include "commands/commands.h"
#include "commands/common.h"
#include "commands/runner.h"
#include "engine/who_mode.h"
#include "output/output.h"
#include "tracefs/tracefs.h"
#include "util/bytes.h"
#include "util/json.h"
#include "util/strings.h"
#include "util/write_error.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstring>
#include <ctime>
#include <fmt/format.h>
#include <map>
#include <traceevent/event-parse.h>

namespace ksurf::commands {

namespace {

struct Target {
    compile::Probe probe;
    std::string label; // "syslog" as shown in lines
};

// The kernel symbol of a system call on kernels without syscall tracepoints.
std::string syscall_symbol(std::string_view name) {
    std::string kallsyms;
    if (!read_file("/proc/kallsyms", kallsyms)) return "";
    const std::string candidates[] = {fmt::format("__x64_sys_{}", name),
                                      fmt::format("__arm64_sys_{}", name),
                                      fmt::format("__riscv_sys_{}", name),
                                      fmt::format("__se_sys_{}", name),
                                      fmt::format("sys_{}", name),
                                      fmt::format("SyS_{}", name),
                                      std::string(name)};
    for (const auto &c : candidates) {
        std::string needle = " " + c + "\n";
        std::string needle_t = " t " + c + "\n", needle_T = " T " + c + "\n";
        if (kallsyms.find(needle_T) != std::string::npos ||
            kallsyms.find(needle_t) != std::string::npos)
            return c;
    }
    return "";
}

std::expected<Target, int> resolve(const tracefs::Tracefs &fs, const std::string &name) {
    Target t;
    t.label = name;
    std::string ev = "sys_enter_" + name;
    if (fs.exists("events/syscalls/" + ev + "/format")) {
        t.probe.kind = compile::ProbeKind::Event;
        t.probe.text = "e syscalls/" + ev;
        t.probe.system = "syscalls";
        t.probe.event = ev;
        t.probe.matched = {{"syscalls", ev}};
        return t;
    }
    if (!fs.exists("kprobe_events")) {
        std::fprintf(stderr,
                     "ksurf: '%s' is not a system call with a tracepoint on this kernel (no "
                     "events/syscalls/%s), and this kernel has no kprobes (no kprobe_events: "
                     "CONFIG_KPROBES is off), so ksurf cannot probe kernel functions here.\n"
                     "  hint: system calls with tracepoints: ksurf who openat, ksurf who "
                     "syslog ...; on a kernel with kprobes any probe-able function works\n",
                     name.c_str(), ev.c_str());
        return std::unexpected(kExitFailure);
    }
    std::string sym = syscall_symbol(name);
    if (sym.empty()) {
        std::fprintf(stderr,
                     "ksurf: no kernel function or system call named '%s' in /proc/kallsyms\n",
                     name.c_str());
        return std::unexpected(kExitUsage);
    }
    if (sym != name)
        std::fprintf(stderr, "ksurf: probing %s for '%s'\n", sym.c_str(), name.c_str());
    t.probe.kind = compile::ProbeKind::Kprobe;
    t.probe.text = "p " + sym;
    t.probe.symbol = sym;
    return t;
}

} // namespace

int cmd_who(int argc, char **argv) {
    CLI::App app{"ksurf who: name the processes that call a system call or kernel function",
                 "ksurf who"};
    app.footer("Example: ksurf who syslog -d 30   (then run 'dmesg -C' elsewhere)\n"
               "Exit status as for probes; 74 when the output could not be written.\n"
               "A system call is traced at its syscalls/sys_enter_NAME event; any other\n"
               "function (and system calls on kernels without those events) with a kprobe.");
    CommonOptions common;
    std::string name;
    app.add_option(
           "NAME", name,
           "system call (syslog, openat ...), kernel function, or a glob of functions (vfs_*)")
        ->required();
    add_common_options(app, common, false, "one JSON object per call, then one with the processes");
    add_glob_option(app, common);
    SplitArgs split;
    if (auto rc = parse_command(app, argc, argv, split)) return *rc;
    auto fs = open_tracefs_or_report();
    if (!fs) return kExitFailure;
    compile::Plan plan;
    std::string label = name;
    if (has_glob(name)) {
        // who 'vfs_*': every probe-able function the glob matches, each call
        // labelled with its own function (compile/glob.h).
        auto compiled = compile_sources({{"p " + name, "who NAME"}}, "", "", common);
        if (!compiled) return compiled.error();
        plan = std::move(*compiled);
    } else {
        auto target = resolve(*fs, name);
        if (!target) return target.error();
        plan.probes.push_back(target->probe);
        label = target->label;
    }
    RunOptions ro = to_run_options(common, split.command);
    ro.extra_events = bookkeeping_events(plan);
    bool json = common.json;
    return run_plan(plan, ro,
                    [&](tep_handle *tep, const output::Styles &) -> std::unique_ptr<Handler> {
                        return engine::make_who_handler(
                            tep, label, plan, json, find_events(tep, ro.extra_events), fs->root());
                    });
}

} // namespace ksurf::commands
