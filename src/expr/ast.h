// The syntax of one probe expression (surftrace's language):
//   TYPE SYMBOL[+OFFSET] [NAME=EXPR ...] [f:FILTER]
// Every node keeps the byte range it was parsed from, for carets.
#pragma once

#include "expr/diagnostic.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ksurf::expr {

enum class BaseKind {
    ArgIndex, // %0
    Register, // %ax
    Name,     // filename (a parameter name)
    Retval,   // $retval
    Comm,     // $comm
    Stack,    // $stack
    StackN,   // $stack3
    Symbol,   // @jiffies
    Address,  // @0xffff...
    Paren,    // (EXPR) -- only as the operand of a cast
};

struct Expr;

struct Base {
    BaseKind kind = BaseKind::Register;
    std::string text;        // register, name or symbol, without sigil
    uint64_t number = 0;     // %N, $stackN, @0xADDR
    std::vector<Expr> inner; // Paren: exactly one expression
    Span span;
};

struct Cast {
    bool present = false;
    bool bang = false;   // !(type)  surftrace's spelling
    bool packet = false; // @(struct iphdr *)l3  -- header at skb->data
    std::string type;    // "struct file *" (spaces normalised)
    int layer = 0;       // packet: 2, 3, 4 or 0 (not written: l3)
    Span span;           // the whole "(...)" with marker and layer
    Span type_span;      // inside the parentheses
};

enum class StepKind { Arrow, Dot, Index };

struct Step {
    StepKind kind = StepKind::Arrow;
    std::string member; // Arrow / Dot
    uint64_t index = 0; // Index
    Span span;          // the whole step ("->mm", "[3]")
    Span name_span;     // the member name or the index number
};

struct Expr {
    char format = 0; // 'S', 'U', 'X' or 0
    Span format_span;
    Cast cast;
    Base base;
    std::vector<Step> steps;
    std::string suffix; // after ':' ("u32", "string", "u8[16]"), "" if none
    Span suffix_span;
    Span span;
};

struct Arg {
    std::string name; // "" when written without NAME=
    Span name_span;
    Expr expr;
    Span span; // the whole token
    // A fetcharg in the kernel's own syntax (kprobetrace.rst): +0(%si):string,
    // @sym+8, $arg1, \42 ... It goes to the kernel as written, after
    // compile/fetcharg_check.h checked it; `expr` is then unused.
    bool raw = false;
    Span body_span; // raw: the fetcharg after NAME=
};

// f:FILTER: conditions NAME OP VALUE joined by && || ! and parentheses (the
// kernel's event filter syntax). The parser checks only the syntax; which
// names exist and what their values mean is compile's (compile/filter.h).
enum class FilterKind { Or, And, Not, Group, Compare };

struct FilterNode {
    FilterKind kind = FilterKind::Compare;
    std::vector<FilterNode> kids; // Or / And: two or more; Not / Group: one
    // Compare
    std::string field;                    // "common_pid"
    std::string op;                       // == != < <= > >= ~ &
    std::string value;                    // a word, or a string's contents without the quotes
    bool quoted = false;                  // the value was written "..." or '...'
    Span field_span, op_span, value_span; // value_span includes the quotes
    Span span;
};

struct Filter {
    FilterNode root;
    Span span; // the text after "f:", blanks at the end trimmed
};

// f FUNC / f FUNC%return are fprobe events (entry / exit, on ftrace), t TP a
// tracepoint probe (tprobe) on the tracepoint's raw arguments.
enum class ProbeType { Kprobe, Kretprobe, Uprobe, Uretprobe, Event, Fprobe, Fretprobe, Tprobe };

struct ProbeAst {
    ProbeType type = ProbeType::Kprobe;
    int maxactive = 0; // r10
    Span type_span;

    // The kernel's own head: p:[GRP/]EVENT, r5:EVENT (kprobetrace.rst).
    bool kernel_form = false;
    std::string event_name, group; // "" when not written
    Span event_name_span, group_span;
    bool has_address = false; // p 0xffffffff81000000 (MEMADDR)
    uint64_t address = 0;
    bool has_ref_ctr = false; // uprobe PATH:OFFSET(REF_CTR_OFFSET)
    uint64_t ref_ctr_offset = 0;

    // p / r / P / R / f / t (t: `symbol` is the tracepoint)
    std::string module; // MOD of MOD:SYMBOL
    std::string path;   // P / R
    std::string symbol;
    uint64_t offset = 0;
    bool has_offset = false;
    bool raw_offset = false; // P /bin/x:0x1234 -- a file offset, no symbol
    Span target_span, symbol_span;

    // e SYSTEM/EVENT
    std::string system, event;
    Span system_span, event_span;

    std::vector<Arg> args;

    bool has_filter = false;
    Filter filter;    // parsed; its spans point into the expression
    Span filter_span; // including "f:"
};

// Parses `text`; appends diagnostics (origin and text left empty for the
// caller) and returns false on error.
bool parse_probe(std::string_view text, ProbeAst &out, std::vector<Diagnostic> &diags);
// Parses the filter at [begin, end) of `text` (after "f:"): one error per
// filter, at most (the rest would be noise).
bool parse_filter(std::string_view text, size_t begin, size_t end, Filter &out,
                  std::vector<Diagnostic> &diags);
// Parses one argument expression that starts at `offset` inside the probe text.
bool parse_arg_expr(std::string_view text, size_t begin, size_t end, Expr &out,
                    std::vector<Diagnostic> &diags);

} // namespace ksurf::expr
