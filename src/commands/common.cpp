#include "commands/common.h"
#include "compile/kernel_support.h"

#include "arch/arch.h"
#include "commands/commands.h"
#include "ksyms/ksyms.h"
#include "tracefs/event_catalog.h"
#include "types/btf.h"
#include "util/strings.h"

#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <traceevent/event-parse.h>

namespace ksurf::commands {

void add_common_options(CLI::App &app, CommonOptions &o, bool stacks, const char *json_help) {
    app.add_option("-p,--pid", o.pids,
                   "only this process: its threads and the children it starts (repeatable)");
    app.add_option("-d,--duration", o.duration, "stop after SECS seconds")
        ->check(CLI::NonNegativeNumber);
    app.add_option("-n,--count", o.count, "stop after COUNT events");
    app.add_option("-b,--buffer", o.buffer_kb,
                   "per-CPU ring buffer size in KB (default: 1/64 of MemAvailable over the "
                   "CPUs, 1408 to 16384; raise it if events are lost)")
        ->check(CLI::Range(4u, 4u * 1024 * 1024));
    if (stacks) {
        app.add_flag("-s,--stack", o.stacks, "print the kernel stack of each event");
        app.add_flag("--stats", o.stats,
                     "at exit, each probe's hits and misses (kprobe_profile, uprobe_profile)");
        app.add_flag("--no-irq-info", o.no_irq_info,
                     "text without the irqs-off/need-resched/hardirq/preempt columns "
                     "(as trace_options noirq-info)");
    }
    app.add_flag("--json", o.json, json_help);
}

void add_glob_option(CLI::App &app, CommonOptions &o) {
    app.add_option("--max-funcs", o.max_funcs,
                   "at most N functions from globs (p 'vfs_*'), each one probe to arm; more is "
                   "refused (default 1000)")
        ->check(CLI::PositiveNumber);
    app.add_option("--fprobe-funcs", o.fprobe_funcs,
                   "arm a glob of at least N functions as fprobe events (f FUNC) where the "
                   "kernel has them (6.5+), not kprobes (default 0: never; on 6.12 they arm "
                   "and remove about twice as slowly)");
}

std::optional<int> parse_command(CLI::App &app, int argc, char **argv, SplitArgs &split) {
    split = split_command(argc, argv);
    try {
        app.parse(static_cast<int>(split.args.size()), split.args.data());
    } catch (const CLI::ParseError &e) {
        return parse_error_exit(app, e);
    }
    return std::nullopt;
}

SplitArgs split_command(int argc, char **argv) {
    SplitArgs out;
    int i = 0;
    for (; i < argc; ++i) {
        if (std::strcmp(argv[i], "--") == 0) break;
        out.args.push_back(argv[i]);
    }
    for (++i; i < argc; ++i) out.command.emplace_back(argv[i]);
    return out;
}

std::optional<tracefs::Tracefs> open_tracefs_or_report() {
    auto fs = tracefs::Tracefs::open();
    if (!fs) {
        std::fprintf(stderr, "ksurf: %s\n", fs.error().str().c_str());
        return std::nullopt;
    }
    return std::move(*fs);
}

int parse_error_exit(CLI::App &app, const CLI::ParseError &e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
}

std::vector<capture::EventRef> bookkeeping_events(const compile::Plan &plan) {
    std::vector<capture::EventRef> out;
    auto fs = tracefs::Tracefs::open();
    if (!fs) return out;
    const std::pair<const char *, const char *> wanted[] = {
        {"sched", "sched_process_fork"}, {"sched", "sched_process_exec"}, {"task", "task_rename"}};
    for (const auto &[sys, ev] : wanted) {
        bool shown = false;
        for (const auto &p : plan.probes)
            for (const auto &m : p.matched) shown |= m.first == sys && m.second == ev;
        if (!shown && fs->exists(std::string("events/") + sys + "/" + ev + "/format"))
            out.push_back({sys, ev});
    }
    return out;
}

RunOptions to_run_options(const CommonOptions &o, const std::vector<std::string> &command) {
    RunOptions r;
    for (int p : o.pids) r.pids.push_back(p);
    r.command = command;
    r.duration_s = o.duration;
    r.max_events = o.count;
    r.buffer_kb = o.buffer_kb;
    r.stacks = o.stacks;
    r.json = o.json;
    r.stats = o.stats;
    return r;
}

namespace {

// p/r need the kernel's types; e needs tracefs; P/R need neither here.
bool needs_kernel_types(const std::string &text) {
    std::string_view t = trim(text);
    if (t.empty()) return false;
    // p r (kprobes), f (fprobes) and t (tracepoint probes) read kernel types
    if (t[0] != 'p' && t[0] != 'r' && t[0] != 'f' && t[0] != 't') return false;
    size_t i = 1;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    // p:EVENT and r5:EVENT are the kernel's own heads
    return i == t.size() || t[i] == ' ' || t[i] == '\t' || t[i] == ':';
}

bool needs_events(const std::string &text) {
    std::string_view t = trim(text);
    return t.size() >= 2 && t[0] == 'e' && (t[1] == ' ' || t[1] == '\t');
}

// The running kernel's kallsyms, for the compiler's checks.
class KallsymsNames : public compile::KernelNames {
  public:
    KallsymsNames(ksyms::KernelSymbols syms, std::string readme)
        : syms_(std::move(syms)), readme_(std::move(readme)) {}
    bool probe_kind(compile::ProbeKind kind, std::string &why) const override {
        why = compile::missing_probe_support(kind, readme_);
        return why.empty();
    }
    bool function(std::string_view name, std::string_view module, std::string &error,
                  std::string &hint) const override {
        ksyms::Place p = syms_.check(name, module);
        error = p.error;
        hint = p.hint;
        return p.ok;
    }
    bool symbol(std::string_view name, std::string &hint) const override {
        if (syms_.has_symbol(name)) return true;
        hint = syms_.data_known()
                   ? "@SYMBOL reads a global variable of the kernel"
                   : "this kernel's kallsyms lists no variables (CONFIG_KALLSYMS_ALL is off), "
                     "so the kernel cannot find them either: read @0xADDR";
        return false;
    }

    bool functions(std::string_view glob, std::string_view module, std::vector<std::string> &names,
                   std::vector<std::string> &notes) const override {
        ksyms::GlobMatch m = syms_.match(glob, module);
        names = std::move(m.names);
        notes = std::move(m.notes);
        return true;
    }

  private:
    ksyms::KernelSymbols syms_;
    std::string readme_; // tracefs README: which probe kinds this kernel defines
};

} // namespace

std::expected<compile::Plan, int> compile_sources(const std::vector<compile::Source> &sources,
                                                  const std::string &arch_name,
                                                  const std::string &btf_path,
                                                  const CommonOptions &common) {
    compile::Options opts;
    opts.max_glob_functions = common.max_funcs;
    opts.glob_fprobe_min = common.fprobe_funcs;
    if (!arch_name.empty()) {
        auto a = arch::arch_from_name(arch_name);
        if (!a) {
            std::fprintf(stderr, "ksurf: unknown architecture '%s' (x86_64, aarch64, riscv64)\n",
                         arch_name.c_str());
            return std::unexpected(kExitUsage);
        }
        opts.arch = *a;
    }
    bool want_types = false, want_events = false;
    for (const auto &s : sources) {
        want_types |= needs_kernel_types(s.text);
        want_events |= needs_events(s.text);
    }
    std::unique_ptr<types::TypeInfo> types;
    if (want_types) {
        auto t = btf_path.empty() ? types::TypeInfo::load() : types::TypeInfo::load(btf_path);
        if (!t) {
            std::fprintf(stderr,
                         "ksurf: cannot read kernel types: %s\n  hint: this needs a kernel "
                         "with CONFIG_DEBUG_INFO_BTF (/sys/kernel/btf/vmlinux), or --btf FILE\n",
                         t.error().c_str());
            return std::unexpected(kExitFailure);
        }
        types = std::move(*t);
        opts.types = types.get();
    }
    // This kernel's own types: ask its kallsyms whether the functions are
    // there, so that -S refuses what arming would. Another kernel's (--btf):
    // its BTF is all there is to ask.
    std::unique_ptr<KallsymsNames> names;
    if (want_types && btf_path.empty()) {
        auto fs = tracefs::Tracefs::open();
        auto syms = ksyms::KernelSymbols::load(fs ? fs->root() : std::string());
        if (!syms.text_symbols().empty()) {
            std::string readme = fs ? fs->read("README").value_or("") : "";
            names = std::make_unique<KallsymsNames>(std::move(syms), std::move(readme));
            opts.kernel = names.get();
        }
    }
    opts.functions_from_btf = !btf_path.empty();
    std::unique_ptr<tracefs::TracefsEventCatalog> catalog;
    if (want_events) {
        auto fs = tracefs::Tracefs::open();
        if (!fs) {
            std::fprintf(stderr, "ksurf: trace events need tracefs: %s\n",
                         fs.error().str().c_str());
            return std::unexpected(kExitFailure);
        }
        catalog = std::make_unique<tracefs::TracefsEventCatalog>(*fs);
        opts.events = catalog.get();
    }
    auto plan = compile::compile(sources, opts);
    if (!plan) {
        for (const auto &d : plan.error()) std::fprintf(stderr, "%s\n", d.render().c_str());
        std::fprintf(stderr, "ksurf: nothing was armed (%zu error%s)\n", plan.error().size(),
                     plan.error().size() == 1 ? "" : "s");
        return std::unexpected(kExitUsage);
    }
    for (const auto &n : plan->notes) std::fprintf(stderr, "ksurf: %s\n", n.c_str());
    return std::move(*plan);
}

} // namespace ksurf::commands
