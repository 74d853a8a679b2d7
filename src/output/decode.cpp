#include "output/decode.h"

#include "output/output.h"

extern "C" {
#include <traceevent/event-parse.h>
}

namespace ksurf::output {

using compile::Print;

namespace {

// Element size of a type name such as "u32", "s8", "unsigned long", "int".
uint32_t size_of_type(std::string_view t) {
    auto bracket = t.find('[');
    if (bracket != std::string_view::npos) t = t.substr(0, bracket);
    while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
    if (t.starts_with("__data_loc ")) t.remove_prefix(11);
    if (t.starts_with("__rel_loc ")) t.remove_prefix(10);
    if (t.ends_with("8") || t.ends_with("char")) return 1;
    if (t.ends_with("16") || t.ends_with("short")) return 2;
    if (t.ends_with("32") || t.ends_with("int")) return 4;
    return 8;
}

bool is_hex_type(std::string_view t) {
    // kprobe / uprobe fetch types x8 .. x64
    return t == "x8" || t == "x16" || t == "x32" || t == "x64";
}

bool is_char_type(std::string_view t) {
    return t.starts_with("char") || t.starts_with("__data_loc char") ||
           t.starts_with("__rel_loc char") || t.starts_with("const char");
}

// Syscall tracepoints store every argument in 8 bytes whatever its C type;
// print an "int" argument as the int it was.
void narrow_syscall_int(std::string_view type, FieldSpec &f) {
    if (f.size != 8) return;
    if (type == "int" || type == "pid_t" || type == "key_serial_t" || type == "clockid_t") {
        f.size = f.elem = 4;
        f.is_signed = true;
    } else if (type == "unsigned int" || type == "uid_t" || type == "gid_t" || type == "umode_t" ||
               type == "u32") {
        f.size = f.elem = 4;
        f.is_signed = false;
    }
}

} // namespace

const ProbeStyle *Styles::find(std::string_view system, std::string_view name) const {
    for (const auto &[key, style] : events)
        if (key.first == system && key.second == name) return &style;
    return nullptr;
}

EventSpec build_spec(const tep_event *event, const Styles &styles) {
    EventSpec spec;
    spec.name = event->name ? event->name : "";
    std::string system = event->system ? event->system : "";
    spec.full = system + "/" + spec.name;
    const ProbeStyle *style = styles.find(system, spec.name);
    if (system == "ftrace" && (spec.name == "kernel_stack" || spec.name == "user_stack")) {
        spec.is_stack = spec.name == "kernel_stack";
        spec.is_user_stack = !spec.is_stack;
    }
    for (tep_format_field *tf = event->format.fields; tf; tf = tf->next) {
        std::string_view type = tf->type ? tf->type : "";
        FieldSpec f;
        f.name = tf->name;
        f.offset = static_cast<uint32_t>(tf->offset);
        f.size = static_cast<uint32_t>(tf->size);
        f.elem = f.size;
        f.is_signed = tf->flags & TEP_FIELD_IS_SIGNED;
        f.relative = tf->flags & TEP_FIELD_IS_RELATIVE;
        if (spec.is_stack || spec.is_user_stack) {
            if (f.name == "caller") spec.caller_offset = static_cast<int>(f.offset);
            if (f.name == "size") spec.count_offset = static_cast<int>(f.offset);
            continue;
        }
        if (f.name == "__syscall_nr") continue;
        if (tf->flags & TEP_FIELD_IS_DYNAMIC) {
            f.kind = is_char_type(type) ? FieldKind::DynString : FieldKind::DynIntArray;
            f.elem = tf->elementsize ? tf->elementsize : size_of_type(type);
        } else if (tf->flags & TEP_FIELD_IS_ARRAY) {
            f.kind = is_char_type(type) ? FieldKind::CharArray : FieldKind::IntArray;
            f.elem = tf->elementsize ? tf->elementsize : size_of_type(type);
        } else {
            f.kind = FieldKind::Int;
            if (system == "syscalls") narrow_syscall_int(type, f);
        }
        if (f.elem == 0 || f.elem > 8) f.elem = f.kind == FieldKind::Int ? 8 : 1;
        if (style) {
            auto it = style->fields.find(f.name);
            if (it != style->fields.end()) f.print = it->second;
        }
        if (f.print == Print::Default && f.name.starts_with("__probe_")) f.print = Print::Symbol;
        if (f.print == Print::Default) {
            if ((tf->flags & TEP_FIELD_IS_POINTER) || type.find('*') != std::string_view::npos ||
                is_hex_type(type))
                f.print = Print::Hex;
        }
        if (f.print == Print::Signed) f.is_signed = true;
        if (f.print == Print::Unsigned) f.is_signed = false;
        if (f.name.starts_with("__probe_")) spec.probe = true;
        spec.fields.push_back(std::move(f));
    }
    if (style) spec.probe = true;
    spec.print_fmt = !spec.probe && !spec.is_stack && !spec.is_user_stack && system != "syscalls" &&
                     event->print_fmt.format && !(event->flags & TEP_EVENT_FL_FAILED);
    return spec;
}

const EventSpec &SpecCache::get(const tep_event *event) {
    size_t id = static_cast<size_t>(event->id);
    if (id >= by_id_.size()) {
        by_id_.resize(id + 1);
        built_.resize(id + 1, 0);
    }
    if (!built_[id]) {
        by_id_[id] = build_spec(event, styles_);
        built_[id] = 1;
    }
    return by_id_[id];
}

ProbeStyle probe_style(const compile::Probe &probe) {
    ProbeStyle style;
    for (const auto &arg : probe.args) {
        Print p = arg.print;
        if (p == Print::Default) {
            std::string_view fetch = arg.fetch;
            auto colon = fetch.rfind(':');
            std::string_view type = colon == std::string_view::npos ? "" : fetch.substr(colon + 1);
            if (type.starts_with("x"))
                p = Print::Hex;
            else if (type.starts_with("s") && !type.starts_with("string") &&
                     !type.starts_with("symbol"))
                p = Print::Signed;
            else if (type.starts_with("string") || type.starts_with("ustring"))
                p = Print::String;
            else if (type.starts_with("symbol"))
                p = Print::Symbol;
        }
        style.fields[arg.name] = p;
    }
    return style;
}

} // namespace ksurf::output
