// ksurf count / ksurf hist: the command line of the fold mode
// (engine/fold_mode.h), which counts in the kernel where it can and in user
// space where it must.
#include "aggregate/aggregate.h"
#include "commands/commands.h"
#include "commands/common.h"
#include "commands/runner.h"
#include "engine/fold_mode.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fmt/format.h>

namespace ksurf::commands {

namespace {

using aggregate::KeyKind;

std::optional<aggregate::Bucketing> parse_linear(const std::string &text) {
    long long a = 0, b = 0, c = 0;
    char tail = 0;
    if (std::sscanf(text.c_str(), "%lld,%lld,%lld%c", &a, &b, &c, &tail) != 3 || c <= 0 || b <= a)
        return std::nullopt;
    return aggregate::Bucketing{aggregate::Bucketing::Kind::Linear, a, b, c};
}

int run_fold(int argc, char **argv, bool hist) {
    CLI::App app{hist ? "ksurf hist: a histogram of a value (log2, or linear), per key, counted "
                        "in the kernel (hist triggers) where it can, else in user space"
                      : "ksurf count: how many times probes and events fire, per key, counted in "
                        "the kernel (hist triggers) where it can, else in user space",
                 hist ? "ksurf hist" : "ksurf count"};
    app.footer(hist ? "Examples:\n  ksurf hist 'r vfs_read n=$retval' --of n -d 10\n"
                      "  ksurf hist 'e kmem/kmalloc' --of bytes_req --linear 0,1024,64\n"
                    : "Examples:\n  ksurf count 'p ksys_sync' --by comm -- sh -c 'sync; sync'\n"
                      "  ksurf count 'e raw_syscalls/sys_enter' --by comm,id --top 10 -d 5\n"
                      "KEY: comm, pid, tid, cpu, func (which probe), stack (kernel), ustack "
                      "(uprobes), or a field NAME.");
    CommonOptions common;
    std::vector<std::string> exprs, by;
    std::string of, linear;
    size_t top = 0;
    double interval = 0;
    app.add_option("EXPR", exprs, "probe expressions (quote each one)")->required();
    app.add_option("--by", by, "count per KEY[,KEY...]: comm pid tid cpu func stack ustack NAME");
    app.add_option("--top", top, "only the N largest rows");
    app.add_option("-i,--interval", interval, "print the table every SECS seconds")
        ->check(CLI::PositiveNumber);
    if (hist) {
        app.add_option("--of", of, "the value to bucket: a NAME the expression defines, or a field")
            ->required();
        app.add_option("--linear", linear, "linear buckets MIN,MAX,STEP instead of log2");
    }
    add_common_options(app, common, false, kJsonDocument);
    add_glob_option(app, common);
    SplitArgs split;
    if (auto rc = parse_command(app, argc, argv, split)) return *rc;
    engine::FoldRequest req;
    req.keys = aggregate::parse_keys(by);
    req.top = top;
    req.json = common.json;
    req.of = of;
    if (hist) {
        req.bucketing = aggregate::Bucketing{};
        if (!linear.empty()) {
            req.bucketing = parse_linear(linear);
            if (!req.bucketing) {
                std::fprintf(stderr, "ksurf: --linear wants MIN,MAX,STEP with MIN < MAX and "
                                     "STEP > 0, e.g. --linear 0,1024,64\n");
                return kExitUsage;
            }
        }
    }
    std::vector<compile::Source> sources;
    for (size_t i = 0; i < exprs.size(); ++i)
        sources.push_back({exprs[i], fmt::format("argument {}", i + 1)});
    auto compiled = compile_sources(sources, "", "", common);
    if (!compiled) return compiled.error();
    const compile::Plan &plan = *compiled;

    auto fs = open_tracefs_or_report();
    if (!fs) return kExitFailure;
    auto kh = aggregate::kernel_hist_from_readme(fs->read("README").value_or(""));
    engine::Where where = engine::decide_where(*fs, kh, req, common.count != 0);
    // Stacks in user space: the kernel_stack (user_stack) record the
    // instance's options/stacktrace puts after each event.
    bool stacks = false;
    for (const auto &k : req.keys) {
        stacks |= k.kind == KeyKind::Stack || k.kind == KeyKind::UStack;
        if (k.kind != KeyKind::UStack) continue;
        bool uprobes = !plan.probes.empty();
        for (const auto &p : plan.probes)
            uprobes &=
                p.kind == compile::ProbeKind::Uprobe || p.kind == compile::ProbeKind::Uretprobe;
        if (!uprobes) {
            std::fprintf(stderr, "ksurf: --by ustack: user stacks are kept for uprobes only "
                                 "(P/R PATH:SYMBOL); kernel probes and events key by stack\n");
            return kExitUsage;
        }
        if (!fs->exists("options/userstacktrace")) {
            std::fprintf(stderr, "ksurf: --by ustack: this kernel has no user stack traces "
                                 "(no options/userstacktrace in tracefs)\n");
            return kExitFailure;
        }
    }
    std::fprintf(stderr, "ksurf: counting in %s: %s\n", where.kernel ? "the kernel" : "user space",
                 where.why.c_str());

    RunOptions ro = to_run_options(common, split.command);
    ro.stream_probes = !where.kernel;
    ro.stacks = stacks && !where.kernel;
    ro.interval_s = interval;
    ro.quiet_summary = true;
    // Fork records follow -p / -- CMD's children (the kernel's rows carry pids);
    // fork/exec/rename name processes in user space.
    ro.extra_events = bookkeeping_events(plan);
    std::string root = fs->root();
    auto make = [&](tep_handle *tep, const output::Styles &) -> std::unique_ptr<Handler> {
        return engine::make_fold_handler(tep, plan, req, where, kh, ro.extra_events, root);
    };
    return run_plan(plan, ro, make);
}

} // namespace

int cmd_count(int argc, char **argv) {
    return run_fold(argc, argv, false);
}
int cmd_hist(int argc, char **argv) {
    return run_fold(argc, argv, true);
}

} // namespace ksurf::commands
