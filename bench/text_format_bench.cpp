// Cost of the text formatter per record, no kernel involved: N synthetic
// records of one event (its format read from tracefs) are formatted to
// /dev/null and the CPU time per record reported. Compares a tracepoint
// rendered through its print fmt (sched/sched_switch, timer/hrtimer_start)
// with one printed field by field (syscalls/sys_enter_openat).
//
//   text_format_bench [N]        (root: reads event formats from tracefs)
#include "capture/print_fmt.h"
#include "output/output.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

extern "C" {
#include <traceevent/event-parse.h>
}

namespace {

std::string slurp(const std::string &path) {
    std::string out;
    FILE *f = std::fopen(path.c_str(), "r");
    if (!f) return out;
    char buf[8192];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    std::fclose(f);
    return out;
}

double cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

} // namespace

int main(int argc, char **argv) {
    long n = argc > 1 ? std::atol(argv[1]) : 1000000;
    const char *events[][2] = {
        {"sched", "sched_switch"}, {"timer", "hrtimer_start"}, {"syscalls", "sys_enter_openat"}};
    FILE *null = std::fopen("/dev/null", "w");
    for (auto &e : events) {
        tep_handle *tep = tep_alloc();
        tep_set_long_size(tep, sizeof(long));
        std::string fmt =
            slurp(std::string("/sys/kernel/tracing/events/") + e[0] + "/" + e[1] + "/format");
        fmt = ksurf::capture::prepare_format(fmt); // as Capture::open does
        tep_event *ev = nullptr;
        if (fmt.empty() || (tep_parse_format(tep, &ev, fmt.data(), fmt.size(), e[0]), !ev)) {
            std::fprintf(stderr, "%s/%s: no format\n", e[0], e[1]);
            tep_free(tep);
            continue;
        }
        // A record: header, then bytes that read as small numbers and short strings.
        std::vector<char> data(256, 0);
        uint16_t id = static_cast<uint16_t>(ev->id);
        std::memcpy(data.data(), &id, 2);
        data[2] = 0x01;
        data[3] = 0x02;
        int pid = 1234;
        std::memcpy(data.data() + 4, &pid, 4);
        for (tep_format_field *f = ev->format.fields; f; f = f->next) {
            if (f->flags & TEP_FIELD_IS_STRING)
                std::memcpy(data.data() + f->offset, "bash", 5);
            else if (f->size == 8) {
                uint64_t v = std::strstr(f->name, "function") ? 0xffffffff81000000ull : 7;
                std::memcpy(data.data() + f->offset, &v, 8);
            }
        }
        tep_record rec{};
        rec.data = data.data();
        rec.size = static_cast<int>(ev->format.fields ? 256 : 16);
        ksurf::capture::Record r;
        r.event = ev;
        r.rec = &rec;
        r.pid = pid;
        ksurf::output::Styles styles;
        ksurf::output::ProcessTable procs;
        auto text = ksurf::output::make_text(null, tep, styles, false, &procs);
        text->event(r); // warm up: process table, kallsyms
        double t0 = cpu_seconds();
        for (long i = 0; i < n; ++i) {
            rec.ts = r.ts = static_cast<uint64_t>(i) * 1000;
            text->event(r);
        }
        text->flush();
        double t1 = cpu_seconds();
        std::printf("%s/%s: %.0f ns/record (%ld records)\n", e[0], e[1], (t1 - t0) * 1e9 / n, n);
        text.reset();
        tep_free(tep);
    }
    std::fclose(null);
}
