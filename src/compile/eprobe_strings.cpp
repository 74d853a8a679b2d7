#include "compile/eprobe_strings.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <fmt/format.h>

namespace ksurf::compile {

namespace {

// Syscall tracepoints keep every argument in 8 bytes; these C types are 32
// bits wide, and their upper half is whatever the register held.
bool is_int32(std::string_view t) {
    constexpr std::array<std::string_view, 7> kTypes = {
        "int", "pid_t", "key_serial_t", "clockid_t", "timer_t", "mqd_t", "rwf_t"};
    return std::find(kTypes.begin(), kTypes.end(), t) != kTypes.end();
}
bool is_uint32(std::string_view t) {
    constexpr std::array<std::string_view, 7> kTypes = {
        "unsigned int", "uid_t", "gid_t", "umode_t", "u32", "qid_t", "unsigned"};
    return std::find(kTypes.begin(), kTypes.end(), t) != kTypes.end();
}

// The fetch type for a field read as a number, and how it prints.
std::pair<std::string, Print> number_type(const EventField &f) {
    unsigned bits = f.size >= 8 ? 64 : f.size * 8;
    if (f.type.find('*') != std::string::npos) return {fmt::format("x{}", bits), Print::Hex};
    if (is_int32(f.type)) return {"s32", Print::Signed};
    if (is_uint32(f.type)) return {"u32", Print::Unsigned};
    bool is_signed = f.is_signed || f.type == "long" || f.type == "long long" ||
                     f.type == "loff_t" || f.type == "off_t" || f.type == "ssize_t";
    return {fmt::format("{}{}", is_signed ? 's' : 'u', bits),
            is_signed ? Print::Signed : Print::Unsigned};
}

bool is_ident_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

} // namespace

bool readme_has_eprobes(std::string_view readme) {
    return readme.find("e[:[<group>/][<event>]] <attached-group>.<attached-event>") !=
           std::string_view::npos;
}

bool is_user_string(const EventField &f) {
    if (f.is_common || f.size != 8) return false;
    if (f.type == "const char *")
        // Bytes with a length beside them, not strings: write/pwrite64's buf,
        // mq_timedsend's message.
        return f.name != "buf" && f.name != "u_msg_ptr";
    // mount(2) and a few old calls declare their names without const.
    if (f.type == "char *")
        return f.name == "filename" || f.name == "pathname" || f.name == "dev_name" ||
               f.name == "dir_name" || f.name == "type";
    return false;
}

std::optional<StringEprobe> string_eprobe(std::string_view group, std::string_view name,
                                          std::string_view system, std::string_view event,
                                          const std::vector<EventField> &fields) {
    StringEprobe out;
    std::string args;
    for (const auto &f : fields) {
        // __syscall_nr says which call: the eprobe's name says it already.
        if (f.is_common || f.name == "__syscall_nr") continue;
        Arg a;
        a.name = f.name;
        if (is_user_string(f)) {
            // +0(...) then :ustring is the string at that address in user
            // memory (eprobetrace.rst: +|-[u]OFFS(FETCHARG), FETCHARG:TYPE).
            a.fetch = fmt::format("+0(${}):ustring", f.name);
            a.print = Print::String;
            out.strings.push_back(f.name);
        } else if (f.is_string) {
            a.fetch = fmt::format("${}:string", f.name);
            a.print = Print::String;
        } else {
            auto [type, print] = number_type(f);
            a.fetch = fmt::format("${}:{}", f.name, type);
            a.print = print;
        }
        args += fmt::format(" {}={}", a.name, a.fetch);
        out.args.push_back(std::move(a));
    }
    if (out.strings.empty()) return std::nullopt;
    out.definition = fmt::format("e:{}/{} {}.{}{}", group, name, system, event, args);
    return out;
}

bool filter_fits_eprobe(std::string_view filter, const StringEprobe &probe) {
    // Every identifier outside quotes: a field name or a bare literal.
    bool quoted = false;
    for (size_t i = 0; i < filter.size();) {
        char c = filter[i];
        if (c == '"') {
            quoted = !quoted;
            ++i;
            continue;
        }
        if (quoted || !is_ident_char(c) || std::isdigit(static_cast<unsigned char>(c))) {
            // A number (0x1f, 12) is skipped whole, so its letters are not a name.
            if (!quoted && std::isdigit(static_cast<unsigned char>(c)))
                while (i < filter.size() && is_ident_char(filter[i])) ++i;
            else
                ++i;
            continue;
        }
        size_t start = i;
        while (i < filter.size() && is_ident_char(filter[i])) ++i;
        std::string_view word = filter.substr(start, i - start);
        if (word == "__syscall_nr") return false;
        if (std::find(probe.strings.begin(), probe.strings.end(), word) != probe.strings.end())
            return false;
    }
    return true;
}

} // namespace ksurf::compile
