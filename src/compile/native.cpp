#include "compile/native.h"

#include "expr/ast.h"

#include <fmt/format.h>

namespace ksurf::compile {

using expr::BaseKind;
using expr::ProbeType;
using expr::StepKind;

namespace {

// The type after the last ':' of a compiled fetcharg ("s64" of "+0x40(%di):s64").
std::string_view type_of(std::string_view fetch) {
    size_t colon = fetch.rfind(':');
    return colon == std::string_view::npos ? std::string_view() : fetch.substr(colon + 1);
}

} // namespace

bool readme_has_btf_args(std::string_view readme) {
    return readme.find("<argname>") != std::string_view::npos;
}

std::string native_fetcharg(const expr::ProbeAst &ast, const expr::Arg &arg,
                            std::string_view compiled, std::string &why) {
    if (arg.raw) return std::string(compiled); // the kernel's own syntax already
    const expr::Expr &x = arg.expr;
    bool entry = ast.type == ProbeType::Kprobe && !ast.has_address && ast.offset == 0;
    bool ret = ast.type == ProbeType::Kretprobe;
    if (ast.type == ProbeType::Uprobe || ast.type == ProbeType::Uretprobe) {
        why = "the kernel types only kernel functions' arguments (BTF), not a program's";
        return {};
    }
    if (!entry && !ret) {
        why = "the kernel types arguments only at a function's entry (this probe is at +offset)";
        return {};
    }
    if (x.cast.present) {
        why = x.cast.packet ? "packet headers are ksurf's own" : "casts are ksurf's own";
        return {};
    }
    std::string out;
    switch (x.base.kind) {
    case BaseKind::Name:
        out = x.base.text;
        break;
    case BaseKind::ArgIndex:
        // ksurf counts from %0, the kernel from $arg1.
        out = fmt::format("$arg{}", x.base.number + 1);
        break;
    case BaseKind::Retval:
        out = "$retval";
        break;
    case BaseKind::Comm:
        out = "$comm";
        break;
    case BaseKind::Stack:
        out = "$stack";
        break;
    case BaseKind::StackN:
        out = fmt::format("$stack{}", x.base.number);
        break;
    case BaseKind::Register:
        why = "a register has no type in the kernel either";
        return {};
    case BaseKind::Symbol:
    case BaseKind::Address:
        why = "the kernel does not type @symbols and addresses";
        return {};
    case BaseKind::Paren:
        why = "casts are ksurf's own";
        return {};
    }
    // 6.12 refuses `$arg1->f_mode` ("Invalid $-variable"): its chains start
    // at an argument's name or at $retval.
    if (!x.steps.empty() && x.base.kind == BaseKind::ArgIndex) {
        why = "the kernel follows members from argument names, not $argN (write the name)";
        return {};
    }
    bool chainable = x.base.kind == BaseKind::Name || x.base.kind == BaseKind::Retval;
    if (!x.steps.empty() && !chainable) {
        why = "the kernel follows members only from argument names and $retval";
        return {};
    }
    for (const auto &s : x.steps) {
        if (s.kind == StepKind::Index) {
            why = "the kernel's member chains have no [i] indexing";
            return {};
        }
        out += (s.kind == StepKind::Arrow ? "->" : ".") + s.member;
    }
    if (!x.suffix.empty()) {
        out += ":" + x.suffix;
    } else if (x.format) {
        // S, U, X: the width ksurf found in BTF, with the letter's sign.
        std::string_view t = type_of(compiled);
        if (!t.empty()) out += ":" + std::string(t);
    }
    return out;
}

Plan native_plan(std::span<const Source> sources, const Plan &plan,
                 std::vector<std::string> &notes) {
    Plan out = plan;
    auto names = probe_names(plan);
    for (size_t i = 0; i < out.probes.size() && i < sources.size(); ++i) {
        Probe &p = out.probes[i];
        if (p.kind == ProbeKind::Event) continue;
        expr::ProbeAst ast;
        std::vector<Diagnostic> diags;
        if (!expr::parse_probe(sources[i].text, ast, diags) || ast.args.size() != p.args.size())
            continue; // compiled from this text already: not expected
        for (size_t j = 0; j < p.args.size(); ++j) {
            std::string why;
            std::string native = native_fetcharg(ast, ast.args[j], p.args[j].fetch, why);
            if (native.empty())
                notes.push_back(
                    fmt::format("{} {}: ksurf's form kept: {}", names[i], p.args[j].name, why));
            else
                p.args[j].fetch = std::move(native);
        }
    }
    return out;
}

} // namespace ksurf::compile
