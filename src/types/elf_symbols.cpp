#include "types/elf_symbols.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>
#include <vector>

namespace ksurf::types {

namespace {

std::string find_file(const std::string &path) {
    auto real = [](const std::string &p) -> std::string {
        char buf[PATH_MAX];
        return ::realpath(p.c_str(), buf) ? std::string(buf) : std::string();
    };
    if (path.find('/') != std::string::npos) return real(path);
    std::vector<std::string> dirs = {"/lib/x86_64-linux-gnu",
                                     "/usr/lib/x86_64-linux-gnu",
                                     "/lib/aarch64-linux-gnu",
                                     "/usr/lib/aarch64-linux-gnu",
                                     "/lib64",
                                     "/usr/lib64",
                                     "/lib",
                                     "/usr/lib",
                                     "/usr/local/lib"};
    if (const char *env = std::getenv("PATH")) {
        std::string p = env;
        size_t start = 0;
        while (start <= p.size()) {
            size_t colon = p.find(':', start);
            if (colon == std::string::npos) colon = p.size();
            if (colon > start) dirs.push_back(p.substr(start, colon - start));
            start = colon + 1;
        }
    }
    for (const auto &d : dirs) {
        std::string candidate = d + "/" + path;
        if (::access(candidate.c_str(), R_OK) == 0) return real(candidate);
    }
    return {};
}

// The symbol's virtual address, or false.
bool symbol_address(Elf *elf, const std::string &symbol, uint64_t &addr) {
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
            if (GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF) continue;
            const char *name = elf_strptr(elf, sh.sh_link, sym.st_name);
            if (!name) continue;
            // versioned names in some symtabs: "malloc@@GLIBC_2.2.5"
            size_t len = std::strcspn(name, "@");
            if (symbol.size() == len && std::strncmp(name, symbol.c_str(), len) == 0) {
                addr = sym.st_value;
                return true;
            }
        }
    }
    return false;
}

bool vaddr_to_offset(Elf *elf, uint64_t vaddr, uint64_t &off) {
    size_t n = 0;
    if (elf_getphdrnum(elf, &n) != 0) return false;
    for (size_t i = 0; i < n; ++i) {
        GElf_Phdr ph;
        if (!gelf_getphdr(elf, static_cast<int>(i), &ph) || ph.p_type != PT_LOAD) continue;
        if (vaddr >= ph.p_vaddr && vaddr < ph.p_vaddr + ph.p_memsz) {
            off = vaddr - ph.p_vaddr + ph.p_offset;
            return true;
        }
    }
    return false;
}

} // namespace

bool resolve_uprobe(const std::string &path, const std::string &symbol, uint64_t extra,
                    UprobeTarget &out, std::string &error) {
    out.path = find_file(path);
    if (out.path.empty()) {
        error = "cannot find " + path;
        return false;
    }
    if (symbol.empty()) {
        out.offset = extra;
        return true;
    }
    if (elf_version(EV_CURRENT) == EV_NONE) {
        error = "libelf is unusable";
        return false;
    }
    int fd = ::open(out.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error = "cannot open " + out.path + ": " + std::strerror(errno);
        return false;
    }
    Elf *elf = elf_begin(fd, ELF_C_READ, nullptr);
    bool ok = false;
    uint64_t addr = 0;
    if (!elf || elf_kind(elf) != ELF_K_ELF) {
        error = out.path + " is not an ELF file";
    } else if (!symbol_address(elf, symbol, addr)) {
        error = "no function '" + symbol + "' in " + out.path;
    } else if (!vaddr_to_offset(elf, addr, out.offset)) {
        error = "'" + symbol + "' is not in a loadable segment of " + out.path;
    } else {
        out.offset += extra;
        ok = true;
    }
    if (elf) elf_end(elf);
    ::close(fd);
    return ok;
}

} // namespace ksurf::types
