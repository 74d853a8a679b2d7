// Internal to output: per-event field tables, computed once per event id, so
// that each record is decoded straight from its bytes.
#pragma once

#include "compile/plan.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

struct tep_event;

namespace ksurf::output {

struct Styles;

enum class FieldKind : uint8_t {
    Int,        // 1, 2, 4 or 8 bytes
    CharArray,  // char[N]: a NUL-terminated string in place
    DynString,  // __data_loc / __rel_loc char[]
    IntArray,   // T[N]
    DynIntArray // __data_loc / __rel_loc T[]
};

struct FieldSpec {
    std::string name;
    FieldKind kind = FieldKind::Int;
    uint32_t offset = 0;
    uint32_t size = 0; // of the field in the record (4 for __data_loc)
    uint32_t elem = 0; // element size of arrays, else size
    bool is_signed = false;
    bool relative = false; // __rel_loc: offset counts from the end of the field
    compile::Print print = compile::Print::Default; // resolved: Default means decimal
};

struct EventSpec {
    std::string name; // "sys_enter_syslog"
    std::string full; // "syscalls/sys_enter_syslog"
    std::vector<FieldSpec> fields;
    // ftrace/kernel_stack and ftrace/user_stack: where the addresses are.
    bool is_stack = false, is_user_stack = false;
    int count_offset = -1; // kernel_stack's "size": number of entries
    int caller_offset = -1;
    // A kprobe/uprobe (ksurf's own or one with __probe_ fields): printed field
    // by field as the kernel prints probes.
    bool probe = false;
    // Text renders it with its print fmt through libtraceevent (tracepoints
    // other than syscalls, whose field-by-field form says more than theirs).
    bool print_fmt = false;
};

// Builds the table of an event: its non-common fields, with the Print styles
// of `styles` applied and Default resolved from the C type (pointers and the
// kprobe x-types print hex).
EventSpec build_spec(const tep_event *event, const Styles &styles);

class SpecCache {
  public:
    explicit SpecCache(const Styles &styles) : styles_(styles) {}
    const EventSpec &get(const tep_event *event);

  private:
    const Styles &styles_;
    std::vector<EventSpec> by_id_;
    std::vector<uint8_t> built_;
};

inline uint64_t load_uint(const void *p, uint32_t size) {
    switch (size) {
    case 1:
        return *static_cast<const uint8_t *>(p);
    case 2: {
        uint16_t v;
        std::memcpy(&v, p, 2);
        return v;
    }
    case 4: {
        uint32_t v;
        std::memcpy(&v, p, 4);
        return v;
    }
    default: {
        uint64_t v = 0;
        std::memcpy(&v, p, size < 8 ? size : 8);
        return v;
    }
    }
}

inline int64_t sign_extend(uint64_t v, uint32_t size) {
    // size 0: a format that says so (found by fuzz_decode); shifting by 64 is undefined.
    if (size == 0 || size >= 8) return static_cast<int64_t>(v);
    unsigned shift = 64 - size * 8;
    return static_cast<int64_t>(v << shift) >> shift;
}

// The bytes of a dynamic field (__data_loc / __rel_loc) within the record;
// empty if it points outside.
inline std::string_view dyn_bytes(const char *data, uint32_t rec_size, const FieldSpec &f) {
    if (f.offset + 4 > rec_size) return {};
    uint32_t loc;
    std::memcpy(&loc, data + f.offset, 4);
    uint32_t off = loc & 0xffff, len = loc >> 16;
    if (f.relative) off += f.offset + 4;
    if (off > rec_size || len > rec_size - off) return {};
    return {data + off, len};
}

// A C string in at most n bytes.
inline std::string_view c_string(const char *p, size_t n) {
    if (n == 0) return {}; // p may be null then (an empty dynamic field): no memchr
    const void *nul = std::memchr(p, 0, n);
    return {p, nul ? static_cast<size_t>(static_cast<const char *>(nul) - p) : n};
}

} // namespace ksurf::output
