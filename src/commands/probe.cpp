// ksurf [options] EXPR... [-- CMD ARGS...]: compile expressions, then either
// show them (-S), write a script (-o), or arm them and stream what they see.
#include "commands/commands.h"
#include "commands/common.h"
#include "commands/runner.h"
#include "compile/compile.h"
#include "compile/native.h"
#include "engine/stream_mode.h"
#include "output/output.h"
#include "tracefs/event_catalog.h"
#include "types/btf.h"
#include "types/elf_symbols.h"
#include "util/write_error.h"

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <fmt/format.h>
#include <sys/stat.h>
#include <traceevent/event-parse.h>

namespace ksurf::commands {

namespace {

// -S --native: asks the kernel first whether it types probe arguments
// itself (its README lists <argname>), never its version.
int show_native(const std::vector<compile::Source> &sources, const compile::Plan &plan,
                bool other_kernel) {
    if (other_kernel) {
        std::fprintf(stderr, "ksurf: --native with --btf: whether that kernel types probe "
                             "arguments itself is for its tracefs README to say (<argname>)\n");
    } else if (auto fs = tracefs::Tracefs::open(); !fs) {
        std::fprintf(stderr, "ksurf: --native: cannot ask this kernel whether it types probe "
                             "arguments itself (no tracefs README); printing its form anyway\n");
    } else if (auto readme = fs->read("README"); !readme) {
        std::fprintf(stderr,
                     "ksurf: --native: cannot read tracefs README (%s); printing the "
                     "kernel's form anyway\n",
                     readme.error().str().c_str());
    } else if (!compile::readme_has_btf_args(*readme)) {
        std::fprintf(stderr,
                     "ksurf: this kernel does not type probe arguments itself (its tracefs README "
                     "lists no <argname> fetcharg, CONFIG_PROBE_EVENTS_BTF_ARGS): only ksurf's "
                     "compiled form works here\n  hint: ksurf -S without --native\n");
        return kExitFailure;
    }
    std::vector<std::string> notes;
    compile::Plan np = compile::native_plan(sources, plan, notes);
    std::string out;
    for (const auto &n : notes) out += "# " + n + "\n";
    out += compile::render_show(np);
    std::fputs(out.c_str(), stdout);
    return kExitOk;
}

} // namespace

int cmd_probe(int argc, char **argv) {
    CLI::App app{"ksurf: arm probes and trace events, stream what they see", "ksurf"};
    app.footer(
        "Expressions: see 'ksurf help'. Examples:\n"
        "  ksurf 'e syscalls/sys_enter_syslog f:type==5' -- dmesg -C\n"
        "  ksurf 'e sched/sched_switch f:prev_pid==1' -n 10 --json\n"
        "  ksurf -S 'p do_sys_openat2 name=filename:ustring'\n"
        "Exit status: 0 done (or CMD's status with -- CMD), 1 the kernel or system refused,\n"
        "2 bad input (nothing was armed), 74 the output could not be written (stdout, -o).");
    CommonOptions common;
    std::vector<std::string> exprs;
    std::string file, script, arch_name, btf_path;
    bool show = false, native = false;
    app.add_option("EXPR", exprs, "probe expressions (quote each one)");
    app.add_option("-f,--file", file, "read expressions from FILE, one per line ('#' comments)");
    app.add_flag("-S,--show", show,
                 "print the lines ksurf would write to tracefs, then exit (no root needed)");
    app.add_flag("--native", native,
                 "with -S: the kernel's own typed form of the arguments (names, ->members, "
                 "$argN, $retval) where the kernel types probe arguments from BTF itself");
    app.add_option("-o,--script", script,
                   "write a standalone sh script that arms these probes, then exit");
    app.add_option("-a,--arch", arch_name, "register map: x86_64, aarch64, riscv64 (for -S/-o)");
    app.add_option("--btf", btf_path,
                   "types from this BTF file or vmlinux instead of /sys/kernel/btf/vmlinux");
    add_common_options(app, common, true);
    add_glob_option(app, common);

    SplitArgs split;
    if (auto rc = parse_command(app, argc, argv, split)) return *rc;

    if (native && !show) {
        std::fprintf(stderr, "ksurf: --native changes what -S prints: use it with -S\n");
        return kExitUsage;
    }
    std::vector<compile::Source> sources;
    for (size_t i = 0; i < exprs.size(); ++i)
        sources.push_back({exprs[i], fmt::format("argument {}", i + 1)});
    if (!file.empty()) {
        auto more = compile::read_expression_file(file);
        if (!more) {
            std::fprintf(stderr, "ksurf: %s\n", more.error().c_str());
            return kExitUsage;
        }
        sources.insert(sources.end(), more->begin(), more->end());
    }
    if (sources.empty()) {
        std::fprintf(stderr, "ksurf: no probe expressions given\n  hint: ksurf 'e "
                             "sched/sched_process_exec' -d 5, or 'ksurf help'\n");
        return kExitUsage;
    }

    auto compiled = compile_sources(sources, arch_name, btf_path, common);
    if (!compiled) return compiled.error();
    const compile::Plan &plan = *compiled;
    for (const auto &p : plan.probes)
        if (!p.user_group.empty())
            std::fprintf(stderr,
                         "ksurf: %s: group '%s' is not used: ksurf's probes live in a group of "
                         "their own (ksurf_PID), so that runs never clash; the event keeps its "
                         "name '%s'\n",
                         p.origin.c_str(), p.user_group.c_str(), p.event_name.c_str());

    if (show || !script.empty()) {
        // A uprobe that cannot be placed is bad input, as it is when arming.
        bool bad = false;
        for (const auto &p : plan.probes) {
            if (p.kind != compile::ProbeKind::Uprobe && p.kind != compile::ProbeKind::Uretprobe)
                continue;
            types::UprobeTarget target;
            std::string why;
            if (!types::resolve_uprobe(p.path, p.symbol, p.offset, target, why)) {
                std::fprintf(stderr, "%s: error: cannot place '%s': %s\n", p.origin.c_str(),
                             p.text.c_str(), why.c_str());
                bad = true;
            }
        }
        if (bad) {
            std::fprintf(stderr, "ksurf: nothing was shown (a uprobe cannot be placed)\n");
            return kExitUsage;
        }
    }

    if (show && native) return show_native(sources, plan, !btf_path.empty());
    if (show) {
        std::fputs(compile::render_show(plan).c_str(), stdout);
        return kExitOk;
    }
    if (!script.empty()) {
        std::FILE *f = std::fopen(script.c_str(), "w");
        if (!f) {
            std::fprintf(stderr, "ksurf: cannot write %s: %s\n", script.c_str(),
                         std::strerror(errno));
            return kExitFailure;
        }
        std::string text = compile::render_script(plan);
        // Only a regular file is made executable, or removed when cut short:
        // never a device or FIFO given as FILE (-o /dev/null).
        struct stat sb {};
        bool regular = ::fstat(::fileno(f), &sb) == 0 && S_ISREG(sb.st_mode);
        bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size() && std::fflush(f) == 0;
        int e = errno;
        if (ok && regular) ::fchmod(::fileno(f), 0755);
        if (std::fclose(f) != 0 && ok) ok = false, e = errno;
        if (!ok) {
            // A script cut short would arm half the probes: none at all is better.
            if (regular) ::unlink(script.c_str());
            std::fprintf(stderr, "ksurf: %s\n", WriteError{script, e ? e : EIO}.str().c_str());
            return kExitOutput;
        }
        std::fprintf(stderr, "ksurf: wrote %s (run it as root; Ctrl-C removes the probes)\n",
                     script.c_str());
        return kExitOk;
    }

    RunOptions ro = to_run_options(common, split.command);
    ro.extra_events = bookkeeping_events(plan);
    ro.user_strings = true; // file names as strings, where the kernel has eprobes
    std::string root = tracefs::Tracefs::open().value_or(tracefs::Tracefs("")).root();
    engine::StreamOptions so;
    so.json = common.json;
    so.stacks = common.stacks;
    so.irq_info = !common.no_irq_info;
    so.hidden = ro.extra_events;
    so.tracefs_dir = root;
    auto make = [&](tep_handle *tep, const output::Styles &styles) {
        return engine::make_stream_handler(tep, styles, so);
    };
    return run_plan(plan, ro, make);
}

} // namespace ksurf::commands
