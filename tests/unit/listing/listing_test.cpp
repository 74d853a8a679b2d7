// ksurf list, on deterministic input: kallsyms text, a fake event catalog,
// the BTF fixture (offsets from offsetof over the same header) and known
// machine code.
#include "../../fixtures/kernel_types.h"
#include "listing/listing.h"
#include "listing/render.h"
#include "types/elf_symbols.h"
#include "util/strings.h"

#include <algorithm>
#include <cstddef>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <map>
#include <unistd.h>

using namespace ksurf;
using ksurf::arch::Arch;

namespace {

const char *kKallsyms = "ffffffff81000000 T do_sys_openat2\n"
                        "ffffffff810000f0 t __pfx_do_sys_open\n"
                        "ffffffff81000100 t do_sys_open\n"
                        "ffffffff81000200 t helper.cold\n"
                        "ffffffff81000300 T do_int3\n"
                        "ffffffff81000400 t notrace_fn\n"
                        "ffffffff81000500 t dup_name\n"
                        "ffffffff81000600 t dup_name\n"
                        "ffffffff81000700 D some_data\n"
                        "ffffffffc0000000 t ext4_readdir\t[ext4]\n";
const char *kBlacklist = "0xffffffff81000300-0xffffffff81000310\tdo_int3\n";
const char *kFilters = "do_sys_openat2\ndo_sys_open\ndup_name\next4_readdir [ext4]\n";

ksyms::KernelSymbols syms() {
    return ksyms::KernelSymbols::parse(kKallsyms, kBlacklist, kFilters);
}

std::vector<std::string> names(const listing::FuncListing &l) {
    std::vector<std::string> out;
    for (const auto &f : l.funcs) out.push_back(f.name);
    return out;
}

std::unique_ptr<types::TypeInfo> fixture() {
    std::string err;
    return types::TypeInfo::open(std::string(KSURF_FIXTURE_DIR) + "/kernel_types.btf", err,
                                 std::string(KSURF_FIXTURE_DIR) + "/modules");
}

#define NEED_FIXTURE(t)                                                                            \
    auto t = fixture();                                                                            \
    if (!t) GTEST_SKIP() << "BTF fixture not built (make ksurf_btf_fixtures)"

class FakeCatalog : public compile::EventCatalog {
  public:
    std::vector<std::pair<std::string, std::string>> all = {
        {"sched", "sched_switch"},         {"sched", "sched_wakeup"},
        {"syscalls", "sys_enter_open"},    {"syscalls", "sys_enter_openat"},
        {"syscalls", "sys_enter_openat2"}, {"syscalls", "sys_exit_openat"}};
    std::vector<std::pair<std::string, std::string>> match(std::string_view sys,
                                                           std::string_view ev) const override {
        std::vector<std::pair<std::string, std::string>> out;
        for (const auto &p : all)
            if (glob_match(sys, p.first) && glob_match(ev, p.second)) out.push_back(p);
        return out;
    }
    std::optional<std::vector<compile::EventField>> fields(std::string_view,
                                                           std::string_view) const override {
        return std::vector<compile::EventField>{
            {"common_pid", "int", 4, 4, true, false, true},
            {"filename", "const char *", 16, 8, false, false, false}};
    }
};

} // namespace

// --- funcs -------------------------------------------------------------------------

TEST(ListFuncs, ProbeableOnlyByDefaultSortedWithModules) {
    auto l = listing::list_funcs(syms(), "", false);
    EXPECT_EQ(names(l), (std::vector<std::string>{"do_sys_open", "do_sys_openat2", "dup_name",
                                                  "ext4_readdir"}));
    EXPECT_EQ(l.funcs.back().module, "ext4");
    EXPECT_TRUE(l.notes.empty());
}

TEST(ListFuncs, GlobMatchesNames) {
    auto l = listing::list_funcs(syms(), "do_sys_open*", false);
    EXPECT_EQ(names(l), (std::vector<std::string>{"do_sys_open", "do_sys_openat2"}));
}

TEST(ListFuncs, AllGivesEachReason) {
    auto l = listing::list_funcs(syms(), "", true);
    std::map<std::string, std::string> why;
    for (const auto &f : l.funcs)
        if (!f.probeable) why[f.name] = f.reason;
    EXPECT_EQ(why.size(), 3u);
    EXPECT_NE(why["do_int3"].find("blacklist"), std::string::npos);
    EXPECT_NE(why["helper.cold"].find("cold"), std::string::npos);
    EXPECT_NE(why["notrace_fn"].find("available_filter_functions"), std::string::npos);
    // __pfx_ padding and data symbols are not functions.
    for (const auto &f : l.funcs) {
        EXPECT_FALSE(f.name.starts_with("__pfx_"));
        EXPECT_NE(f.name, "some_data");
    }
    std::string text = listing::render_funcs(l, true, {});
    EXPECT_NE(text.find("do_int3"), std::string::npos);
    EXPECT_NE(text.find("# on the kprobe blacklist"), std::string::npos);
    EXPECT_NE(text.find("ext4_readdir [ext4]\n"), std::string::npos);
}

TEST(ListFuncs, RepeatedStaticNamesListedOnce) {
    auto l = listing::list_funcs(syms(), "dup_*", false);
    EXPECT_EQ(l.funcs.size(), 1u);
}

TEST(ListFuncs, WithoutFilterFunctionsFallsBackToKallsymsWithANote) {
    auto k = ksyms::KernelSymbols::parse(kKallsyms, kBlacklist, "");
    auto l = listing::list_funcs(k, "", false);
    EXPECT_EQ(l.notes.size(), 1u);
    auto n = names(l);
    EXPECT_NE(std::find(n.begin(), n.end(), "notrace_fn"), n.end());
    EXPECT_EQ(std::find(n.begin(), n.end(), "do_int3"), n.end());
}

TEST(ListFuncs, JsonCarriesModuleAndReason) {
    auto j = listing::to_json(listing::list_funcs(syms(), "do_int3", true));
    ASSERT_EQ(j["functions"].size(), 1u);
    EXPECT_EQ(j["functions"][0]["probeable"], false);
    EXPECT_NE(j["functions"][0]["reason"].get<std::string>().find("blacklist"), std::string::npos);
}

// --- ksyms additions ---------------------------------------------------------------

TEST(KernelSymbolsSpan, SizeRunsToTheNextSymbolIncludingPadding) {
    auto k = syms();
    auto s = k.span("do_sys_openat2");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->addr, 0xffffffff81000000u);
    EXPECT_EQ(s->size, 0xf0u); // up to __pfx_do_sys_open
    EXPECT_EQ(k.span("ext4_readdir")->module, "ext4");
    EXPECT_FALSE(k.span("nope"));
    EXPECT_TRUE(k.addresses_known());
}

TEST(KernelSymbolsSpan, Symbolize) {
    auto k = syms();
    EXPECT_EQ(k.symbolize(0xffffffff81000100), "do_sys_open");
    EXPECT_EQ(k.symbolize(0xffffffff81000123), "do_sys_open+0x23");
    EXPECT_EQ(k.symbolize(0xffffffff810000f4), ""); // padding, not in a function
    EXPECT_EQ(k.symbolize(0x1000), "");
}

TEST(KernelSymbolsSpan, HiddenAddresses) {
    auto k = ksyms::KernelSymbols::parse("0000000000000000 T do_sys_openat2\n", "", "");
    EXPECT_FALSE(k.addresses_known());
    EXPECT_EQ(k.span("do_sys_openat2")->size, 0u);
}

// --- events ------------------------------------------------------------------------

TEST(ListEvents, SystemSlashEventGlob) {
    FakeCatalog c;
    auto evs = listing::list_events(c, "syscalls/sys_enter_open*", false);
    std::vector<std::string> got;
    for (const auto &e : evs) got.push_back(e.system + "/" + e.event);
    EXPECT_EQ(got, (std::vector<std::string>{"syscalls/sys_enter_open", "syscalls/sys_enter_openat",
                                             "syscalls/sys_enter_openat2"}));
}

TEST(ListEvents, BareWordMatchesEventsAndSystems) {
    FakeCatalog c;
    EXPECT_EQ(listing::list_events(c, "sched", false).size(), 2u);
    EXPECT_EQ(listing::list_events(c, "*openat", false).size(), 2u);
    EXPECT_EQ(listing::list_events(c, "", false).size(), 6u);
}

TEST(ListEvents, VerboseShowsFieldsWithoutCommonOnes) {
    FakeCatalog c;
    auto evs = listing::list_events(c, "sched/sched_switch", true);
    ASSERT_EQ(evs.size(), 1u);
    std::string text = listing::render_events(evs, true, {});
    EXPECT_NE(text.find("const char * filename"), std::string::npos) << text;
    EXPECT_EQ(text.find("common_pid"), std::string::npos);
    auto j = listing::to_json(evs, true);
    EXPECT_EQ(j["events"][0]["fields"].size(), 2u);
}

// --- func ------------------------------------------------------------------------

TEST(ListFunc, PrototypeWithRegisters) {
    NEED_FIXTURE(t);
    auto f = listing::describe_func(*t, nullptr, "do_sys_openat2", Arch::X86_64);
    ASSERT_TRUE(f.in_btf);
    EXPECT_EQ(f.return_type, "int");
    ASSERT_EQ(f.params.size(), 3u);
    EXPECT_EQ(f.params[0].name, "dfd");
    EXPECT_EQ(f.params[0].fetch, "%di");
    EXPECT_EQ(f.params[1].type, "const char *");
    EXPECT_EQ(f.params[1].fetch, "%si");
    EXPECT_EQ(f.params[2].type, "struct open_how *");
    EXPECT_EQ(f.params[2].fetch, "%dx");
    std::string text = listing::render_func(f, {});
    EXPECT_NE(text.find("int do_sys_openat2(int dfd, const char *filename, struct open_how *how)"),
              std::string::npos)
        << text;
}

TEST(ListFunc, StackArgumentsAndOtherArchitectures) {
    NEED_FIXTURE(t);
    auto f = listing::describe_func(*t, nullptr, "many_args", Arch::X86_64);
    ASSERT_EQ(f.params.size(), 8u);
    EXPECT_EQ(f.params[5].fetch, "%r9");
    EXPECT_EQ(f.params[6].fetch, "$stack1"); // above the return address
    EXPECT_EQ(f.params[7].fetch, "$stack2");
    auto a = listing::describe_func(*t, nullptr, "many_args", Arch::Aarch64);
    EXPECT_EQ(a.params[7].fetch, "%x7");
}

TEST(ListFunc, FloatsAndByValueStructsAreFlagged) {
    NEED_FIXTURE(t);
    auto f = listing::describe_func(*t, nullptr, "odd_probe", Arch::X86_64);
    ASSERT_EQ(f.params.size(), 4u);
    EXPECT_NE(f.params[3].note.find("floating point"), std::string::npos);
    auto n = listing::describe_func(*t, nullptr, "no_args", Arch::X86_64);
    EXPECT_TRUE(n.params.empty());
    EXPECT_NE(listing::render_func(n, {}).find("void no_args(void)"), std::string::npos);
}

TEST(ListFunc, InlinedWhenInBtfButNotInKallsyms) {
    NEED_FIXTURE(t);
    auto k = syms(); // has do_sys_openat2 but not wake_up_new_task
    auto f = listing::describe_func(*t, &k, "wake_up_new_task", Arch::X86_64);
    EXPECT_TRUE(f.in_btf);
    EXPECT_TRUE(f.inlined);
    EXPECT_FALSE(f.probeable);
    auto g = listing::describe_func(*t, &k, "do_sys_openat2", Arch::X86_64);
    EXPECT_FALSE(g.inlined);
    EXPECT_TRUE(g.probeable);
    EXPECT_EQ(g.address, 0xffffffff81000000u);
    auto b = listing::describe_func(*t, &k, "do_int3", Arch::X86_64);
    EXPECT_FALSE(b.probeable);
    EXPECT_FALSE(b.notes.empty());
    auto nf = listing::describe_func(*t, &k, "no_such_function_x", Arch::X86_64);
    EXPECT_FALSE(nf.in_btf);
    EXPECT_FALSE(nf.in_kallsyms);
    EXPECT_FALSE(nf.error.empty());
}

// --- struct ------------------------------------------------------------------------

namespace {
const listing::MemberRow *row(const listing::StructLayout &s, std::string_view name) {
    for (const auto &r : s.rows)
        if (r.name == name && !r.end) return &r;
    return nullptr;
}
} // namespace

TEST(ListStruct, OffsetsMatchOffsetof) {
    NEED_FIXTURE(t);
    auto s = listing::layout_struct(*t, "task_struct");
    ASSERT_TRUE(s.error.empty()) << s.error;
    EXPECT_EQ(s.name, "struct task_struct");
    EXPECT_EQ(s.size, sizeof(kfx::task_struct));
    for (auto [name, off] : std::initializer_list<std::pair<const char *, size_t>>{
             {"mm", offsetof(kfx::task_struct, mm)},
             {"comm", offsetof(kfx::task_struct, comm)},
             {"pid", offsetof(kfx::task_struct, pid)},
             {"anon_b", offsetof(kfx::task_struct, anon_b)},
             {"nested_u16", offsetof(kfx::task_struct, nested_u16)},
             {"parent", offsetof(kfx::task_struct, parent)}}) {
        const auto *r = row(s, name);
        ASSERT_TRUE(r) << name;
        EXPECT_EQ(r->bit_offset / 8, off) << name;
    }
    EXPECT_EQ(row(s, "comm")->size, 16u);
    EXPECT_EQ(row(s, "comm")->type, "char[16]");
}

TEST(ListStruct, AnonymousMembersExpandedAndNested) {
    NEED_FIXTURE(t);
    auto s = listing::layout_struct(*t, "struct task_struct");
    const auto *a = row(s, "anon_a");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->depth, 2u); // union { struct { anon_a } }
    EXPECT_EQ(row(s, "anon_whole")->depth, 1u);
    size_t opens = 0, closes = 0;
    for (const auto &r : s.rows) {
        opens += r.anonymous;
        closes += r.end;
    }
    EXPECT_EQ(opens, closes);
    std::string text = listing::render_struct(s, {});
    EXPECT_NE(text.find("union {"), std::string::npos) << text;
    auto j = listing::to_json(s);
    bool nested = false;
    for (const auto &m : j["members"])
        if (m.contains("members")) nested = true;
    EXPECT_TRUE(nested);
}

TEST(ListStruct, Bitfields) {
    NEED_FIXTURE(t);
    auto s = listing::layout_struct(*t, "task_struct");
    const auto *f = row(s, "sched_migrated");
    ASSERT_TRUE(f);
    EXPECT_EQ(f->bitfield, 1u);
    EXPECT_EQ(f->bit_offset, row(s, "sched_reset_on_fork")->bit_offset + 2);
    const auto *p = row(s, "rt_priority_bits");
    EXPECT_EQ(p->bitfield, 7u);
    auto o = listing::layout_struct(*t, "odd_bits");
    EXPECT_EQ(row(o, "low")->bit_offset, 8u);
    EXPECT_EQ(row(o, "high")->bit_offset, 20u);
    EXPECT_EQ(row(o, "wide")->bitfield, 40u);
    EXPECT_NE(listing::render_struct(o, {}).find("high:20;"), std::string::npos);
}

TEST(ListStruct, TypedefAndUnknownNames) {
    NEED_FIXTURE(t);
    auto a = listing::layout_struct(*t, "atomic_t");
    EXPECT_TRUE(a.error.empty()) << a.error;
    EXPECT_EQ(a.size, 4u);
    auto n = listing::layout_struct(*t, "task_strukt");
    EXPECT_FALSE(n.error.empty());
    EXPECT_NE(n.hint.find("task_struct"), std::string::npos);
}

TEST(ListStructPath, PointerStepsDereference) {
    NEED_FIXTURE(t);
    auto p = listing::member_path(*t, "task_struct", "mm.mm_users", Arch::X86_64);
    ASSERT_TRUE(p.error.empty()) << p.error;
    ASSERT_EQ(p.steps.size(), 2u);
    EXPECT_FALSE(p.steps[0].deref);
    EXPECT_TRUE(p.steps[1].deref);
    EXPECT_EQ(p.chain, fmt::format("+{:#x}(+{:#x}(%di))", offsetof(kfx::mm_struct, mm_users),
                                   offsetof(kfx::task_struct, mm)));
    EXPECT_EQ(p.expression, "((struct task_struct *)%0)->mm->mm_users");
    // What the compiler makes of it: the same chain, typed.
    EXPECT_EQ(p.fetcharg, p.chain + ":s32");
    auto q = listing::member_path(*t, "task_struct", "mm->mm_users", Arch::X86_64);
    EXPECT_EQ(q.chain, p.chain);
}

TEST(ListStructPath, PlainMemberArraysAndAnonymous) {
    NEED_FIXTURE(t);
    auto c = listing::member_path(*t, "task_struct", "comm", Arch::X86_64);
    EXPECT_EQ(c.chain, fmt::format("+{:#x}(%di)", offsetof(kfx::task_struct, comm)));
    EXPECT_NE(
        listing::render_path(c, {}).find(fmt::format("({})", offsetof(kfx::task_struct, comm))),
        std::string::npos);
    auto a = listing::member_path(*t, "task_struct", "pids[1].node.prev", Arch::X86_64);
    ASSERT_TRUE(a.error.empty()) << a.error;
    EXPECT_EQ(a.steps.back().offset, offsetof(kfx::task_struct, pids[1].node.prev));
    auto n = listing::member_path(*t, "task_struct", "nested_u32", Arch::Aarch64);
    EXPECT_EQ(n.chain, fmt::format("+{:#x}(%x0)", offsetof(kfx::task_struct, nested_u32)));
    auto b = listing::member_path(*t, "task_struct", "sched_migrated", Arch::X86_64);
    EXPECT_EQ(b.steps[0].bitfield, 1u);
}

TEST(ListStructPath, Errors) {
    NEED_FIXTURE(t);
    auto m = listing::member_path(*t, "task_struct", "mm.mm_user", Arch::X86_64);
    EXPECT_NE(m.error.find("no member 'mm_user'"), std::string::npos) << m.error;
    EXPECT_NE(m.hint.find("mm_users"), std::string::npos);
    auto s = listing::member_path(*t, "task_struct", "pid.x", Arch::X86_64);
    EXPECT_NE(s.error.find("not a struct"), std::string::npos) << s.error;
    auto i = listing::member_path(*t, "task_struct", "comm[16]", Arch::X86_64);
    EXPECT_NE(i.error.find("past the end"), std::string::npos) << i.error;
    auto x = listing::member_path(*t, "task_struct", "mm..x", Arch::X86_64);
    EXPECT_FALSE(x.error.empty());
}

TEST(ListStructs, NamesByGlob) {
    NEED_FIXTURE(t);
    auto n = listing::list_struct_names(*t, "task_*");
    EXPECT_EQ(n, std::vector<std::string>{"task_struct"});
}

// --- uprobes -----------------------------------------------------------------------

TEST(ListUprobes, OffsetsAgreeWithResolveUprobe) {
    auto l = listing::list_uprobe_funcs(KSURF_BIN, "main");
    ASSERT_TRUE(l.error.empty()) << l.error;
    ASSERT_EQ(l.funcs.size(), 1u);
    types::UprobeTarget t;
    std::string err;
    ASSERT_TRUE(types::resolve_uprobe(KSURF_BIN, "main", 0, t, err)) << err;
    EXPECT_EQ(l.funcs[0].offset, t.offset);
    EXPECT_EQ(l.path, t.path);
    auto missing = listing::list_uprobe_funcs("/nonexistent/binary", "");
    EXPECT_FALSE(missing.error.empty());
}

// --- disasm ------------------------------------------------------------------------

TEST(ListDisasm, KnownX86Bytes) {
    // push %rbp; mov %rsp,%rbp; call +0 (next insn); ret
    std::vector<uint8_t> code = {0x55, 0x48, 0x89, 0xe5, 0xe8, 0x00, 0x00, 0x00, 0x00, 0xc3};
    std::vector<listing::Insn> out;
    std::string err;
    bool ok = listing::disassemble_bytes(code, 0x1000, Arch::X86_64, out, err);
#ifndef KSURF_HAVE_CAPSTONE
    // The one case where disassembly may fail: the build has no capstone.
    EXPECT_FALSE(ok);
    EXPECT_NE(err.find("without capstone"), std::string::npos) << err;
    GTEST_SKIP() << "built without capstone (libcapstone-dev): " << err;
#endif
    ASSERT_TRUE(ok) << err;
    ASSERT_EQ(out.size(), 4u);
    EXPECT_EQ(out[0].mnemonic, "push");
    EXPECT_EQ(out[1].offset, 1u);
    EXPECT_EQ(out[2].offset, 4u);
    EXPECT_EQ(out[2].mnemonic, "call");
    EXPECT_EQ(out[3].offset, 9u);
    EXPECT_EQ(out[3].mnemonic, "ret");
}

TEST(ListDisasm, FromAnElfFile) {
    // Any ELF with a symbol table will do: ksurf's own main.
    auto d = listing::disassemble(nullptr, "main", KSURF_BIN);
    ASSERT_TRUE(d.error.empty()) << d.error;
    EXPECT_GT(d.size, 0u);
#ifndef KSURF_HAVE_CAPSTONE
    EXPECT_TRUE(d.insns.empty());
    GTEST_SKIP() << "built without capstone (libcapstone-dev): " << d.hint;
#endif
    ASSERT_FALSE(d.insns.empty()) << d.hint;
    EXPECT_EQ(d.insns[0].offset, 0u);
    for (size_t i = 1; i < d.insns.size(); ++i)
        EXPECT_EQ(d.insns[i].offset, d.insns[i - 1].offset + d.insns[i - 1].bytes.size());
    auto j = listing::to_json(d);
    EXPECT_EQ(j["instructions"][0]["probe"], "p main+0");
    auto missing = listing::disassemble(nullptr, "no_such_fn_q", KSURF_BIN);
    EXPECT_FALSE(missing.error.empty());
}

TEST(ListDisasm, KcoreRefusalsExplainThemselves) {
    std::string hint;
    EXPECT_NE(listing::kcore_refusal(ENOENT, hint).find("CONFIG_PROC_KCORE"), std::string::npos);
    EXPECT_NE(hint.find("--vmlinux"), std::string::npos);
    std::string why = listing::kcore_refusal(EPERM, hint);
    if (::geteuid() != 0)
        EXPECT_NE(why.find("root"), std::string::npos);
    else
        EXPECT_FALSE(why.empty());
}

// Symbol names come from binaries the user points at: bytes, not text. A name
// with a terminal escape and bytes that are not UTF-8 shows as escapes.
TEST(ListUprobes, HostileSymbolNamesAreEscaped) {
    listing::UprobeListing l;
    l.path = "/x";
    listing::UprobeFunc f;
    f.name = "evil\x1b[2J\xff";
    f.offset = 0x10;
    l.funcs.push_back(f);
    std::string text = listing::render_uprobes(l, {});
    EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
    EXPECT_NE(text.find(R"(evil\x1b[2J\xff)"), std::string::npos) << text;
}
