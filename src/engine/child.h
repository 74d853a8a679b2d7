// The command a tracing run starts (`-- CMD ARGS...`): forked at once, but it
// waits on a pipe before exec, so nothing of ksurf's own setup is traced: the
// pid filter is set and everything is armed first.
#pragma once

#include "util/error.h"

#include <string>
#include <sys/types.h>
#include <vector>

namespace ksurf::engine {

class GatedChild {
  public:
    GatedChild() = default;
    GatedChild(const GatedChild &) = delete;
    GatedChild &operator=(const GatedChild &) = delete;
    ~GatedChild();

    // Forks; the child waits for release() and then execs argv (no shell).
    Status start(const std::vector<std::string> &argv);
    pid_t pid() const { return pid_; }
    // Lets the child exec; reports an exec failure.
    Status release(const std::string &name);
    // Non-blocking (or blocking) wait; true once the child is gone.
    bool reap(bool block = false);
    // Asks a still-running child to stop (sig, SIGTERM if 0), then insists.
    void stop(int sig);
    // Exit status, or 128 + signal.
    int status() const { return status_; }

  private:
    pid_t pid_ = -1;
    int gate_ = -1, errpipe_ = -1;
    bool done_ = false;
    int status_ = 0;
};

} // namespace ksurf::engine
