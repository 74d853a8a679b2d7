/* calls_getppid N: makes exactly N getppid system calls, for tests that count them. */
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

/* One getppid per call: a function uprobe tests can time or count N times. */
__attribute__((noinline)) long one_call(void) {
    return syscall(SYS_getppid);
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 0;
    for (long i = 0; i < n; ++i) one_call();
    return 0;
}
