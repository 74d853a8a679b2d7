// What `ksurf -S` does, alone: load BTF (lazily), compile, print the lines.
// Usage: compile_bench [--btf FILE] [-f FILE] [EXPR ...]
#include "compile/compile.h"

#include <cstdio>
#include <cstring>

int main(int argc, char **argv) {
    using namespace ksurf::compile;
    std::string btf = "/sys/kernel/btf/vmlinux";
    std::vector<Source> sources;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--btf") == 0 && i + 1 < argc) {
            btf = argv[++i];
        } else if (std::strcmp(argv[i], "-f") == 0 && i + 1 < argc) {
            auto file = read_expression_file(argv[++i]);
            if (!file) {
                std::fprintf(stderr, "%s\n", file.error().c_str());
                return 2;
            }
            sources.insert(sources.end(), file->begin(), file->end());
        } else {
            sources.push_back({argv[i], "argument " + std::to_string(sources.size() + 1)});
        }
    }
    auto types = ksurf::types::TypeInfo::load(btf);
    if (!types) {
        std::fprintf(stderr, "%s\n", types.error().c_str());
        return 2;
    }
    Options opts;
    opts.types = types->get();
    auto plan = compile(sources, opts);
    if (!plan) {
        for (const auto &d : plan.error()) std::fputs(d.render().c_str(), stderr);
        return 1;
    }
    std::fputs(render_show(*plan).c_str(), stdout);
    return 0;
}
