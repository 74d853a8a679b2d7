#include "compile/filter.h"

#include "util/strings.h"

#include <cctype>
#include <cstdio>

namespace ksurf::compile {

namespace {

bool parse_u64(std::string_view s, uint64_t &v) {
    if (s.empty()) return false;
    int base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s.remove_prefix(2);
    }
    v = 0;
    for (char c : s) {
        int d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (base == 16 && std::isxdigit(static_cast<unsigned char>(c)))
            d = std::tolower(c) - 'a' + 10;
        else
            return false;
        if (v > (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) return false;
        v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
    }
    return true;
}

bool is_number(std::string_view s) {
    uint64_t v;
    if (!s.empty() && s[0] == '-') s.remove_prefix(1);
    return parse_u64(s, v);
}

bool parse_ipv4(std::string_view s, uint32_t &le) {
    auto parts = split(s, '.');
    if (parts.size() != 4) return false;
    le = 0;
    for (size_t i = 0; i < 4; ++i) {
        uint64_t v;
        if (parts[i].empty() || parts[i].size() > 3 || parts[i].find('x') != std::string::npos ||
            !parse_u64(parts[i], v) || v > 255)
            return false;
        // network order in memory, read as a little-endian u32
        le |= static_cast<uint32_t>(v) << (8 * i);
    }
    return true;
}

uint64_t swap_bytes(uint64_t v, unsigned width) {
    uint64_t out = 0;
    for (unsigned i = 0; i < width; ++i) out |= ((v >> (8 * i)) & 0xff) << (8 * (width - 1 - i));
    return out;
}

std::string hex(uint64_t v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

struct Edit {
    size_t begin, end;
    std::string text;
};

// Walks the parsed filter in source order and checks each comparison
// against the fields; the kernel's text is the source with its edits.
class FilterChecker {
  public:
    FilterChecker(std::string_view source, const expr::Filter &filter,
                  const std::vector<FieldSet> &sets, std::vector<expr::Diagnostic> &diags)
        : source_(source), filter_(filter), sets_(sets), diags_(diags) {}

    bool run(std::string &out) {
        visit(filter_.root);
        if (!ok_) return false;
        out.clear();
        size_t pos = filter_.span.begin;
        for (const auto &e : edits_) {
            out.append(source_.substr(pos, e.begin - pos));
            out += e.text;
            pos = e.end;
        }
        out.append(source_.substr(pos, filter_.span.end - pos));
        return true;
    }

  private:
    void error(expr::Span s, std::string message, std::string hint = {}) {
        if (!ok_) return; // one error per filter: the rest would be noise
        expr::Diagnostic d;
        d.begin = s.begin;
        d.end = s.end > s.begin ? s.end : s.begin + 1;
        d.message = std::move(message);
        d.hint = std::move(hint);
        diags_.push_back(std::move(d));
        ok_ = false;
    }

    void visit(const expr::FilterNode &n) {
        if (!ok_) return;
        if (n.kind != expr::FilterKind::Compare) {
            for (const auto &k : n.kids) visit(k);
            return;
        }
        compare(n);
    }

    const FilterField *lookup(const expr::FilterNode &n) {
        const FilterField *first = nullptr;
        for (const auto &set : sets_) {
            const FilterField *found = nullptr;
            for (const auto &f : set.fields)
                if (f.name == n.field) found = &f;
            if (!found) {
                std::vector<std::string> names;
                for (const auto &f : set.fields) names.push_back(f.name);
                std::string near = closest(n.field, names);
                std::string hint =
                    near.empty() ? "fields: " + field_list(set) : "did you mean '" + near + "'?";
                for (const auto &other : sets_)
                    for (const auto &f : other.fields)
                        if (f.name == n.field && near.empty())
                            hint = "it is a field of " + other.event +
                                   "; narrow the event glob so that every event has it";
                error(n.field_span,
                      "unknown field '" + n.field + "'" +
                          (sets_.size() > 1 || set.event != "this probe" ? " in " + set.event : ""),
                      hint);
                return nullptr;
            }
            if (!first) first = found;
        }
        return first;
    }

    static std::string field_list(const FieldSet &set) {
        std::string out;
        for (const auto &f : set.fields) {
            if (f.name.starts_with("common_") && f.name != "common_pid") continue;
            if (!out.empty()) out += ", ";
            out += f.name;
        }
        return out;
    }

    void compare(const expr::FilterNode &n) {
        const FilterField *field = lookup(n);
        if (!field) return;
        if (!field->filterable) {
            error(n.field_span, "'" + n.field + "' is an array; filters cannot test it",
                  "read one element into its own name, e.g. x=%0->arr[0]");
            return;
        }
        if (field->is_string) {
            if (n.op != "==" && n.op != "!=" && n.op != "~")
                error(n.op_span, "'" + n.field + "' is a string; compare it with ==, != or ~",
                      "e.g. " + n.field + "~\"sys*\"");
            // The kernel (6.1) wants string values quoted: comm=="sh".
            else if (!n.quoted)
                edits_.push_back({n.value_span.begin, n.value_span.end, "\"" + n.value + "\""});
            return;
        }
        if (n.op == "~") {
            error(n.op_span, "'~' (glob match) is only for string fields",
                  "'" + n.field + "' is a number: use == != < <= > >= or &");
            return;
        }
        if (n.quoted) {
            error(n.value_span, "'" + n.field + "' is a number, not a string",
                  "compare it with a number");
            return;
        }
        convert_number(*field, n);
    }

    void convert_number(const FilterField &field, const expr::FilterNode &n) {
        unsigned width = width_for_name(field.name);
        Print print = print_for_name(field.name);
        const std::string &value = n.value;
        expr::Span at = n.value_span;
        uint32_t ip;
        if (print == Print::Ipv4) {
            if (parse_ipv4(value, ip)) {
                edits_.push_back({at.begin, at.end, hex(ip)});
                return;
            }
            if (!is_number(value))
                error(at, "'" + value + "' is not an IPv4 address",
                      "write a dotted quad such as 127.0.0.1");
            return;
        }
        if (parse_ipv4(value, ip)) {
            error(at, "an IPv4 address compared with '" + field.name + "'",
                  "name the field ip_" + field.name + " to compare it with addresses");
            return;
        }
        if (!is_number(value)) {
            error(at, "'" + value + "' is not a number",
                  "'" + field.name + "' is numeric; write a decimal or 0x hex number");
            return;
        }
        if (width != 0) {
            uint64_t v;
            if (!parse_u64(value, v) || (width < 8 && v >> (8 * width))) {
                error(at, "'" + value + "' does not fit in " + std::to_string(width * 8) + " bits",
                      "the value is byte-swapped as a " + std::to_string(width * 8) +
                          "-bit number");
                return;
            }
            uint64_t swapped = swap_bytes(v, width);
            bool hex_out =
                print == Print::Be16Hex || print == Print::Be32Hex || print == Print::Be64Hex;
            edits_.push_back({at.begin, at.end, hex_out ? hex(swapped) : std::to_string(swapped)});
        }
    }

    std::string_view source_;
    const expr::Filter &filter_;
    const std::vector<FieldSet> &sets_;
    std::vector<expr::Diagnostic> &diags_;
    bool ok_ = true;
    std::vector<Edit> edits_;
};

} // namespace

std::vector<FilterField> common_fields() {
    return {{"common_type", false, true, 2},
            {"common_flags", false, true, 1},
            {"common_preempt_count", false, true, 1},
            {"common_pid", false, true, 4}};
}

std::vector<FilterField> generic_fields() {
    return {{"comm", true, true, 16},
            {"COMM", true, true, 16},
            {"cpu", false, true, 4},
            {"CPU", false, true, 4}};
}

Print print_for_name(std::string_view name) {
    if (name.starts_with("ip_")) return Print::Ipv4;
    if (name.starts_with("b16_")) return Print::Be16;
    if (name.starts_with("b32_")) return Print::Be32;
    if (name.starts_with("b64_")) return Print::Be64;
    if (name.starts_with("B16_")) return Print::Be16Hex;
    if (name.starts_with("B32_")) return Print::Be32Hex;
    if (name.starts_with("B64_")) return Print::Be64Hex;
    return Print::Default;
}

unsigned width_for_name(std::string_view name) {
    switch (print_for_name(name)) {
    case Print::Ipv4:
    case Print::Be32:
    case Print::Be32Hex:
        return 4;
    case Print::Be16:
    case Print::Be16Hex:
        return 2;
    case Print::Be64:
    case Print::Be64Hex:
        return 8;
    default:
        return 0;
    }
}

bool compile_filter(std::string_view source, const expr::Filter &filter,
                    const std::vector<FieldSet> &sets, std::string &out,
                    std::vector<expr::Diagnostic> &diags) {
    FilterChecker c(source, filter, sets, diags);
    return c.run(out);
}

} // namespace ksurf::compile
