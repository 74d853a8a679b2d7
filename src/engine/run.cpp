// The run loop shared by every tracing command: set up, stream, stop, drain,
// report, tear down (engine.h says who does what).
#include "engine/engine.h"

#include "tracefs/profile.h"
#include "util/json.h"
#include "util/signals.h"
#include "util/write_error.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fmt/format.h>
#include <poll.h>

namespace ksurf::engine {

namespace {

void report(const Error &e) {
    std::fprintf(stderr, "ksurf: %s\n", e.str().c_str());
}

// Delivers records to the handler, counting events for -n.
class LimitSink : public capture::Sink {
  public:
    LimitSink(Handler &h, uint64_t max) : h_(h), max_(max) {}
    void on_record(const capture::Record &r) override {
        if (max_ && count_ >= max_) return;
        if (h_.on_record(r) && ++count_ == max_) request_stop();
    }
    uint64_t count() const { return count_; }

  private:
    Handler &h_;
    uint64_t max_;
    uint64_t count_ = 0;
};

// The reader of our stdout went away (`ksurf ... | head -1`): a pipe's write
// end polls POLLERR then, even when there is nothing to write.
bool reader_gone() {
    pollfd p{1, 0, 0};
    return ::poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

// What the kernel lost in a capture: the page headers' missed events, or the
// per-CPU overrun counters, whichever saw more.
uint64_t lost_of(const capture::Capture &cap) {
    uint64_t lost = cap.missed_events();
    uint64_t overruns = 0;
    for (const auto &c : cap.stats()) overruns += c.lost();
    return std::max(lost, overruns);
}

// --stats: how often each probe fired, and how often the kernel missed it.
void print_stats(const std::vector<tracefs::ProbeProfile> &profiles,
                 const std::map<std::string, std::string> &texts, bool json) {
    for (const auto &p : profiles) {
        auto it = texts.find(p.event);
        std::string text = it == texts.end() ? std::string() : it->second;
        if (json) {
            fmt::memory_buffer b;
            json::Writer(b)
                .begin_object()
                .member("probe", p.event)
                .member("expression", text)
                .member("hits", p.hits)
                .member("misses", p.misses)
                .end_object();
            b.push_back('\n');
            std::fwrite(b.data(), 1, b.size(), stderr);
        } else {
            std::fprintf(stderr, "ksurf: %s '%s': %llu hits, %llu missed\n", p.event.c_str(),
                         text.c_str(), static_cast<unsigned long long>(p.hits),
                         static_cast<unsigned long long>(p.misses));
        }
    }
}

std::chrono::steady_clock::duration seconds(double s) {
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(s));
}

} // namespace

Status Arming::start(Run &run) {
    return run.session().tracing_on(true);
}

void Arming::stop(Run &run) {
    (void)run.session().tracing_on(false);
}

Run::Run(RunOptions options) : opt_(std::move(options)) {}

Run::~Run() = default;

Status Run::start_child() {
    return child_.start(opt_.command);
}

Status Run::open_capture(const std::string &instance_dir,
                         const std::vector<capture::EventRef> &events) {
    auto c = capture::Capture::open(fs_->root(), instance_dir, events);
    if (!c) return std::unexpected(c.error());
    captures_.push_back(std::move(*c));
    return {};
}

// Setup failed: nothing was traced. A command that was started but never
// released exits 127 (GatedChild::stop), and that status is passed on, as
// for a command that could not be run.
int Run::fail_setup(Arming &arming, const Error &e) {
    bool declined = arming.declined();
    if (!declined) report(e);
    child_.stop(SIGKILL);
    captures_.clear();
    session_->teardown();
    if (declined) return kDeclined;
    return opt_.command.empty() || child_.status() == 0 ? kExitFailure : child_.status();
}

int Run::execute(Arming &arming, const HandlerFactory &make) {
    install_stop_handlers();
    auto fs = tracefs::Tracefs::open();
    if (!fs) {
        report(fs.error());
        return kExitFailure;
    }
    fs_ = std::move(*fs);
    bool bad_input = false;
    if (auto st = arming.check(*fs_, bad_input); !st) {
        report(st.error());
        return bad_input ? kExitUsage : kExitFailure;
    }
    auto session = tracefs::Session::create(*fs_);
    if (!session) {
        report(session.error());
        return kExitFailure;
    }
    session_.emplace(std::move(*session));

    std::unique_ptr<Handler> handler;
    auto setup = [&]() -> Status {
        if (auto st = arming.arm(*this); !st) return st;
        if (captures_.empty()) return fail("nothing to read: the mode opened no capture");
        handler = make(captures_.front()->tep(), styles_);
        if (auto st = handler->armed(*session_, armed_, traced_); !st) return st;
        if (auto st = arming.start(*this); !st) return st;
        if (!opt_.command.empty())
            if (auto st = child_.release(opt_.command[0]); !st) return st;
        return {};
    };
    if (auto st = setup(); !st) {
        handler.reset();
        return fail_setup(arming, st.error());
    }

    LimitSink sink(*handler, opt_.max_events);
    bool failed = !stream(*handler, sink);

    arming.stop(*this);
    if (!handler->broken() && !failed) {
        // The others first: who is who (forks, execs) before what they did.
        for (size_t i = captures_.size(); i-- > 0;)
            if (auto r = captures_[i]->drain(sink); !r) report(r.error());
    }
    handler->finish();
    flush_checked(stdout, "standard output");
    // A lost output ends the run as a failure, whatever the traced command did.
    std::optional<WriteError> lost_output = write_failure();
    if (lost_output) std::fprintf(stderr, "ksurf: %s; stopped\n", lost_output->str().c_str());
    if (opt_.stats)
        print_stats(tracefs::read_profiles(*fs_, session_->group()), probe_texts_, opt_.json);
    if (!opt_.quiet_summary)
        output::print_summary(stderr, sink.count(), captures_.front()->stats(), opt_.json);
    RunEnd end;
    end.lost = lost_of(*captures_.front());
    captures_.clear(); // trace_pipe_raw must be closed before the instance can go
    if (!opt_.command.empty()) {
        // -d/-n ended the run early, or a signal did: the command goes too.
        child_.stop(stop_signal() == SIGPIPE ? SIGTERM : stop_signal());
        end.status = child_.status();
    }
    arming.disarm(*this);
    session_->teardown();
    handler->report(end);
    if (!lost_output && (lost_output = write_failure()))
        std::fprintf(stderr, "ksurf: %s\n", lost_output->str().c_str());
    handler.reset(); // before the tep it may refer to (gone with the captures)
    if (lost_output) return kExitOutput;
    if (failed) return kExitFailure;
    return opt_.command.empty() ? kExitOk : end.status;
}

// Reads until a stop rule fires; false when reading failed.
bool Run::stream(Handler &h, capture::Sink &sink) {
    auto now = [] { return std::chrono::steady_clock::now(); };
    auto deadline = now() + seconds(opt_.duration_s);
    auto every = seconds(opt_.interval_s);
    auto next_tick = now() + every;
    while (!stop_requested()) {
        // The main capture waits for data (or a stop signal); the others are
        // read as they are.
        size_t got = 0;
        for (size_t i = 0; i < captures_.size(); ++i) {
            auto r = captures_[i]->poll(i == 0 ? 100 : 0, sink);
            if (!r) {
                report(r.error());
                return false;
            }
            got += *r;
        }
        if (got > 0) h.flush();
        if (opt_.interval_s > 0 && now() >= next_tick) {
            h.tick();
            next_tick += every;
        }
        if (h.broken()) break;
        if (opt_.stop_on_closed_stdout && reader_gone()) break;
        if (!opt_.command.empty() && child_.reap()) break;
        if (opt_.duration_s > 0 && now() >= deadline) break;
    }
    return true;
}

int run_plan(compile::Plan plan, const RunOptions &options, const HandlerFactory &make) {
    Run run(options);
    PlanArming arming(std::move(plan));
    return run.execute(arming, make);
}

} // namespace ksurf::engine
