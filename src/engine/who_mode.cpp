// ksurf who's mode (who_mode.h).
#include "engine/who_mode.h"

#include "output/output.h"
#include "util/bytes.h"
#include "util/json.h"
#include "util/write_error.h"

#include <algorithm>
#include <cstring>
#include <ctime>
#include <fmt/format.h>
#include <map>
#include <traceevent/event-parse.h>

namespace ksurf::engine {

namespace {

struct PerProcess {
    int pid = 0, ppid = 0;
    std::string comm, parent_comm;
    uint64_t calls = 0;
};

class WhoHandler : public Handler {
  public:
    WhoHandler(tep_handle *tep, std::string label, const compile::Plan &plan, bool json,
               std::vector<const tep_event *> bookkeeping, std::string tracefs_dir)
        : tep_(tep), label_(std::move(label)), plan_(plan), json_(json),
          bookkeeping_(std::move(bookkeeping)), procs_(std::move(tracefs_dir)) {
        timespec mono{}, real{};
        clock_gettime(CLOCK_MONOTONIC, &mono);
        clock_gettime(CLOCK_REALTIME, &real);
        // The instance uses trace_clock=mono: this turns its stamps into wall time.
        offset_ns_ = (real.tv_sec - mono.tv_sec) * 1000000000LL + (real.tv_nsec - mono.tv_nsec);
        if (!json_)
            std::printf("%-15s %7s %-16s %7s %-16s %s\n", "TIME", "PID", "COMM", "PPID", "PARENT",
                        "CALL");
    }

    // A glob's calls are labelled with the function each event probes.
    Status armed(tracefs::Session &, const std::vector<ArmedEvent> &events,
                 const std::vector<pid_t> &) override {
        for (const auto &e : events) {
            const compile::Probe &p = plan_.probes[e.probe];
            if (p.glob.empty()) continue;
            if (tep_event *ev =
                    tep_find_event_by_name(tep_, e.ref.system.c_str(), e.ref.name.c_str()))
                labels_[ev] = p.symbol;
        }
        return {};
    }

    bool on_record(const capture::Record &r) override {
        procs_.feed(r);
        for (const tep_event *b : bookkeeping_)
            if (r.event == b) return false;
        auto lab = labels_.find(r.event);
        const std::string &label = lab == labels_.end() ? label_ : lab->second;
        const auto &info = procs_.get(r.pid);
        auto &row = table_[r.pid];
        row.pid = r.pid;
        row.ppid = info.ppid;
        row.comm = info.comm;
        row.parent_comm = info.parent_comm;
        ++row.calls;
        std::string args = arguments(r);
        long long wall = static_cast<long long>(r.ts) + offset_ns_;
        time_t secs = static_cast<time_t>(wall / 1000000000LL);
        tm local{};
        localtime_r(&secs, &local);
        char hms[16];
        std::strftime(hms, sizeof hms, "%H:%M:%S", &local);
        if (json_) {
            line_.clear();
            json::Writer w(line_);
            w.begin_object()
                .member("time", fmt::format("{}.{:06}", hms, (wall % 1000000000LL) / 1000))
                .member("ts", static_cast<double>(r.ts) / 1e9)
                .member("pid", r.pid)
                .member("comm", info.comm)
                .member("ppid", info.ppid)
                .member("parent_comm", info.parent_comm)
                .member("call", label)
                .member("args", args)
                .end_object();
            line_.push_back('\n');
            write_checked(stdout, std::string_view(line_.data(), line_.size()), "standard output");
        } else {
            std::printf("%s.%06lld %7d %-16s %7d %-16s %s(%s)\n", hms, (wall % 1000000000LL) / 1000,
                        r.pid, text_escaped(info.comm).c_str(), info.ppid,
                        text_escaped(info.parent_comm).c_str(), label.c_str(),
                        text_escaped(args).c_str());
        }
        return true;
    }

    void finish() override {
        std::vector<PerProcess> rows;
        for (auto &[pid, row] : table_) rows.push_back(row);
        std::sort(rows.begin(), rows.end(),
                  [](const auto &a, const auto &b) { return a.calls > b.calls; });
        if (json_) {
            line_.clear();
            json::Writer w(line_);
            w.begin_object().member("who", label_).key("processes").begin_array();
            for (const auto &p : rows)
                w.begin_object()
                    .member("pid", p.pid)
                    .member("comm", p.comm)
                    .member("ppid", p.ppid)
                    .member("parent_comm", p.parent_comm)
                    .member("calls", p.calls)
                    .end_object();
            w.end_array().end_object();
            line_.push_back('\n');
            write_checked(stdout, std::string_view(line_.data(), line_.size()), "standard output");
        } else {
            std::printf("\n%zu process%s called %s:\n", rows.size(), rows.size() == 1 ? "" : "es",
                        label_.c_str());
            if (!rows.empty())
                std::printf("%7s %-16s %7s %-16s %8s\n", "PID", "COMM", "PPID", "PARENT", "CALLS");
            for (const auto &p : rows)
                std::printf("%7d %-16s %7d %-16s %8llu\n", p.pid, text_escaped(p.comm).c_str(),
                            p.ppid, text_escaped(p.parent_comm).c_str(),
                            static_cast<unsigned long long>(p.calls));
        }
    }

    void flush() override { flush_checked(stdout, "standard output"); }

  private:
    // "type=5, buf=0x0, len=0" from the event's own fields.
    std::string arguments(const capture::Record &r) {
        std::string out;
        tep_format_field **fields = tep_event_fields(const_cast<tep_event *>(r.event));
        if (!fields) return out;
        for (int i = 0; fields[i]; ++i) {
            tep_format_field *f = fields[i];
            std::string_view name = f->name;
            // Bookkeeping of the tracepoint or probe, not the call's arguments.
            if (name == "__syscall_nr" || name.starts_with("__probe_")) continue;
            if (!out.empty()) out += ", ";
            out += name;
            out += '=';
            if (f->flags & TEP_FIELD_IS_STRING) {
                int len = 0;
                void *p = tep_get_field_raw(nullptr, const_cast<tep_event *>(r.event), f->name,
                                            r.rec, &len, 0);
                if (p)
                    out.append(static_cast<const char *>(p),
                               strnlen(static_cast<const char *>(p), len));
                continue;
            }
            unsigned long long v = 0;
            if (tep_read_number_field(f, r.rec->data, &v) != 0) {
                out += '?';
            } else if ((f->flags & TEP_FIELD_IS_POINTER) || std::strchr(f->type, '*')) {
                out += fmt::format("{:#x}", v);
            } else if (f->flags & TEP_FIELD_IS_SIGNED) {
                long long s = f->size == 4   ? static_cast<int32_t>(v)
                              : f->size == 2 ? static_cast<int16_t>(v)
                              : f->size == 1 ? static_cast<int8_t>(v)
                                             : static_cast<long long>(v);
                out += std::to_string(s);
            } else {
                out += std::to_string(v);
            }
        }
        free(fields);
        return out;
    }

    tep_handle *tep_;
    std::string label_;
    const compile::Plan &plan_;
    std::map<const tep_event *, std::string> labels_; // a glob's events -> their functions
    bool json_;
    long long offset_ns_ = 0;
    std::vector<const tep_event *> bookkeeping_;
    output::ProcessTable procs_;
    std::map<int, PerProcess> table_;
    fmt::memory_buffer line_;
};

} // namespace

std::unique_ptr<Handler> make_who_handler(tep_handle *tep, std::string label,
                                          const compile::Plan &plan, bool json,
                                          std::vector<const tep_event *> bookkeeping,
                                          std::string tracefs_dir) {
    return std::make_unique<WhoHandler>(tep, std::move(label), plan, json, std::move(bookkeeping),
                                        std::move(tracefs_dir));
}

} // namespace ksurf::engine
