// ksurf list: what can be traced, and how (functions, events, prototypes,
// struct layouts and member paths, user binaries' functions, disassembly).
// Gathering is in src/listing/; this file parses options, loads what each
// listing needs and prints it (text for people, --json for programs).
#include "commands/commands.h"
#include "commands/common.h"
#include "ksyms/ksyms.h"
#include "listing/listing.h"
#include "listing/render.h"
#include "tracefs/event_catalog.h"
#include "tracefs/tracefs.h"
#include "util/json.h"
#include "util/write_error.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace ksurf::commands {

namespace {

struct ListOptions {
    bool json = false;
    bool names = false;
    bool all = false;
    bool verbose = false;
    std::string color = "auto";
    std::string btf;
    std::string arch;
    std::string vmlinux;
    std::string glob;
    std::string name;
    std::string path;
};

void print(const std::string &text) {
    write_checked(stdout, text, "standard output");
}

int fail(const std::string &error, const std::string &hint, int status) {
    std::fprintf(stderr, "ksurf: %s\n", error.c_str());
    if (!hint.empty()) std::fprintf(stderr, "  hint: %s\n", hint.c_str());
    return status;
}

void notes(const std::vector<std::string> &ns) {
    for (const auto &n : ns) std::fprintf(stderr, "ksurf: note: %s\n", n.c_str());
}

listing::Style style_for(const ListOptions &o) {
    listing::Style st;
    if (o.color == "always")
        st.color = true;
    else if (o.color == "auto") {
        const char *term = std::getenv("TERM");
        st.color = ::isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR") &&
                   !(term && std::strcmp(term, "dumb") == 0);
    }
    return st;
}

std::string tracefs_root() {
    auto fs = tracefs::Tracefs::open();
    return fs ? fs->root() : std::string("/sys/kernel/tracing");
}

// Prints one listing as JSON, names only (--names) or text; each is built
// only when asked for (a JSON of every function is large).
template <class Json, class Text>
void show(const ListOptions &o, Json json, Text text,
          const std::vector<std::string> *names = nullptr) {
    if (o.json) {
        print(ksurf::json::dump(json(), 2));
    } else if (o.names && names) {
        std::string out;
        for (const auto &n : *names) out += n + "\n";
        print(out);
    } else {
        print(text(style_for(o)));
    }
}

// Architecture and BTF for the listings that read types.
struct Typed {
    arch::Arch arch = arch::host_arch();
    std::unique_ptr<types::TypeInfo> types;
};

std::optional<Typed> load_typed(const ListOptions &o, int &status) {
    Typed t;
    if (!o.arch.empty()) {
        auto a = arch::arch_from_name(o.arch);
        if (!a) {
            status = fail("unknown architecture '" + o.arch + "'", "x86_64, aarch64 or riscv64",
                          kExitUsage);
            return std::nullopt;
        }
        t.arch = *a;
    }
    auto loaded = o.btf.empty() ? types::TypeInfo::load() : types::TypeInfo::load(o.btf);
    std::string err;
    if (!loaded)
        err = loaded.error();
    else if (!(*loaded)->base(&err))
        loaded = std::unexpected(err);
    if (!loaded) {
        status = fail("cannot read kernel types: " + err,
                      "this needs a kernel with CONFIG_DEBUG_INFO_BTF (/sys/kernel/btf/vmlinux), "
                      "or --btf FILE",
                      kExitFailure);
        return std::nullopt;
    }
    t.types = std::move(*loaded);
    return t;
}

int list_funcs(const ListOptions &o) {
    std::string root = tracefs_root();
    auto syms = ksyms::KernelSymbols::load(root);
    auto l = listing::list_funcs(syms, o.glob, o.all);
    if (::access((root + "/kprobe_events").c_str(), F_OK) != 0)
        l.notes.push_back("this kernel has no kprobe_events (CONFIG_KPROBES off): the list is "
                          "what it would accept, nothing can be probed here");
    notes(l.notes);
    std::vector<std::string> names;
    if (o.names)
        for (const auto &f : l.funcs) names.push_back(f.name);
    show(
        o, [&] { return listing::to_json(l); },
        [&](const listing::Style &st) { return listing::render_funcs(l, o.all, st); }, &names);
    return kExitOk;
}

int list_events(const ListOptions &o) {
    auto fs = tracefs::Tracefs::open();
    if (!fs) return fail("trace events need tracefs: " + fs.error().str(), "", kExitFailure);
    tracefs::TracefsEventCatalog catalog(*fs);
    auto evs = listing::list_events(catalog, o.glob, o.verbose && !o.names);
    if (evs.empty() && !o.glob.empty())
        std::fprintf(stderr, "ksurf: no trace event matches '%s'\n", o.glob.c_str());
    std::vector<std::string> names;
    if (o.names)
        for (const auto &e : evs) names.push_back(e.system + "/" + e.event);
    show(
        o, [&] { return listing::to_json(evs, o.verbose); },
        [&](const listing::Style &st) { return listing::render_events(evs, o.verbose, st); },
        &names);
    return evs.empty() && !o.glob.empty() ? kExitUsage : kExitOk;
}

int list_func(const ListOptions &o) {
    int status = kExitOk;
    auto t = load_typed(o, status);
    if (!t) return status;
    // kallsyms describes the running kernel: not the one of another --btf file.
    std::optional<ksyms::KernelSymbols> syms;
    if (o.btf.empty()) syms = ksyms::KernelSymbols::load(tracefs_root());
    auto f = listing::describe_func(*t->types, syms ? &*syms : nullptr, o.name, t->arch);
    if (!f.in_btf && !f.in_kallsyms) return fail(f.error, f.hint, kExitUsage);
    // The function may be fine, but this kernel cannot take kprobes at all.
    if (syms && f.probeable && ::access((tracefs_root() + "/kprobe_events").c_str(), F_OK) != 0) {
        f.probeable = false;
        f.notes.push_back("this kernel has no kprobes (no kprobe_events: CONFIG_KPROBES is off)");
    }
    show(
        o, [&] { return listing::to_json(f); },
        [&](const listing::Style &st) { return listing::render_func(f, st); });
    return kExitOk;
}

int list_struct(const ListOptions &o) {
    int status = kExitOk;
    auto t = load_typed(o, status);
    if (!t) return status;
    if (!o.path.empty()) {
        auto p = listing::member_path(*t->types, o.name, o.path, t->arch);
        if (!p.error.empty()) return fail(p.error, p.hint, kExitUsage);
        show(
            o, [&] { return listing::to_json(p); },
            [&](const listing::Style &st) { return listing::render_path(p, st); });
        if (p.fetcharg.empty() && !p.hint.empty()) notes({p.hint});
        return kExitOk;
    }
    auto s = listing::layout_struct(*t->types, o.name);
    if (!s.error.empty()) return fail(s.error, s.hint, kExitUsage);
    show(
        o, [&] { return listing::to_json(s); },
        [&](const listing::Style &st) { return listing::render_struct(s, st); });
    return kExitOk;
}

int list_structs(const ListOptions &o) {
    int status = kExitOk;
    auto t = load_typed(o, status);
    if (!t) return status;
    auto names = listing::list_struct_names(*t->types, o.glob);
    show(
        o,
        [&] {
            return nlohmann::json{{"structs", names}};
        },
        [&](const listing::Style &) {
            std::string out;
            for (const auto &n : names) out += n + "\n";
            return out;
        });
    return kExitOk;
}

int list_uprobes(const ListOptions &o) {
    auto l = listing::list_uprobe_funcs(o.path, o.glob);
    if (!l.error.empty()) return fail(l.error, "", kExitUsage);
    if (!l.note.empty()) notes({l.note});
    std::vector<std::string> names;
    if (o.names)
        for (const auto &f : l.funcs) names.push_back(f.name);
    show(
        o, [&] { return listing::to_json(l); },
        [&](const listing::Style &st) { return listing::render_uprobes(l, st); }, &names);
    return kExitOk;
}

int list_disasm(const ListOptions &o) {
    std::optional<ksyms::KernelSymbols> syms;
    if (o.vmlinux.empty()) syms = ksyms::KernelSymbols::load(tracefs_root());
    auto d = listing::disassemble(syms ? &*syms : nullptr, o.name, o.vmlinux);
    if (!d.error.empty()) {
        bool refused = d.error.find("no kernel function") == std::string::npos &&
                       d.error.find("no function") == std::string::npos;
        return fail(d.error, d.hint, refused ? kExitFailure : kExitUsage);
    }
    show(
        o, [&] { return listing::to_json(d); },
        [&](const listing::Style &st) { return listing::render_disasm(d, st); });
    return kExitOk;
}

} // namespace

int cmd_list(int argc, char **argv) {
    ListOptions o;
    CLI::App app{"ksurf list: what can be traced, and how", "ksurf list"};
    app.require_subcommand(1);
    app.fallthrough();
    app.add_flag("--json", o.json, "print one JSON document");
    app.add_option("--color", o.color, "colour: auto (a terminal only), always, never")
        ->check(CLI::IsMember({"auto", "always", "never"}));

    auto *funcs = app.add_subcommand(
        "funcs", "probe-able kernel functions (available_filter_functions minus the kprobe "
                 "blacklist; [module] shown)");
    funcs->add_option("GLOB", o.glob, "function name glob, e.g. 'do_sys_open*'");
    funcs->add_flag("--all", o.all,
                    "every text symbol of kallsyms, with why each cannot be probed");
    funcs->add_flag("--names", o.names, "names only, one a line");

    auto *events = app.add_subcommand("events", "trace events (tracefs events/)");
    events->add_option("GLOB", o.glob,
                       "SYSTEM/EVENT glob ('syscalls/sys_enter_open*'); without '/', an event "
                       "or a system name");
    events->add_flag("-v,--verbose", o.verbose, "each event's fields with their types");
    events->add_flag("--names", o.names, "SYSTEM/EVENT only, one a line");

    auto *func = app.add_subcommand(
        "func", "a function's prototype from BTF: each argument's name, type and register");
    func->add_option("NAME", o.name, "kernel function")->required();
    func->add_option("--btf", o.btf, "BTF file (default /sys/kernel/btf/vmlinux)");
    func->add_option("-a,--arch", o.arch,
                     "registers of this architecture (x86_64, aarch64, riscv64)");

    auto *strct = app.add_subcommand(
        "struct", "a struct's members with offsets, sizes and bitfields (like pahole), or the "
                  "offset chain of one member path");
    strct->add_option("NAME", o.name, "struct or union name (or a typedef of one)")->required();
    strct->add_option("PATH", o.path, "member path: 'comm', 'mm.mm_users', 'pids[1].node'");
    strct->add_option("--btf", o.btf, "BTF file (default /sys/kernel/btf/vmlinux)");
    strct->add_option("-a,--arch", o.arch, "registers of this architecture");

    auto *structs = app.add_subcommand("structs", "names of structs and unions in BTF");
    structs->add_option("GLOB", o.glob, "name glob, e.g. 'sk_buff*'");
    structs->add_option("--btf", o.btf, "BTF file (default /sys/kernel/btf/vmlinux)");

    auto *uprobes = app.add_subcommand(
        "uprobes", "functions of a user binary or library, with their uprobe file offsets");
    uprobes->add_option("PATH", o.path, "binary or library (a bare name is searched for)")
        ->required();
    uprobes->add_option("GLOB", o.glob, "function name glob");
    uprobes->add_flag("--names", o.names, "names only, one a line");

    auto *disasm = app.add_subcommand(
        "disasm", "a kernel function's machine code with offsets, to pick FUNC+OFF and a register");
    disasm->add_option("FUNC", o.name, "kernel function")->required();
    disasm->add_option("--vmlinux", o.vmlinux,
                       "read the code from this kernel image instead of /proc/kcore");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        return parse_error_exit(app, e);
    }
    if (*funcs) return list_funcs(o);
    if (*events) return list_events(o);
    if (*func) return list_func(o);
    if (*strct) return list_struct(o);
    if (*structs) return list_structs(o);
    if (*uprobes) return list_uprobes(o);
    if (*disasm) return list_disasm(o);
    return kExitUsage;
}

} // namespace ksurf::commands
