#include "arch/arch.h"

#include <algorithm>
#include <array>

namespace ksurf::arch {

namespace {

// arch/x86/kernel/ptrace.c regoffset_table
constexpr std::array<std::string_view, 24> kX86Regs = {
    "ax",  "bx",  "cx",  "dx",  "si", "di",    "bp", "sp", "r8", "r9", "r10", "r11",
    "r12", "r13", "r14", "r15", "ip", "flags", "cs", "ss", "ds", "es", "fs",  "gs"};
constexpr std::array<std::string_view, 6> kX86Args = {"di", "si", "dx", "cx", "r8", "r9"};

// arch/riscv/kernel/ptrace.c regoffset_table
constexpr std::array<std::string_view, 32> kRiscvRegs = {
    "epc", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "s0", "s1", "a0",
    "a1",  "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
    "s6",  "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};

bool is_aarch64_register(std::string_view name) {
    if (name == "sp" || name == "pc" || name == "pstate") return true;
    if (name.size() < 2 || name.size() > 3 || name[0] != 'x') return false;
    unsigned n = 0;
    for (char c : name.substr(1)) {
        if (c < '0' || c > '9') return false;
        n = n * 10 + static_cast<unsigned>(c - '0');
    }
    return !(name.size() == 3 && name[1] == '0') && n <= 30;
}

} // namespace

std::optional<Arch> arch_from_name(std::string_view name) {
    if (name == "x86_64" || name == "x86" || name == "amd64") return Arch::X86_64;
    if (name == "aarch64" || name == "arm64") return Arch::Aarch64;
    if (name == "riscv64" || name == "riscv") return Arch::Riscv64;
    return std::nullopt;
}

Arch host_arch() {
#if defined(__aarch64__)
    return Arch::Aarch64;
#elif defined(__riscv)
    return Arch::Riscv64;
#else
    return Arch::X86_64;
#endif
}

std::string_view arch_name(Arch arch) {
    switch (arch) {
    case Arch::X86_64:
        return "x86_64";
    case Arch::Aarch64:
        return "aarch64";
    case Arch::Riscv64:
        return "riscv64";
    }
    return "?";
}

unsigned arg_register_count(Arch arch) {
    return arch == Arch::X86_64 ? 6 : 8;
}

std::optional<std::string_view> arg_register(Arch arch, unsigned index) {
    static constexpr std::array<std::string_view, 8> kArm = {"x0", "x1", "x2", "x3",
                                                             "x4", "x5", "x6", "x7"};
    static constexpr std::array<std::string_view, 8> kRiscv = {"a0", "a1", "a2", "a3",
                                                               "a4", "a5", "a6", "a7"};
    if (index >= arg_register_count(arch)) return std::nullopt;
    switch (arch) {
    case Arch::X86_64:
        return kX86Args[index];
    case Arch::Aarch64:
        return kArm[index];
    case Arch::Riscv64:
        return kRiscv[index];
    }
    return std::nullopt;
}

bool is_register(Arch arch, std::string_view name) {
    switch (arch) {
    case Arch::X86_64:
        return std::find(kX86Regs.begin(), kX86Regs.end(), name) != kX86Regs.end() ||
               name == "orig_ax";
    case Arch::Aarch64:
        return is_aarch64_register(name);
    case Arch::Riscv64:
        return std::find(kRiscvRegs.begin(), kRiscvRegs.end(), name) != kRiscvRegs.end();
    }
    return false;
}

std::vector<std::string> register_names(Arch arch) {
    std::vector<std::string> out;
    switch (arch) {
    case Arch::X86_64:
        out.assign(kX86Regs.begin(), kX86Regs.end());
        out.emplace_back("orig_ax");
        break;
    case Arch::Aarch64:
        for (int i = 0; i <= 30; ++i) out.push_back("x" + std::to_string(i));
        out.insert(out.end(), {"sp", "pc", "pstate"});
        break;
    case Arch::Riscv64:
        out.assign(kRiscvRegs.begin(), kRiscvRegs.end());
        break;
    }
    return out;
}

std::string register_alias(Arch arch, std::string_view name) {
    if (arch != Arch::X86_64 || name.size() < 2) return {};
    // rdi/edi -> di, rax/eax -> ax, r8d/r8w -> r8, rip -> ip
    if ((name[0] == 'r' || name[0] == 'e') && name.size() == 3) {
        std::string base(name.substr(1));
        if (is_register(arch, base)) return base;
    }
    if (name[0] == 'r' && (name.back() == 'd' || name.back() == 'w' || name.back() == 'b')) {
        std::string base(name.substr(0, name.size() - 1));
        if (is_register(arch, base)) return base;
    }
    if (name == "eflags" || name == "rflags") return "flags";
    return {};
}

} // namespace ksurf::arch
