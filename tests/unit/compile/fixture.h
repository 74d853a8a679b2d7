// Shared helpers for the compiler's unit tests: the BTF fixture built from
// tests/fixtures/kernel_types.c and a one-line compile.
#pragma once

#include "compile/compile.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace ksurf::test {

// A fresh, unparsed TypeInfo over the fixture BTF.
inline std::unique_ptr<types::TypeInfo> open_fixture() {
    std::string err;
    auto t = types::TypeInfo::open(std::string(KSURF_FIXTURE_DIR) + "/kernel_types.btf", err,
                                   std::string(KSURF_FIXTURE_DIR) + "/modules");
    if (!t) ADD_FAILURE() << err;
    return t;
}

// One TypeInfo shared by the tests (parsed once).
inline const types::TypeInfo &fixture_types() {
    static std::unique_ptr<types::TypeInfo> info = open_fixture();
    return *info;
}

struct Compiled {
    bool ok = false;
    compile::Plan plan;
    std::vector<compile::Diagnostic> diags;

    const compile::Probe &probe() const { return plan.probes.at(0); }
    // "name=fetch name=fetch"
    std::string args() const {
        std::string out;
        for (const auto &a : probe().args) out += (out.empty() ? "" : " ") + a.name + "=" + a.fetch;
        return out;
    }
    std::string errors() const {
        std::string out;
        for (const auto &d : diags) out += d.render();
        return out;
    }
    const compile::Diagnostic &diag() const { return diags.at(0); }
    // The text under the first diagnostic's caret.
    std::string caret() const {
        const auto &d = diags.at(0);
        return d.text.substr(d.begin, d.end - d.begin);
    }
};

inline Compiled compile_with(const std::vector<std::string> &lines, compile::Options opts) {
    std::vector<compile::Source> sources;
    for (size_t i = 0; i < lines.size(); ++i)
        sources.push_back({lines[i], "argument " + std::to_string(i + 1)});
    Compiled c;
    c.ok = compile::compile_into(sources, opts, c.plan, c.diags);
    return c;
}

inline Compiled compile_one(const std::string &line, compile::Arch arch = compile::Arch::X86_64) {
    compile::Options opts;
    opts.arch = arch;
    opts.types = &fixture_types();
    return compile_with({line}, opts);
}

inline std::string hex(long long v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, v < 0 ? "-0x%llx" : "+0x%llx", v < 0 ? -v : v);
    return buf;
}

} // namespace ksurf::test
