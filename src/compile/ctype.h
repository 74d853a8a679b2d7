// The compiler's view of a C type: a BTF type plus pointer levels added by
// casts, or a synthetic scalar (packet data members, $comm).
#pragma once

#include <cstdint>
#include <string>

struct btf;

namespace ksurf::compile {

struct CType {
    enum Kind { Unknown, Btf, SynthInt, SynthString } kind = Unknown;
    const struct btf *btf = nullptr;
    uint32_t id = 0;
    int ptr = 0;       // Btf: extra pointer levels ("(struct file *)" = struct file + 1)
    unsigned size = 0; // SynthInt
};

// What a type is, after typedefs and qualifiers.
struct Shape {
    enum Kind { Unknown, Int, Ptr, Array, Struct, Void, Float, Func, String } kind = Unknown;
    unsigned size = 0; // bytes
    bool is_signed = false;
    bool is_char = false;   // Int: plain char
    bool user = false;      // Ptr: __user pointee (BTF type tag)
    CType target;           // Ptr: pointee; Array: element
    uint32_t nelems = 0;    // Array
    uint32_t struct_id = 0; // Struct (BTF id, modifiers skipped)
};

Shape shape_of(const CType &t);
std::string ctype_name(const CType &t);

} // namespace ksurf::compile
