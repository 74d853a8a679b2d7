// list disasm FUNC: a kernel function's machine code, so that a user can pick
// FUNC+OFF and a register. The bytes come from the live kernel (/proc/kcore,
// at the kallsyms address) or from a vmlinux ELF file.
#include "listing/listing.h"
#include "types/elf_file.h"
#include "util/strings.h"

#include <cerrno>
#include <cstring>
#include <elf.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <map>
#include <unistd.h>
#ifdef KSURF_HAVE_CAPSTONE
#include <capstone/capstone.h>
#endif

namespace ksurf::listing {

namespace {

// Large enough for any sane function; a bigger span is a gap in kallsyms.
constexpr uint64_t kMaxBytes = 256 * 1024;
// When no later symbol bounds the function.
constexpr uint64_t kUnboundedBytes = 512;

bool read_at(int fd, uint64_t off, void *buf, size_t n) {
    auto *p = static_cast<char *>(buf);
    while (n > 0) {
        ssize_t r = ::pread(fd, p, n, static_cast<off_t>(off));
        if (r <= 0) {
            if (r < 0 && errno == EINTR) continue;
            return false;
        }
        p += r;
        off += static_cast<uint64_t>(r);
        n -= static_cast<size_t>(r);
    }
    return true;
}

// Reads `size` bytes of kernel memory at `addr` through /proc/kcore's
// program headers (vaddr -> file offset).
bool read_kcore(uint64_t addr, uint64_t size, std::vector<uint8_t> &out, std::string &error,
                std::string &hint) {
    int fd = ::open("/proc/kcore", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error = kcore_refusal(errno, hint);
        return false;
    }
    Elf64_Ehdr eh;
    bool ok = read_at(fd, 0, &eh, sizeof eh) && std::memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 &&
              eh.e_ident[EI_CLASS] == ELFCLASS64 && eh.e_phentsize == sizeof(Elf64_Phdr);
    if (!ok) {
        ::close(fd);
        error = "/proc/kcore is not a 64-bit ELF file";
        return false;
    }
    std::vector<Elf64_Phdr> ph(eh.e_phnum);
    if (!read_at(fd, eh.e_phoff, ph.data(), ph.size() * sizeof(Elf64_Phdr))) {
        ::close(fd);
        error = std::string("cannot read /proc/kcore's program headers: ") + std::strerror(errno);
        return false;
    }
    for (const auto &p : ph) {
        if (p.p_type != PT_LOAD || addr < p.p_vaddr || addr >= p.p_vaddr + p.p_memsz) continue;
        size = std::min(size, p.p_vaddr + p.p_memsz - addr);
        out.resize(size);
        if (!read_at(fd, p.p_offset + (addr - p.p_vaddr), out.data(), out.size())) {
            error = fmt::format("cannot read kernel text at {:#x} from /proc/kcore: {}", addr,
                                std::strerror(errno));
            hint = "the kernel may refuse this region (lockdown, or memory not mapped)";
            out.clear();
            ::close(fd);
            return false;
        }
        ::close(fd);
        return true;
    }
    ::close(fd);
    error = fmt::format("address {:#x} is in no segment of /proc/kcore", addr);
    return false;
}

std::string lockdown_mode() {
    std::string text;
    if (!read_file("/sys/kernel/security/lockdown", text)) return "";
    size_t a = text.find('['), b = text.find(']');
    if (a == std::string::npos || b == std::string::npos || b < a) return "";
    return text.substr(a + 1, b - a - 1);
}

// The immediate target of a call or jump ("0xffffffff81234560"), if any.
std::optional<uint64_t> branch_target(const Insn &in) {
    bool branch = in.mnemonic.starts_with("call") || in.mnemonic.starts_with("j") ||
                  in.mnemonic == "b" || in.mnemonic == "bl" || in.mnemonic.starts_with("b.") ||
                  in.mnemonic.starts_with("cb") || in.mnemonic.starts_with("tb");
    if (!branch) return std::nullopt;
    std::string_view ops = in.operands;
    size_t hash = ops.rfind('#'); // arm64: "#0xffff..."; cbz x0, #0x...
    if (hash != std::string_view::npos) ops = ops.substr(hash + 1);
    if (!ops.starts_with("0x")) return std::nullopt;
    char *end = nullptr;
    std::string s(ops);
    uint64_t v = std::strtoull(s.c_str(), &end, 16);
    if (*end) return std::nullopt;
    return v;
}

} // namespace

std::string kcore_refusal(int err, std::string &hint) {
    hint = "or disassemble the kernel image instead: --vmlinux FILE (e.g. from the kernel's "
           "debug package)";
    if (err == ENOENT)
        return "this kernel has no /proc/kcore (CONFIG_PROC_KCORE is off): ksurf cannot read "
               "its text";
    if (err == EACCES || err == EPERM) {
        if (::geteuid() != 0) {
            hint = "run as root, " + hint;
            return "reading the kernel's text (/proc/kcore) needs root";
        }
        std::string mode = lockdown_mode();
        if (!mode.empty() && mode != "none")
            return "the kernel is locked down (lockdown=" + mode +
                   "): it refuses to show its text through /proc/kcore";
        return std::string("the kernel refuses /proc/kcore: ") + std::strerror(err) +
               " (a security module or lockdown)";
    }
    return std::string("cannot open /proc/kcore: ") + std::strerror(err);
}

bool disassemble_bytes(const std::vector<uint8_t> &code, uint64_t address, arch::Arch arch,
                       std::vector<Insn> &out, std::string &error) {
#ifdef KSURF_HAVE_CAPSTONE
    cs_arch ca = CS_ARCH_X86;
    cs_mode mode = CS_MODE_64;
    if (arch == arch::Arch::Aarch64) {
        ca = CS_ARCH_ARM64;
        mode = CS_MODE_ARM;
    } else if (arch != arch::Arch::X86_64) {
        error =
            std::string("capstone here cannot disassemble ") + std::string(arch::arch_name(arch));
        return false;
    }
    csh h;
    if (cs_open(ca, mode, &h) != CS_ERR_OK) {
        error = "capstone: cs_open failed";
        return false;
    }
    // Keep going past bytes capstone does not know (padding, data in text).
    cs_option(h, CS_OPT_SKIPDATA, CS_OPT_ON);
    cs_insn *insn = nullptr;
    size_t n = cs_disasm(h, code.data(), code.size(), address, 0, &insn);
    for (size_t i = 0; i < n; ++i) {
        Insn in;
        in.address = insn[i].address;
        in.offset = insn[i].address - address;
        in.bytes.assign(insn[i].bytes, insn[i].bytes + insn[i].size);
        in.mnemonic = insn[i].mnemonic;
        in.operands = insn[i].op_str;
        out.push_back(std::move(in));
    }
    if (insn) cs_free(insn, n);
    cs_close(&h);
    if (n == 0 && !code.empty()) {
        error = "capstone could not decode these bytes";
        return false;
    }
    return true;
#else
    (void)code;
    (void)address;
    (void)arch;
    (void)out;
    error = "ksurf was built without capstone (libcapstone-dev): showing bytes only";
    return false;
#endif
}

Disassembly disassemble(const ksyms::KernelSymbols *syms, std::string_view name,
                        const std::string &vmlinux) {
    Disassembly d;
    d.function = std::string(name);
    arch::Arch arch = arch::host_arch();
    std::map<uint64_t, std::pair<std::string, uint64_t>> file_funcs; // vmlinux: addr -> name, size
    if (!vmlinux.empty()) {
        types::ElfFile f(vmlinux);
        if (!f.elf) {
            d.error = f.error;
            return d;
        }
        if (f.machine() == EM_AARCH64) arch = arch::Arch::Aarch64;
        if (f.machine() == EM_RISCV) arch = arch::Arch::Riscv64;
        bool found = false;
        f.for_each_function([&](std::string_view n, uint64_t value, uint64_t size, bool) {
            if (value && size) file_funcs.emplace(value, std::make_pair(std::string(n), size));
            if (found || n != name) return;
            found = true;
            d.address = value;
            d.size = size;
        });
        if (!found) {
            d.error = "no function '" + d.function + "' in the symbol table of " + vmlinux;
            d.hint = "is the file stripped, or the function inlined?";
            return d;
        }
        uint64_t off = 0;
        if (!f.vaddr_to_offset(d.address, off)) {
            d.error = fmt::format("{:#x} is in no loadable segment of {}", d.address, vmlinux);
            return d;
        }
        d.source = vmlinux;
        if (d.size == 0) d.size = kUnboundedBytes;
        if (d.size > kMaxBytes) {
            d.size = kMaxBytes;
            d.truncated = true;
        }
        d.raw.resize(d.size);
        if (!read_at(f.fd, off, d.raw.data(), d.raw.size())) {
            d.error = "cannot read " + vmlinux + ": " + std::strerror(errno);
            return d;
        }
    } else {
        if (!syms) {
            d.error = "no kernel symbols";
            return d;
        }
        ksyms::Place p = syms->check(name);
        std::string sym = p.symbol.empty() ? d.function : p.symbol;
        auto span = syms->span(sym);
        if (!span) {
            d.error = p.error.empty() ? "no kernel function named '" + d.function + "'" : p.error;
            d.hint = p.hint;
            return d;
        }
        d.function = sym;
        if (!syms->addresses_known()) {
            std::string kr;
            read_file("/proc/sys/kernel/kptr_restrict", kr);
            d.error =
                "/proc/kallsyms shows no addresses (kernel.kptr_restrict=" + std::string(trim(kr)) +
                (::geteuid() != 0 ? ", not root" : "") + "): ksurf cannot find the function's text";
            d.hint = "run as root with kernel.kptr_restrict at 0 or 1, or use --vmlinux FILE";
            return d;
        }
        d.address = span->addr;
        d.size = span->size ? span->size : kUnboundedBytes;
        if (d.size > kMaxBytes) {
            d.size = kMaxBytes;
            d.truncated = true;
        }
        d.source = "/proc/kcore";
        if (!read_kcore(d.address, d.size, d.raw, d.error, d.hint)) return d;
        d.size = d.raw.size();
    }
    std::string err;
    if (!disassemble_bytes(d.raw, d.address, arch, d.insns, err)) {
        d.hint = err; // the bytes are still shown
        return d;
    }
    for (auto &in : d.insns) {
        auto t = branch_target(in);
        if (!t) continue;
        if (*t >= d.address && *t < d.address + d.size)
            in.target = fmt::format("{}+{:#x}", d.function, *t - d.address);
        else if (syms && vmlinux.empty())
            in.target = syms->symbolize(*t);
        else if (auto it = file_funcs.upper_bound(*t); it != file_funcs.begin()) {
            --it;
            if (*t < it->first + it->second.second)
                in.target = *t == it->first
                                ? it->second.first
                                : fmt::format("{}+{:#x}", it->second.first, *t - it->first);
        }
    }
    return d;
}

} // namespace ksurf::listing
