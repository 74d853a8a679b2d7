// The one ELF symbol walk of ksurf (libelf): uprobe resolution
// (elf_symbols.h), the uprobe listing and the vmlinux disassembler use it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

typedef struct Elf Elf;

namespace ksurf::types {

// An ELF file opened read-only; `elf` is null and `error` set on failure.
class ElfFile {
  public:
    explicit ElfFile(const std::string &path);
    ~ElfFile();
    ElfFile(const ElfFile &) = delete;
    ElfFile &operator=(const ElfFile &) = delete;

    Elf *elf = nullptr;
    int fd = -1;
    std::string error;

    // Every defined function symbol of .symtab and .dynsym (versions such as
    // "@@GLIBC_2.2.5" cut off), in table order; both tables may repeat one.
    // GNU indirect functions (their resolvers) are included unless
    // `with_ifunc` is false.
    void for_each_function(const std::function<void(std::string_view name, uint64_t value,
                                                    uint64_t size, bool global)> &fn,
                           bool with_ifunc = true) const;
    // File offset of virtual address `vaddr` through the PT_LOAD segments
    // (their bytes in the file, p_filesz: code is never in the zero-filled tail).
    bool vaddr_to_offset(uint64_t vaddr, uint64_t &offset) const;
    // e_machine, 0 if unknown.
    unsigned machine() const;
};

} // namespace ksurf::types
