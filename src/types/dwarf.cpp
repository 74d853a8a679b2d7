// DWARF -> in-memory BTF, one function's or one type's needs at a time.
//
// Converting a set of DIEs happens in two passes: the first walks everything
// reachable and gives each DIE its future BTF id(s) (ids are sequential), the
// second emits the types in that order. A struct's fields must follow the
// struct itself in btf__add_*, and libbpf accepts references to ids not added
// yet, so recursive types need no fix-ups.
#include "types/dwarf.h"

#include "types/elf_symbols.h"

#include <bpf/btf.h>
#include <cstdio>
#include <cstring>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <fcntl.h>
#include <gelf.h>
#include <map>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_map>

namespace ksurf::types {

namespace {

const char *die_name(Dwarf_Die *die) {
    Dwarf_Attribute a;
    const char *n = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &a));
    return n && *n ? n : nullptr;
}

// Not integrated: a definition's DW_AT_specification is a declaration.
bool flag(Dwarf_Die *die, unsigned name) {
    Dwarf_Attribute a;
    bool v = false;
    return dwarf_attr(die, name, &a) && dwarf_formflag(&a, &v) == 0 && v;
}

bool udata(Dwarf_Die *die, unsigned name, uint64_t &out) {
    Dwarf_Attribute a;
    Dwarf_Word w;
    if (!dwarf_attr_integrate(die, name, &a) || dwarf_formudata(&a, &w) != 0) return false;
    out = w;
    return true;
}

bool type_of(Dwarf_Die *die, Dwarf_Die &out) {
    Dwarf_Attribute a;
    return dwarf_attr_integrate(die, DW_AT_type, &a) && dwarf_formref_die(&a, &out);
}

// DW_AT_data_member_location as a constant (a plain number or
// DW_OP_plus_uconst); false for virtual bases and other expressions.
bool member_location(Dwarf_Die *die, uint64_t &out) {
    Dwarf_Attribute a;
    if (!dwarf_attr(die, DW_AT_data_member_location, &a)) {
        out = 0; // union members, and C structs' first members in old DWARF
        return true;
    }
    Dwarf_Word w;
    if (dwarf_whatform(&a) != DW_FORM_exprloc && dwarf_whatform(&a) != DW_FORM_block1 &&
        dwarf_formudata(&a, &w) == 0) {
        out = w;
        return true;
    }
    Dwarf_Op *ops = nullptr;
    size_t n = 0;
    if (dwarf_getlocation(&a, &ops, &n) != 0 || n != 1) return false;
    if (ops[0].atom != DW_OP_plus_uconst && ops[0].atom != DW_OP_constu) return false;
    out = ops[0].number;
    return true;
}

bool is_type_tag(int tag) {
    switch (tag) {
    case DW_TAG_base_type:
    case DW_TAG_pointer_type:
    case DW_TAG_reference_type:
    case DW_TAG_rvalue_reference_type:
    case DW_TAG_const_type:
    case DW_TAG_volatile_type:
    case DW_TAG_restrict_type:
    case DW_TAG_atomic_type:
    case DW_TAG_typedef:
    case DW_TAG_structure_type:
    case DW_TAG_class_type:
    case DW_TAG_union_type:
    case DW_TAG_enumeration_type:
    case DW_TAG_array_type:
    case DW_TAG_subroutine_type:
    case DW_TAG_unspecified_type:
        return true;
    default:
        return false;
    }
}

// One ELF file and what has been converted of its DWARF.
struct Binary {
    std::string shown; // the path as the user wrote it
    int fd = -1, debug_fd = -1;
    Elf *elf = nullptr, *debug_elf = nullptr;
    Dwarf *dw = nullptr;
    struct btf *btf = nullptr;
    bool big_endian = false;
    uint32_t index_type = 0; // the INT used as array index type

    bool indexed = false;
    // name -> DIE offset in .debug_info, per BTF kind
    std::map<int, std::unordered_map<std::string, Dwarf_Off>> names;
    std::unordered_map<Dwarf_Off, uint32_t> ids; // DIE -> BTF id

    ~Binary() {
        btf__free(btf);
        if (dw) dwarf_end(dw);
        if (debug_elf) elf_end(debug_elf);
        if (elf) elf_end(elf);
        if (debug_fd >= 0) ::close(debug_fd);
        if (fd >= 0) ::close(fd);
    }

    void index();
    void index_die(Dwarf_Die *die, int depth);
    uint32_t convert(Dwarf_Die root);
    unsigned id_count(Dwarf_Die *die);
    void refs(Dwarf_Die *die, std::vector<Dwarf_Die> &out);
    void emit(Dwarf_Die *die, uint32_t first);
    uint32_t ref_id(Dwarf_Die *die); // the id of DIE's DW_AT_type, 0 for void
};

void Binary::index() {
    if (indexed) return;
    indexed = true;
    Dwarf_Off off = 0, next;
    size_t hsize;
    while (dwarf_nextcu(dw, off, &next, &hsize, nullptr, nullptr, nullptr) == 0) {
        Dwarf_Die cu;
        if (dwarf_offdie(dw, off + hsize, &cu)) {
            Dwarf_Die child;
            if (dwarf_child(&cu, &child) == 0) {
                do index_die(&child, 0);
                while (dwarf_siblingof(&child, &child) == 0);
            }
        }
        off = next;
    }
}

void Binary::index_die(Dwarf_Die *die, int depth) {
    int tag = dwarf_tag(die);
    auto add = [&](int kind, const char *name, bool complete) {
        if (!name) return;
        auto &m = names[kind];
        auto [it, fresh] = m.emplace(name, dwarf_dieoffset(die));
        if (fresh || !complete) return;
        // a complete definition wins over a declaration seen first
        Dwarf_Die old;
        if (dwarf_offdie(dw, it->second, &old) && flag(&old, DW_AT_declaration))
            it->second = dwarf_dieoffset(die);
    };
    bool complete = !flag(die, DW_AT_declaration);
    switch (tag) {
    case DW_TAG_namespace:
        if (depth < 8) {
            Dwarf_Die child;
            if (dwarf_child(die, &child) == 0) {
                do index_die(&child, depth + 1);
                while (dwarf_siblingof(&child, &child) == 0);
            }
        }
        return;
    case DW_TAG_subprogram: {
        if (!complete) return;
        Dwarf_Attribute a;
        const char *linkage = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &a));
        if (!linkage)
            linkage = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &a));
        add(BTF_KIND_FUNC, linkage, true);
        add(BTF_KIND_FUNC, die_name(die), true);
        return;
    }
    default: {
        int kind = tag == DW_TAG_structure_type || tag == DW_TAG_class_type ? BTF_KIND_STRUCT
                   : tag == DW_TAG_union_type                               ? BTF_KIND_UNION
                   : tag == DW_TAG_enumeration_type                         ? BTF_KIND_ENUM
                   : tag == DW_TAG_typedef                                  ? BTF_KIND_TYPEDEF
                   : tag == DW_TAG_base_type                                ? BTF_KIND_INT
                                                                            : 0;
        if (kind) add(kind, dwarf_diename(die), complete);
        return;
    }
    }
}

unsigned Binary::id_count(Dwarf_Die *die) {
    int tag = dwarf_tag(die);
    if (tag == DW_TAG_subprogram) return 2; // FUNC_PROTO, FUNC
    if (tag != DW_TAG_array_type) return 1;
    unsigned dims = 0;
    Dwarf_Die child;
    if (dwarf_child(die, &child) == 0) {
        do dims += dwarf_tag(&child) == DW_TAG_subrange_type;
        while (dwarf_siblingof(&child, &child) == 0);
    }
    return dims ? dims : 1;
}

void Binary::refs(Dwarf_Die *die, std::vector<Dwarf_Die> &out) {
    Dwarf_Die t;
    int tag = dwarf_tag(die);
    if (tag != DW_TAG_structure_type && tag != DW_TAG_class_type && tag != DW_TAG_union_type &&
        tag != DW_TAG_enumeration_type && type_of(die, t) && is_type_tag(dwarf_tag(&t)))
        out.push_back(t);
    bool members =
        tag == DW_TAG_structure_type || tag == DW_TAG_class_type || tag == DW_TAG_union_type;
    bool params = tag == DW_TAG_subroutine_type || tag == DW_TAG_subprogram;
    if (!members && !params) return;
    Dwarf_Die child;
    if (dwarf_child(die, &child) != 0) return;
    do {
        int ct = dwarf_tag(&child);
        bool want = members ? ct == DW_TAG_member || ct == DW_TAG_inheritance
                            : ct == DW_TAG_formal_parameter;
        if (want && type_of(&child, t) && is_type_tag(dwarf_tag(&t))) out.push_back(t);
    } while (dwarf_siblingof(&child, &child) == 0);
}

uint32_t Binary::ref_id(Dwarf_Die *die) {
    Dwarf_Die t;
    if (!type_of(die, t)) return 0;
    auto it = ids.find(dwarf_dieoffset(&t));
    return it == ids.end() ? 0 : it->second;
}

uint32_t Binary::convert(Dwarf_Die root) {
    Dwarf_Off root_off = dwarf_dieoffset(&root);
    if (auto it = ids.find(root_off); it != ids.end()) return it->second;
    // pass 1: ids for everything reachable that has none yet
    std::vector<Dwarf_Die> order, work{root};
    uint32_t next = static_cast<uint32_t>(btf__type_cnt(btf));
    while (!work.empty()) {
        Dwarf_Die d = work.back();
        work.pop_back();
        Dwarf_Off off = dwarf_dieoffset(&d);
        if (ids.count(off)) continue;
        unsigned n = id_count(&d);
        // a subprogram is known by its FUNC, which follows its FUNC_PROTO
        ids[off] = dwarf_tag(&d) == DW_TAG_subprogram ? next + 1 : next;
        next += n;
        order.push_back(d);
        refs(&d, work);
    }
    // pass 2: emit in id order
    for (auto &d : order) {
        uint32_t first = static_cast<uint32_t>(btf__type_cnt(btf));
        unsigned n = id_count(&d);
        emit(&d, first);
        // keep ids aligned whatever libbpf refused
        while (static_cast<uint32_t>(btf__type_cnt(btf)) < first + n) btf__add_typedef(btf, "?", 0);
    }
    return ids[root_off];
}

void Binary::emit(Dwarf_Die *die, uint32_t first) {
    int tag = dwarf_tag(die);
    const char *name = dwarf_diename(die);
    uint64_t size = 0;
    udata(die, DW_AT_byte_size, size);
    uint32_t ref = ref_id(die);
    switch (tag) {
    case DW_TAG_base_type: {
        uint64_t enc = 0;
        udata(die, DW_AT_encoding, enc);
        const char *n = name ? name : "?";
        int r = -1;
        if (enc == DW_ATE_float) {
            r = btf__add_float(btf, n, size);
        } else if (enc == DW_ATE_signed || enc == DW_ATE_signed_char || enc == DW_ATE_unsigned ||
                   enc == DW_ATE_unsigned_char || enc == DW_ATE_boolean || enc == DW_ATE_UTF) {
            int e = enc == DW_ATE_signed || enc == DW_ATE_signed_char ? BTF_INT_SIGNED : 0;
            // plain char only (signed or not by the ABI): it reads as a string,
            // signed/unsigned char are numbers, as in kernel BTF
            if (std::strcmp(n, "char") == 0) e |= BTF_INT_CHAR;
            if (enc == DW_ATE_boolean) e = BTF_INT_BOOL;
            r = btf__add_int(btf, n, size, e);
            if (r < 0) r = btf__add_int(btf, n, size, 0);
        }
        if (r < 0) btf__add_struct(btf, n, static_cast<uint32_t>(size)); // opaque, right size
        return;
    }
    case DW_TAG_pointer_type:
    case DW_TAG_reference_type:
    case DW_TAG_rvalue_reference_type:
        btf__add_ptr(btf, ref);
        return;
    case DW_TAG_const_type:
        btf__add_const(btf, ref);
        return;
    case DW_TAG_volatile_type:
        btf__add_volatile(btf, ref);
        return;
    case DW_TAG_restrict_type:
        btf__add_restrict(btf, ref);
        return;
    case DW_TAG_atomic_type:
        btf__add_type_tag(btf, "_Atomic", ref); // transparent for the compiler
        return;
    case DW_TAG_typedef:
        btf__add_typedef(btf, name ? name : "?", ref);
        return;
    case DW_TAG_structure_type:
    case DW_TAG_class_type:
    case DW_TAG_union_type: {
        bool is_union = tag == DW_TAG_union_type;
        if (flag(die, DW_AT_declaration)) {
            if (name)
                btf__add_fwd(btf, name, is_union ? BTF_FWD_UNION : BTF_FWD_STRUCT);
            else
                btf__add_struct(btf, nullptr, 0);
            return;
        }
        uint32_t sz = static_cast<uint32_t>(size);
        if ((is_union ? btf__add_union(btf, name, sz) : btf__add_struct(btf, name, sz)) < 0) return;
        Dwarf_Die m;
        if (dwarf_child(die, &m) != 0) return;
        do {
            int mt = dwarf_tag(&m);
            if (mt != DW_TAG_member && mt != DW_TAG_inheritance) continue;
            if (flag(&m, DW_AT_external) || flag(&m, DW_AT_declaration)) continue; // C++ static
            uint64_t bit_size = 0, bit_off = 0, loc = 0;
            udata(&m, DW_AT_bit_size, bit_size);
            if (udata(&m, DW_AT_data_bit_offset, bit_off)) {
                // DWARF 4+: bits from the start of the struct
            } else if (!member_location(&m, loc)) {
                continue; // a virtual base: no fixed place
            } else {
                bit_off = loc * 8;
                uint64_t old_off = 0, storage = 0;
                if (bit_size && udata(&m, DW_AT_bit_offset, old_off)) {
                    // DWARF 2/3: counted from the storage unit's most significant bit
                    if (!udata(&m, DW_AT_byte_size, storage)) {
                        Dwarf_Die t;
                        if (type_of(&m, t)) storage = static_cast<uint64_t>(dwarf_bytesize(&t));
                    }
                    bit_off += big_endian ? old_off : storage * 8 - old_off - bit_size;
                }
            }
            // C++ base classes become anonymous members: their members are found through
            const char *mname = mt == DW_TAG_inheritance ? nullptr : dwarf_diename(&m);
            btf__add_field(btf, mname, ref_id(&m), static_cast<uint32_t>(bit_off),
                           static_cast<uint32_t>(bit_size));
        } while (dwarf_siblingof(&m, &m) == 0);
        return;
    }
    case DW_TAG_enumeration_type: {
        if (flag(die, DW_AT_declaration) && name) {
            btf__add_fwd(btf, name, BTF_FWD_ENUM);
            return;
        }
        bool is_signed = false, wide = false;
        Dwarf_Die t;
        uint64_t enc = 0;
        if (type_of(die, t) && udata(&t, DW_AT_encoding, enc))
            is_signed = enc == DW_ATE_signed || enc == DW_ATE_signed_char;
        std::vector<std::pair<const char *, int64_t>> values;
        Dwarf_Die e;
        if (dwarf_child(die, &e) == 0) {
            do {
                if (dwarf_tag(&e) != DW_TAG_enumerator) continue;
                Dwarf_Attribute a;
                if (!dwarf_attr(&e, DW_AT_const_value, &a)) continue;
                int64_t v = 0;
                Dwarf_Sword s;
                Dwarf_Word u;
                if (is_signed && dwarf_formsdata(&a, &s) == 0)
                    v = s;
                else if (dwarf_formudata(&a, &u) == 0)
                    v = static_cast<int64_t>(u);
                else if (dwarf_formsdata(&a, &s) == 0)
                    v = s;
                if (!is_signed && v < 0 && size < 8) is_signed = true;
                wide = wide || v > static_cast<int64_t>(UINT32_MAX) || v < INT32_MIN;
                values.emplace_back(dwarf_diename(&e), v);
            } while (dwarf_siblingof(&e, &e) == 0);
        }
        uint32_t sz = size ? static_cast<uint32_t>(size) : 4;
        if (wide || sz == 8) {
            if (btf__add_enum64(btf, name, sz, is_signed) < 0) return;
            for (auto &[n, v] : values)
                if (n) btf__add_enum64_value(btf, n, static_cast<uint64_t>(v));
        } else {
            if (btf__add_enum(btf, name, sz) < 0) return;
            for (auto &[n, v] : values)
                if (n) btf__add_enum_value(btf, n, v);
        }
        return;
    }
    case DW_TAG_array_type: {
        std::vector<uint32_t> dims;
        Dwarf_Die s;
        if (dwarf_child(die, &s) == 0) {
            do {
                if (dwarf_tag(&s) != DW_TAG_subrange_type) continue;
                uint64_t count = 0, upper = 0, lower = 0;
                if (udata(&s, DW_AT_count, count)) {
                } else if (udata(&s, DW_AT_upper_bound, upper)) {
                    udata(&s, DW_AT_lower_bound, lower);
                    count = upper >= lower ? upper - lower + 1 : 0;
                }
                if (count > UINT32_MAX) count = 0;
                dims.push_back(static_cast<uint32_t>(count)); // 0: flexible or variable
            } while (dwarf_siblingof(&s, &s) == 0);
        }
        if (dims.empty()) dims.push_back(0);
        // int a[2][3]: array of 2 (id first) of array of 3 (id first + 1) of int
        for (size_t i = 0; i < dims.size(); ++i) {
            uint32_t elem = i + 1 < dims.size() ? first + static_cast<uint32_t>(i) + 1 : ref;
            btf__add_array(btf, static_cast<int>(index_type), static_cast<int>(elem), dims[i]);
        }
        return;
    }
    case DW_TAG_subroutine_type:
    case DW_TAG_subprogram: {
        int proto = btf__add_func_proto(btf, static_cast<int>(ref));
        if (proto < 0) return;
        Dwarf_Die p;
        if (dwarf_child(die, &p) == 0) {
            do {
                int pt = dwarf_tag(&p);
                if (pt == DW_TAG_formal_parameter)
                    btf__add_func_param(btf, die_name(&p), static_cast<int>(ref_id(&p)));
                else if (pt == DW_TAG_unspecified_parameters)
                    btf__add_func_param(btf, nullptr, 0); // varargs
            } while (dwarf_siblingof(&p, &p) == 0);
        }
        if (tag == DW_TAG_subprogram) {
            Dwarf_Attribute a;
            const char *fname = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &a));
            if (!fname) fname = die_name(die);
            btf__add_func(btf, fname ? fname : "?", BTF_FUNC_GLOBAL, proto);
        }
        return;
    }
    default: // DW_TAG_unspecified_type (decltype(nullptr)) and the like: void
        btf__add_type_tag(btf, name ? name : "?", 0);
        return;
    }
}

bool has_debug_info(Elf *elf) {
    size_t shstrndx;
    if (elf_getshdrstrndx(elf, &shstrndx) != 0) return false;
    Elf_Scn *scn = nullptr;
    while ((scn = elf_nextscn(elf, scn)) != nullptr) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS) continue;
        const char *n = elf_strptr(elf, shstrndx, sh.sh_name);
        if (n && (std::strcmp(n, ".debug_info") == 0 || std::strcmp(n, ".zdebug_info") == 0))
            return true;
    }
    return false;
}

// An ELF file with DWARF, or null; fd and elf are set on success.
Elf *open_elf(const std::string &path, int &fd) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return nullptr;
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return nullptr;
    Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
    if (elf && elf_kind(elf) == ELF_K_ELF) return elf;
    if (elf) elf_end(elf);
    ::close(fd);
    fd = -1;
    return nullptr;
}

// The separate debug file of `elf` (at `path`): by build-id, then by
// .gnu_debuglink next to the file, in .debug/, or under /usr/lib/debug.
std::vector<std::string> debug_file_candidates(Elf *elf, const std::string &path) {
    std::vector<std::string> out;
    const void *id = nullptr;
    ssize_t n = dwelf_elf_gnu_build_id(elf, &id);
    if (n > 1) {
        const auto *b = static_cast<const unsigned char *>(id);
        std::string hex;
        char buf[3];
        for (ssize_t i = 0; i < n; ++i) {
            std::snprintf(buf, sizeof buf, "%02x", b[i]);
            hex += buf;
        }
        out.push_back("/usr/lib/debug/.build-id/" + hex.substr(0, 2) + "/" + hex.substr(2) +
                      ".debug");
    }
    GElf_Word crc;
    if (const char *link = dwelf_elf_gnu_debuglink(elf, &crc)) {
        std::string dir = path.substr(0, path.rfind('/'));
        out.push_back(dir + "/" + link);
        out.push_back(dir + "/.debug/" + link);
        out.push_back("/usr/lib/debug" + dir + "/" + link);
    }
    return out;
}

class DwarfTypes final : public UserTypes {
  public:
    const struct btf *open(const std::string &path, std::string &error) override {
        if (auto it = by_written_.find(path); it != by_written_.end()) {
            error = it->second.second;
            return it->second.first ? it->second.first->btf : nullptr;
        }
        std::string err;
        Binary *bin = load(path, err);
        by_written_[path] = {bin, err};
        error = err;
        return bin ? bin->btf : nullptr;
    }

    uint32_t find(const struct btf *b, std::string_view name, int kind) override {
        Binary *bin = binary(b);
        if (!bin) return 0;
        bin->index();
        if (kind == BTF_KIND_ENUM64) kind = BTF_KIND_ENUM;
        auto m = bin->names.find(kind);
        if (m == bin->names.end()) return 0;
        auto it = m->second.find(std::string(name));
        if (it == m->second.end()) return 0;
        Dwarf_Die die;
        if (!dwarf_offdie(bin->dw, it->second, &die)) return 0;
        return bin->convert(die);
    }

    std::vector<std::string> names_of_kind(const struct btf *b, int kind) override {
        std::vector<std::string> out;
        Binary *bin = binary(b);
        if (!bin) return out;
        bin->index();
        if (auto m = bin->names.find(kind); m != bin->names.end())
            for (const auto &[n, off] : m->second) out.push_back(n);
        return out;
    }

  private:
    Binary *binary(const struct btf *b) {
        for (auto &[p, bin] : by_real_)
            if (bin && bin->btf == b) return bin.get();
        return nullptr;
    }

    Binary *load(const std::string &path, std::string &error) {
        UprobeTarget target;
        if (!resolve_uprobe(path, "", 0, target, error)) return nullptr;
        if (auto it = by_real_.find(target.path); it != by_real_.end()) {
            if (!it->second) error = "no DWARF in " + path;
            return it->second.get();
        }
        auto &slot = by_real_[target.path];
        if (elf_version(EV_CURRENT) == EV_NONE) {
            error = "libelf is unusable";
            return nullptr;
        }
        auto bin = std::make_unique<Binary>();
        bin->shown = path;
        bin->elf = open_elf(target.path, bin->fd);
        if (!bin->elf) {
            error = "cannot read " + path + " as an ELF file";
            return nullptr;
        }
        Elf *dwarf_elf = nullptr;
        if (has_debug_info(bin->elf)) {
            dwarf_elf = bin->elf;
        } else {
            for (const auto &cand : debug_file_candidates(bin->elf, target.path)) {
                if (cand == target.path) continue;
                int fd = -1;
                Elf *e = open_elf(cand, fd);
                if (e && has_debug_info(e)) {
                    bin->debug_elf = e;
                    bin->debug_fd = fd;
                    dwarf_elf = e;
                    break;
                }
                if (e) elf_end(e);
                if (fd >= 0) ::close(fd);
            }
        }
        if (dwarf_elf) bin->dw = dwarf_begin_elf(dwarf_elf, DWARF_C_READ, nullptr);
        if (!bin->dw) {
            error = "no DWARF in " + path;
            return nullptr;
        }
        GElf_Ehdr eh;
        bin->big_endian = gelf_getehdr(bin->elf, &eh) && eh.e_ident[EI_DATA] == ELFDATA2MSB;
        bin->btf = btf__new_empty();
        if (!bin->btf) {
            error = "out of memory";
            return nullptr;
        }
        int idx = btf__add_int(bin->btf, "__ARRAY_SIZE_TYPE__", 4, 0);
        bin->index_type = idx > 0 ? static_cast<uint32_t>(idx) : 0;
        slot = std::move(bin);
        return slot.get();
    }

    std::map<std::string, std::unique_ptr<Binary>> by_real_; // null: no DWARF
    std::map<std::string, std::pair<Binary *, std::string>> by_written_;
};

} // namespace

std::unique_ptr<UserTypes> make_dwarf_types() {
    return std::make_unique<DwarfTypes>();
}

} // namespace ksurf::types
