// Synthetic records for the output tests: event formats parsed from text with
// libtraceevent, record bytes built by the test.
#pragma once

#include "capture/capture.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include <traceevent/event-parse.h>
}

namespace ksurf::test_records {

using ksurf::capture::Record;

inline const char *kCommon =
    "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
    "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
    "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
    "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n";

inline std::string format_text(const char *name, int id, const std::string &fields,
                               const std::string &print_fmt = "\"\"") {
    return std::string("name: ") + name + "\nID: " + std::to_string(id) + "\nformat:\n" + kCommon +
           fields + "\nprint fmt: " + print_fmt + "\n";
}

// Builds records of events parsed into one tep handle.
class Events {
  public:
    Events() : tep_(tep_alloc()) {}
    ~Events() { tep_free(tep_); }
    tep_event *add(const char *system, const char *name, int id, const std::string &fields,
                   const std::string &print_fmt = "\"\"") {
        std::string text = format_text(name, id, fields, print_fmt);
        tep_event *ev = nullptr;
        tep_parse_format(tep_, &ev, text.data(), text.size(), system);
        if (!ev) ev = tep_find_event(tep_, id);
        return ev;
    }
    tep_handle *tep() const { return tep_; }

  private:
    tep_handle *tep_;
};

struct Built {
    std::vector<char> data;
    tep_record rec{};
    Record r;
};

// A record of `ev` with `size` bytes, pid/cpu/ts set; fields written by the caller.
inline void init_record(Built &b, const tep_event *ev, size_t size, int pid, int cpu, uint64_t ts) {
    b.data.assign(size, 0);
    uint16_t type = static_cast<uint16_t>(ev->id);
    std::memcpy(b.data.data(), &type, 2);
    std::memcpy(b.data.data() + 4, &pid, 4);
    b.rec.data = b.data.data();
    b.rec.size = static_cast<int>(size);
    b.rec.ts = ts;
    b.rec.cpu = cpu;
    b.r.event = ev;
    b.r.rec = &b.rec;
    b.r.cpu = cpu;
    b.r.ts = ts;
    b.r.pid = pid;
}

template <class T> inline void put(Built &b, size_t off, T v) {
    std::memcpy(b.data.data() + off, &v, sizeof v);
}

// Runs one formatter over records and returns what it wrote.
template <class Make> std::string run(Make make, const std::vector<const Record *> &records) {
    char *buf = nullptr;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    {
        auto fmt = make(f);
        for (auto *r : records) fmt->event(*r);
        fmt->flush();
    }
    std::fclose(f);
    std::string s(buf, len);
    std::free(buf);
    return s;
}

} // namespace ksurf::test_records
