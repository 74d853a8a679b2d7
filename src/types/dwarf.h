// Types of user programs (P/R probes) from DWARF (libdw). The DWARF types a
// probe needs are converted, on first use, into an in-memory BTF object
// (libbpf's btf__add_*), so that the compiler walks user types exactly as it
// walks kernel BTF: same shapes, member lookup, sizes and messages.
//
// Only what is asked for is converted: a function's prototype (and the types
// reachable from it) or one named type (a cast). The DWARF is the file's own
// .debug_info, else a separate debug file found by build-id or
// .gnu_debuglink under /usr/lib/debug.
//
// The compiler sees only the UserTypes interface, so that its core links
// without libdw (the clang fuzz build compiles it alone). No <expected> here.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct btf;

namespace ksurf::types {

class UserTypes {
  public:
    virtual ~UserTypes() = default;
    // The types of the binary `path` as written in a P/R probe (absolute,
    // relative, or a library/program name searched like resolve_uprobe
    // does). Null with `error` set when the file cannot be found or has no
    // DWARF; the error then starts with "no DWARF in PATH".
    virtual const struct btf *open(const std::string &path, std::string &error) = 0;
    // A function (BTF_KIND_FUNC, by ELF symbol or DWARF name) or a named
    // type (BTF_KIND_STRUCT, UNION, ENUM, TYPEDEF, INT: C base types, floats
    // included) of `b` from open(), converted on first use; 0 when absent.
    // Ids stay valid; btf_type pointers may move when a lookup converts more.
    virtual uint32_t find(const struct btf *b, std::string_view name, int kind) = 0;
    // All names of one kind, for did-you-mean hints.
    virtual std::vector<std::string> names_of_kind(const struct btf *b, int kind) = 0;
};

// UserTypes over DWARF; files are opened and indexed once per instance.
std::unique_ptr<UserTypes> make_dwarf_types();

} // namespace ksurf::types
