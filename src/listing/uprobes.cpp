#include "listing/listing.h"
#include "types/elf_file.h"
#include "types/elf_symbols.h"
#include "util/strings.h"

#include <algorithm>

namespace ksurf::listing {

UprobeListing list_uprobe_funcs(const std::string &path, std::string_view glob) {
    UprobeListing out;
    types::UprobeTarget where;
    // An empty symbol only finds the file (library directories, $PATH).
    if (!types::resolve_uprobe(path, "", 0, where, out.error)) return out;
    out.path = where.path;
    types::ElfFile f(out.path);
    if (!f.elf) {
        out.error = f.error;
        return out;
    }
    bool filtered = !glob.empty() && glob != "*";
    bool unmapped = false;
    f.for_each_function([&](std::string_view name, uint64_t value, uint64_t size, bool global) {
        if (value == 0 || (filtered && !glob_match(glob, name))) return;
        UprobeFunc u{std::string(name), value, 0, size, global};
        if (!f.vaddr_to_offset(value, u.offset)) {
            unmapped = true;
            return;
        }
        out.funcs.push_back(std::move(u));
    });
    std::sort(out.funcs.begin(), out.funcs.end(), [](const UprobeFunc &a, const UprobeFunc &b) {
        return a.vaddr != b.vaddr ? a.vaddr < b.vaddr : a.name < b.name;
    });
    // .symtab and .dynsym name the same functions: keep one of each.
    out.funcs.erase(std::unique(out.funcs.begin(), out.funcs.end(),
                                [](const UprobeFunc &a, const UprobeFunc &b) {
                                    return a.vaddr == b.vaddr && a.name == b.name;
                                }),
                    out.funcs.end());
    if (out.funcs.empty() && !filtered && !unmapped)
        out.note = out.path +
                   " defines no function symbols (stripped of .symtab, and nothing "
                   "exported): probe it by file offset, P " +
                   out.path + ":0xOFFSET";
    if (out.funcs.empty() && unmapped)
        out.error = out.path + " has function symbols but no loadable segments (an object file?)";
    return out;
}

} // namespace ksurf::listing
