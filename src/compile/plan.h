// The compiler's product: what to arm in the kernel and how to print it.
// This header is the contract between compile (which fills it) and the
// tracefs session / output (which consume it). compile never touches the kernel.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ksurf::compile {

// Fprobe / Fretprobe: `f FUNC[%return]`; Tprobe: `t TRACEPOINT` (dynamic_events).
enum class ProbeKind { Kprobe, Kretprobe, Uprobe, Uretprobe, Event, Fprobe, Fretprobe, Tprobe };

// How output prints one dynamic-probe field. The kernel type (u32, x64,
// string ...) fixes the width and decoding; this fixes the presentation.
enum class Print {
    Default,  // as the kernel type says (x* types print hex)
    Signed,   // S
    Unsigned, // U
    Hex,      // X
    String,   // :string / :ustring / char[]
    Symbol,   // :symbol
    Ipv4,     // ip_*    u32 in network order -> dotted quad
    Be16,     // b16_*   byte-swapped, decimal
    Be32,     // b32_*
    Be64,     // b64_*
    Be16Hex,  // B16_*   byte-swapped, hex
    Be32Hex,  // B32_*
    Be64Hex,  // B64_*
};

struct Arg {
    std::string name;  // event field name: "dfd", "ip_src"
    std::string fetch; // fetcharg without the name: "+0x58(+0x850(%di)):s32"
    Print print = Print::Default;
};

struct Probe {
    ProbeKind kind = ProbeKind::Event;
    std::string text;   // the expression as written
    std::string origin; // where it came from, for messages: "argument 2", "probes.txt:3"

    // p / r / P / R / f / t
    std::string symbol;       // "do_sys_openat2" (P/R: the symbol inside path; t: the tracepoint)
    std::string module;       // "MOD" of "MOD:SYMBOL", kernel modules only
    uint64_t offset = 0;      // SYMBOL+OFFSET
    int maxactive = 0;        // r10 -> 10; 0 means the kernel's default
    bool has_address = false; // p 0xffffffff81000000: a kernel address, no symbol
    uint64_t address = 0;
    std::string path;         // P/R: the binary as written ("./app", "libc.so.6")
    bool has_ref_ctr = false; // uprobe PATH:OFFSET(REF_CTR_OFFSET): an SDT semaphore
    uint64_t ref_ctr_offset = 0;
    // p:EVENT / p:GROUP/EVENT: the user's event name, kept (in ksurf's own
    // group, so that runs never clash); the group is noted and not used.
    std::string event_name;
    std::string user_group;
    std::vector<Arg> args;
    // p vfs_* / r tcp_*: the pattern this probe was expanded from ("" when
    // the function was named); `text` then names the matched function.
    std::string glob;

    // e
    std::string system; // as written, may hold globs: "syscalls"
    std::string event;  // as written, may hold globs: "sys_enter_open*"
    std::vector<std::pair<std::string, std::string>> matched; // expanded (system, event)

    // f:FILTER, converted to the kernel's syntax ("" = none): names with
    // ip_/b16_ ... prefixes have their literals converted.
    std::string filter;
};

struct Plan {
    std::vector<Probe> probes;
    // Said to the user on stderr, not errors: what a glob left out or skipped.
    std::vector<std::string> notes;
};

// The dynamic_events / kprobe_events / uprobe_events line defining `probe`
// as GROUP/NAME, e.g. "p:ksurf_123/p0 do_sys_openat2 dfd=%di:s32".
// For P/R, `resolved_path` and `file_offset` are where the uprobe goes.
std::string probe_definition(const Probe &probe, std::string_view group, std::string_view name,
                             std::string_view resolved_path = {}, uint64_t file_offset = 0);

// The tracefs file taking that line: kprobe_events (p/r), uprobe_events
// (P/R) or dynamic_events (f and t have no file of their own); "" for e.
std::string_view definition_file(const Probe &probe);

} // namespace ksurf::compile
