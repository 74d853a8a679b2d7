// The print pass: how each value prints (its type suffix, S/U/X, string or
// symbol, the ip_/b16_ name prefixes) and the fetcharg's final form. Its
// choices on names and letters are pure functions (pass_print.h).
#include "compile/pass_print.h"
#include "compile/probe_compiler.h"

namespace ksurf::compile::detail {

Print print_choice(std::string_view name, char format) {
    Print prefix = print_for_name(name);
    if (prefix != Print::Default) return prefix;
    return format == 'S'   ? Print::Signed
           : format == 'U' ? Print::Unsigned
           : format == 'X' ? Print::Hex
                           : Print::Default;
}

char int_type_letter(char format, std::string_view name, bool is_signed) {
    if (format) return static_cast<char>(format - 'A' + 'a');
    if (print_for_name(name) != Print::Default) return 'u'; // byte-swapped by output
    return is_signed ? 's' : 'u';
}

bool ProbeCompiler::finish(const expr::Arg &a, const std::string &name, Value &v, Arg &out) {
    const expr::Expr &x = a.expr;
    Span where = x.span;
    std::string what = text({v.span.begin, v.span.end});
    Shape sh = unwrap(v);
    Print prefix = print_for_name(name);
    unsigned prefix_width = width_for_name(name);
    char letter = x.format ? static_cast<char>(x.format - 'A' + 'a') : 0;
    out.print = print_choice(name, x.format);
    std::string f;
    bool is_str = sh.kind == Shape::String ||
                  (sh.kind == Shape::Ptr && shape_of(sh.target).is_char &&
                   shape_of(sh.target).kind == Shape::Int) ||
                  (sh.kind == Shape::Array && shape_of(sh.target).is_char &&
                   shape_of(sh.target).kind == Shape::Int);

    if (!x.suffix.empty()) {
        if (x.format) {
            error(x.format_span, "both a format letter and a :type",
                  "the :type decides; drop the letter " + std::string(1, x.format));
            return false;
        }
        const std::string &sfx = x.suffix;
        char l;
        unsigned bits;
        uint64_t n;
        if (is_string_suffix(sfx)) {
            if (!is_str && sh.kind != Shape::Unknown && sh.kind != Shape::Ptr) {
                error(x.suffix_span,
                      "a string type on '" + what + "', which is " + ctype_name(v.type),
                      "strings are read from char * or char[] members");
                return false;
            }
            // An explicit string type also reads unsigned char *, as the
            // kernel's own BTF fetchargs do (dentry names are const unsigned char *).
            Shape target = sh.kind == Shape::Ptr ? shape_of(sh.target) : Shape{};
            bool bytes = target.kind == Shape::Int && target.size == 1 && !target.is_signed;
            if (sh.kind == Shape::Ptr && !is_str && !bytes) {
                error(x.suffix_span,
                      "a string type on '" + what + "', which is " + ctype_name(v.type) +
                          ", not a char pointer",
                      "cast it: (char *)" + what);
                return false;
            }
            if (v.fetch == "$comm" && !v.in_mem) {
                f = "$comm";
            } else if (v.in_mem && sh.kind != Shape::Ptr && sh.kind != Shape::Unknown) {
                f = mem(v) + ":" + sfx;
            } else {
                std::string inner;
                if (!value_fetch(v, where, inner)) return false;
                f = "+0x0(" + inner + "):" + sfx;
            }
            out.print = Print::String;
        } else if (sfx == "symbol") {
            if (sh.kind != Shape::Unknown && sh.kind != Shape::Ptr &&
                !(sh.kind == Shape::Int && sh.size == 8)) {
                error(x.suffix_span, ":symbol on '" + what + "', which is " + ctype_name(v.type),
                      ":symbol prints a kernel address (a pointer or 64-bit value)");
                return false;
            }
            if (!value_fetch(v, where, f)) return false;
            f += ":symbol";
            out.print = Print::Symbol;
        } else if (int_suffix(sfx, l, bits) || bitfield_suffix(sfx)) {
            if (sh.kind == Shape::Struct || sh.kind == Shape::String) {
                error(x.suffix_span,
                      ":" + sfx + " on '" + what + "', which is " + ctype_name(v.type));
                return false;
            }
            if (v.bit_size) {
                error(x.suffix_span, "'" + what + "' is a bitfield; its type is fixed",
                      "drop :" + sfx + "; use a S/U/X letter for the format");
                return false;
            }
            if (!value_fetch(v, where, f)) return false;
            f += ":" + sfx;
            if (prefix == Print::Default) out.print = Print::Default;
        } else if (array_suffix(sfx, n)) {
            if (n == 0 || n > kMaxArrayLen) {
                error(x.suffix_span, "array length must be 1 .. " + std::to_string(kMaxArrayLen),
                      "the kernel reads at most 64 elements");
                return false;
            }
            if (v.in_mem && sh.kind != Shape::Ptr) {
                f = mem(v) + ":" + sfx;
            } else {
                std::string inner;
                if (!value_fetch(v, where, inner)) return false;
                f = "+0x0(" + inner + "):" + sfx;
            }
        } else {
            error(x.suffix_span, "unknown type ':" + sfx + "'",
                  "types: u8..u64 s8..s64 x8..x64 char string ustring symbol TYPE[N] "
                  "b<w>@<o>/<c>");
            return false;
        }
        return check_prefix(name, a, sh, prefix_width, f, out);
    }

    if (is_str) {
        if (x.format) {
            error(x.format_span,
                  "format letter " + std::string(1, x.format) + " on '" + what +
                      "', which is a string",
                  "S/U/X are for integers; read bytes with :u8[16] if you want numbers");
            return false;
        }
        if (prefix != Print::Default) {
            error(a.name_span, "'" + name + "' prints numbers but '" + what + "' is a string",
                  "rename it without the ip_/b16_/B16_ prefix");
            return false;
        }
        bool user = (sh.kind == Shape::Ptr ? sh.user : v.user) || is_user();
        std::string kind = user ? "ustring" : "string";
        if (sh.kind == Shape::String) {
            f = v.in_mem ? mem(v) + ":string" : v.fetch;
        } else if (sh.kind == Shape::Array) {
            f = mem(v) + ":" + kind;
        } else {
            std::string inner;
            if (!value_fetch(v, where, inner)) return false;
            f = "+0x0(" + inner + "):" + kind;
        }
        out.fetch = f;
        out.print = Print::String;
        return true;
    }

    auto int_letter = [&](bool is_signed) { return int_type_letter(x.format, name, is_signed); };
    switch (sh.kind) {
    case Shape::Unknown: {
        if (!value_fetch(v, where, f)) return false;
        if (prefix_width)
            f += ":" + std::string(1, letter ? letter : 'u') + std::to_string(prefix_width * 8);
        else if (letter)
            f += ":" + std::string(1, letter) + "64";
        break;
    }
    case Shape::Int: {
        if (sh.size != 1 && sh.size != 2 && sh.size != 4 && sh.size != 8) {
            error(where,
                  "'" + what + "' is " + std::to_string(sh.size) +
                      " bytes; kprobes read 1, 2, 4 or 8",
                  "read it in parts with :u64 and offsets");
            return false;
        }
        std::string t(1, int_letter(sh.is_signed));
        if (v.bit_size) {
            if (prefix != Print::Default) {
                error(a.name_span, "'" + name + "' needs a whole " +
                                       std::to_string(prefix_width * 8) + "-bit value but '" +
                                       what + "' is a bitfield");
                return false;
            }
            // The kernel's b<width>@<offset>/<container>: load the
            // container-sized word holding the field, then shift and mask.
            uint32_t start_bit = static_cast<uint32_t>(v.off * 8) + v.bit_off;
            unsigned cbits = sh.size * 8;
            while (cbits < 64 && (start_bit % cbits) + v.bit_size > cbits) cbits *= 2;
            uint32_t cstart = start_bit / cbits * cbits;
            int64_t load = static_cast<int64_t>(cstart / 8);
            Value word = v;
            word.off = load;
            f = mem(word) + ":b" + std::to_string(v.bit_size) + "@" +
                std::to_string(start_bit - cstart) + "/" + std::to_string(cbits);
            break;
        }
        if (!value_fetch(v, where, f)) return false;
        f += ":" + t + std::to_string(sh.size * 8);
        break;
    }
    case Shape::Ptr: {
        if (!value_fetch(v, where, f)) return false;
        f += ":" + std::string(1, letter ? letter : (prefix_width ? 'u' : 'x')) + "64";
        break;
    }
    case Shape::Array: {
        Shape elem = unwrap_elem(sh.target);
        if (elem.kind != Shape::Int && elem.kind != Shape::Ptr) {
            error(where, "'" + what + "' is " + ctype_name(v.type) + "; read one element",
                  "index it: " + what + "[0]...");
            return false;
        }
        if (sh.nelems == 0 || sh.nelems > kMaxArrayLen) {
            error(where,
                  "'" + what + "' has " + std::to_string(sh.nelems) +
                      " elements; the kernel reads 1 .. 64",
                  "index it: " + what + "[0]");
            return false;
        }
        if (prefix != Print::Default) {
            error(a.name_span, "'" + name + "' needs a single value but '" + what + "' is an array",
                  "index it: " + what + "[0]");
            return false;
        }
        std::string t(1, elem.kind == Shape::Ptr ? (letter ? letter : 'x')
                                                 : int_letter(elem.is_signed));
        f = mem(v) + ":" + t + std::to_string(elem.size * 8) + "[" + std::to_string(sh.nelems) +
            "]";
        break;
    }
    case Shape::Struct: {
        auto names = types::member_names(v.type.btf, sh.struct_id);
        std::string list;
        for (size_t i = 0; i < names.size() && i < 6; ++i) list += (i ? ", " : "") + names[i];
        if (names.size() > 6) list += ", ...";
        error(where, "'" + what + "' is " + ctype_name(v.type) + "; read one of its members",
              list.empty() ? "" : "members: " + list);
        return false;
    }
    case Shape::Void:
        error(where, "'" + what + "' has type void", "cast it to what it points to");
        return false;
    case Shape::Float:
        error(where, "'" + what + "' is floating point; kprobes cannot read it",
              "read its bits with :u32 or :u64");
        return false;
    case Shape::Func:
    case Shape::String:
        error(where, "'" + what + "' cannot be read as a value");
        return false;
    }
    return check_prefix(name, a, sh, prefix_width, f, out);
}

Shape ProbeCompiler::unwrap_elem(const CType &t) {
    Value tmp;
    tmp.in_mem = true;
    tmp.type = t;
    return unwrap(tmp);
}

bool ProbeCompiler::check_prefix(const std::string &name, const expr::Arg &a, const Shape &sh,
                                 unsigned prefix_width, const std::string &f, Arg &out) {
    if (prefix_width && (sh.kind == Shape::Int || sh.kind == Shape::Ptr) &&
        sh.size != prefix_width) {
        std::string what = text(a.expr.span);
        error(a.name_span,
              "'" + name + "' needs a " + std::to_string(prefix_width * 8) + "-bit value but '" +
                  what + "' is " + std::to_string(sh.size * 8) + "-bit",
              "ip_ and b32_/B32_ read 32 bits, b16_/B16_ 16, b64_/B64_ 64");
        return false;
    }
    out.fetch = f;
    return true;
}

} // namespace ksurf::compile::detail
