#include "ksyms/ksyms.h"

#include "ksyms/kallsyms.h"

#include "util/strings.h"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fnmatch.h>
#include <sys/mount.h>
#include <unistd.h>

namespace ksurf::ksyms {

namespace {

// "name.isra.0" -> "name" for the compiler's clone suffixes; "" if none.
std::string_view base_of_clone(std::string_view sym) {
    for (std::string_view suffix : {".isra.", ".constprop.", ".part.", ".lto_priv."}) {
        size_t pos = sym.find(suffix);
        if (pos != std::string_view::npos) return sym.substr(0, pos);
    }
    return {};
}

std::string read_blacklist() {
    std::string text;
    const char *path = "/sys/kernel/debug/kprobes/blacklist";
    if (read_file(path, text)) return text;
    // debugfs not mounted: mount it just long enough to read the list.
    if (::geteuid() != 0 || ::access("/sys/kernel/debug", F_OK) != 0) return "";
    if (::mount("debugfs", "/sys/kernel/debug", "debugfs", 0, nullptr) != 0) return "";
    read_file(path, text);
    ::umount("/sys/kernel/debug");
    return text;
}

} // namespace

KernelSymbols KernelSymbols::parse(std::string_view kallsyms, std::string_view blacklist,
                                   std::string_view filter_functions) {
    KernelSymbols k;
    for_each_kallsyms_line(kallsyms, [&](const KallsymsLine &l) {
        if (!l.is_text()) {
            k.data_.emplace(l.name);
            return;
        }
        if (l.addr != 0) {
            k.addresses_known_ = true;
            k.starts_.push_back(l.addr);
        }
        if (l.name.starts_with("__pfx_")) return; // padding before functions, not code
        if (!k.text_.emplace(std::string(l.name), std::string(l.module)).second)
            k.repeated_.emplace(l.name);
        k.symbols_.push_back(TextSymbol{l.addr, std::string(l.name), std::string(l.module)});
    });
    std::sort(k.starts_.begin(), k.starts_.end());
    for (const auto &line : split(blacklist, '\n')) {
        // "0xffffffff81000000-0xffffffff81000010\tname"
        size_t tab = line.find_first_of("\t ");
        if (tab == std::string::npos) continue;
        k.blacklist_.emplace(trim(std::string_view(line).substr(tab + 1)));
        k.blacklist_known_ = true;
    }
    for (const auto &line : split(filter_functions, '\n')) {
        std::string_view l = trim(line);
        size_t sp = l.find(' ');
        if (!l.empty()) k.traceable_.emplace(l.substr(0, sp));
    }
    return k;
}

KernelSymbols KernelSymbols::load(const std::string &tracefs_dir) {
    std::string kallsyms, filters;
    read_file("/proc/kallsyms", kallsyms);
    read_file(tracefs_dir + "/available_filter_functions", filters);
    return parse(kallsyms, read_blacklist(), filters);
}

std::optional<TextSpan> KernelSymbols::span(std::string_view name) const {
    for (const auto &s : symbols_) {
        if (s.name != name) continue;
        TextSpan out{s.addr, 0, s.module};
        auto next = std::upper_bound(starts_.begin(), starts_.end(), s.addr);
        if (s.addr != 0 && next != starts_.end()) out.size = *next - s.addr;
        return out;
    }
    return std::nullopt;
}

std::string KernelSymbols::symbolize(uint64_t addr) const {
    if (!addresses_known_ || addr == 0) return "";
    if (by_addr_.size() != symbols_.size()) {
        auto &idx = by_addr_;
        idx.resize(symbols_.size());
        for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
        std::stable_sort(idx.begin(), idx.end(),
                         [&](size_t a, size_t b) { return symbols_[a].addr < symbols_[b].addr; });
    }
    auto it = std::upper_bound(by_addr_.begin(), by_addr_.end(), addr,
                               [&](uint64_t a, size_t i) { return a < symbols_[i].addr; });
    if (it == by_addr_.begin()) return "";
    const TextSymbol &s = symbols_[*std::prev(it)];
    // Past the symbol's end (the next start, __pfx_ padding included): not inside it.
    auto next = std::upper_bound(starts_.begin(), starts_.end(), s.addr);
    if (next != starts_.end() && addr >= *next) return "";
    if (addr == s.addr) return s.name;
    return fmt::format("{}+{:#x}", s.name, addr - s.addr);
}

Place KernelSymbols::check(std::string_view name, std::string_view module) const {
    Place p;
    std::string sym(name);
    // The kernel's naming habit for the function doing an inline's work.
    auto callee = [&]() -> std::string {
        for (const std::string &c : {"__" + sym, "_" + sym, sym + "_common"})
            if (text_.contains(c)) return c;
        return "";
    };
    // Without CONFIG_KPROBE_EVENTS_ON_NOTRACE (the distributions' default)
    // kprobe events go only into functions ftrace can trace; the kernel says
    // "Could not probe notrace function" and the write fails.
    auto notrace = [&](const std::string &s) {
        if (!traceable_known() || traceable(s)) return false;
        p.error = fmt::format("'{}' is a notrace function (not in available_filter_functions): "
                              "this kernel puts kprobe events only where ftrace can trace",
                              s);
        std::string c = callee();
        p.hint = !c.empty() ? fmt::format("probe '{}', the function that does its work", c)
                            : "probe its caller, or a function it calls";
        return true;
    };
    auto blacklisted = [&](const std::string &s) {
        if (!blacklist_.contains(s)) return false;
        p.error = fmt::format("'{}' is on the kernel's kprobe blacklist: kprobes cannot probe it "
                              "(it runs where a probe would recurse or crash)",
                              s);
        p.hint = "probe its caller or a function it calls instead";
        return true;
    };
    if (auto it = text_.find(sym); it != text_.end()) {
        if (!module.empty() && it->second != module) {
            p.error = fmt::format("'{}' is not in module '{}' (it is in {})", sym, module,
                                  it->second.empty() ? "vmlinux" : it->second);
            return p;
        }
        if (blacklisted(sym)) return p;
        // Several functions of one name (copies of a static inline, like
        // dev_queue_xmit on 6.1): the kernel refuses the name as ambiguous
        // (EADDRNOTAVAIL, "Failed to register probe event").
        // (scanned only for names seen twice: a glob checks thousands of names)
        std::vector<uint64_t> copies;
        if (repeated_.contains(sym))
            for (const auto &t : symbols_)
                if (t.name == sym && t.module == it->second) copies.push_back(t.addr);
        if (copies.size() > 1) {
            p.error = fmt::format("'{}' names {} different functions in /proc/kallsyms (copies "
                                  "of an inline function): the kernel refuses the name",
                                  sym, copies.size());
            if (std::string c = callee(); !c.empty()) {
                p.hint = fmt::format("probe '{}', the function that does its work", c);
                return p;
            }
            p.hint = copies[0] ? fmt::format("probe one copy by address: p {:#x}", copies[0])
                               : "probe one copy by its address (as root, kallsyms shows them)";
            return p;
        }
        if (notrace(sym)) return p;
        p.ok = true;
        p.symbol = sym;
        return p;
    }
    // The compiler may have cloned it: name.isra.0, name.constprop.0, name.part.0.
    std::vector<std::string> clones;
    for (const auto &[s, mod] : text_)
        if (base_of_clone(s) == sym && !s.ends_with(".cold")) clones.push_back(s);
    std::sort(clones.begin(), clones.end());
    if (clones.size() == 1) {
        if (blacklisted(clones[0]) || notrace(clones[0])) return p;
        p.ok = true;
        p.symbol = clones[0];
        p.note = fmt::format("'{}' is compiled as '{}': probing that", sym, clones[0]);
        return p;
    }
    if (clones.size() > 1) {
        p.error = fmt::format("'{}' exists only as several compiler clones: {}", sym,
                              fmt::join(clones, ", "));
        p.hint = "name the one to probe, e.g. 'p " + clones[0] + "'";
        return p;
    }
    p.error = fmt::format("no kernel function named '{}' (not in /proc/kallsyms)", sym);
    // An inline wrapper (dev_queue_xmit on 6.1) has no code of its own; the
    // kernel's naming habit puts the work in __NAME or _NAME.
    if (std::string c = callee(); !c.empty()) {
        p.error = fmt::format("'{}' has no code of its own in this kernel (not in /proc/kallsyms: "
                              "it is inlined)",
                              sym);
        p.hint = fmt::format("probe '{}', the function that does its work", c);
        return p;
    }
    // did-you-mean over names that share the first two letters (fast enough on 200k names).
    std::string best;
    size_t best_d = std::max<size_t>(2, sym.size() / 4) + 1;
    for (const auto &[s, mod] : text_) {
        if (s.size() < 2 || sym.size() < 2 || s[0] != sym[0]) continue;
        if (s.size() > sym.size() + best_d || sym.size() > s.size() + best_d) continue;
        size_t d = edit_distance(sym, s);
        if (d < best_d || (d == best_d && s < best)) {
            best_d = d;
            best = s;
        }
    }
    p.hint = best.empty() ? "is it inlined, or in a module that is not loaded?"
                          : fmt::format("did you mean '{}'?", best);
    return p;
}

GlobMatch KernelSymbols::match(std::string_view glob, std::string_view module) const {
    GlobMatch m;
    std::string pattern(glob);
    std::unordered_set<std::string_view> seen;
    for (const auto &s : symbols_) {
        if (!module.empty() && s.module != module) continue;
        if (fnmatch(pattern.c_str(), s.name.c_str(), 0) != 0) continue;
        if (!seen.insert(s.name).second) continue;
        if (s.name.ends_with(".cold") || s.name.find(".cold.") != std::string::npos)
            ++m.cold;
        else if (blacklist_.contains(s.name))
            ++m.blacklisted;
        else if (repeated_.contains(s.name))
            ++m.repeated; // the kernel refuses a name several functions share
        else if (traceable_known() && !traceable_.contains(s.name))
            ++m.notrace;
        else
            m.names.push_back(s.name);
    }
    std::sort(m.names.begin(), m.names.end());
    std::vector<std::string> out;
    if (m.blacklisted) out.push_back(fmt::format("{} on the kprobe blacklist", m.blacklisted));
    if (m.notrace)
        out.push_back(fmt::format("{} notrace (not in available_filter_functions)", m.notrace));
    if (m.repeated)
        out.push_back(fmt::format("{} whose name several functions share (the kernel refuses "
                                  "the name)",
                                  m.repeated));
    if (m.cold) out.push_back(fmt::format("{} .cold parts (not function entries)", m.cold));
    if (!out.empty())
        m.notes.push_back(fmt::format("'{}': left out {}", glob, fmt::join(out, ", ")));
    if (!traceable_known())
        m.notes.push_back(fmt::format(
            "'{}': available_filter_functions is not readable here: matched every text symbol "
            "of /proc/kallsyms (the kernel may refuse notrace ones)",
            glob));
    if (!blacklist_known())
        m.notes.push_back(fmt::format("'{}': the kprobe blacklist (debugfs kprobes/blacklist) "
                                      "is not readable: blacklisted functions are not left out",
                                      glob));
    return m;
}

} // namespace ksurf::ksyms
