#include "util/signals.h"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <initializer_list>
#include <unistd.h>

namespace ksurf {

namespace {

volatile sig_atomic_t g_stop = 0;
volatile sig_atomic_t g_signal = 0;
int g_pipe[2] = {-1, -1};

void on_signal(int sig) {
    int saved = errno;
    if (g_signal == 0) g_signal = sig;
    g_stop = 1;
    if (g_pipe[1] >= 0) {
        char c = 1;
        (void)!::write(g_pipe[1], &c, 1);
    }
    errno = saved;
}

} // namespace

void install_stop_handlers() {
    if (g_pipe[0] < 0 && ::pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0) g_pipe[0] = g_pipe[1] = -1;
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; // no SA_RESTART: blocking calls return EINTR and the loop sees the flag
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) ::sigaction(sig, &sa, nullptr);
}

bool stop_requested() {
    return g_stop != 0;
}
int stop_signal() {
    return g_signal;
}
int stop_fd() {
    return g_pipe[0];
}

void request_stop() {
    g_stop = 1;
    if (g_pipe[1] >= 0) {
        char c = 1;
        (void)!::write(g_pipe[1], &c, 1);
    }
}

} // namespace ksurf
