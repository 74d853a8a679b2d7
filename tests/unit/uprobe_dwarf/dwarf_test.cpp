// P/R probes typed from a user program's DWARF (tests/fixtures_user): member
// chains, casts, typedefs, arrays, bitfields, strings, parameter names and
// $retval, compiled as kernel probes are from BTF. Expected offsets come from
// offsetof() over dwarf_app.h, compiled into this test.
#include "compile/compile.h"
#include "cpp_app.h"
#include "dwarf_app.h"
#include "types/dwarf.h"

#include <bpf/btf.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

using ksurf::compile::Arch;
using ksurf::compile::Print;

namespace {

const std::string kDir = KSURF_USER_FIXTURE_DIR;
const std::string kApp = kDir + "/dwarf_app";

struct Compiled {
    bool ok = false;
    ksurf::compile::Plan plan;
    std::vector<ksurf::compile::Diagnostic> diags;
    std::string args() const {
        std::string out;
        for (const auto &a : plan.probes.at(0).args)
            out += (out.empty() ? "" : " ") + a.name + "=" + a.fetch;
        return out;
    }
    std::string errors() const {
        std::string out;
        for (const auto &d : diags) out += d.render();
        return out;
    }
};

// Compiles one line with DWARF types (a fresh provider unless one is given).
Compiled compile(const std::string &line, ksurf::types::UserTypes *types = nullptr,
                 Arch arch = Arch::X86_64) {
    auto own = ksurf::types::make_dwarf_types();
    ksurf::compile::Options opts;
    opts.arch = arch;
    opts.user_types = types ? types : own.get();
    std::vector<ksurf::compile::Source> sources{{line, "argument 1"}};
    Compiled c;
    c.ok = ksurf::compile::compile_into(sources, opts, c.plan, c.diags);
    return c;
}

std::string off(size_t v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "+0x%zx", v);
    return buf;
}

// Bit position of a bitfield: set it to all ones in a zeroed object, find the bits.
template <class Set> std::pair<unsigned, unsigned> bit_range(Set set) {
    alignas(req) unsigned char buf[sizeof(req)] = {};
    set(*reinterpret_cast<req *>(buf));
    unsigned first = ~0u, count = 0;
    for (unsigned i = 0; i < sizeof(req) * 8; ++i) {
        if (buf[i / 8] & (1u << (i % 8))) {
            if (first == ~0u) first = i;
            ++count;
        }
    }
    return {first, count};
}

std::string bitfield(std::pair<unsigned, unsigned> r, const std::string &base) {
    unsigned start = r.first / 32 * 32;
    return off(start / 8) + "(" + base + "):b" + std::to_string(r.second) + "@" +
           std::to_string(r.first - start) + "/32";
}

std::string P(const std::string &bin, const std::string &rest) {
    return "P " + bin + ":" + rest;
}

} // namespace

TEST(UprobeDwarf, MemberChainsAndStrings) {
    auto c = compile(P(kApp, "handle id=%0->id name=%0->name:ustring path=%0->path "
                             "n=%0->name"));
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(c.args(), "id=" + off(offsetof(req, id)) + "(%di):s32 name=+0x0(" +
                            off(offsetof(req, name)) +
                            "(%di)):ustring path=" + off(offsetof(req, path)) +
                            "(%di):ustring n=+0x0(" + off(offsetof(req, name)) + "(%di)):ustring");
    for (const auto &a : c.plan.probes[0].args)
        EXPECT_EQ(a.print, a.name == "id" ? Print::Default : Print::String) << a.name;
    EXPECT_EQ(ksurf::compile::probe_definition(c.plan.probes[0], "g", "p0", "/bin/x", 0x40),
              "p:g/p0 /bin/x:0x40 " + c.args());
}

TEST(UprobeDwarf, TypedefsEnumsUnionsNestedStructs) {
    auto c = compile(P(kApp, "handle f=%0->flags col=%0->color raw=%0->raw a=%0->in.a "
                             "tag=%0->in.tag ia=%0->next_inner->a nid=%0->next->next->id"));
    ASSERT_TRUE(c.ok) << c.errors();
    std::string next = off(offsetof(req, next)) + "(%di)";
    EXPECT_EQ(c.args(),
              "f=" + off(offsetof(req, flags)) + "(%di):u32 col=" + off(offsetof(req, color)) +
                  "(%di):s32 raw=" + off(offsetof(req, raw)) +
                  "(%di):u64 a=" + off(offsetof(req, in) + offsetof(inner, a)) +
                  "(%di):s16 tag=" + off(offsetof(req, in) + offsetof(inner, tag)) +
                  "(%di):ustring ia=" + off(offsetof(inner, a)) + "(" +
                  off(offsetof(req, next_inner)) + "(%di)):s16 nid=" + off(offsetof(req, id)) +
                  "(" + off(offsetof(req, next)) + "(" + next + ")):s32");
}

TEST(UprobeDwarf, Arrays) {
    auto c = compile(P(kApp, "handle v2=%0->vals[2] vals=%0->vals g=%0->grid[1][2] "
                             "b=%0->bytes b1=%0->bytes[1]"));
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(c.args(), "v2=" + off(offsetof(req, vals) + 2 * sizeof(long)) +
                            "(%di):s64 vals=" + off(offsetof(req, vals)) +
                            "(%di):s64[4] g=" + off(offsetof(req, grid) + 5 * sizeof(int)) +
                            "(%di):s32 b=" + off(offsetof(req, bytes)) +
                            "(%di):u8[4] b1=" + off(offsetof(req, bytes) + 1) + "(%di):u8");
    auto bad = compile(P(kApp, "handle g=%0->grid[2][0]"));
    EXPECT_FALSE(bad.ok);
    EXPECT_NE(bad.errors().find("out of range"), std::string::npos) << bad.errors();
}

TEST(UprobeDwarf, BitfieldsInDwarf5AndDwarf4) {
    auto kind = bit_range([](req &r) { r.kind = 7; });
    auto prio = bit_range([](req &r) { r.prio = 31; });
    auto delta = bit_range([](req &r) { r.delta = -1; });
    std::string want = "k=" + bitfield(kind, "%di") + " p=" + bitfield(prio, "%di") +
                       " d=" + bitfield(delta, "%di");
    for (const char *bin : {"dwarf_app", "dwarf_app_dwarf4"}) {
        auto c = compile(P(kDir + "/" + bin, "handle k=%0->kind p=%0->prio d=%0->delta"));
        ASSERT_TRUE(c.ok) << bin << ": " << c.errors();
        EXPECT_EQ(c.args(), want) << bin;
    }
}

TEST(UprobeDwarf, ParameterNamesAndTypedArguments) {
    auto c = compile(P(kApp, "handle id=req->id n=n r=%0 m=%1"));
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(c.args(), "id=" + off(offsetof(req, id)) + "(%di):s32 n=%si:s32 r=%di:x64 m=%si:s32");
    auto arm = compile(P(kApp, "handle id=req->id n=n"), nullptr, Arch::Aarch64);
    ASSERT_TRUE(arm.ok) << arm.errors();
    EXPECT_EQ(arm.args(), "id=" + off(offsetof(req, id)) + "(%x0):s32 n=%x1:s32");
    auto bad = compile(P(kApp, "handle x=rq->id"));
    EXPECT_FALSE(bad.ok);
    EXPECT_NE(bad.errors().find("did you mean 'req'"), std::string::npos) << bad.errors();
}

TEST(UprobeDwarf, FloatingPointParametersDoNotTakeIntegerRegisters) {
    // mixed(double scale, struct req *r, float f, long extra): r in %di, extra in %si
    auto c = compile(P(kApp, "mixed id=r->id e=extra z=%0->id"));
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(c.args(), "id=" + off(offsetof(req, id)) +
                            "(%di):s32 e=%si:s64 z=" + off(offsetof(req, id)) + "(%di):s32");
    auto fp = compile(P(kApp, "mixed s=scale"));
    EXPECT_FALSE(fp.ok);
    EXPECT_NE(fp.errors().find("'scale' is not passed in an argument register"), std::string::npos)
        << fp.errors();
}

TEST(UprobeDwarf, ReturnValues) {
    auto c = compile("R " + kApp + ":make_req r=$retval id=$retval->id name=$retval->name");
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(c.args(), "r=$retval:x64 id=" + off(offsetof(req, id)) + "($retval):s32 name=+0x0(" +
                            off(offsetof(req, name)) + "($retval)):ustring");
    auto h = compile("R " + kApp + ":handle r=$retval");
    ASSERT_TRUE(h.ok) << h.errors();
    EXPECT_EQ(h.args(), "r=$retval:s32");
}

TEST(UprobeDwarf, Casts) {
    auto c = compile(P(kApp, "handle id=(struct req *)%ax->id f=(flags_t)%si c=(char *)%dx "
                             "t=(struct inner *)%cx->tag"));
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(c.args(), "id=" + off(offsetof(req, id)) +
                            "(%ax):s32 f=%si:u32 c=+0x0(%dx):ustring t=" +
                            off(offsetof(inner, tag)) + "(%cx):ustring");
    auto bad = compile(P(kApp, "handle x=(struct rq *)%ax->id"));
    EXPECT_FALSE(bad.ok);
    EXPECT_NE(bad.errors().find("did you mean 'struct req'"), std::string::npos) << bad.errors();
}

TEST(UprobeDwarf, Diagnostics) {
    auto member = compile(P(kApp, "handle x=%0->nmae"));
    EXPECT_FALSE(member.ok);
    EXPECT_NE(member.errors().find("struct req has no member 'nmae'"), std::string::npos)
        << member.errors();
    EXPECT_NE(member.errors().find("did you mean 'name'"), std::string::npos) << member.errors();
    auto func = compile(P(kApp, "handel x=%0->id"));
    EXPECT_FALSE(func.ok);
    EXPECT_NE(func.errors().find("not in the DWARF of"), std::string::npos) << func.errors();
    EXPECT_NE(func.errors().find("did you mean 'handle'"), std::string::npos) << func.errors();
    auto untyped = compile(P(kApp, "handle x=%ax->id"));
    EXPECT_FALSE(untyped.ok);
    EXPECT_NE(untyped.errors().find("has no type"), std::string::npos) << untyped.errors();
    auto packet = compile(P(kApp, "handle x=@(struct iphdr *)%0->saddr"));
    EXPECT_FALSE(packet.ok);
    EXPECT_NE(packet.errors().find("kernel memory"), std::string::npos) << packet.errors();
}

TEST(UprobeDwarf, NoDwarfKeepsRawValuesAndHints) {
    std::string bin = kDir + "/dwarf_app_nodebug";
    auto raw = compile(P(bin, "handle a=%0 b=%1:u32 s=%0:ustring r=%di"));
    ASSERT_TRUE(raw.ok) << raw.errors();
    EXPECT_EQ(raw.args(), "a=%di b=%si:u32 s=+0x0(%di):ustring r=%di");
    for (const char *expr : {"handle x=%0->id", "handle x=req->id", "handle x=(struct req *)%0"}) {
        auto c = compile(P(bin, expr));
        EXPECT_FALSE(c.ok) << expr;
        std::string e = c.errors();
        EXPECT_NE(e.find("no DWARF in " + bin), std::string::npos) << e;
        EXPECT_NE(e.find("build with -g, or use %N with explicit :TYPE"), std::string::npos) << e;
    }
    auto missing = compile(P(kDir + "/no_such_app", "handle x=%0->id"));
    EXPECT_FALSE(missing.ok);
    EXPECT_NE(missing.errors().find("cannot find"), std::string::npos) << missing.errors();
}

TEST(UprobeDwarf, SeparateDebugFileByDebuglink) {
    auto c = compile(P(kDir + "/dwarf_app_split", "handle id=%0->id"));
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(c.args(), "id=" + off(offsetof(req, id)) + "(%di):s32");
}

TEST(UprobeDwarf, WithoutAProviderTheOldDiagnosticsStay) {
    ksurf::compile::Options opts;
    opts.arch = Arch::X86_64;
    std::vector<ksurf::compile::Source> sources{{P(kApp, "handle x=%0->id"), "argument 1"}};
    ksurf::compile::Plan plan;
    std::vector<ksurf::compile::Diagnostic> diags;
    EXPECT_FALSE(ksurf::compile::compile_into(sources, opts, plan, diags));
    ASSERT_FALSE(diags.empty());
    EXPECT_NE(diags[0].message.find("DWARF"), std::string::npos) << diags[0].message;
}

TEST(UprobeDwarf, ConvertedTypesMatchTheCompiler) {
    auto types = ksurf::types::make_dwarf_types();
    std::string err;
    const struct btf *b = types->open(kApp, err);
    ASSERT_NE(b, nullptr) << err;
    uint32_t id = types->find(b, "req", BTF_KIND_STRUCT);
    ASSERT_NE(id, 0u);
    EXPECT_EQ(btf__resolve_size(b, id), static_cast<long long>(sizeof(req)));
    auto sz = [&](const char *name, int kind) {
        uint32_t t = types->find(b, name, kind);
        return t ? btf__resolve_size(b, t) : -1;
    };
    EXPECT_EQ(sz("inner", BTF_KIND_STRUCT), static_cast<long long>(sizeof(inner)));
    EXPECT_EQ(sz("flags_t", BTF_KIND_TYPEDEF), 4);
    EXPECT_EQ(sz("long int", BTF_KIND_INT), static_cast<long long>(sizeof(long)));
    EXPECT_EQ(sz("double", BTF_KIND_INT), 8); // floats are looked up as base types
    EXPECT_NE(types->find(b, "color", BTF_KIND_ENUM), 0u);
    EXPECT_NE(types->find(b, "main", BTF_KIND_FUNC), 0u);
    EXPECT_EQ(types->find(b, "nosuch", BTF_KIND_STRUCT), 0u);
    // asking twice converts once
    EXPECT_EQ(types->find(b, "req", BTF_KIND_STRUCT), id);
    // the same file by another spelling is the same BTF
    std::string err2;
    EXPECT_EQ(types->open(kDir + "/./dwarf_app", err2), b);
}

TEST(UprobeDwarf, CppClassesReferencesAndMangledNames) {
    ns::Req r;
    auto at = [&](const void *m) {
        return off(static_cast<size_t>(reinterpret_cast<const char *>(m) -
                                       reinterpret_cast<const char *>(&r)));
    };
    auto c = compile(P(kDir + "/cpp_app",
                       "_ZN2ns6handleERKNS_3ReqEPS0_ id=r->id b=r->base_id n=p->name x=%0->id"));
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(c.args(), "id=" + at(&r.id) + "(%di):s32 b=" + at(&r.base_id) + "(%di):s32 n=+0x0(" +
                            at(&r.name) + "(%si)):ustring x=" + at(&r.id) + "(%di):s32");
    auto cast = compile(P(kDir + "/cpp_app", "main x=(struct Req *)%ax->name"));
    ASSERT_TRUE(cast.ok) << cast.errors();
    EXPECT_EQ(cast.args(), "x=+0x0(" + at(&r.name) + "(%ax)):ustring");
}
