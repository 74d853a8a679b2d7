#include "capture/capture.h"

#include "capture/print_fmt.h"
#include "tracefs/c_api.h"

#include "util/strings.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <deque>
#include <fcntl.h>
#include <limits>
#include <poll.h>
#include <unistd.h>

extern "C" {
#include <traceevent/event-parse.h>
#include <traceevent/kbuffer.h>
}

namespace ksurf::capture {

namespace {

constexpr uint64_t kNoTime = std::numeric_limits<uint64_t>::max();
// Records delivered between two reads of the kernel's buffers.
constexpr uint64_t kSlice = 4096;

// "0-3,5,7-8" -> {0,1,2,3,5,7,8}
std::vector<int> parse_cpu_list(std::string_view s) {
    std::vector<int> cpus;
    for (const auto &part : split(trim(s), ',')) {
        if (part.empty()) continue;
        auto dash = part.find('-');
        int lo = std::atoi(part.c_str());
        int hi = dash == std::string::npos ? lo : std::atoi(part.c_str() + dash + 1);
        for (int c = lo; c <= hi; ++c) cpus.push_back(c);
    }
    return cpus;
}

// The clock_gettime() clock whose values the instance's trace_clock writes,
// or -1 when it has none (local, global, perf, counter, x86-tsc).
clockid_t clock_of_trace_clock(const std::string &text) {
    auto open = text.find('[');
    auto close = text.find(']', open);
    if (open == std::string::npos || close == std::string::npos) return -1;
    std::string_view name(text.data() + open + 1, close - open - 1);
    if (name == "mono") return CLOCK_MONOTONIC;
    if (name == "mono_raw") return CLOCK_MONOTONIC_RAW;
    if (name == "boot") return CLOCK_BOOTTIME;
    if (name == "tai") return CLOCK_TAI;
    return -1;
}

uint64_t now_ns(clockid_t clock) {
    timespec t{};
    clock_gettime(clock, &t);
    return static_cast<uint64_t>(t.tv_sec) * 1000000000ull + static_cast<uint64_t>(t.tv_nsec);
}

constexpr size_t kPageHeader = 16; // u64 timestamp, long commit

// Bytes of records in a sub-buffer: its commit field without the flag bits
// (RB_MISSED_EVENTS, RB_MISSED_STORED) the kernel keeps in the top.
size_t page_commit(const char *page) {
    unsigned long commit;
    std::memcpy(&commit, page + 8, sizeof commit);
    return commit & 0x3fffffffUL;
}

struct KbufferDeleter {
    void operator()(kbuffer *k) const { kbuffer_free(k); }
};
struct TepDeleter {
    void operator()(tep_handle *t) const { tep_free(t); }
};

} // namespace

// One CPU's reader: the pages read but not yet delivered, and a cursor
// (kbuffer) on the current record of the oldest page.
struct CpuReader {
    int cpu = 0;
    int fd = -1;
    tracefs_cpu *tcpu = nullptr; // libtracefs' reader on fd, for Options::reader != Own
    std::unique_ptr<kbuffer, KbufferDeleter> kbuf;
    std::deque<char *> pages; // front() is loaded in kbuf
    void *cur = nullptr;      // current record's data, nullptr when no page is queued
    uint64_t cur_ts = 0;
    uint64_t last_ts = 0;    // timestamp of the newest queued record
    uint64_t horizon = 0;    // every record of this CPU up to here has been read
    bool capped = false;     // the last round stopped before the buffer was empty
    uint64_t missed = 0;     // from page headers
    bool splice_dry = false; // the splice pipe ran dry this round (Reader::TracefsSplice)
};

struct Capture::Impl {
    Options opt;
    std::string instance_dir;
    std::unique_ptr<tep_handle, TepDeleter> tep;
    std::vector<CpuReader> cpus;
    std::vector<tep_event *> by_id; // event id -> loaded event
    int kernel_stack_id = -1, user_stack_id = -1;
    size_t subbuf_size = 4096;
    clockid_t clock = -1;
    uint64_t prev_round_max = 0; // fallback horizon for clocks we cannot read
    uint64_t round_max = 0;
    bool caught_up = true; // the last read_all() got no page more than half full
    // The instance's buffer_percent is above 0: poll() on trace_pipe_raw
    // sleeps until a CPU's buffer is that full, not until the first record.
    bool watermark_wake = false;
    std::vector<pollfd> fds;
    bool woke = false;   // the last wait() was ended by poll() saying "readable"
    int empty_wakes = 0; // such wakes in a row whose read found nothing (see wait())

    std::vector<std::unique_ptr<char[]>> page_store;
    std::vector<char *> free_pages;

    uint64_t delivered = 0, unknown = 0;
    tep_record rec{};
    tep_record stack_rec{}, ustack_rec{};
    Record record, stack_record, ustack_record;

    char *get_page() {
        if (free_pages.empty()) {
            page_store.emplace_back(new char[subbuf_size]);
            return page_store.back().get();
        }
        char *p = free_pages.back();
        free_pages.pop_back();
        return p;
    }

    // Positions c.cur on the first record of the front page, dropping empty pages.
    void load_front(CpuReader &c) {
        while (!c.pages.empty()) {
            kbuffer_load_subbuffer(c.kbuf.get(), c.pages.front());
            int missed = kbuffer_missed_events(c.kbuf.get());
            if (missed != 0) c.missed += missed > 0 ? static_cast<uint64_t>(missed) : 1;
            unsigned long long ts = 0;
            c.cur = kbuffer_read_event(c.kbuf.get(), &ts);
            if (c.cur) {
                c.cur_ts = ts;
                return;
            }
            recycle_front(c);
        }
        c.cur = nullptr;
    }

    void recycle_front(CpuReader &c) {
        free_pages.push_back(c.pages.front());
        c.pages.pop_front();
    }

    void advance(CpuReader &c) {
        unsigned long long ts = 0;
        c.cur = kbuffer_next_event(c.kbuf.get(), &ts);
        c.cur_ts = ts;
        if (c.cur) return;
        recycle_front(c);
        load_front(c);
    }

    // Reads what the kernel has for one CPU, up to the per-CPU page cap.
    //
    // One read() of trace_pipe_raw per sub-buffer: the kernel swaps out its
    // reader page and copies it into ours. Alternatives, weighed:
    // - The trace_pipe_raw memory mapping (TRACE_MMAP_IOCTL_GET_READER, 6.10+)
    //   would spare that copy, but the mapped reader page goes back to the
    //   writer at the next GET_READER, while the merge across CPUs must hold
    //   pages until the other CPUs have been read past their time: the page
    //   would be copied out anyway. The copy is not where time goes: for
    //   2,000,000 getppid records (bench/capture.sh defaults) ksurf uses
    //   0.17-0.30 s of system time, arming and the 16 MB buffers included,
    //   of 0.44-0.56 s CPU in all, less than half of perf record's 1.04-1.34 s;
    //   decoding and formatting are the rest. A mapped buffer also cannot be
    //   resized while mapped.
    // - libtracefs 1.6 (its mmap support is 1.8+): tracefs_cpu_read() is
    //   this same read() of one sub-buffer, tracefs_cpu_buffered_read()
    //   splices full sub-buffers through a pipe (the part-filled one still
    //   needs a read()). `bench/capture.sh reader` (2,000,000 getppid, -b
    //   16384, buffer_percent 1, load average 14, 3 rounds, median CPU s of
    //   the whole reader): ksurf's own read() 0.50 (sys 0.21),
    //   tracefs_cpu_read 0.52 (sys 0.25), buffered (splice) 0.49 (sys 0.22),
    //   all three 100 % kept: no difference beyond the noise. ksurf's own
    //   read() is not faster, so the default is libtracefs' tracefs_cpu_read
    //   (Options::reader); splice is not, since a trickle would then cost a
    //   splice and a read() per round instead of one read().
    Result<size_t> read_cpu(CpuReader &c) {
        uint64_t start = clock >= 0 ? now_ns(clock) : 0;
        size_t n = 0;
        c.capped = false;
        while (true) {
            if (c.pages.size() >= opt.max_pages_per_cpu) {
                c.capped = true;
                break;
            }
            char *page = get_page();
            ssize_t got = read_page(c, page, n == 0);
            if (got <= 0) {
                free_pages.push_back(page);
                if (got < 0 && errno != EAGAIN && errno != EINTR)
                    return fail("reading cpu" + std::to_string(c.cpu) + "/trace_pipe_raw", errno);
                break;
            }
            bool was_empty = c.pages.empty();
            c.pages.push_back(page);
            if (page_commit(page) >= (subbuf_size - kPageHeader) / 2) caught_up = false;
            ++n;
            if (was_empty) load_front(c);
        }
        if (n > 0 && !c.pages.empty()) {
            // The newest record read bounds what we know of this CPU.
            unsigned long long ts = 0;
            kbuffer *probe = scratch.get();
            kbuffer_load_subbuffer(probe, c.pages.back());
            for (void *d = kbuffer_read_event(probe, &ts); d; d = kbuffer_next_event(probe, &ts))
                c.last_ts = ts;
        }
        round_max = std::max(round_max, c.last_ts);
        if (c.capped)
            c.horizon = c.last_ts;
        else if (clock >= 0)
            c.horizon = start;
        return n;
    }

    // One sub-buffer of c into page; -1 with errno EAGAIN when there is none.
    ssize_t read_page(CpuReader &c, char *page, bool first) {
        using R = Options::Reader;
        if (opt.reader == R::Own) return ::read(c.fd, page, subbuf_size);
        int got = 0;
        if (opt.reader == R::TracefsSplice) {
            // splice() moves only full sub-buffers: the part-filled one the
            // writer is on comes by read(), once the pipe gave all it had.
            if (first) c.splice_dry = false;
            if (!c.splice_dry) {
                got = tracefs_cpu_buffered_read(c.tcpu, page, true);
                if (got > 0) return got;
                if (got < 0 && errno != EAGAIN && errno != EINTR) return got;
                c.splice_dry = true;
            }
        }
        errno = 0;
        got = tracefs_cpu_read(c.tcpu, page, true);
        if (got == 0 && errno == 0) errno = EAGAIN; // libtracefs maps EAGAIN to 0
        return got == 0 ? -1 : got;
    }

    Result<size_t> read_all() {
        size_t n = 0;
        caught_up = true;
        round_max = prev_round_max;
        for (auto &c : cpus) {
            auto r = read_cpu(c);
            if (!r) return std::unexpected(r.error());
            n += *r;
        }
        return n;
    }

    // Sleeps up to ms in poll() on every CPU's trace_pipe_raw. With a
    // watermark (buffer_percent > 0) the kernel wakes us as soon as one CPU's
    // buffer is that full, so a burst is read when it arrives rather than when
    // a timer says. Without one, poll() would return at the first record and
    // a trickle would be read a record at a time: sleep on the timer instead.
    //
    // 6.1's poll() can say a buffer is full enough when read() then finds
    // nothing, every time (presumably its dirty-page count keeps a page the
    // reader has emptied). Measured in the lab (6.1.192, `ksurf count` idle for 6 s, its
    // instance at -b 256: 10.2 s of CPU instead of 3.6 s at the default size;
    // 6.12 does not do it). So after two wakes in a row that read nothing,
    // wait on the timer (trickle_ms) until a read finds data again.
    Status wait(int ms, bool idle) {
        woke = false;
        if (ms <= 0) return {};
        bool on_poll = (idle || watermark_wake) && empty_wakes < 2;
        if (empty_wakes >= 2) ms = std::min(ms, std::max(1, opt.trickle_ms));
        int got = on_poll ? ::poll(fds.data(), fds.size(), ms) : ::poll(nullptr, 0, ms);
        if (got < 0 && errno != EINTR) return fail("waiting for trace data", errno);
        woke = on_poll && got > 0;
        return {};
    }

    // After the read that followed a wait: counts wakes that found nothing.
    void after_wait(size_t read) {
        if (read > 0)
            empty_wakes = 0;
        else if (woke)
            ++empty_wakes;
    }

    // The newest timestamp that is safe to deliver while streaming.
    uint64_t watermark() const {
        uint64_t w = kNoTime;
        uint64_t hold = static_cast<uint64_t>(opt.holdback_ms) * 1000000ull;
        for (const auto &c : cpus) {
            uint64_t h;
            if (c.capped)
                h = c.horizon;
            else if (clock >= 0)
                h = c.horizon > hold ? c.horizon - hold : 0;
            else
                h = prev_round_max;
            w = std::min(w, h);
        }
        return w;
    }

    void fill(Record &r, tep_record &tr, CpuReader &c) {
        tr.data = c.cur;
        tr.size = kbuffer_event_size(c.kbuf.get());
        tr.record_size = tr.size;
        tr.ts = c.cur_ts;
        tr.cpu = c.cpu;
        r.rec = &tr;
        r.cpu = c.cpu;
        r.ts = c.cur_ts;
        uint16_t id = 0;
        int32_t pid = 0;
        if (tr.size >= 8) {
            std::memcpy(&id, c.cur, sizeof id);
            std::memcpy(&pid, static_cast<const char *>(c.cur) + 4, sizeof pid);
        }
        r.pid = pid;
        r.event = id < by_id.size() ? by_id[id] : nullptr;
        r.stack = nullptr;
        r.ustack = nullptr;
    }

    int current_id(const CpuReader &c) const {
        if (!c.cur) return -1;
        uint16_t id = 0;
        std::memcpy(&id, c.cur, sizeof id);
        return id;
    }

    // Delivers the record under c's cursor (with the stack records that
    // follow it) and moves past them.
    void emit(CpuReader &c, Sink &sink) {
        fill(record, rec, c);
        advance(c);
        if (record.event && kernel_stack_id >= 0 && current_id(c) == kernel_stack_id &&
            record.event != by_id[kernel_stack_id]) {
            fill(stack_record, stack_rec, c);
            record.stack = &stack_record;
            advance(c);
        }
        if (record.event && user_stack_id >= 0 && current_id(c) == user_stack_id &&
            record.event != by_id[user_stack_id]) {
            fill(ustack_record, ustack_rec, c);
            record.ustack = &ustack_record;
            advance(c);
        }
        if (!record.event) {
            ++unknown;
            return;
        }
        ++delivered;
        sink.on_record(record);
    }

    // k-way merge: repeatedly take the CPU with the oldest record and deliver
    // its run up to the second-oldest CPU's time (or the limit).
    size_t deliver(uint64_t limit, Sink &sink, uint64_t max_records = kNoTime) {
        uint64_t before = delivered;
        while (delivered - before < max_records) {
            CpuReader *best = nullptr;
            uint64_t second = kNoTime;
            for (auto &c : cpus) {
                if (!c.cur) continue;
                if (!best || c.cur_ts < best->cur_ts) {
                    if (best) second = std::min(second, best->cur_ts);
                    best = &c;
                } else {
                    second = std::min(second, c.cur_ts);
                }
            }
            if (!best || best->cur_ts > limit) break;
            uint64_t bound = std::min(second, limit);
            do emit(*best, sink);
            while (best->cur && best->cur_ts <= bound);
        }
        return delivered - before;
    }

    std::unique_ptr<kbuffer, KbufferDeleter> scratch;
};

Capture::Capture(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Capture::~Capture() {
    if (!impl_) return;
    for (auto &c : impl_->cpus) {
        if (c.tcpu) tracefs_cpu_free_fd(c.tcpu);
        if (c.fd >= 0) ::close(c.fd);
    }
}

tep_handle *Capture::tep() {
    return impl_->tep.get();
}

Result<std::unique_ptr<Capture>> Capture::open(const std::string &tracefs_dir,
                                               const std::string &instance_dir,
                                               const std::vector<EventRef> &events) {
    return open(tracefs_dir, instance_dir, events, Options{});
}

Result<std::unique_ptr<Capture>> Capture::open(const std::string &tracefs_dir,
                                               const std::string &instance_dir,
                                               const std::vector<EventRef> &events,
                                               const Options &options) {
    auto impl = std::make_unique<Impl>();
    impl->opt = options;
    if (impl->opt.max_pages_per_cpu < 2) impl->opt.max_pages_per_cpu = 2;
    impl->instance_dir = instance_dir;

    std::string text;
    impl->subbuf_size = static_cast<size_t>(getpagesize());
    if (read_file(instance_dir + "/buffer_subbuf_size_kb", text)) {
        long kb = std::atol(std::string(trim(text)).c_str());
        if (kb > 0) impl->subbuf_size = static_cast<size_t>(kb) * 1024;
    }
    if (read_file(instance_dir + "/trace_clock", text)) impl->clock = clock_of_trace_clock(text);

    impl->tep.reset(tep_alloc());
    if (!impl->tep) return fail("allocating the event parser", ENOMEM);
    tep_handle *tep = impl->tep.get();
    tep_set_long_size(tep, sizeof(long));
    tep_set_page_size(tep, static_cast<int>(impl->subbuf_size));
    tep_endian host = std::endian::native == std::endian::big ? TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN;
    tep_set_file_bigendian(tep, host);
    tep_set_local_bigendian(tep, host);

    std::string events_dir = tracefs_dir + "/events";
    if (!read_file(events_dir + "/header_page", text))
        return fail("reading " + events_dir + "/header_page", errno,
                    "is tracefs mounted at " + tracefs_dir + "?");
    if (tep_parse_header_page(tep, text.data(), text.size(), sizeof(long)) != 0)
        return fail("parsing " + events_dir + "/header_page");

    auto load = [&](const std::string &sys, const std::string &name, bool required) -> Status {
        std::string path = events_dir + "/" + sys + "/" + name + "/format";
        std::string fmt;
        if (!read_file(path, fmt)) {
            if (!required) return {};
            return fail("reading the format of " + sys + "/" + name, errno,
                        "does the event exist? see " + events_dir);
        }
        fmt = prepare_format(fmt);
        tep_event *ev = nullptr;
        if (tep_parse_format(tep, &ev, fmt.data(), fmt.size(), sys.c_str()) != 0 || !ev) {
            // A print fmt libtraceevent cannot parse still gives usable fields.
            if (!ev) ev = tep_find_event_by_name(tep, sys.c_str(), name.c_str());
            if (!ev) {
                if (!required) return {};
                return fail("parsing the format of " + sys + "/" + name);
            }
        }
        if (ev->id >= 0) {
            if (static_cast<size_t>(ev->id) >= impl->by_id.size())
                impl->by_id.resize(static_cast<size_t>(ev->id) + 1, nullptr);
            impl->by_id[static_cast<size_t>(ev->id)] = ev;
        }
        return {};
    };
    for (const auto &e : events) {
        if (tep_find_event_by_name(tep, e.system.c_str(), e.name.c_str())) continue;
        if (auto st = load(e.system, e.name, true); !st) return std::unexpected(st.error());
    }
    for (const char *name : {"kernel_stack", "user_stack", "print"}) {
        if (tep_find_event_by_name(tep, "ftrace", name)) continue;
        if (auto st = load("ftrace", name, false); !st) return std::unexpected(st.error());
    }
    if (auto *ev = tep_find_event_by_name(tep, "ftrace", "kernel_stack"))
        impl->kernel_stack_id = ev->id;
    if (auto *ev = tep_find_event_by_name(tep, "ftrace", "user_stack"))
        impl->user_stack_id = ev->id;

    impl->scratch.reset(kbuffer_alloc(sizeof(long) == 8 ? KBUFFER_LSIZE_8 : KBUFFER_LSIZE_4,
                                      KBUFFER_ENDIAN_SAME_AS_HOST));
    if (!impl->scratch) return fail("allocating a ring-buffer reader", ENOMEM);

    std::vector<int> online = options.cpus;
    if (online.empty() && read_file("/sys/devices/system/cpu/online", text))
        online = parse_cpu_list(text);
    if (online.empty()) online.push_back(0);
    auto cap = std::unique_ptr<Capture>(new Capture(std::move(impl)));
    Impl &im = *cap->impl_;
    for (int cpu : online) {
        std::string path = instance_dir + "/per_cpu/cpu" + std::to_string(cpu) + "/trace_pipe_raw";
        int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
            if (errno == ENOENT) continue; // a CPU without a buffer
            return fail("opening " + path, errno);
        }
        CpuReader c;
        c.cpu = cpu;
        c.fd = fd;
        c.kbuf.reset(kbuffer_alloc(sizeof(long) == 8 ? KBUFFER_LSIZE_8 : KBUFFER_LSIZE_4,
                                   KBUFFER_ENDIAN_SAME_AS_HOST));
        if (!c.kbuf) {
            ::close(fd);
            return fail("allocating a ring-buffer reader", ENOMEM);
        }
        // On ksurf's fd (tracefs_cpu_alloc_fd) rather than tracefs_cpu_open:
        // poll() waits on every CPU's fd at once, and libtracefs 1.6 does not
        // hand out the fd it opens.
        if (im.opt.reader != Options::Reader::Own) {
            c.tcpu = tracefs_cpu_alloc_fd(fd, static_cast<int>(im.subbuf_size), true);
            if (!c.tcpu) {
                ::close(fd);
                return fail("allocating libtracefs' reader of " + path, errno);
            }
        }
        im.cpus.push_back(std::move(c));
    }
    if (im.cpus.empty()) return fail("no per_cpu/cpuN/trace_pipe_raw in " + instance_dir);
    for (const auto &c : im.cpus) im.fds.push_back({c.fd, POLLIN, 0});
    if (read_file(instance_dir + "/buffer_percent", text))
        im.watermark_wake = std::atoi(std::string(trim(text)).c_str()) > 0;
    if (im.opt.trickle_ms < 0) im.opt.trickle_ms = im.watermark_wake ? 10 : 2;
    return cap;
}

Result<size_t> Capture::poll(int timeout_ms, Sink &sink) {
    Impl &im = *impl_;
    auto n = im.read_all();
    if (!n) return std::unexpected(n.error());
    if (*n > 0) im.empty_wakes = 0; // data came: poll() may be trusted again
    bool pending = false;
    for (const auto &c : im.cpus) pending = pending || c.cur;
    if (*n == 0 && !pending) {
        // Idle: sleep in the kernel until a buffer has data (as buffer_percent says).
        if (auto st = im.wait(timeout_ms, true); !st) return std::unexpected(st.error());
        n = im.read_all();
        if (!n) return std::unexpected(n.error());
        im.after_wait(*n);
    } else if (im.caught_up && timeout_ms > 0 && im.opt.trickle_ms > 0) {
        // A trickle (only part-filled pages) or records held back: let more
        // arrive, so that a steady stream is read a page at a time rather
        // than a record per read() and a 4 KB buffer per record. A burst
        // crossing the watermark ends the wait early.
        int ms =
            std::min(timeout_ms, *n == 0 ? std::max(1, im.opt.holdback_ms / 2) : im.opt.trickle_ms);
        if (auto st = im.wait(ms, false); !st) return std::unexpected(st.error());
        n = im.read_all();
        if (!n) return std::unexpected(n.error());
        im.after_wait(*n);
    }
    // Deliver in slices and read again between them: formatting is the slow
    // part, and the kernel's buffer must not fill while we format.
    size_t out = 0;
    while (true) {
        size_t k = im.deliver(im.watermark(), sink, kSlice);
        out += k;
        if (k < kSlice) break;
        im.prev_round_max = im.round_max;
        n = im.read_all();
        if (!n) return std::unexpected(n.error());
    }
    im.prev_round_max = im.round_max;
    return out;
}

Result<size_t> Capture::drain(Sink &sink) {
    Impl &im = *impl_;
    size_t out = 0;
    while (true) {
        auto n = im.read_all();
        if (!n) return std::unexpected(n.error());
        uint64_t limit = kNoTime;
        bool any_capped = false;
        for (const auto &c : im.cpus) {
            if (c.capped) {
                any_capped = true;
                limit = std::min(limit, c.last_ts);
            }
        }
        out += im.deliver(limit, sink);
        if (!any_capped) break;
    }
    im.prev_round_max = im.round_max;
    return out;
}

Capture::CpuStats parse_cpu_stats(std::string_view text) {
    Capture::CpuStats s;
    for (const auto &line : split(std::string(text), '\n')) {
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string_view key = trim(std::string_view(line).substr(0, colon));
        uint64_t v = std::strtoull(line.c_str() + colon + 1, nullptr, 10);
        if (key == "entries")
            s.entries = v;
        else if (key == "overrun")
            s.overrun = v;
        else if (key == "commit overrun")
            s.commit_overrun = v;
        else if (key == "dropped events")
            s.dropped = v;
        else if (key == "read events")
            s.read_events = v;
    }
    return s;
}

std::vector<Capture::CpuStats> Capture::stats() const {
    std::vector<CpuStats> out;
    for (const auto &c : impl_->cpus) {
        std::string text;
        if (!read_file(impl_->instance_dir + "/per_cpu/cpu" + std::to_string(c.cpu) + "/stats",
                       text))
            continue;
        CpuStats s = parse_cpu_stats(text);
        s.cpu = c.cpu;
        out.push_back(s);
    }
    return out;
}

uint64_t Capture::records_read() const {
    return impl_->delivered;
}

uint64_t Capture::missed_events() const {
    uint64_t m = 0;
    for (const auto &c : impl_->cpus) m += c.missed;
    return m;
}

uint64_t Capture::unknown_records() const {
    return impl_->unknown;
}

} // namespace ksurf::capture
