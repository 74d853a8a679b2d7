// The expression compiler: surftrace's probe language on BTF -> Plan.
// It never touches the kernel: `ksurf -S` works without root and for another
// machine (Options::arch, a BTF file of that kernel).
//
// Language notes (choices made here, beyond surftrace):
//  - An argument written without NAME= is named argN (N = its 1-based
//    position among the probe's arguments), as the kernel itself does.
//  - Offsets in fetchargs are always hex: "+0x0(%si):string", "-0x8(%sp)".
//  - Without a format letter an integer member prints as its C type says
//    (sNN for signed, uNN for unsigned), pointers as x64; a register or
//    stack slot without type information gets no suffix (the kernel's
//    default, hex); $retval is typed from the function's BTF return type.
//  - f:FILTER takes the rest of the line, spaces included.
//  - BTF is parsed only when an expression needs it (a member chain, a
//    parameter name, %N or $retval that need a type, a cast, a packet).
//  - The kernel's own syntax (kprobetrace.rst) is accepted beside it: heads
//    p:[GRP/]EVENT and rN:EVENT, places 0xADDR, SYM%return and
//    PATH:OFFSET[%return][(REF)], and kernel fetchargs, which go to the
//    kernel as written after compile/fetcharg_check.h checked them
//    (expr/raw_probe.h says which arguments are the kernel's).
//  - P/R probes are typed the same way from the binary's DWARF (converted to
//    BTF in memory, see types/dwarf.h); their strings read as :ustring. A
//    user function's parameter (by name, or typing %N) is matched to the
//    argument registers skipping floating-point parameters, as the ABIs do.
#pragma once

#include "arch/arch.h"
#include "compile/event_catalog.h"
#include "compile/plan.h"
#include "expr/diagnostic.h"
#include "types/btf.h"
#include "types/dwarf.h"

#include <functional>

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>
#include <version>
#ifdef __cpp_lib_expected
#include <expected>
#endif

namespace ksurf::compile {

struct Source {
    std::string text;
    std::string origin; // "argument 1" or "probes.txt:3"
};

using Diagnostic = expr::Diagnostic;
// The register maps are arch's; the compiler names them as its own so its
// options and passes read as before.
using arch::Arch;
using arch::arch_from_name;
using arch::arch_name;
using arch::arg_register;
using arch::arg_register_count;
using arch::host_arch;
using arch::is_register;
using arch::register_alias;
using arch::register_names;

// What the running kernel has (kallsyms), asked only when the types are its
// own. commands/ implements it over ksyms::KernelSymbols; tests fake it.
class KernelNames {
  public:
    virtual ~KernelNames() = default;
    // Can `name` (in `module`, "" for vmlinux) take a kprobe? If not, why and
    // what to do (an inlined function names the callee that does its work).
    virtual bool function(std::string_view name, std::string_view module, std::string &error,
                          std::string &hint) const = 0;
    // Is `name` any kernel symbol (a global for @SYMBOL)? If not, a hint.
    virtual bool symbol(std::string_view name, std::string &hint) const = 0;
    // Can this kernel define probes of `kind` (f and t are newer)? If not,
    // why (compile/kernel_support.h). By default it can.
    virtual bool probe_kind(ProbeKind kind, std::string &why) const {
        (void)kind;
        (void)why;
        return true;
    }
    // The probe-able functions matching `glob` (p vfs_*), sorted, with notes
    // for the user (what was left out); false when this kernel's functions
    // cannot be listed. See compile/glob.h.
    virtual bool functions(std::string_view glob, std::string_view module,
                           std::vector<std::string> &names, std::vector<std::string> &notes) const {
        (void)glob, (void)module, (void)names, (void)notes;
        return false;
    }
};

// The default cap on the functions globs expand to (compile/glob.h).
constexpr size_t kDefaultMaxGlobFunctions = 1000;
// From how many functions a glob is armed as fprobe events where the running
// kernel has them; 0: never, the default (compile/glob.cpp, kind_for_glob,
// has the measurement that chose it).
constexpr size_t kDefaultGlobFprobeMin = 0;

struct Options {
    Arch arch = host_arch();
    const types::TypeInfo *types = nullptr; // BTF; may be null when only `e` probes are compiled
    const EventCatalog *events = nullptr;   // for `e` (null => `e` is an error)
    // Types of P/R binaries (DWARF). Null: P/R probes are untyped and casts,
    // member chains and parameter names on them are errors; compile() gives
    // one (types::make_dwarf_types()) when the caller does not.
    types::UserTypes *user_types = nullptr;
    // The running kernel's symbols, when the types are its own: a p/r
    // function and an @SYMBOL are checked against kallsyms here (so -S
    // refuses what arming would), with the inlined/clone diagnostics of
    // KernelNames. Null: not checked at compile time.
    const KernelNames *kernel = nullptr;
    // Types of another kernel (--btf FILE): a p/r function that FILE's BTF
    // does not know is an error too (there is no kallsyms to ask).
    bool functions_from_btf = false;
    // At most this many functions from globs (p vfs_*) in one plan; more is
    // refused with the number matched (compile/glob.h).
    size_t max_glob_functions = kDefaultMaxGlobFunctions;
    // A glob matching at least this many functions (0: none) becomes fprobe
    // events (f FUNC, f FUNC%return) when `kernel` says it has them and the
    // arguments need nothing only kprobes read (compile/glob.h); --fprobe-funcs.
    size_t glob_fprobe_min = kDefaultGlobFprobeMin;
};

// The core of compile(), usable without <expected>: fills `plan` and returns
// true, or appends to `diags` and returns false. Every source is compiled so
// that all errors are reported at once.
bool compile_into(std::span<const Source> sources, const Options &opts, Plan &plan,
                  std::vector<Diagnostic> &diags);

// Splits the text of a -f file into sources ("FILE:LINE" origins), skipping
// blank lines and '#' comments.
std::vector<Source> split_expression_file(std::string_view content, const std::string &path);

#ifdef __cpp_lib_expected
inline std::expected<Plan, std::vector<Diagnostic>> compile(std::span<const Source> sources,
                                                            const Options &opts) {
    Plan plan;
    std::vector<Diagnostic> diags;
    std::unique_ptr<types::UserTypes> dwarf;
    Options o = opts;
    if (!o.user_types) {
        dwarf = types::make_dwarf_types();
        o.user_types = dwarf.get();
    }
    if (!compile_into(sources, o, plan, diags)) return std::unexpected(std::move(diags));
    return plan;
}

// Reads -f FILE: one expression per line, '#' comments and blank lines
// skipped; origin "FILE:LINE".
std::expected<std::vector<Source>, std::string> read_expression_file(const std::string &path);
#endif

// -S: what would be written to tracefs, with group "ksurf" and the names of
// probe_names() (event probes do not use a name). Format, one item a line:
//   p:ksurf/p0 do_sys_openat2 name=+0x0(%si):ustring     every p/r/P/R definition first
//   # filter ksurf/p0: name~"*.so"                       then per probe, in order:
//   # event sched/sched_switch                           each matched trace event
//   # filter sched/sched_switch: prev_pid==1             and its filter
// Uprobes are resolved (ELF symbol -> file offset) when the file is readable;
// otherwise the line is "# P ksurf/p0 PATH:SYMBOL: cannot resolve: why".
std::string render_show(const Plan &plan);

// -o FILE: a standalone POSIX sh script arming exactly these probes in its own
// tracefs instance; group and instance are named ksurf_$$; Ctrl-C, TERM and
// EXIT disable and remove everything it created.
std::string render_script(const Plan &plan);

// Names used by render_show, render_script and the runner: the user's
// p:EVENT, else "p0", "p1" ... counting only p/r/P/R probes and skipping the
// names users gave.
std::vector<std::string> probe_names(const Plan &plan);

} // namespace ksurf::compile
