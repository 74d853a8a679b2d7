/* Fixture program: calls handle() once with a filled struct req (values from
 * dwarf_app.h; id is DWARF_APP_ID + the number of arguments), then
 * make_req() and mixed(). Built with -g in several DWARF flavours. */
#include "dwarf_app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) int handle(struct req *req, int n) {
    __asm__ volatile("" ::: "memory");
    return req->id + n;
}

__attribute__((noinline)) struct req *make_req(int id, const char *name) {
    struct req *r = calloc(1, sizeof *r);
    r->id = id;
    r->name = name;
    return r;
}

__attribute__((noinline)) long mixed(double scale, struct req *r, float f, long extra) {
    return (long)(scale * f) + r->id + extra;
}

int main(int argc, char **argv) {
    (void)argv;
    static struct inner in2 = {11, "two"};
    struct req next = {0};
    struct req req = {0};
    next.id = 99;
    req.id = DWARF_APP_ID + argc - 1;
    req.name = DWARF_APP_NAME;
    strcpy(req.path, DWARF_APP_PATH);
    req.flags = 0x10;
    req.kind = DWARF_APP_KIND;
    req.prio = 17;
    req.delta = DWARF_APP_DELTA;
    req.in.a = DWARF_APP_INNER_A;
    strcpy(req.in.tag, "one");
    req.next_inner = &in2;
    req.vals[2] = 1234567890123L;
    req.grid[1][2] = 12;
    req.raw = 0x1122334455667788ULL;
    req.color = BLUE;
    req.next = &next;
    int r = handle(&req, argc);
    struct req *m = make_req(77, "made");
    long x = mixed(2.0, m, 0.5f, 3);
    printf("%d %ld\n", r, x);
    free(m);
    return 0;
}
