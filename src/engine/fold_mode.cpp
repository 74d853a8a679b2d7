// count and hist (fold_mode.h).
#include "engine/fold_mode.h"

#include "engine/record_key.h"
#include "output/output.h"
#include "util/strings.h"
#include "util/write_error.h"

#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <set>
#include <traceevent/event-parse.h>
#include <unordered_map>

namespace ksurf::engine {

namespace {

using aggregate::KeyKind;

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
    out.text = std::to_string(s);
    return out;
}

int tgid_of(int tid) {
    std::string status;
    if (!read_file(fmt::format("/proc/{}/status", tid), status)) return tid;
    auto at = status.find("\nTgid:");
    return at == std::string::npos ? tid : std::atoi(status.c_str() + at + 6);
}

} // namespace

Where decide_where(const tracefs::Tracefs &fs, const aggregate::KernelHist &kh,
                   const FoldRequest &req, bool one_by_one) {
    if (!kh.available)
        return {false, "this kernel has no hist triggers (no 'hist:' in tracefs/README)"};
    if (one_by_one) return {false, "-n counts events one by one"};
    size_t keys = 0;
    for (const auto &k : req.keys) {
        if (k.kind == KeyKind::Pid)
            return {false, "--by pid: the kernel's hist has no process id (tgid) field; "
                           "--by tid counts in the kernel"};
        if (k.kind != KeyKind::Func) ++keys;
    }
    if (req.bucketing) ++keys;
    if (keys + 1 > 3)
        return {false, "the kernel's hist takes at most 3 keys (with the pid ksurf adds)"};
    if (req.bucketing && req.bucketing->kind == aggregate::Bucketing::Kind::Linear &&
        !fs.read("README").value_or("").contains(".buckets"))
        return {false, "this kernel's hist has no .buckets (linear histograms)"};
    return {true, "hist triggers on this run's instance"};
}

namespace {

class FoldHandler : public Handler {
  public:
    FoldHandler(tep_handle *tep, const compile::Plan &plan, const FoldRequest &req, Where where,
                aggregate::KernelHist kh, std::vector<capture::EventRef> bookkeeping,
                std::string tracefs_dir)
        : tep_(tep), plan_(plan), req_(req), where_(std::move(where)), kh_(std::move(kh)),
          procs_(std::move(tracefs_dir)), table_(names(req), req.bucketing) {
        hidden_ = find_events(tep, bookkeeping);
        table_.where = where_.kernel ? "kernel" : "user space";
        table_.why = where_.why;
    }

    static std::vector<std::string> names(const FoldRequest &req) {
        std::vector<std::string> out;
        for (const auto &k : req.keys) out.push_back(k.name);
        return out;
    }

    Status armed(tracefs::Session &s, const std::vector<ArmedEvent> &events,
                 const std::vector<pid_t> &pids) override {
        session_ = &s;
        for (pid_t p : pids) traced_.insert(p);
        restricted_ = !pids.empty();
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
                key_.push_back(std::to_string(tgid(r.pid)));
                break;
            case KeyKind::Func:
                key_.push_back(per.func);
                break;
            case KeyKind::Stack:
                key_.push_back("");
                break; // refused before arming
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
                break; // one trigger per event; pid never gets here
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
        per.trigger = aggregate::trigger_text(t);
        return s.add_trigger(per.ref.system, per.ref.name, per.trigger);
    }

    void follow_fork(const capture::Record &r) {
        if (!restricted_) return;
        traced_.insert(r.pid);
        if (const tep_format_field *f =
                tep_find_field(const_cast<tep_event *>(r.event), "child_pid"))
            if (auto v = read_field(r, f).number) traced_.insert(static_cast<int>(*v));
    }

    int tgid(int tid) {
        auto [it, fresh] = tgid_.try_emplace(tid, 0);
        if (fresh) it->second = tgid_of(tid);
        return it->second;
    }

    // Reads every trigger's `hist` file into the table (kernel mode).
    void collect() {
        if (!where_.kernel || !session_) return;
        table_.clear();
        table_.dropped = 0;
        for (const auto &[ev, per] : per_) {
            auto text = session_->fs().read(fmt::format(
                "{}/events/{}/{}/hist", session_->instance(), per.ref.system, per.ref.name));
            if (!text) continue;
            aggregate::HistFile h = aggregate::parse_hist(*text);
            table_.dropped += h.dropped;
            for (const auto &e : h.entries) {
                size_t j = 0;
                int pid = -1;
                std::vector<std::string> key;
                for (const auto &k : req_.keys) {
                    if (k.kind == KeyKind::Func) {
                        key.push_back(per.func);
                        continue;
                    }
                    if (j < e.keys.size()) {
                        if (e.pids[j] >= 0) pid = e.pids[j];
                        key.push_back(e.keys[j++]);
                    }
                }
                std::optional<int64_t> bucket;
                if (req_.bucketing && j < e.numbers.size()) bucket = e.numbers[j++].value_or(0);
                if (per.pid_key && j < e.numbers.size())
                    pid = static_cast<int>(e.numbers[j].value_or(-1));
                if (restricted_ && !traced_.contains(pid)) continue;
                table_.add_counted(key, e.hitcount, bucket);
            }
        }
    }

    void print() {
        std::string out = req_.json ? aggregate::render_json(table_, req_.top)
                                    : aggregate::render_text(table_, req_.top);
        // The byte policy: a failed write (a full disk) fails the run (exit 74).
        write_checked(stdout, out, "standard output");
        flush_checked(stdout, "standard output");
        if (table_.dropped)
            std::fprintf(stderr, "ksurf: the kernel's hist dropped %llu events (table full)\n",
                         static_cast<unsigned long long>(table_.dropped));
    }

    tep_handle *tep_;
    const compile::Plan &plan_;
    const FoldRequest &req_;
    Where where_;
    aggregate::KernelHist kh_;
    output::ProcessTable procs_;
    aggregate::Table table_;
    std::vector<const tep_event *> hidden_;
    std::unordered_map<const tep_event *, Per> per_;
    std::unordered_map<int, int> tgid_;
    std::set<int> traced_;
    bool restricted_ = false;
    tracefs::Session *session_ = nullptr;
    std::vector<std::string> key_;
};

} // namespace

std::unique_ptr<Handler> make_fold_handler(tep_handle *tep, const compile::Plan &plan,
                                           const FoldRequest &req, Where where,
                                           aggregate::KernelHist kh,
                                           std::vector<capture::EventRef> bookkeeping,
                                           std::string tracefs_dir) {
    return std::make_unique<FoldHandler>(tep, plan, req, std::move(where), std::move(kh),
                                         std::move(bookkeeping), std::move(tracefs_dir));
}

} // namespace ksurf::engine
