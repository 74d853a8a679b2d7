// ksurf list: what the kernel (or a user binary) offers to trace, and how.
// Each function here gathers one listing as plain data; render.h turns the
// data into text or JSON. Nothing here writes to the kernel.
#pragma once

#include "arch/arch.h"
#include "compile/event_catalog.h"
#include "ksyms/ksyms.h"
#include "types/btf.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ksurf::listing {

// --- list funcs ---------------------------------------------------------------

struct FuncEntry {
    std::string name;
    std::string module; // "" for vmlinux
    bool probeable = true;
    std::string reason; // why not, when !probeable
};

struct FuncListing {
    std::vector<FuncEntry> funcs;   // sorted by name, then module; one per name+module
    std::vector<std::string> notes; // what the listing could not know (said on stderr)
};

// Functions of `syms` matching `glob` ("" = all): probe-able ones (traceable
// by ftrace, not on the kprobe blacklist), or with `all` every text symbol,
// the others with their reason.
FuncListing list_funcs(const ksyms::KernelSymbols &syms, std::string_view glob, bool all);

// --- list events ----------------------------------------------------------------

struct EventEntry {
    std::string system, event;
    std::vector<compile::EventField> fields; // filled with `with_fields`
};

// "SYSTEM/EVENT" globs; a pattern without '/' matches event names, and whole
// systems by their name ("sched" lists sched/*).
std::vector<EventEntry> list_events(const compile::EventCatalog &catalog, std::string_view glob,
                                    bool with_fields);

// --- list func NAME ---------------------------------------------------------------

struct Param {
    std::string name;  // as in the kernel source ("" when BTF has none)
    std::string type;  // C spelling
    std::string fetch; // where it arrives: "%di", or "$stack1" past the registers
    uint64_t size = 0;
    std::string note; // "float: in an SSE register, not readable by kprobes" ...
};

struct FuncInfo {
    std::string name;
    bool in_btf = false;
    std::string btf_module; // where its BTF was found ("" vmlinux)
    std::string linkage;    // "static", "global", "extern"
    std::string return_type;
    std::string return_fetch; // "$retval (%ax)"
    std::vector<Param> params;
    bool variadic = false;

    bool in_kallsyms = false;
    std::string symbol;     // what a probe names: NAME or its clone "NAME.isra.0"
    std::string module;     // kallsyms module ("" vmlinux)
    uint64_t address = 0;   // 0 when hidden
    bool probeable = false; // kprobe-able as far as ksurf can tell
    bool ftrace_known = false, traceable = false; // available_filter_functions
    bool inlined = false;           // in BTF, not in kallsyms: inlined (or compiled away)
    std::vector<std::string> notes; // inlined, clone, blacklist ... one sentence each
    std::string error;              // neither in BTF nor kallsyms: why, with hint
    std::string hint;
};

// `syms` may be null (BTF only, e.g. with --btf for another kernel).
FuncInfo describe_func(const types::TypeInfo &types, const ksyms::KernelSymbols *syms,
                       std::string_view name, arch::Arch arch);

// --- list struct NAME [PATH] ----------------------------------------------------

struct MemberRow {
    unsigned depth = 0;      // 0: a member of the struct; anonymous members nest
    std::string name;        // "" for an anonymous struct/union (opens a block)
    std::string type;        // C spelling; "union"/"struct" for anonymous blocks
    uint64_t bit_offset = 0; // from the start of the outer struct
    uint64_t size = 0;       // bytes (of the storage type for bitfields)
    uint32_t bitfield = 0;   // width in bits, 0 when not a bitfield
    bool anonymous = false;  // a block whose members follow at depth+1
    bool end = false;        // closes the block opened at `depth`
    uint64_t hole_bits = 0;  // padding before this member, in bits (structs only)
};

struct StructLayout {
    std::string name; // "struct task_struct"
    std::string kind; // "struct" / "union"
    uint64_t size = 0;
    std::vector<MemberRow> rows;
    uint64_t tail_padding = 0;
    std::string error, hint;
};

// Finds struct/union `name` ("task_struct", "struct task_struct", or a
// typedef of one) in `types`' base BTF and lays it out like pahole.
StructLayout layout_struct(const types::TypeInfo &types, std::string_view name);

struct PathStep {
    std::string member;  // "mm"
    bool deref = false;  // reached through a pointer: a new dereference
    uint64_t offset = 0; // bytes into the object being read
    std::string type;    // the member's type
    uint64_t size = 0;
    uint32_t bitfield = 0, bit_in_byte = 0;
    std::optional<uint64_t> index; // [N] applied to this step
};

struct MemberPath {
    std::string struct_name;
    std::string path; // as asked
    std::vector<PathStep> steps;
    std::string chain;      // "+0x84(+0x470(%di))" (base: %0 in `arch`)
    std::string expression; // "((struct task_struct *)%0)->mm->mm_users"
    std::string fetcharg;   // what ksurf compiles, type suffix included
    std::string error, hint;
};

// Walks "mm.mm_users", "mm->mm_users", "comm", "pids[1].node.next" in struct
// `name`; members reached through a pointer dereference it.
MemberPath member_path(const types::TypeInfo &types, std::string_view name, std::string_view path,
                       arch::Arch arch);

// Names of structs and unions (BTF), matching glob, sorted and unique.
std::vector<std::string> list_struct_names(const types::TypeInfo &types, std::string_view glob);

// --- list uprobes PATH [GLOB] -----------------------------------------------------

struct UprobeFunc {
    std::string name;
    uint64_t vaddr = 0;  // st_value, what nm prints
    uint64_t offset = 0; // file offset: what uprobe_events takes
    uint64_t size = 0;
    bool global = false;
};

struct UprobeListing {
    std::string path;              // resolved
    std::vector<UprobeFunc> funcs; // sorted by address, then name
    std::string error;
    std::string note; // "stripped: only its dynamic symbols" ...
};

UprobeListing list_uprobe_funcs(const std::string &path, std::string_view glob);

// --- list disasm FUNC -------------------------------------------------------------

struct Insn {
    uint64_t offset = 0; // from the function's start: p FUNC+OFFSET
    uint64_t address = 0;
    std::vector<uint8_t> bytes;
    std::string mnemonic, operands;
    std::string target; // "getname+0x0" for calls and jumps whose target is known
};

struct Disassembly {
    std::string function;
    std::string source; // "/proc/kcore" or the vmlinux path
    uint64_t address = 0, size = 0;
    std::vector<Insn> insns;
    std::vector<uint8_t> raw; // the bytes (shown as hex without capstone)
    bool truncated = false;   // size capped
    std::string error, hint;
};

// Disassembles `name` from the running kernel (/proc/kcore at its kallsyms
// address) or, when `vmlinux` is set, from that ELF file's symbol table.
Disassembly disassemble(const ksyms::KernelSymbols *syms, std::string_view name,
                        const std::string &vmlinux);
// Disassembles `code` at `address` for `arch` (capstone); false without capstone.
bool disassemble_bytes(const std::vector<uint8_t> &code, uint64_t address, arch::Arch arch,
                       std::vector<Insn> &out, std::string &error);
// Why the running kernel will not show its text, from errno of opening /proc/kcore.
std::string kcore_refusal(int err, std::string &hint);

} // namespace ksurf::listing
