#include "compile/ctype.h"

#include "types/btf.h"

#include <bpf/btf.h>
#include <cstring>

namespace ksurf::compile {

Shape shape_of(const CType &t) {
    Shape s;
    switch (t.kind) {
    case CType::Unknown:
        return s;
    case CType::SynthInt:
        s.kind = Shape::Int;
        s.size = t.size;
        return s;
    case CType::SynthString:
        s.kind = Shape::String;
        return s;
    case CType::Btf:
        break;
    }
    if (t.ptr > 0) {
        s.kind = Shape::Ptr;
        s.size = 8;
        s.target = t;
        s.target.ptr = t.ptr - 1;
        return s;
    }
    uint32_t id = types::skip_mods(t.btf, t.id);
    const struct btf_type *bt = id ? btf__type_by_id(t.btf, id) : nullptr;
    if (!bt) {
        s.kind = Shape::Void;
        return s;
    }
    switch (btf_kind(bt)) {
    case BTF_KIND_INT: {
        uint32_t enc = btf_int_encoding(bt);
        const char *name = btf__name_by_offset(t.btf, bt->name_off);
        s.kind = Shape::Int;
        s.size = bt->size;
        s.is_signed = enc & BTF_INT_SIGNED;
        s.is_char = (enc & BTF_INT_CHAR) || (name && std::strcmp(name, "char") == 0);
        return s;
    }
    case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64:
        s.kind = Shape::Int;
        s.size = bt->size;
        s.is_signed = btf_kflag(bt);
        return s;
    case BTF_KIND_PTR:
        s.kind = Shape::Ptr;
        s.size = 8;
        s.target = CType{CType::Btf, t.btf, bt->type, 0, 0};
        s.user = types::has_user_tag(t.btf, bt->type);
        return s;
    case BTF_KIND_ARRAY: {
        const struct btf_array *a = btf_array(bt);
        s.kind = Shape::Array;
        s.target = CType{CType::Btf, t.btf, a->type, 0, 0};
        s.nelems = a->nelems;
        s.size = static_cast<unsigned>(types::size_of(t.btf, id));
        return s;
    }
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION:
    case BTF_KIND_FWD:
        s.kind = Shape::Struct;
        s.struct_id = id;
        s.size = btf_is_fwd(bt) ? 0 : bt->size;
        return s;
    case BTF_KIND_FLOAT:
        s.kind = Shape::Float;
        s.size = bt->size;
        return s;
    case BTF_KIND_FUNC_PROTO:
    case BTF_KIND_FUNC:
        s.kind = Shape::Func;
        return s;
    default:
        s.kind = Shape::Unknown;
        return s;
    }
}

std::string ctype_name(const CType &t) {
    switch (t.kind) {
    case CType::Unknown:
        return "untyped";
    case CType::SynthInt:
        return "u" + std::to_string(t.size * 8);
    case CType::SynthString:
        return "string";
    case CType::Btf:
        break;
    }
    std::string name = types::type_name(t.btf, t.id);
    for (int i = 0; i < t.ptr; ++i) name += name.ends_with('*') ? "*" : " *";
    return name;
}

} // namespace ksurf::compile
