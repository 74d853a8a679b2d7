#include "types/elf_symbols.h"

#include "types/elf_file.h"

#include <climits>
#include <cstdlib>
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
    ElfFile f(out.path);
    if (!f.elf) {
        error = f.error;
        return false;
    }
    // The first definition in table order; an indirect function's symbol is
    // its resolver, which runs once at load time, so it is not a match.
    bool found = false;
    uint64_t addr = 0;
    f.for_each_function(
        [&](std::string_view name, uint64_t value, uint64_t, bool) {
            if (found || name != symbol) return;
            found = true;
            addr = value;
        },
        /*with_ifunc=*/false);
    if (!found) {
        error = "no function '" + symbol + "' in " + out.path;
        return false;
    }
    if (!f.vaddr_to_offset(addr, out.offset)) {
        error = "'" + symbol + "' is not in a loadable segment of " + out.path;
        return false;
    }
    out.offset += extra;
    return true;
}

} // namespace ksurf::types
