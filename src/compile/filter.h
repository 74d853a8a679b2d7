// f:FILTER: checked against the probe's (or events') fields and converted to
// the kernel's filter syntax before anything is armed.
#pragma once

#include "compile/plan.h"
#include "expr/ast.h"

#include <string>
#include <string_view>
#include <vector>

namespace ksurf::compile {

struct FilterField {
    std::string name;
    bool is_string = false;
    bool filterable = true; // arrays are not
    unsigned size = 0;      // bytes, 0 if unknown
};

// The fields of one event the filter applies to; a glob `e` probe has many.
struct FieldSet {
    std::string event; // "sched/sched_switch" or "this probe", for messages
    std::vector<FilterField> fields;
};

// The common_* fields every event has.
std::vector<FilterField> common_fields();
// Fields the kernel's filter offers on every event besides its own:
// comm (the task's name, a string) and cpu.
std::vector<FilterField> generic_fields();

// Checks the parsed filter (its spans are in `source`, the probe's text)
// against every set; on success stores the kernel's filter in `out`: the
// text as written, with string values quoted and the literals of names
// starting with ip_, b16_/b32_/b64_ or B16_/B32_/B64_ converted
// (127.0.0.1 -> 0x100007f, as a little-endian u32). One error at most.
bool compile_filter(std::string_view source, const expr::Filter &filter,
                    const std::vector<FieldSet> &sets, std::string &out,
                    std::vector<expr::Diagnostic> &diags);

// The name prefix's presentation (Ipv4, Be16 ... or Default).
Print print_for_name(std::string_view name);
// Width in bytes a name prefix requires (ip_ 4, b16_ 2 ...), 0 for none.
unsigned width_for_name(std::string_view name);

} // namespace ksurf::compile
