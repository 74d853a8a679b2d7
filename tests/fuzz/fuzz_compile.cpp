// libFuzzer target: parse + compile arbitrary expression lines against the
// fixture BTF. Any crash, sanitizer report or broken diagnostic span fails.
// Built with clang++ directly (tests/fuzz/CMakeLists.txt); no <expected> here.
#include "compile/compile.h"
#include "util/strings.h"

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace {

class Events : public ksurf::compile::EventCatalog {
  public:
    std::vector<std::pair<std::string, std::string>> match(std::string_view s,
                                                           std::string_view e) const override {
        std::vector<std::pair<std::string, std::string>> out;
        for (const char *ev : {"sched_switch", "sched_wakeup"})
            if (ksurf::glob_match(s, "sched") && ksurf::glob_match(e, ev))
                out.emplace_back("sched", ev);
        return out;
    }
    std::optional<std::vector<ksurf::compile::EventField>> fields(std::string_view,
                                                                  std::string_view) const override {
        return std::vector<ksurf::compile::EventField>{
            {"common_pid", "int", 4, 4, true, false, true},
            {"comm", "char[16]", 8, 16, false, true, false},
            {"pid", "pid_t", 24, 4, true, false, false},
            {"ip_addr", "u32", 28, 4, false, false, false}};
    }
};

const ksurf::types::TypeInfo *fixture() {
    static std::unique_ptr<ksurf::types::TypeInfo> info = [] {
        std::string err;
        const char *dir = std::getenv("KSURF_FIXTURE_DIR");
        std::string base = dir ? dir : KSURF_FIXTURE_DIR;
        auto t = ksurf::types::TypeInfo::open(base + "/kernel_types.btf", err, base + "/modules");
        if (!t) {
            std::fprintf(stderr, "fuzz: %s\n", err.c_str());
            std::abort();
        }
        return t;
    }();
    return info.get();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 4096) return 0;
    static Events events;
    std::string text(reinterpret_cast<const char *>(data), size);
    auto sources = ksurf::compile::split_expression_file(text, "fuzz");
    ksurf::compile::Options opts;
    opts.types = fixture();
    opts.events = &events;
    opts.arch = static_cast<ksurf::compile::Arch>(size % 3);
    ksurf::compile::Plan plan;
    std::vector<ksurf::compile::Diagnostic> diags;
    bool ok = ksurf::compile::compile_into(sources, opts, plan, diags);
    if (!ok && diags.empty()) {
        std::fprintf(stderr, "fuzz: failure without a diagnostic\n");
        std::abort();
    }
    for (const auto &d : diags) {
        if (d.begin > d.end || d.end > d.text.size() + 1 || d.message.empty()) {
            std::fprintf(stderr, "fuzz: bad diagnostic span %zu..%zu of %zu: %s\n", d.begin, d.end,
                         d.text.size(), d.message.c_str());
            std::abort();
        }
        (void)d.render();
    }
    for (const auto &p : plan.probes) {
        if (p.kind == ksurf::compile::ProbeKind::Event) continue;
        std::string def = ksurf::compile::probe_definition(p, "g", "p0", "/x", 16);
        if (def.empty()) std::abort();
    }
    return 0;
}
