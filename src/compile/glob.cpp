// Function globs (compile/glob.h): match, cap, then one ProbeCompiler per
// matched function.
#include "compile/glob.h"

#include "compile/probe_compiler.h"
#include "util/strings.h"

#include <bpf/btf.h>
#include <fmt/format.h>

#include <algorithm>

namespace ksurf::compile {

namespace {

using detail::ProbeCompiler;

struct Matched {
    bool known = false;
    std::vector<std::string> names;
    std::vector<std::string> notes;
    std::string why; // !known: why the functions cannot be listed
};

// The functions `ast.symbol` matches: the running kernel's probe-able ones,
// or another kernel's BTF (--btf FILE) when that is all there is.
Matched match(const expr::ProbeAst &ast, const Options &opts) {
    Matched m;
    if (opts.kernel) {
        m.known = opts.kernel->functions(ast.symbol, ast.module, m.names, m.notes);
        if (!m.known) m.why = "this kernel's functions cannot be listed (/proc/kallsyms)";
        return m;
    }
    if (opts.functions_from_btf && opts.types) {
        std::string error;
        const struct btf *b =
            ast.module.empty() ? opts.types->base(&error) : opts.types->module(ast.module, &error);
        if (!b) {
            m.why = "the BTF given cannot be read: " + error;
            return m;
        }
        m.known = true;
        for (auto &n : opts.types->names_of_kind(b, BTF_KIND_FUNC))
            if (glob_match(ast.symbol, n)) m.names.push_back(std::move(n));
        std::sort(m.names.begin(), m.names.end());
        m.names.erase(std::unique(m.names.begin(), m.names.end()), m.names.end());
        m.notes.push_back(fmt::format("'{}': matched against the functions of the BTF given (no "
                                      "kallsyms or kprobe blacklist of that kernel to ask)",
                                      ast.symbol));
        return m;
    }
    m.why = "no list of the kernel's functions is available here (/proc/kallsyms, or --btf FILE)";
    return m;
}

Diagnostic at(const Source &src, expr::Span s, std::string message, std::string hint = {}) {
    return Diagnostic::at(src.origin, src.text, s, std::move(message), std::move(hint));
}

// What fprobe events cannot fetch (fprobetrace.rst, trace_probe.c: "eprobe
// and fprobe do not handle registers"): a register. $stack/$stackN they do
// read, but at ftrace's hook rather than at the kprobe's breakpoint, which
// nobody has checked gives the same slots: those keep kprobes too.
bool fprobe_fetches(const expr::Expr &x) {
    switch (x.base.kind) {
    case expr::BaseKind::Register:
    case expr::BaseKind::Stack:
    case expr::BaseKind::StackN:
        return false;
    case expr::BaseKind::Paren:
        return x.base.inner.empty() || fprobe_fetches(x.base.inner.front());
    default:
        return true;
    }
}

// *** The one place that chooses the kind of probe a glob's functions get. ***
// Measured in the lab (bench/README.md "kprobes or fprobes for a glob",
// tests/lab/scenarios/bench_glob.sh: 6.12.117 amd64 under TCG, one boot, raw
// writes, one per event, over the 78 functions of vfs_*):
//                       define  enable  disable  remove  arm+remove
//   78 kprobes (p:)     0.56 s  1.51 s  1.89 s   6.79 s  10.8 s
//   78 fprobes (f:)    11.43 s  0.06 s  0.08 s  11.08 s  22.7 s
//   78 kretprobes (r:)  0.77 s  1.65 s  1.13 s   6.71 s  10.3 s
//   78 fprobe exits    13.25 s  0.12 s  0.05 s  13.60 s  27.0 s
// 6.12 registers one fprobe (its own ftrace_ops) per f: event when it is
// defined and unregisters it on removal, each a round of ftrace updates and
// RCU waits; kprobes share one ftrace_ops. The cost is per event, so no
// number of functions makes fprobes cheaper to arm: about twice as slow at
// any N. A hit costs the same at entry (dd of 20,000 1-byte reads and writes
// with all 78 on: 290 ms kprobes, 280 ms fprobes, 110 ms with none) and
// somewhat less at exit (480 ms kretprobes, 370 ms fprobe exits); a hist
// trigger per event counted the same 11 hits of one dd with both kinds.
// Hence the default threshold is 0 (never): kprobes, which arm in half the
// time. --fprobe-funcs N (Options::glob_fprobe_min) opts in: a glob of at
// least N functions becomes `f FUNC` / `f FUNC%return` (the exit's cheaper
// hits pay back only after about 80,000 hits per function here; kernels whose
// fprobes share one ftrace_ops, 6.14's fgraph-based fprobe, were not
// measured) where the running kernel's README has the fprobe line
// (KernelNames::probe_kind; 6.12 in the lab, not 6.1), unless the line needs
// what only a kprobe gives: a register or stack slot (fprobe_fetches),
// maxactive (r10), a MODULE: (an fprobe takes none) or the kernel's own
// fetchargs (written for a kprobe's registers). Another kernel's BTF (--btf)
// says nothing of its README: kprobes, which every kernel has.
ProbeKind kind_for_glob(const expr::ProbeAst &ast, size_t matched, const Options &opts) {
    ProbeKind written =
        ast.type == expr::ProbeType::Kprobe ? ProbeKind::Kprobe : ProbeKind::Kretprobe;
    if (!opts.glob_fprobe_min || matched < opts.glob_fprobe_min || !opts.kernel) return written;
    if (ast.maxactive || !ast.module.empty()) return written;
    for (const auto &a : ast.args)
        if (a.raw || !fprobe_fetches(a.expr)) return written;
    ProbeKind f = written == ProbeKind::Kprobe ? ProbeKind::Fprobe : ProbeKind::Fretprobe;
    if (std::string why; !opts.kernel->probe_kind(f, why)) return written;
    return f;
}

// "p vfs_* n=%2" with the glob replaced by one function: "p vfs_read n=%2".
std::string with_function(const Source &src, const expr::ProbeAst &ast, const std::string &fn) {
    std::string t = src.text;
    return t.replace(ast.symbol_span.begin, ast.symbol_span.end - ast.symbol_span.begin, fn);
}

struct Skipped {
    std::string name;
    std::vector<Diagnostic> diags;
};

// One probe of `kind` per function of `names` into `plan`; the functions
// whose arguments do not resolve go to `skipped`. Returns how many armed.
size_t compile_each(const Source &src, const expr::ProbeAst &ast,
                    const std::vector<std::string> &names, const Options &opts, ProbeKind kind,
                    Plan &plan, std::vector<Skipped> &skipped) {
    size_t armed = 0;
    for (const auto &fn : names) {
        std::vector<Diagnostic> own;
        ProbeCompiler pc(src, opts, own);
        pc.set_function(fn);
        if (kind == ProbeKind::Fprobe) pc.set_type(expr::ProbeType::Fprobe);
        if (kind == ProbeKind::Fretprobe) pc.set_type(expr::ProbeType::Fretprobe);
        Probe probe;
        if (!pc.run(probe)) {
            skipped.push_back({fn, std::move(own)});
            continue;
        }
        probe.glob = ast.symbol;
        // As written, with the function: what labels the output ("p vfs_read").
        probe.text = with_function(src, ast, fn);
        plan.probes.push_back(std::move(probe));
        ++armed;
    }
    return armed;
}

} // namespace

bool is_function_glob(const expr::ProbeAst &ast) {
    return (ast.type == expr::ProbeType::Kprobe || ast.type == expr::ProbeType::Kretprobe) &&
           !ast.has_address && has_glob(ast.symbol);
}

bool compile_function_glob(const Source &src, const expr::ProbeAst &ast, const Options &opts,
                           Plan &plan, std::vector<Diagnostic> &diags, size_t &used) {
    const std::string &glob = ast.symbol;
    if (ast.has_offset) {
        diags.push_back(at(src, ast.target_span, "a function glob cannot take an offset",
                           "offsets differ from function to function; name one function: "
                           "p FUNC+OFF"));
        return false;
    }
    if (!ast.event_name.empty()) {
        diags.push_back(at(src, ast.event_name_span,
                           "one event name cannot name the probes of a function glob",
                           "leave the name out: the probes are named p0, p1 ... and each "
                           "event prints its function"));
        return false;
    }
    Matched m = match(ast, opts);
    if (!m.known) {
        diags.push_back(at(src, ast.symbol_span, "cannot expand '" + glob + "': " + m.why,
                           "name the functions one by one"));
        return false;
    }
    if (m.names.empty()) {
        std::string hint = "'ksurf list funcs GLOB' lists the probe-able functions";
        for (const auto &n : m.notes) hint += "; " + n;
        diags.push_back(
            at(src, ast.symbol_span, "no probe-able function matches '" + glob + "'", hint));
        return false;
    }
    size_t cap = opts.max_glob_functions;
    if (used + m.names.size() > cap) {
        std::string message =
            used ? fmt::format("'{}' matches {} probe-able functions; with the {} of the globs "
                               "before it that is {}, over the cap of {}",
                               glob, m.names.size(), used, used + m.names.size(), cap)
                 : fmt::format("'{}' matches {} probe-able functions, over the cap of {}", glob,
                               m.names.size(), cap);
        diags.push_back(at(src, ast.symbol_span, message,
                           fmt::format("narrow the glob ('ksurf list funcs \"{}\"' shows the "
                                       "matches), or raise the cap with --max-funcs N (each "
                                       "function is one probe to arm)",
                                       glob)));
        return false;
    }
    ProbeKind kind = kind_for_glob(ast, m.names.size(), opts);
    std::vector<Skipped> skipped;
    size_t armed = compile_each(src, ast, m.names, opts, kind, plan, skipped);
    if (armed == 0 && kind != ProbeKind::Kprobe && kind != ProbeKind::Kretprobe) {
        // Said as the kprobes the user wrote (an fprobe's hints name f).
        kind = ast.type == expr::ProbeType::Kprobe ? ProbeKind::Kprobe : ProbeKind::Kretprobe;
        skipped.clear();
        armed = compile_each(src, ast, m.names, opts, kind, plan, skipped);
    }
    used += armed;
    for (const auto &n : m.notes) plan.notes.push_back(src.origin + ": " + n);
    if (armed == 0) {
        // The same arguments everywhere: the first function's errors say why.
        for (auto &d : skipped.front().diags) diags.push_back(std::move(d));
        diags.push_back(at(src, ast.symbol_span,
                           fmt::format("the arguments resolve on none of the {} functions '{}' "
                                       "matches (the errors above are {}'s)",
                                       m.names.size(), glob, skipped.front().name),
                           "name a function whose parameters these are"));
        return false;
    }
    if (!skipped.empty()) {
        std::string names;
        size_t shown = std::min<size_t>(skipped.size(), 8);
        for (size_t i = 0; i < shown; ++i) names += (i ? ", " : "") + skipped[i].name;
        if (shown < skipped.size()) names += fmt::format(" and {} more", skipped.size() - shown);
        std::string why = skipped.front().diags.empty() ? std::string("an error")
                                                        : skipped.front().diags.front().message;
        plan.notes.push_back(fmt::format(
            "{}: '{}': skipped {} of the {} matched functions, where the arguments do not "
            "resolve: {} ({}: {})",
            src.origin, glob, skipped.size(), m.names.size(), names, skipped.front().name, why));
    }
    if (kind == ProbeKind::Fprobe || kind == ProbeKind::Fretprobe)
        plan.notes.push_back(fmt::format("{}: '{}': {} fprobe events ({}), not kprobes (this "
                                         "kernel has them; see 'fprobes for globs' in the README)",
                                         src.origin, glob, armed,
                                         kind == ProbeKind::Fprobe ? "f FUNC" : "f FUNC%return"));
    return true;
}

} // namespace ksurf::compile
