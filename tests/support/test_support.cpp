#include "test_support.h"

#include <chrono>
#include <csignal>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace ksurf::test {

RunResult run_cmd(const std::vector<std::string> &argv, double timeout_s) {
    RunResult r;
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) return r;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(out[1], 1);
        dup2(err[1], 2);
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, 0);
        std::vector<char *> args;
        for (auto &a : argv) args.push_back(const_cast<char *>(a.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data());
        _exit(127);
    }
    r.pid = pid;
    close(out[1]);
    close(err[1]);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    bool killed = false;
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    int open_fds = 2;
    while (open_fds > 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now())
                        .count();
        if (left <= 0 && !killed) {
            kill(pid, SIGKILL);
            killed = true;
        }
        int n = poll(fds, 2, left > 0 ? static_cast<int>(std::min<long>(left, 1000)) : 100);
        if (n < 0) break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
            char buf[65536];
            ssize_t k = read(fds[i].fd, buf, sizeof buf);
            if (k <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                --open_fds;
            } else {
                (i == 0 ? r.out : r.err).append(buf, static_cast<size_t>(k));
            }
        }
    }
    int st = 0;
    rusage ru{};
    wait4(pid, &st, 0, &ru);
    r.max_rss_kb = ru.ru_maxrss; // the child's (and its reaped children's) peak
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    r.signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
    return r;
}

RunResult run_ksurf(const std::vector<std::string> &args, double timeout_s) {
    std::vector<std::string> argv{KSURF_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_cmd(argv, timeout_s);
}

std::string tracefs_dir() {
    for (const char *d : {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"}) {
        std::string p = std::string(d) + "/README";
        if (access(p.c_str(), F_OK) == 0) return d;
    }
    if (geteuid() == 0 && mount("nodev", "/sys/kernel/tracing", "tracefs", 0, nullptr) == 0)
        return "/sys/kernel/tracing";
    return "";
}

std::string host_skip_reason() {
    if (geteuid() != 0) return "needs root (tracefs writes)";
    if (tracefs_dir().empty()) return "tracefs is not available on this kernel";
    return "";
}

bool instance_exists(int pid) {
    std::string p = tracefs_dir() + "/instances/ksurf-" + std::to_string(pid);
    return access(p.c_str(), F_OK) == 0;
}

std::vector<std::string> list_instances() {
    std::vector<std::string> out;
    std::string dir = tracefs_dir() + "/instances";
    DIR *d = opendir(dir.c_str());
    if (!d) return out;
    while (dirent *e = readdir(d)) {
        if (e->d_name[0] == '.') continue;
        out.emplace_back(e->d_name);
    }
    closedir(d);
    return out;
}

bool write_file(const std::string &path, const std::string &text) {
    int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) return false;
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    return ok;
}

} // namespace ksurf::test
