// C++ fixture for DWARF-typed uprobes: a namespace, a base class with a
// vtable, a reference parameter, a mangled symbol.
#pragma once

namespace ns {
struct Base {
    int base_id = 0;
    virtual ~Base() = default;
};
struct Req : Base {
    int id = 0;
    const char *name = nullptr;
};
int handle(const Req &r, Req *p); // _ZN2ns6handleERKNS_3ReqEPS0_
} // namespace ns
