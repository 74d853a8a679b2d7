#include "cpp_app.h"

namespace ns {
__attribute__((noinline)) int handle(const Req &r, Req *p) {
    return r.id + p->base_id;
}
} // namespace ns

int main() {
    ns::Req r;
    r.id = 5;
    r.base_id = 6;
    r.name = "cpp";
    return ns::handle(r, &r) == 0;
}
