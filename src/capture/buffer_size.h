// How big ksurf makes its own instance's per-CPU ring buffer when -b is not
// given, and how full a CPU's buffer gets before poll() wakes the reader.
//
// The kernel's default (1408 KB per CPU) holds about 10 ms of a burst of
// 2-5 M small events per second: a reader that loses the CPU for longer than
// that loses events, whatever it does when it runs. So by default ksurf asks
// for 1/64 of the available memory (MemAvailable in /proc/meminfo) spread over
// the CPUs, at least the kernel's default and at most kMaxDefaultKb per CPU.
#pragma once

#include <cstdint>
#include <string_view>

namespace ksurf::capture {

// The kernel's own default per-CPU size, the floor.
constexpr unsigned kMinDefaultKb = 1408;
// 16 MB per CPU: about 0.7 M sys_enter records, 150-350 ms of a burst.
constexpr unsigned kMaxDefaultKb = 16384;
// When MemAvailable cannot be read.
constexpr unsigned kFallbackKb = 4096;
// buffer_percent for ksurf's instance: poll() on trace_pipe_raw wakes once a
// CPU's buffer is this full (1 % of 16 MB is 40 pages), so a burst is read in
// batches as soon as it arrives, not when a timer says; a trickle that never
// fills 1 % is read on the poll timeout.
constexpr int kWakePercent = 1;

// The rule, pure: per-CPU KB for `cpus` CPUs and `mem_available_kb` (0 when
// unknown).
unsigned default_buffer_kb(unsigned cpus, uint64_t mem_available_kb);
// MemAvailable from the text of /proc/meminfo, 0 when absent.
uint64_t mem_available_kb(std::string_view meminfo);
// The rule for this machine (online CPUs, /proc/meminfo).
unsigned default_buffer_kb();

} // namespace ksurf::capture
