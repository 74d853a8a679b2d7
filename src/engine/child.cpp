#include "engine/child.h"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ksurf::engine {

GatedChild::~GatedChild() {
    if (gate_ >= 0) ::close(gate_);
    if (errpipe_ >= 0) ::close(errpipe_);
}

Status GatedChild::start(const std::vector<std::string> &argv) {
    int gate[2], err[2];
    if (::pipe2(gate, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
        return fail("cannot create a pipe for the traced command", errno);
    pid_ = ::fork();
    if (pid_ < 0) return fail("cannot fork the traced command", errno);
    if (pid_ == 0) {
        ::close(gate[1]);
        ::close(err[0]);
        char c;
        if (::read(gate[0], &c, 1) != 1) _exit(127); // ksurf gave up
        std::vector<char *> args;
        for (const auto &a : argv) args.push_back(const_cast<char *>(a.c_str()));
        args.push_back(nullptr);
        // Default dispositions for the command (exec resets handlers, not masks).
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        ::execvp(args[0], args.data());
        int e = errno;
        (void)!::write(err[1], &e, sizeof e);
        _exit(127);
    }
    ::close(gate[0]);
    ::close(err[1]);
    gate_ = gate[1];
    errpipe_ = err[0];
    return {};
}

// Lets the child exec; reports an exec failure.
Status GatedChild::release(const std::string &name) {
    char c = 1;
    (void)!::write(gate_, &c, 1);
    ::close(gate_);
    gate_ = -1;
    int e = 0;
    ssize_t n = ::read(errpipe_, &e, sizeof e); // EOF on successful exec (CLOEXEC)
    ::close(errpipe_);
    errpipe_ = -1;
    if (n == sizeof e) {
        reap(true);
        return fail(fmt::format("cannot run '{}'", name), e,
                    e == ENOENT ? "is it on $PATH? the command runs without a shell" : "");
    }
    return {};
}

// Non-blocking (or blocking) wait; true once the child is gone.
bool GatedChild::reap(bool block) {
    if (pid_ <= 0 || done_) return done_;
    int st = 0;
    pid_t r = ::waitpid(pid_, &st, block ? 0 : WNOHANG);
    if (r == pid_) {
        done_ = true;
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    } else if (r < 0 && errno != EINTR) {
        done_ = true;
    }
    return done_;
}

// Asks a still-running child to stop, then insists.
void GatedChild::stop(int sig) {
    if (pid_ <= 0 || reap()) return;
    if (gate_ >= 0) { // never released: let it exit
        ::close(gate_);
        gate_ = -1;
    } else {
        ::kill(pid_, sig ? sig : SIGTERM);
    }
    for (int i = 0; i < 40 && !reap(); ++i) ::usleep(50000);
    if (!reap()) {
        ::kill(pid_, SIGKILL);
        reap(true);
    }
}

} // namespace ksurf::engine
