/* A burst for the host tests: N getppid() system calls, as fast as they go.
 *   getppid_loop N */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000;
    for (long i = 0; i < n; ++i) syscall(SYS_getppid);
    return 0;
}
