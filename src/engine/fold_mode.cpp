// count and hist, and lat in the kernel (fold_mode.h).
#include "engine/fold_mode.h"

#include "engine/record_key.h"
#include "ksyms/kallsyms.h"
#include "output/output.h"
#include "tracefs/profile.h"
#include "tracefs/synth.h"
#include "util/strings.h"
#include "util/write_error.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <map>
#include <set>
#include <traceevent/event-parse.h>
#include <unistd.h>
#include <unordered_map>

namespace ksurf::engine {

namespace {

using aggregate::KeyKind;
using Request = FoldRequest;

// A field of a record: a number, or text for strings.
struct FieldValue {
    std::optional<int64_t> number;
    std::string text;
};

FieldValue read_field(const capture::Record &r, const tep_format_field *f) {
    FieldValue out;
    if (!f) return out;
    if (f->flags & TEP_FIELD_IS_STRING) {
        int len = 0;
        void *p =
            tep_get_field_raw(nullptr, const_cast<tep_event *>(r.event), f->name, r.rec, &len, 0);
        if (p)
            out.text.assign(static_cast<const char *>(p),
                            strnlen(static_cast<const char *>(p), len));
        return out;
    }
    unsigned long long v = 0;
    if (tep_read_number_field(const_cast<tep_format_field *>(f), r.rec->data, &v) != 0) return out;
    long long s = static_cast<long long>(v);
    if (f->flags & TEP_FIELD_IS_SIGNED)
        s = f->size == 4   ? static_cast<int32_t>(v)
            : f->size == 2 ? static_cast<int16_t>(v)
            : f->size == 1 ? static_cast<int8_t>(v)
                           : s;
    out.number = s;
    // As the kernel's hist prints the key: an unsigned u64 above INT64_MAX
    // stays positive.
    out.text = f->flags & TEP_FIELD_IS_SIGNED ? std::to_string(s) : std::to_string(v);
    return out;
}

class FoldHandler : public Handler {
  public:
    FoldHandler(tep_handle *tep, const compile::Plan &plan, const Request &req, Where where,
                aggregate::KernelHist kh, std::vector<capture::EventRef> bookkeeping,
                std::string tracefs_dir)
        : tep_(tep), plan_(plan), req_(req), where_(std::move(where)), kh_(std::move(kh)),
          procs_(std::move(tracefs_dir)), table_(names(req), req.bucketing) {
        hidden_ = find_events(tep, bookkeeping);
        table_.where = where_.kernel ? "kernel" : "user space";
        table_.why = where_.why;
    }

    static std::vector<std::string> names(const Request &req) {
        std::vector<std::string> out;
        for (const auto &k : req.keys) out.push_back(k.name);
        return out;
    }

    Status armed(tracefs::Session &s, const std::vector<ArmedEvent> &events,
                 const std::vector<pid_t> &pids) override {
        session_ = &s;
        for (pid_t p : pids) traced_.insert(p);
        restricted_ = !pids.empty();
        if (!req_.latency_event.empty()) return arm_latency(s, events);
        for (const auto &e : events) {
            tep_event *ev = tep_find_event_by_name(tep_, e.ref.system.c_str(), e.ref.name.c_str());
            if (!ev) continue;
            Per per;
            per.ref = e.ref;
            // Which function or event fired: a glob's probes each name theirs
            // (p vfs_read), an event glob's events are told apart by name.
            const compile::Probe &probe = plan_.probes[e.probe];
            per.func = probe.kind == compile::ProbeKind::Event &&
                               (probe.matched.size() > 1 || has_glob(probe.system + probe.event))
                           ? e.ref.system + "/" + e.ref.name
                           : probe.text;
            for (const auto &k : req_.keys) {
                const tep_format_field *f = nullptr;
                if (k.kind == KeyKind::Field) {
                    f = tep_find_any_field(ev, k.name.c_str());
                    if (!f)
                        return fail(fmt::format("--by {}: '{}' has no field {} (its fields: "
                                                "ksurf list event {}/{})",
                                                k.name, per.func, k.name, e.ref.system,
                                                e.ref.name));
                }
                per.fields.push_back(f);
            }
            if (!req_.of.empty()) {
                per.value = tep_find_any_field(ev, req_.of.c_str());
                if (!per.value)
                    return fail(
                        fmt::format("--of {}: '{}' has no field {}", req_.of, per.func, req_.of));
                // A string (a typed $retval of a function returning char *)
                // has no number to bucket, and the kernel refuses a numeric
                // filter on it: one such function of a glob is left out, said.
                if (per.value->flags &
                    (TEP_FIELD_IS_STRING | TEP_FIELD_IS_ARRAY | TEP_FIELD_IS_DYNAMIC)) {
                    // raw_syscalls/sys_enter's args[6] is an array.
                    const char *what =
                        per.value->flags & TEP_FIELD_IS_STRING ? "a string" : "an array";
                    if (probe.glob.empty())
                        return fail(fmt::format("--of {}: in '{}', {} is {}, not a number", req_.of,
                                                per.func, req_.of, what));
                    std::fprintf(stderr,
                                 "ksurf: --of %s: left out '%s', where %s is %s, not a number\n",
                                 req_.of.c_str(), per.func.c_str(), req_.of.c_str(), what);
                    continue;
                }
            }
            if (where_.kernel) {
                auto st = attach(s, per, plan_.probes[e.probe].filter);
                if (!st) return st;
            }
            per_[ev] = std::move(per);
        }
        return {};
    }

    bool on_record(const capture::Record &r) override {
        procs_.feed(r);
        for (const tep_event *h : hidden_) {
            if (r.event != h) continue;
            follow_fork(r);
            return false;
        }
        if (where_.kernel) return false;
        auto it = per_.find(r.event);
        if (it == per_.end()) return false;
        const Per &per = it->second;
        key_.clear();
        for (size_t i = 0; i < req_.keys.size(); ++i) {
            if (append_common_key(req_.keys[i].kind, r, procs_, key_)) continue;
            switch (req_.keys[i].kind) {
            case KeyKind::Pid:
                key_.push_back(std::to_string(tgids_.of(r.pid)));
                break;
            case KeyKind::Func:
                key_.push_back(per.func);
                break;
            case KeyKind::Stack:
                // The kernel_stack record options/stacktrace put after it.
                key_.push_back(r.stack ? stack_key(*r.stack) : std::string("(no stack)"));
                break;
            case KeyKind::UStack:
                key_.push_back(r.ustack ? stack_key(*r.ustack) : std::string("(no user stack)"));
                break;
            case KeyKind::Field:
                key_.push_back(read_field(r, per.fields[i]).text);
                break;
            default:
                break; // comm, tid, cpu: above
            }
        }
        std::optional<int64_t> value;
        if (per.value) {
            value = read_field(r, per.value).number;
            if (!value) return false;
        }
        table_.add(key_, value);
        return true;
    }

    void tick() override {
        collect();
        print();
        if (where_.kernel) table_.clear();
    }

    void finish() override {
        collect();
        print();
    }

  private:
    struct Per {
        capture::EventRef ref;
        std::string func;
        std::vector<const tep_format_field *> fields; // per key (Field keys)
        const tep_format_field *value = nullptr;
        std::string trigger;
        bool pid_key = false; // a common_pid key was added to follow -p / -- CMD
        int comm_index = -1;  // the key whose execname carries the pid
    };

    Status attach(tracefs::Session &s, Per &per, const std::string &filter) {
        aggregate::Trigger t;
        for (size_t i = 0; i < req_.keys.size(); ++i) {
            const auto &k = req_.keys[i];
            switch (k.kind) {
            case KeyKind::Comm:
                per.comm_index = static_cast<int>(t.keys.size());
                t.keys.push_back("common_pid.execname");
                break;
            case KeyKind::Tid:
                t.keys.push_back("common_pid");
                break;
            case KeyKind::Cpu:
                t.keys.push_back(kh_.cpu);
                break;
            case KeyKind::Stack:
                t.keys.push_back(kh_.stack);
                break;
            case KeyKind::Field:
                t.keys.push_back(k.name);
                break;
            case KeyKind::Func:
            case KeyKind::Pid:
            case KeyKind::UStack:
                break; // one trigger per event; pid and ustack never get here
            }
        }
        if (req_.bucketing)
            t.keys.push_back(req_.bucketing->kind == aggregate::Bucketing::Kind::Log2
                                 ? req_.of + ".log2"
                                 : fmt::format("{}.buckets={}", req_.of, req_.bucketing->step));
        // The pid of each row, to keep only the traced tasks (a trigger runs
        // before the instance's pid filter), and a key at all when --by names none.
        if (per.comm_index < 0 && (restricted_ || t.keys.empty())) {
            per.pid_key = true;
            t.keys.push_back("common_pid");
        }
        t.filter = filter;
        // lat: the sum of the latencies, for the mean.
        if (!req_.latency_event.empty()) t.vals.push_back(req_.of);
        per.trigger = aggregate::trigger_text(t);
        auto st = s.add_trigger(per.ref.system, per.ref.name, per.trigger);
        if (!st || !log2()) return st;
        // bpftrace's buckets from the kernel's: a second trigger, with the
        // same keys and filter, counts 0 and each power of two exactly
        // (aggregate::log2_from_kernel). The session removes it with the
        // first, on every exit path; `ksurf reset` finds it as it does the first.
        for (auto &k : t.keys)
            if (k == req_.of + ".log2") k = req_.of;
        // lat's field is the synthetic event's u64.
        int bytes = per.value ? per.value->size : 8;
        bool is_signed = per.value && (per.value->flags & TEP_FIELD_IS_SIGNED);
        std::string powers = aggregate::power_filter(req_.of, bytes, is_signed);
        t.filter = filter.empty() ? powers : fmt::format("({}) && ({})", filter, powers);
        // lat sums its field on the first trigger only.
        t.vals.clear();
        std::string text = aggregate::trigger_text(t);
        // The kernel refuses a trigger write of a page or more (its removal
        // is one byte longer).
        long page = ::sysconf(_SC_PAGESIZE);
        if (page > 0 && text.size() + 1 >= static_cast<size_t>(page))
            return fail(fmt::format("hist --of {}: the trigger that counts its powers of two "
                                    "(for bpftrace's buckets) would be {} bytes, over the "
                                    "kernel's limit of {} for one write: shorten the filter, "
                                    "or count in user space (-n COUNT)",
                                    req_.of, text.size() + 1, page - 1));
        return s.add_trigger(per.ref.system, per.ref.name, text);
    }

    bool log2() const {
        return req_.bucketing && req_.bucketing->kind == aggregate::Bucketing::Kind::Log2;
    }

    // lat in the kernel: the synthetic event that pairs probe 0 (entry) with
    // probe 1 (return), and on it, in this instance, the histogram of `lat`.
    Status arm_latency(tracefs::Session &s, const std::vector<ArmedEvent> &events) {
        const ArmedEvent *entry = nullptr, *ret = nullptr;
        for (const auto &e : events) (e.probe == 0 ? entry : ret) = &e;
        if (!entry || !ret) return fail("lat: the entry or the return probe was not armed");
        // The entry's f:FILTER gates the entry's histogram: only the calls
        // whose entry matched are timed.
        auto synth = tracefs::LatencySynth::create(
            tep_, s.fs(), req_.latency_event, entry->ref.system, entry->ref.name, ret->ref.name,
            req_.usecs, plan_.probes[entry->probe].filter);
        if (!synth) return std::unexpected(synth.error());
        // Its histograms sit on the probes' top-level trigger files: they go
        // after this instance (whose histogram holds the synthetic event)
        // and before the probes.
        auto owned = *synth;
        s.on_teardown([owned] { owned->destroy(); });
        Per per;
        per.ref = {"synthetic", req_.latency_event};
        per.func = plan_.probes[entry->probe].text;
        per.fields.assign(req_.keys.size(), nullptr);
        auto st = attach(s, per, "");
        if (!st) return st;
        // Its records are never read (nothing streams): no tep event to key by.
        per_[nullptr] = std::move(per);
        latency_ends_ = {entry->ref, ret->ref};
        return {};
    }

    void follow_fork(const capture::Record &r) {
        if (!restricted_) return;
        traced_.insert(r.pid);
        if (const tep_format_field *f =
                tep_find_field(const_cast<tep_event *>(r.event), "child_pid"))
            if (auto v = read_field(r, f).number) traced_.insert(static_cast<int>(*v));
    }

    // Reads every trigger's `hist` file into the table (kernel mode).
    void collect() {
        if (!where_.kernel || !session_) return;
        table_.clear();
        table_.dropped = 0;
        unreadable_ = 0;
        // log2: per row, the kernel's buckets and the exact powers of two.
        struct Log2 {
            std::map<int64_t, uint64_t> kernel;
            std::map<uint64_t, uint64_t> powers;
        };
        std::map<std::vector<std::string>, Log2> log2s;
        for (const auto &[ev, per] : per_) {
            auto text = session_->fs().read(fmt::format(
                "{}/events/{}/{}/hist", session_->instance(), per.ref.system, per.ref.name));
            if (!text) continue;
            // One section per trigger ksurf attached (two for log2).
            for (const auto &h : aggregate::parse_hist_sections(*text, log2() ? 2 : 1)) {
                table_.dropped += h.dropped;
                unreadable_ += h.unreadable;
                // The event's file shows both triggers: the first keys by
                // NAME.log2, the second by NAME.
                std::string_view spec =
                    std::string_view(h.trigger).substr(0, h.trigger.find(" if "));
                bool powers = log2() && !spec.empty() && !spec.contains(req_.of + ".log2");
                for (const auto &e : h.entries) add_entry(per, e, powers, log2s);
            }
        }
        // lat: the entry's and return's histograms (top level, keyed by
        // thread, for every process: triggers run before any pid filter)
        // hold each thread's start and end; once full (2048 threads, never
        // forgotten) later threads' calls are not timed: counted as dropped.
        for (const auto &ev : latency_ends_)
            if (auto hist =
                    session_->fs().read(fmt::format("events/{}/{}/hist", ev.system, ev.name)))
                for (const auto &h : aggregate::parse_hist_sections(*hist))
                    table_.dropped += h.dropped;
        for (const auto &[key, l] : log2s)
            // A key only the powers' trigger saw (a hit between the two
            // reads) has no row: it would print as "count 0".
            if (!l.kernel.empty())
                table_.add_buckets(key, aggregate::log2_from_kernel(l.kernel, l.powers));
    }

    template <class Log2s>
    void add_entry(const Per &per, const aggregate::HistEntry &e, bool powers, Log2s &log2s) {
        size_t j = 0;
        int pid = -1;
        std::vector<std::string> key;
        for (size_t i = 0; i < req_.keys.size(); ++i) {
            const auto &k = req_.keys[i];
            if (k.kind == KeyKind::Func) {
                key.push_back(per.func);
                continue;
            }
            if (j < e.keys.size()) {
                if (e.pids[j] >= 0) pid = e.pids[j];
                // The kernel prints every numeric key as a u64 (%llu): a
                // signed field's -2 as 18446744073709551614. Shown signed,
                // as user space shows it.
                const tep_format_field *f = i < per.fields.size() ? per.fields[i] : nullptr;
                if (k.kind == KeyKind::Field && f && (f->flags & TEP_FIELD_IS_SIGNED) &&
                    !(f->flags &
                      (TEP_FIELD_IS_STRING | TEP_FIELD_IS_ARRAY | TEP_FIELD_IS_DYNAMIC)) &&
                    e.numbers[j])
                    key.push_back(std::to_string(*e.numbers[j]));
                else
                    key.push_back(e.keys[j]);
                ++j;
            }
        }
        std::optional<int64_t> bucket;
        if (req_.bucketing && j < e.numbers.size()) bucket = e.numbers[j++].value_or(0);
        // The kernel's .buckets=STEP knows no MIN,MAX and divides the u64
        // value: a bucket's first value, read signed, goes where user space
        // puts that value (clamped into MIN..MAX, on the STEP grid), so one
        // 4 MB kmalloc in --linear 0,1024,64 is in [960, 1024), not 65,000
        // lines further down.
        if (bucket && !log2()) bucket = aggregate::bucket_of(*req_.bucketing, *bucket);
        if (per.pid_key && j < e.numbers.size()) pid = static_cast<int>(e.numbers[j].value_or(-1));
        if (restricted_ && !traced_.contains(pid)) return;
        if (powers) {
            // The raw value (u64 bits), counted already by the first trigger.
            if (bucket) log2s[key].powers[static_cast<uint64_t>(*bucket)] += e.hitcount;
            return;
        }
        std::optional<uint64_t> sum;
        if (auto v = e.values.find(req_.of); v != e.values.end()) sum = v->second;
        if (log2()) {
            if (bucket) log2s[key].kernel[*bucket] += e.hitcount;
            table_.add_counted(key, e.hitcount, std::nullopt, sum);
            return;
        }
        table_.add_counted(key, e.hitcount, bucket, sum);
    }

    void print() {
        if (session_) table_.lost = fold_lost(*session_);
        std::string out = req_.json ? aggregate::render_json(table_, req_.top, req_.unit)
                                    : aggregate::render_text(table_, req_.top, req_.unit);
        // The byte policy: a failed write (a full disk) fails the run (exit 74).
        write_checked(stdout, out, "standard output");
        flush_checked(stdout, "standard output");
        if (table_.dropped)
            std::fprintf(stderr, "ksurf: the kernel's hist dropped %llu events (table full)\n",
                         static_cast<unsigned long long>(table_.dropped));
        if (unreadable_)
            std::fprintf(stderr,
                         "ksurf: %llu rows of the kernel's hist could not be read (a process "
                         "name or a string key holding a line break); they are not counted\n",
                         static_cast<unsigned long long>(unreadable_));
    }

    tep_handle *tep_;
    const compile::Plan &plan_;
    const Request &req_;
    Where where_;
    aggregate::KernelHist kh_;
    output::ProcessTable procs_;
    aggregate::Table table_;
    std::vector<const tep_event *> hidden_;
    std::unordered_map<const tep_event *, Per> per_;
    Tgids tgids_;
    std::set<int> traced_;
    uint64_t unreadable_ = 0; // hist rows parse_hist could not read
    // lat in the kernel: the entry's and the return's events, whose
    // top-level histograms (by thread, 2048 rows, system-wide) pair them.
    std::vector<capture::EventRef> latency_ends_;
    bool restricted_ = false;
    tracefs::Session *session_ = nullptr;
    std::vector<std::string> key_;
};

} // namespace

Where decide_where(const tracefs::Tracefs &fs, const aggregate::KernelHist &kh,
                   const FoldRequest &req, bool one_by_one) {
    if (!kh.available)
        return {false, "this kernel has no hist triggers (no 'hist:' in tracefs/README)"};
    if (one_by_one) return {false, "-n counts events one by one"};
    if (auto why = user_space_key(req.keys, req.bucketing.has_value())) return {false, *why};
    if (req.bucketing && req.bucketing->kind == aggregate::Bucketing::Kind::Linear &&
        !fs.read("README").value_or("").contains(".buckets"))
        return {false, "this kernel's hist has no .buckets (linear histograms)"};
    // bpftrace's log2 buckets need a second trigger whose filter names every
    // power of two (a 64-bit field's, at worst); the kernel takes less than a
    // page per trigger write, keys and a probe's filter included.
    long page = ::sysconf(_SC_PAGESIZE);
    if (req.bucketing && req.bucketing->kind == aggregate::Bucketing::Kind::Log2 && page > 0 &&
        aggregate::power_filter(req.of, 8, false).size() + 512 >= static_cast<size_t>(page))
        return {false, fmt::format("--of {}: the name is too long for the kernel's filter of its "
                                   "powers of two (one trigger write is under {} bytes)",
                                   req.of, page)};
    return {true, "hist triggers on this run's instance"};
}

std::optional<std::string> user_space_key(const std::vector<aggregate::Key> &keys, bool bucketed) {
    size_t n = 0;
    for (const auto &k : keys) {
        if (k.kind == KeyKind::Pid)
            return "--by pid: the kernel's hist has no process id (tgid) field; --by tid counts "
                   "in the kernel";
        if (k.kind == KeyKind::UStack)
            return "--by ustack: the kernel's hist has no user stack key";
        if (k.kind != KeyKind::Func) ++n; // func: one trigger per function, not a key
    }
    // The kernel refuses a fourth key (TRACING_MAP_KEYS_MAX). Without a comm
    // key (whose .execname carries the pid) attach() may add the pid to
    // follow -p / -- CMD: counted, whether added or not.
    bool comm = std::any_of(keys.begin(), keys.end(),
                            [](const aggregate::Key &k) { return k.kind == KeyKind::Comm; });
    if (bucketed) ++n;
    if (!comm) ++n;
    if (n > 3)
        return comm ? "the kernel's hist takes at most 3 keys"
                    : "the kernel's hist takes at most 3 keys (with the pid ksurf adds)";
    return std::nullopt;
}

std::unique_ptr<Handler> make_fold_handler(tep_handle *tep, const compile::Plan &plan,
                                           const FoldRequest &req, Where where,
                                           aggregate::KernelHist kh,
                                           std::vector<capture::EventRef> bookkeeping,
                                           std::string tracefs_dir) {
    return std::make_unique<FoldHandler>(tep, plan, req, std::move(where), std::move(kh),
                                         std::move(bookkeeping), std::move(tracefs_dir));
}

uint64_t fold_lost(const tracefs::Session &s) {
    uint64_t lost = 0;
    for (const auto &cpu : s.fs().list_dir(s.instance() + "/per_cpu")) {
        auto text = s.fs().read(fmt::format("{}/per_cpu/{}/stats", s.instance(), cpu));
        if (!text) continue;
        lost += capture::parse_cpu_stats(*text).lost();
    }
    for (const auto &p : tracefs::read_profiles(s.fs(), s.group())) lost += p.misses;
    return lost;
}

std::string stack_key(const capture::Record &stack) {
    std::string out;
    auto *ev = const_cast<tep_event *>(stack.event);
    const tep_format_field *caller = tep_find_field(ev, "caller");
    const tep_format_field *size = tep_find_field(ev, "size");
    if (!caller) return out;
    const char *data = static_cast<const char *>(stack.rec->data);
    uint32_t len = static_cast<uint32_t>(stack.rec->size);
    if (static_cast<uint32_t>(caller->offset) > len) return out;
    uint64_t n = (len - static_cast<uint32_t>(caller->offset)) / sizeof(uint64_t);
    if (size && static_cast<uint32_t>(size->offset) + 4 <= len) {
        int32_t count = 0;
        std::memcpy(&count, data + size->offset, 4);
        if (count >= 0 && static_cast<uint64_t>(count) < n) n = static_cast<uint64_t>(count);
    }
    bool kernel = std::strcmp(ev->name, "kernel_stack") == 0;
    for (uint64_t i = 0; i < n; ++i) {
        uint64_t addr = 0;
        std::memcpy(&addr, data + caller->offset + i * sizeof addr, sizeof addr);
        if (addr == 0 || addr == ~0ull) break;
        if (!out.empty()) out += '\n';
        auto hit = kernel ? ksyms::Kallsyms::kernel().lookup(addr) : ksyms::Kallsyms::Hit{};
        if (hit.name.empty()) {
            out += fmt::format("0x{:x}", addr);
            continue;
        }
        // As the kernel's %pS, which its hist uses for stacktrace keys.
        out += fmt::format("{}+0x{:x}", hit.name, hit.offset);
        if (hit.size) out += fmt::format("/0x{:x}", hit.size);
        if (!hit.module.empty()) out += fmt::format(" [{}]", hit.module);
    }
    return out;
}

int Tgids::of(int tid) {
    auto [it, fresh] = cache_.try_emplace(tid, tid);
    if (!fresh) return it->second;
    std::string status;
    if (!read_file(fmt::format("/proc/{}/status", tid), status)) return tid;
    auto at = status.find("\nTgid:");
    if (at != std::string::npos) it->second = std::atoi(status.c_str() + at + 6);
    return it->second;
}

} // namespace ksurf::engine
