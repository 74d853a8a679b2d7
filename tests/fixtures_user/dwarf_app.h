/* A user program with debug info for P/R probes typed from DWARF. Unit tests
 * include this header (as C++) to take expected offsets from offsetof();
 * the host test runs the program and compares what ksurf prints with what
 * it passes (see dwarf_app.c). Keep it valid C and C++. */
#ifndef KSURF_DWARF_APP_H
#define KSURF_DWARF_APP_H

#ifdef __cplusplus
extern "C" {
#endif

typedef unsigned int flags_t;

struct inner {
    short a;
    char tag[8];
};

enum color { RED, GREEN = 5, BLUE = -1 };

struct req {
    int id;
    const char *name;
    char path[32];
    flags_t flags;
    unsigned kind : 3;
    unsigned prio : 5;
    signed delta : 6;
    struct inner in;
    struct inner *next_inner;
    long vals[4];
    int grid[2][3];
    union {
        unsigned long long raw;
        double d;
    };
    enum color color;
    struct req *next;
    unsigned char bytes[4];
};

/* The values main() passes to handle(), checked by the host test. */
#define DWARF_APP_ID 4242
#define DWARF_APP_NAME "alpha"
#define DWARF_APP_PATH "/srv/beta"
#define DWARF_APP_INNER_A (-7)
#define DWARF_APP_KIND 5
#define DWARF_APP_DELTA (-3)

int handle(struct req *req, int n);
struct req *make_req(int id, const char *name);
long mixed(double scale, struct req *r, float f, long extra);

#ifdef __cplusplus
}
#endif

#endif
