// Kernel type information from BTF (libbpf). Parsing is lazy: opening a
// TypeInfo only checks the file; the first lookup parses it, so commands that
// never need types (e probes, plain registers) never pay for it. Module BTF
// (/sys/kernel/btf/<mod>) is parsed on first use, split on top of vmlinux.
//
// This header avoids <expected> in its core so that the libFuzzer build
// (clang 14, whose libstdc++ <expected> is unusable) can include it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>
#include <version>
#ifdef __cpp_lib_expected
#include <expected>
#endif

struct btf;

namespace ksurf::types {

// A type inside one BTF object (vmlinux, or a module's split BTF which also
// holds vmlinux's ids).
struct TypeRef {
    const struct btf *btf = nullptr;
    uint32_t id = 0;
    bool valid() const { return btf != nullptr; }
};

// A member found by name, anonymous structs and unions searched through.
struct MemberHit {
    uint32_t type = 0;       // the member's type id
    uint64_t bit_offset = 0; // from the start of the outer struct
    uint32_t bitfield = 0;   // bitfield width, 0 when not a bitfield
};

class TypeInfo {
  public:
    // Opens `path` (raw BTF or an ELF file with a .BTF section); `module_dir`
    // holds module BTF files named after the module. Returns null and sets
    // `error` when the file is not readable.
    static std::unique_ptr<TypeInfo> open(const std::string &path, std::string &error,
                                          const std::string &module_dir = "/sys/kernel/btf");
#ifdef __cpp_lib_expected
    static std::expected<std::unique_ptr<TypeInfo>, std::string>
    load(const std::string &path = "/sys/kernel/btf/vmlinux",
         const std::string &module_dir = "/sys/kernel/btf") {
        std::string error;
        auto info = open(path, error, module_dir);
        if (!info) return std::unexpected(error);
        return info;
    }
#endif
    ~TypeInfo();
    TypeInfo(const TypeInfo &) = delete;
    TypeInfo &operator=(const TypeInfo &) = delete;

    const std::string &path() const {
        return path_;
    }
    // The base BTF, parsed on first call; null with `error` set on failure.
    const struct btf *base(std::string *error = nullptr) const;
    // A module's BTF (split on the base), parsed on first call.
    const struct btf *module(std::string_view name, std::string *error = nullptr) const;
    bool parsed() const {
        return base_ != nullptr;
    }

    // Named lookups (btf__find_by_name_kind); kind is a BTF_KIND_* value.
    std::optional<TypeRef> find(const struct btf *b, std::string_view name, int kind) const;
    // All names of one kind, for did-you-mean hints (slow path: errors only).
    std::vector<std::string> names_of_kind(const struct btf *b, int kind) const;

  private:
    TypeInfo() = default;
    std::string path_, module_dir_;
    mutable struct btf *base_ = nullptr;
    mutable std::string base_error_;
    mutable std::map<std::string, struct btf *, std::less<>> modules_;
    // Name index per BTF object, built only once lookups get frequent:
    // btf__find_by_name_kind is a linear scan (~0.5 ms on vmlinux), the index
    // costs a few scans to build.
    struct Index {
        unsigned lookups = 0;
        bool built = false;
        // first id of each name, per BTF kind that lookups use
        std::map<int, std::unordered_map<std::string_view, uint32_t>> by_kind;
    };
    mutable std::map<const struct btf *, Index> index_;
};

// --- helpers over one BTF object -------------------------------------------

// Skips typedef, const, volatile, restrict, type and decl tags.
uint32_t skip_mods(const struct btf *b, uint32_t id);
// True if a type tag "user" is met while skipping modifiers (__user pointee).
bool has_user_tag(const struct btf *b, uint32_t id);
// BTF_KIND_* of the type after skip_mods (0 for void).
int kind_of(const struct btf *b, uint32_t id);
// Size in bytes (btf__resolve_size), 0 if unknown.
uint64_t size_of(const struct btf *b, uint32_t id);
// C spelling for messages: "struct file *", "int", "char[16]".
std::string type_name(const struct btf *b, uint32_t id);
// Finds `name` in struct/union `id`, descending into anonymous members.
std::optional<MemberHit> find_member(const struct btf *b, uint32_t id, std::string_view name);
// Member names (anonymous members flattened), for hints.
std::vector<std::string> member_names(const struct btf *b, uint32_t id);
// Name of the DATASEC holding VAR `var_id` (".data..percpu", ".bss" ...), or "".
std::string datasec_of(const struct btf *b, uint32_t var_id);
// Name of a type's BTF_KIND as a word: "struct", "union", "enum", "" ...
std::string_view kind_word(int kind);

} // namespace ksurf::types
