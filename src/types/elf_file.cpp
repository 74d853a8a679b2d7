#include "types/elf_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

namespace ksurf::types {

ElfFile::ElfFile(const std::string &path) {
    if (elf_version(EV_CURRENT) == EV_NONE) {
        error = "libelf is unusable";
        return;
    }
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error = "cannot open " + path + ": " + std::strerror(errno);
        return;
    }
    elf = elf_begin(fd, ELF_C_READ, nullptr);
    if (!elf || elf_kind(elf) != ELF_K_ELF) {
        error = path + " is not an ELF file";
        if (elf) elf_end(elf);
        elf = nullptr;
    }
}

ElfFile::~ElfFile() {
    if (elf) elf_end(elf);
    if (fd >= 0) ::close(fd);
}

void ElfFile::for_each_function(
    const std::function<void(std::string_view, uint64_t, uint64_t, bool)> &fn,
    bool with_ifunc) const {
    if (!elf) return;
    Elf_Scn *scn = nullptr;
    while ((scn = elf_nextscn(elf, scn)) != nullptr) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM))
            continue;
        Elf_Data *data = elf_getdata(scn, nullptr);
        if (!data || sh.sh_entsize == 0) continue;
        size_t n = sh.sh_size / sh.sh_entsize;
        for (size_t i = 0; i < n; ++i) {
            GElf_Sym sym;
            if (!gelf_getsym(data, static_cast<int>(i), &sym)) continue;
            int type = GELF_ST_TYPE(sym.st_info);
            bool func = type == STT_FUNC || (with_ifunc && type == STT_GNU_IFUNC);
            if (!func || sym.st_shndx == SHN_UNDEF) continue;
            const char *name = elf_strptr(elf, sh.sh_link, sym.st_name);
            if (!name || !*name) continue;
            std::string_view n(name);
            n = n.substr(0, n.find('@'));
            int bind = GELF_ST_BIND(sym.st_info);
            fn(n, sym.st_value, sym.st_size, bind == STB_GLOBAL || bind == STB_WEAK);
        }
    }
}

bool ElfFile::vaddr_to_offset(uint64_t vaddr, uint64_t &offset) const {
    size_t n = 0;
    if (!elf || elf_getphdrnum(elf, &n) != 0) return false;
    for (size_t i = 0; i < n; ++i) {
        GElf_Phdr ph;
        if (!gelf_getphdr(elf, static_cast<int>(i), &ph) || ph.p_type != PT_LOAD) continue;
        if (vaddr >= ph.p_vaddr && vaddr < ph.p_vaddr + ph.p_filesz) {
            offset = vaddr - ph.p_vaddr + ph.p_offset;
            return true;
        }
    }
    return false;
}

unsigned ElfFile::machine() const {
    GElf_Ehdr eh;
    if (!elf || !gelf_getehdr(elf, &eh)) return 0;
    return eh.e_machine;
}

} // namespace ksurf::types
