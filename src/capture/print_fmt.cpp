#include "capture/print_fmt.h"

#include <bpf/btf.h>
#include <cctype>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace ksurf::capture {

namespace {

using EnumValues = std::unordered_map<std::string, int64_t>;

// Every enumerator of vmlinux BTF, read once, when a print fmt first needs one.
const EnumValues &kernel_enums() {
    static const EnumValues values = [] {
        EnumValues v;
        btf *b = btf__load_vmlinux_btf();
        if (!b) return v;
        uint32_t n = btf__type_cnt(b);
        for (uint32_t id = 1; id < n; ++id) {
            const btf_type *t = btf__type_by_id(b, id);
            if (btf_is_enum(t)) {
                const struct btf_enum *e = btf_enum(t);
                for (uint16_t i = 0; i < btf_vlen(t); ++i)
                    v.emplace(btf__name_by_offset(b, e[i].name_off), e[i].val);
            } else if (btf_is_enum64(t)) {
                const struct btf_enum64 *e = btf_enum64(t);
                for (uint16_t i = 0; i < btf_vlen(t); ++i)
                    v.emplace(btf__name_by_offset(b, e[i].name_off),
                              static_cast<int64_t>(btf_enum64_value(&e[i])));
            }
        }
        btf__free(b);
        return v;
    }();
    return values;
}

bool ident_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool ident_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

struct Name {
    size_t pos, len;
};

// Identifiers of the argument list that may be enum constants: not inside
// string literals, not a field (after "->" or "."), not a call ("f("),
// not REC.
std::vector<Name> candidates(std::string_view args, size_t base) {
    std::vector<Name> out;
    size_t i = 0;
    while (i < args.size()) {
        char c = args[i];
        if (c == '"') {
            for (++i; i < args.size() && args[i] != '"'; ++i)
                if (args[i] == '\\') ++i;
            ++i;
            continue;
        }
        if (!ident_start(c) || (i > 0 && ident_char(args[i - 1]))) {
            ++i;
            continue;
        }
        size_t start = i;
        while (i < args.size() && ident_char(args[i])) ++i;
        std::string_view id = args.substr(start, i - start);
        bool field = (start >= 1 && args[start - 1] == '.') ||
                     (start >= 2 && args.substr(start - 2, 2) == "->");
        size_t next = i;
        while (next < args.size() && args[next] == ' ') ++next;
        bool call = next < args.size() && args[next] == '(';
        if (!field && !call && id != "REC") out.push_back({base + start, id.size()});
    }
    return out;
}

} // namespace

std::string resolve_enum_names(std::string_view format) {
    std::string text(format);
    size_t pf = text.find("\nprint fmt: \"");
    if (pf == std::string::npos) return text;
    // The arguments start after the format string's closing quote.
    size_t q = pf + 13;
    while (q < text.size() && text[q] != '"') q += text[q] == '\\' ? 2 : 1;
    if (q >= text.size()) return text;
    size_t end = text.find('\n', q);
    if (end == std::string::npos) end = text.size();
    auto names = candidates(std::string_view(text).substr(q + 1, end - q - 1), q + 1);
    if (names.empty()) return text;
    const EnumValues *values = nullptr;
    // Back to front, so that earlier positions stay valid.
    for (auto it = names.rbegin(); it != names.rend(); ++it) {
        std::string id = text.substr(it->pos, it->len);
        // Lower-case words are types and casts ("unsigned long"); enum constants are capitals.
        bool upper = false;
        for (char c : id) upper = upper || std::isupper(static_cast<unsigned char>(c));
        if (!upper) continue;
        if (!values) values = &kernel_enums();
        auto v = values->find(id);
        if (v == values->end()) continue;
        text.replace(it->pos, it->len, std::to_string(v->second));
    }
    return text;
}

} // namespace ksurf::capture
