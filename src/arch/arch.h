// Registers of the architectures ksurf generates probes for: which register
// holds argument N, and which register names the kernel's fetchargs accept.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ksurf::arch {

enum class Arch { X86_64, Aarch64, Riscv64 };

// "x86_64"/"x86"/"amd64", "aarch64"/"arm64", "riscv64"/"riscv".
std::optional<Arch> arch_from_name(std::string_view name);
// The architecture ksurf was built for.
Arch host_arch();
std::string_view arch_name(Arch arch);

// The register (without '%') holding integer argument `index` (0-based) of
// the calling convention, or nullopt past the register arguments.
std::optional<std::string_view> arg_register(Arch arch, unsigned index);
unsigned arg_register_count(Arch arch);
// True when the kernel's regs_query_register_offset() knows `name` (no '%').
bool is_register(Arch arch, std::string_view name);
// Every register name the kernel accepts, for did-you-mean hints.
std::vector<std::string> register_names(Arch arch);
// A common spelling that is not the kernel's ("rdi" -> "di", "eax" -> "ax"), or "".
std::string register_alias(Arch arch, std::string_view name);

} // namespace ksurf::arch
