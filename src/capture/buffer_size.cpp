#include "capture/buffer_size.h"

#include "util/strings.h"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace ksurf::capture {

unsigned default_buffer_kb(unsigned cpus, uint64_t mem_available_kb) {
    if (mem_available_kb == 0) return kFallbackKb;
    uint64_t per_cpu = mem_available_kb / 64 / std::max(1u, cpus);
    per_cpu = std::clamp<uint64_t>(per_cpu, kMinDefaultKb, kMaxDefaultKb);
    return static_cast<unsigned>(per_cpu);
}

uint64_t mem_available_kb(std::string_view meminfo) {
    constexpr std::string_view key = "MemAvailable:";
    auto at = meminfo.find(key);
    if (at == std::string_view::npos || (at > 0 && meminfo[at - 1] != '\n')) return 0;
    std::string rest(meminfo.substr(at + key.size(), 32));
    return std::strtoull(rest.c_str(), nullptr, 10);
}

unsigned default_buffer_kb() {
    std::string text;
    uint64_t avail = read_file("/proc/meminfo", text) ? mem_available_kb(text) : 0;
    long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
    return default_buffer_kb(cpus > 0 ? static_cast<unsigned>(cpus) : 1u, avail);
}

} // namespace ksurf::capture
