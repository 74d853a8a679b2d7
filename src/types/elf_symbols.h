// Where a uprobe goes: a function symbol of an ELF file -> its file offset.
#pragma once

#include <cstdint>
#include <string>

namespace ksurf::types {

struct UprobeTarget {
    std::string path;    // absolute, symlinks resolved
    uint64_t offset = 0; // file offset of symbol + extra
};

// Finds `path` (as written: absolute, relative, or a bare library/program
// name searched in the usual library directories and $PATH), then `symbol`
// in .symtab or .dynsym; `extra` is added (SYMBOL+OFF). An empty symbol means
// `extra` is already a file offset. Returns false and sets `error` on failure.
bool resolve_uprobe(const std::string &path, const std::string &symbol, uint64_t extra,
                    UprobeTarget &out, std::string &error);

} // namespace ksurf::types
