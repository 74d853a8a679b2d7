// The probe stream (stream_mode.h).
#include "engine/stream_mode.h"

#include "output/output.h"

namespace ksurf::engine {

namespace {

// Forwards records to a formatter. Fork/exec records that ksurf armed only
// to name short-lived processes feed the process table and are not shown.
class PrintHandler : public Handler {
  public:
    PrintHandler(std::unique_ptr<output::ProcessTable> procs, std::unique_ptr<output::Formatter> f,
                 std::vector<const tep_event *> hidden)
        : procs_(std::move(procs)), f_(std::move(f)), hidden_(std::move(hidden)) {}
    bool on_record(const capture::Record &r) override {
        for (const tep_event *h : hidden_) {
            if (r.event == h) {
                procs_->feed(r);
                return false;
            }
        }
        procs_->feed(r);
        f_->event(r);
        return true;
    }
    void flush() override { f_->flush(); }
    void finish() override { f_->flush(); }

  private:
    std::unique_ptr<output::ProcessTable> procs_;
    std::unique_ptr<output::Formatter> f_;
    std::vector<const tep_event *> hidden_;
};

} // namespace

std::unique_ptr<Handler> make_stream_handler(tep_handle *tep, const output::Styles &styles,
                                             const StreamOptions &o) {
    auto procs = std::make_unique<output::ProcessTable>(o.tracefs_dir);
    auto f = o.json ? output::make_json(stdout, tep, styles, o.stacks, procs.get())
                    : output::make_text(stdout, tep, styles, o.stacks, procs.get(), o.irq_info);
    return std::make_unique<PrintHandler>(std::move(procs), std::move(f),
                                          find_events(tep, o.hidden));
}

} // namespace ksurf::engine
