// AST -> Plan. One ProbeCompiler per source line; all diagnostics collected.
#include "compile/compile.h"
#include "compile/glob.h"
#include "compile/probe_compiler.h"
#include "util/strings.h"

#include <algorithm>

namespace ksurf::compile {

namespace detail {

bool ProbeCompiler::run(Probe &out) {
    size_t before = diags_.size();
    bool parsed = expr::parse_probe(src_.text, ast_, diags_);
    for (size_t i = before; i < diags_.size(); ++i) {
        diags_[i].origin = src_.origin;
        diags_[i].text = src_.text;
    }
    if (!parsed) return false;
    if (type_) ast_.type = *type_;
    out.text = src_.text;
    out.origin = src_.origin;
    switch (ast_.type) {
    case ProbeType::Kprobe:
        out.kind = ProbeKind::Kprobe;
        break;
    case ProbeType::Kretprobe:
        out.kind = ProbeKind::Kretprobe;
        break;
    case ProbeType::Uprobe:
        out.kind = ProbeKind::Uprobe;
        break;
    case ProbeType::Uretprobe:
        out.kind = ProbeKind::Uretprobe;
        break;
    case ProbeType::Event:
        out.kind = ProbeKind::Event;
        break;
    case ProbeType::Fprobe:
        out.kind = ProbeKind::Fprobe;
        break;
    case ProbeType::Fretprobe:
        out.kind = ProbeKind::Fretprobe;
        break;
    case ProbeType::Tprobe:
        out.kind = ProbeKind::Tprobe;
        break;
    }
    if (ast_.type == ProbeType::Event) return compile_event(out);
    if (!function_.empty()) ast_.symbol = function_;
    out.symbol = ast_.symbol;
    out.module = ast_.module;
    out.offset = ast_.offset;
    out.maxactive = ast_.maxactive;
    out.path = ast_.path;
    out.has_address = ast_.has_address;
    out.address = ast_.address;
    out.has_ref_ctr = ast_.has_ref_ctr;
    out.ref_ctr_offset = ast_.ref_ctr_offset;
    out.event_name = ast_.event_name;
    out.user_group = ast_.group;
    // A kind this kernel cannot define is said first: its types would only
    // add noise (6.1 has no tracepoint probe stubs, so no argument names).
    if (std::string why; opts_.kernel && !opts_.kernel->probe_kind(out.kind, why)) {
        error(ast_.type_span, why,
              "use p FUNC / r FUNC (kprobes) or e SYSTEM/EVENT (trace events) on this kernel");
        return false;
    }
    if (!is_user() && !ast_.has_address && !rules().is_tracepoint && function_.empty())
        check_function();
    compile_args(out);
    if (ok_ && ast_.has_filter) {
        FieldSet set{"this probe", common_fields()};
        for (auto &g : generic_fields()) set.fields.push_back(std::move(g));
        for (const auto &a : out.args) {
            FilterField f;
            f.name = a.name;
            f.is_string = a.print == Print::String;
            f.filterable = a.fetch.find('[') == std::string::npos;
            set.fields.push_back(f);
        }
        filter({set}, out.filter);
    }
    return ok_;
}

void ProbeCompiler::error(Span s, std::string message, std::string hint) {
    diags_.push_back(
        Diagnostic::at(src_.origin, src_.text, s, std::move(message), std::move(hint)));
    ok_ = false;
}

void ProbeCompiler::filter(const std::vector<FieldSet> &sets, std::string &out) {
    size_t before = diags_.size();
    if (!compile_filter(src_.text, ast_.filter, sets, out, diags_)) ok_ = false;
    for (size_t i = before; i < diags_.size(); ++i) {
        diags_[i].origin = src_.origin;
        diags_[i].text = src_.text;
    }
}

// Is the function there to probe? Asked of kallsyms when the types are
// this kernel's own, of the BTF given with --btf otherwise.
void ProbeCompiler::check_function() {
    if (opts_.kernel) {
        // An fprobe is checked by the kernel when armed: kallsyms' kprobe
        // rules (the kprobe blacklist) are not ftrace's.
        if (rules().ftrace_args) return;
        std::string why, hint;
        if (!opts_.kernel->function(ast_.symbol, ast_.module, why, hint)) {
            error(ast_.symbol_span, why, hint);
            proto_tried_ = true; // said once: arguments need not say it again
        }
        return;
    }
    if (!opts_.functions_from_btf || !opts_.types) return;
    const struct btf *b = btf(ast_.symbol_span, "the function's type");
    if (!b) return;
    if (opts_.types->find(b, ast_.symbol, BTF_KIND_FUNC)) return;
    std::string near = closest(ast_.symbol, type_names(b, BTF_KIND_FUNC));
    error(ast_.symbol_span,
          "no function '" + ast_.symbol + "' in the BTF given (that kernel does not have it)",
          near.empty() ? "" : "did you mean '" + near + "'?");
    proto_tried_ = true; // said once
}

bool ProbeCompiler::compile_event(Probe &out) {
    out.system = ast_.system;
    out.event = ast_.event;
    if (!opts_.events) {
        error(ast_.target_span, "trace events are not available here",
              "e probes need the kernel's tracefs (events/) to know the events");
        return false;
    }
    out.matched = opts_.events->match(ast_.system, ast_.event);
    if (out.matched.empty()) {
        std::vector<std::string> all;
        for (const auto &[s, e] : opts_.events->match("*", "*")) all.push_back(s + "/" + e);
        std::string near = closest(ast_.system + "/" + ast_.event, all);
        error(ast_.target_span, "no trace event matches '" + text(ast_.target_span) + "'",
              near.empty() ? "the events are listed under tracefs events/SYSTEM/EVENT"
                           : "did you mean '" + near + "'?");
        return false;
    }
    if (ast_.has_filter) {
        std::vector<FieldSet> sets;
        for (const auto &[s, e] : out.matched) {
            FieldSet set{s + "/" + e, {}};
            if (auto fields = opts_.events->fields(s, e)) {
                for (const auto &f : *fields) {
                    bool array = !f.is_string && f.type.find('[') != std::string::npos;
                    set.fields.push_back({f.name, f.is_string, !array, f.size});
                }
            }
            for (auto &g : generic_fields()) set.fields.push_back(std::move(g));
            sets.push_back(std::move(set));
        }
        filter(sets, out.filter);
    }
    return ok_;
}

void ProbeCompiler::compile_args(Probe &out) {
    ErrorAt err = [this](Span s, std::string m, std::string h) {
        error(s, std::move(m), std::move(h));
    };
    if (!check_arg_count(ast_, err)) return;
    std::vector<std::pair<std::string, Span>> seen;
    size_t index = 0;
    // Each argument goes through the passes in turn (kind rules, then types
    // and fetchargs, then how it prints), so that its errors come in order.
    for (const auto &a : ast_.args) {
        std::string name;
        if (!check_arg_name(a, ++index, seen, name, err)) continue;
        if (a.raw) {
            Arg arg;
            if (raw_arg(a, name, arg)) out.args.push_back(std::move(arg));
            continue;
        }
        if (!check_kind_rules(ast_, a.expr, err)) continue;
        Value v;
        if (!compile_value(a.expr, v)) continue;
        Arg arg;
        arg.name = name;
        if (!finish(a, name, v, arg)) continue;
        out.args.push_back(std::move(arg));
    }
}

} // namespace detail

using detail::ProbeCompiler;

namespace {

// `p vfs_*`: parsed here only to see the glob (errors are left to the
// ProbeCompiler, which parses again and reports them).
bool is_glob_source(const Source &src, expr::ProbeAst &ast) {
    std::vector<Diagnostic> ignored;
    return expr::parse_probe(src.text, ast, ignored) && is_function_glob(ast);
}

} // namespace

bool compile_into(std::span<const Source> sources, const Options &opts, Plan &plan,
                  std::vector<Diagnostic> &diags) {
    bool ok = true;
    size_t glob_functions = 0; // for the cap of compile/glob.h
    for (const auto &src : sources) {
        if (expr::ProbeAst ast; is_glob_source(src, ast)) {
            ok &= compile_function_glob(src, ast, opts, plan, diags, glob_functions);
            continue;
        }
        Probe probe;
        ProbeCompiler pc(src, opts, diags);
        if (!pc.run(probe)) {
            ok = false;
            continue;
        }
        // One event name, one probe: the kernel would append a second
        // probe point to the first event, or refuse it.
        for (const auto &other : plan.probes) {
            if (probe.event_name.empty() || other.event_name != probe.event_name) continue;
            Diagnostic d;
            d.origin = src.origin;
            d.text = src.text;
            d.begin = src.text.find(':' + probe.event_name) + 1;
            d.end = d.begin + probe.event_name.size();
            d.message = "event name '" + probe.event_name + "' is already used by " + other.origin;
            d.hint = "give each probe its own name";
            diags.push_back(std::move(d));
            ok = false;
        }
        plan.probes.push_back(std::move(probe));
    }
    return ok;
}

std::vector<Source> split_expression_file(std::string_view content, const std::string &path) {
    std::vector<Source> out;
    size_t line_no = 0, pos = 0;
    while (pos <= content.size()) {
        size_t nl = content.find('\n', pos);
        if (nl == std::string_view::npos) nl = content.size();
        std::string_view line = content.substr(pos, nl - pos);
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        std::string_view t = trim(line);
        if (!t.empty() && t[0] != '#')
            out.push_back({std::string(line), path + ":" + std::to_string(line_no)});
        if (nl == content.size()) break;
        pos = nl + 1;
    }
    return out;
}

} // namespace ksurf::compile
