#include "types/btf.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <unistd.h>

namespace ksurf::types {

namespace {

std::string errno_text(int err) {
    return std::strerror(err < 0 ? -err : err);
}

int quiet(enum libbpf_print_level, const char *, va_list) {
    return 0;
}

struct btf *parse(const std::string &path, struct btf *base, std::string &error) {
    // libbpf would print its own complaints; ours go into a diagnostic.
    libbpf_print_fn_t previous = libbpf_set_print(quiet);
    struct btf *b = base ? btf__parse_split(path.c_str(), base) : btf__parse(path.c_str(), nullptr);
    libbpf_set_print(previous);
    int err = static_cast<int>(libbpf_get_error(b));
    if (!b || err) {
        error = "cannot parse BTF from " + path + ": " + errno_text(err ? err : errno);
        return nullptr;
    }
    return b;
}

void collect_members(const struct btf *b, uint32_t id, std::vector<std::string> &out) {
    const struct btf_type *t = btf__type_by_id(b, skip_mods(b, id));
    if (!t || !btf_is_composite(t)) return;
    const struct btf_member *m = btf_members(t);
    for (unsigned i = 0; i < btf_vlen(t); ++i, ++m) {
        const char *name = btf__name_by_offset(b, m->name_off);
        if (name && *name)
            out.emplace_back(name);
        else
            collect_members(b, m->type, out);
    }
}

} // namespace

std::unique_ptr<TypeInfo> TypeInfo::open(const std::string &path, std::string &error,
                                         const std::string &module_dir) {
    if (::access(path.c_str(), R_OK) != 0) {
        error = "cannot read BTF file " + path + ": " + errno_text(errno);
        return nullptr;
    }
    std::unique_ptr<TypeInfo> info(new TypeInfo());
    info->path_ = path;
    info->module_dir_ = module_dir;
    return info;
}

TypeInfo::~TypeInfo() {
    for (auto &[name, b] : modules_) btf__free(b);
    btf__free(base_);
}

const struct btf *TypeInfo::base(std::string *error) const {
    if (!base_ && base_error_.empty()) base_ = parse(path_, nullptr, base_error_);
    if (!base_ && error) *error = base_error_;
    return base_;
}

const struct btf *TypeInfo::module(std::string_view name, std::string *error) const {
    auto it = modules_.find(name);
    if (it != modules_.end()) return it->second;
    std::string err;
    struct btf *vmlinux = const_cast<struct btf *>(base(&err));
    if (!vmlinux) {
        if (error) *error = err;
        return nullptr;
    }
    std::string file = module_dir_ + "/" + std::string(name);
    if (::access(file.c_str(), R_OK) != 0) {
        if (error) *error = "no BTF for module " + std::string(name) + " (" + file + ")";
        return nullptr;
    }
    struct btf *b = parse(file, vmlinux, err);
    if (!b) {
        if (error) *error = err;
        return nullptr;
    }
    modules_.emplace(std::string(name), b);
    return b;
}

std::optional<TypeRef> TypeInfo::find(const struct btf *b, std::string_view name, int kind) const {
    if (!b) return std::nullopt;
    constexpr unsigned kScansBeforeIndex = 8;
    Index &idx = index_[b];
    if (!idx.built && ++idx.lookups > kScansBeforeIndex) {
        uint32_t n = btf__type_cnt(b);
        for (int k : std::initializer_list<int>{BTF_KIND_FUNC, BTF_KIND_STRUCT, BTF_KIND_UNION,
                                                BTF_KIND_TYPEDEF, BTF_KIND_INT, BTF_KIND_VAR})
            idx.by_kind[k].reserve(k == BTF_KIND_FUNC ? 65536 : 16384);
        for (uint32_t id = 1; id < n; ++id) {
            const struct btf_type *t = btf__type_by_id(b, id);
            if (!t || !t->name_off) continue;
            auto m = idx.by_kind.find(btf_kind(t));
            if (m == idx.by_kind.end()) continue;
            const char *tn = btf__name_by_offset(b, t->name_off);
            if (tn && *tn) m->second.emplace(tn, id); // keeps the first, as the scan would
        }
        idx.built = true;
    }
    if (idx.built) {
        auto m = idx.by_kind.find(kind);
        if (m != idx.by_kind.end()) {
            auto it = m->second.find(name);
            if (it == m->second.end()) return std::nullopt;
            return TypeRef{b, it->second};
        }
    }
    std::string n(name);
    int id = btf__find_by_name_kind(b, n.c_str(), static_cast<uint32_t>(kind));
    if (id <= 0) return std::nullopt;
    return TypeRef{b, static_cast<uint32_t>(id)};
}

std::vector<std::string> TypeInfo::names_of_kind(const struct btf *b, int kind) const {
    std::vector<std::string> out;
    if (!b) return out;
    uint32_t n = btf__type_cnt(b);
    for (uint32_t id = 1; id < n; ++id) {
        const struct btf_type *t = btf__type_by_id(b, id);
        if (!t || btf_kind(t) != kind) continue;
        const char *name = btf__name_by_offset(b, t->name_off);
        if (name && *name) out.emplace_back(name);
    }
    return out;
}

uint32_t skip_mods(const struct btf *b, uint32_t id) {
    for (int guard = 0; guard < 64 && id != 0; ++guard) {
        const struct btf_type *t = btf__type_by_id(b, id);
        if (!t) return 0;
        if (btf_is_mod(t) || btf_is_typedef(t) || btf_is_type_tag(t) || btf_is_decl_tag(t))
            id = t->type;
        else
            return id;
    }
    return id;
}

bool has_user_tag(const struct btf *b, uint32_t id) {
    for (int guard = 0; guard < 64 && id != 0; ++guard) {
        const struct btf_type *t = btf__type_by_id(b, id);
        if (!t) return false;
        if (btf_is_type_tag(t)) {
            const char *name = btf__name_by_offset(b, t->name_off);
            if (name && std::strcmp(name, "user") == 0) return true;
        }
        if (!(btf_is_mod(t) || btf_is_typedef(t) || btf_is_type_tag(t) || btf_is_decl_tag(t)))
            return false;
        id = t->type;
    }
    return false;
}

int kind_of(const struct btf *b, uint32_t id) {
    id = skip_mods(b, id);
    if (id == 0) return 0;
    const struct btf_type *t = btf__type_by_id(b, id);
    return t ? btf_kind(t) : 0;
}

uint64_t size_of(const struct btf *b, uint32_t id) {
    long long s = btf__resolve_size(b, id);
    return s < 0 ? 0 : static_cast<uint64_t>(s);
}

std::string_view kind_word(int kind) {
    switch (kind) {
    case BTF_KIND_STRUCT:
        return "struct";
    case BTF_KIND_UNION:
        return "union";
    case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64:
        return "enum";
    default:
        return "";
    }
}

std::string type_name(const struct btf *b, uint32_t id) {
    if (id == 0) return "void";
    const struct btf_type *t = btf__type_by_id(b, id);
    if (!t) return "?";
    const char *raw = btf__name_by_offset(b, t->name_off);
    std::string name = raw ? raw : "";
    switch (btf_kind(t)) {
    case BTF_KIND_PTR: {
        std::string inner = type_name(b, t->type);
        return inner + (inner.ends_with('*') ? "*" : " *");
    }
    case BTF_KIND_ARRAY: {
        const struct btf_array *a = btf_array(t);
        return type_name(b, a->type) + "[" + std::to_string(a->nelems) + "]";
    }
    case BTF_KIND_CONST:
        return "const " + type_name(b, t->type);
    case BTF_KIND_VOLATILE:
        return "volatile " + type_name(b, t->type);
    case BTF_KIND_RESTRICT:
    case BTF_KIND_TYPE_TAG:
    case BTF_KIND_DECL_TAG:
        return type_name(b, t->type);
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION:
    case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64:
    case BTF_KIND_FWD:
        return std::string(kind_word(btf_kind(t)).empty() ? "struct" : kind_word(btf_kind(t))) +
               " " + (name.empty() ? "(anonymous)" : name);
    case BTF_KIND_FUNC_PROTO:
        return "function";
    default:
        return name.empty() ? "?" : name;
    }
}

std::optional<MemberHit> find_member(const struct btf *b, uint32_t id, std::string_view name) {
    const struct btf_type *t = btf__type_by_id(b, skip_mods(b, id));
    if (!t || !btf_is_composite(t)) return std::nullopt;
    const struct btf_member *m = btf_members(t);
    for (unsigned i = 0; i < btf_vlen(t); ++i, ++m) {
        const char *mname = btf__name_by_offset(b, m->name_off);
        uint64_t off = btf_member_bit_offset(t, i);
        if (mname && *mname) {
            if (name == mname) return MemberHit{m->type, off, btf_member_bitfield_size(t, i)};
        } else if (auto inner = find_member(b, m->type, name)) {
            inner->bit_offset += off;
            return inner;
        }
    }
    return std::nullopt;
}

std::string datasec_of(const struct btf *b, uint32_t var_id) {
    uint32_t n = btf__type_cnt(b);
    for (uint32_t id = 1; id < n; ++id) {
        const struct btf_type *t = btf__type_by_id(b, id);
        if (!t || !btf_is_datasec(t)) continue;
        const struct btf_var_secinfo *v = btf_var_secinfos(t);
        for (unsigned i = 0; i < btf_vlen(t); ++i, ++v)
            if (v->type == var_id) return btf__name_by_offset(b, t->name_off);
    }
    return {};
}

std::vector<std::string> member_names(const struct btf *b, uint32_t id) {
    std::vector<std::string> out;
    collect_members(b, id, out);
    return out;
}

} // namespace ksurf::types
