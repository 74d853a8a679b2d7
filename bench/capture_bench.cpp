// Bench driver for the capture + output modules, until the CLI is wired:
// arms events in a private instance, streams them through Capture and a
// Formatter, and reports what it read, what the kernel lost, and its own
// CPU time and peak RSS (on stderr, one "key=value" line).
//
//   capture_bench -e syscalls/sys_enter_getppid [-p PID] [-b KB] [--json]
//                 [-o FILE] [-d SECS] [-n COUNT] [--wait-pid PID] [-s]
//                 [--reader own|read|splice]  (ksurf's read(2), tracefs_cpu_read,
//                                              tracefs_cpu_buffered_read)
#include "capture/capture.h"
#include "output/output.h"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace {

std::atomic<bool> g_stop{false};

void on_signal(int) {
    g_stop = true;
}

bool write_file(const std::string &path, const std::string &text) {
    int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) return false;
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    if (!ok) std::fprintf(stderr, "capture_bench: writing %s: %s\n", path.c_str(), strerror(errno));
    return ok;
}

double seconds(const timeval &t) {
    return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6;
}

// The private instance: removed on every way out of main.
struct Instance {
    std::string dir;
    std::vector<std::string> enabled;
    ~Instance() {
        if (dir.empty()) return;
        write_file(dir + "/tracing_on", "0");
        for (const auto &e : enabled) {
            write_file(e + "/enable", "0");
            write_file(e + "/filter", "0");
        }
        write_file(dir + "/options/stacktrace", "0");
        if (::rmdir(dir.c_str()) != 0)
            std::fprintf(stderr, "capture_bench: rmdir %s: %s\n", dir.c_str(), strerror(errno));
    }
};

} // namespace

int main(int argc, char **argv) {
    std::vector<ksurf::capture::EventRef> events;
    int pid = 0, wait_pid = 0, buffer_percent = -1;
    long buffer_kb = 0, count = 0;
    double duration = 0;
    bool json = false, stacks = false;
    std::string out_path = "/dev/null";
    ksurf::capture::Capture::Options opts;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "capture_bench: %s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        auto next_pid = [&]() {
            int v = std::atoi(next().c_str());
            if (v <= 0) {
                std::fprintf(stderr, "capture_bench: %s needs a pid\n", a.c_str());
                std::exit(2);
            }
            return v;
        };
        if (a == "-e") {
            std::string e = next();
            auto slash = e.find('/');
            if (slash == std::string::npos) return 2;
            events.push_back({e.substr(0, slash), e.substr(slash + 1)});
        } else if (a == "-p")
            pid = next_pid();
        else if (a == "-b")
            buffer_kb = std::atol(next().c_str());
        else if (a == "--buffer-percent")
            buffer_percent = std::atoi(next().c_str());
        else if (a == "-n")
            count = std::atol(next().c_str());
        else if (a == "-d")
            duration = std::atof(next().c_str());
        else if (a == "-o")
            out_path = next();
        else if (a == "--wait-pid")
            wait_pid = next_pid();
        else if (a == "--trickle-ms")
            opts.trickle_ms = std::atoi(next().c_str());
        else if (a == "--reader") {
            std::string r = next();
            using R = ksurf::capture::Capture::Options::Reader;
            if (r == "own")
                opts.reader = R::Own;
            else if (r == "read")
                opts.reader = R::TracefsRead;
            else if (r == "splice")
                opts.reader = R::TracefsSplice;
            else {
                std::fprintf(stderr, "capture_bench: --reader own|read|splice\n");
                return 2;
            }
        } else if (a == "--json")
            json = true;
        else if (a == "-s")
            stacks = true;
        else {
            std::fprintf(stderr, "capture_bench: unknown argument %s\n", a.c_str());
            return 2;
        }
    }
    if (events.empty()) events.push_back({"syscalls", "sys_enter_getppid"});

    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    const std::string tracefs = "/sys/kernel/tracing";
    Instance inst;
    std::string dir = tracefs + "/instances/ksurf-bench-" + std::to_string(getpid());
    if (::mkdir(dir.c_str(), 0755) != 0) {
        std::fprintf(stderr, "capture_bench: mkdir %s: %s\n", dir.c_str(), strerror(errno));
        return 1;
    }
    inst.dir = dir;
    write_file(dir + "/tracing_on", "0");
    write_file(dir + "/trace_clock", "mono");
    if (buffer_kb > 0) write_file(dir + "/buffer_size_kb", std::to_string(buffer_kb));
    if (stacks) write_file(dir + "/options/stacktrace", "1");
    if (buffer_percent >= 0) write_file(dir + "/buffer_percent", std::to_string(buffer_percent));
    for (const auto &e : events) {
        std::string ed = dir + "/events/" + e.system + "/" + e.name;
        if (pid > 0) write_file(ed + "/filter", "common_pid == " + std::to_string(pid));
        if (!write_file(ed + "/enable", "1")) return 1;
        inst.enabled.push_back(ed);
    }
    auto cap = ksurf::capture::Capture::open(tracefs, dir, events, opts);
    if (!cap) {
        std::fprintf(stderr, "capture_bench: %s\n", cap.error().str().c_str());
        return 1;
    }
    FILE *out = std::fopen(out_path.c_str(), "w");
    if (!out) return 1;
    static char outbuf[1 << 20];
    std::setvbuf(out, outbuf, _IOFBF, sizeof outbuf);
    ksurf::output::Styles styles;
    ksurf::output::ProcessTable procs(tracefs);
    auto fmt = json ? ksurf::output::make_json(out, (*cap)->tep(), styles, stacks, &procs)
                    : ksurf::output::make_text(out, (*cap)->tep(), styles, stacks, &procs);
    ksurf::output::FormatterSink sink(*fmt);

    write_file(dir + "/tracing_on", "1");
    std::fprintf(stderr, "capture_bench: ready\n");
    auto start = std::chrono::steady_clock::now();
    while (!g_stop) {
        auto r = (*cap)->poll(100, sink);
        if (!r) {
            std::fprintf(stderr, "capture_bench: %s\n", r.error().str().c_str());
            return 1;
        }
        if (count > 0 && (*cap)->records_read() >= static_cast<uint64_t>(count)) break;
        double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (duration > 0 && el >= duration) break;
        if (wait_pid > 0 && ::kill(wait_pid, 0) != 0 && errno == ESRCH) break;
    }
    write_file(dir + "/tracing_on", "0");
    if (auto r = (*cap)->drain(sink); !r)
        std::fprintf(stderr, "capture_bench: %s\n", r.error().str().c_str());
    fmt->flush();
    auto stats = (*cap)->stats();
    ksurf::output::print_summary(stderr, (*cap)->records_read(), stats, false);
    uint64_t lost = 0, kernel_read = 0, unread = 0;
    for (const auto &s : stats) {
        lost += s.lost();
        kernel_read += s.read_events;
        unread += s.entries;
    }
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::fprintf(stderr,
                 "records=%llu lost=%llu missed=%llu kernel_read=%llu unread=%llu unknown=%llu "
                 "user=%.3f sys=%.3f maxrss_kb=%ld\n",
                 static_cast<unsigned long long>((*cap)->records_read()),
                 static_cast<unsigned long long>(lost),
                 static_cast<unsigned long long>((*cap)->missed_events()),
                 static_cast<unsigned long long>(kernel_read),
                 static_cast<unsigned long long>(unread),
                 static_cast<unsigned long long>((*cap)->unknown_records()), seconds(ru.ru_utime),
                 seconds(ru.ru_stime), ru.ru_maxrss);
    std::fclose(out);
    return 0;
}
