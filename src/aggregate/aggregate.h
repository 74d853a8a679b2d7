// Answers instead of events: counts and histograms per key, folded either in
// the kernel (hist triggers, whose `hist` file text is parsed here) or in user
// space from the record stream, into one Table that prints the same way.
// Pure: no tracefs, no records; the commands feed it key strings and values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ksurf::aggregate {

// What a row is keyed by (--by).
enum class KeyKind { Comm, Pid, Tid, Cpu, Func, Stack, UStack, Field };
struct Key {
    KeyKind kind = KeyKind::Field;
    std::string name; // as the user wrote it: "comm", "n", "filename"
};
// "comm", "pid", "tid", "cpu", "func", "stack", "ustack", anything else is a field.
Key parse_key(std::string_view text);
// "comm,pid" (and repeated --by) -> keys; empty names are dropped.
std::vector<Key> parse_keys(const std::vector<std::string> &texts);

// How a value is bucketed. Log2 follows bpftrace's hist() (floor(log2 v),
// the value read as a signed 64-bit number): bucket 0 holds the negatives
// "(..., 0)", 1 holds 0 "[0]", 2 holds 1 "[1]", and bucket k >= 3 holds
// [2^(k-2), 2^(k-1)) "[16, 32)" (bounds from 1024 on as bpftrace writes
// them: "[1K, 2K)"). Linear follows `.buckets=STEP`: [k*STEP, (k+1)*STEP).
struct Bucketing {
    enum class Kind { Log2, Linear } kind = Kind::Log2;
    int64_t min = 0, max = 0, step = 1; // linear: values outside [min, max) are clamped
};
// The bucket of v: its index as above for log2, its first value for linear.
int64_t bucket_of(const Bucketing &b, int64_t v);
// "[16, 32)", "[0]", "[1]", "(..., 0)" for log2; "[10, 20)" for linear.
std::string bucket_label(const Bucketing &b, int64_t bucket);
// The first and last value a bucket holds (nullopt: unbounded, the log2
// negatives' first), for --json.
std::pair<std::optional<int64_t>, int64_t> bucket_bounds(const Bucketing &b, int64_t bucket);

// The kernel's `.log2` key is ilog2(roundup_pow_of_two(v)) on the u64 value
// (kernel/trace/trace_events_hist.c): its bucket N holds (2^(N-1), 2^N], and
// bucket 0 holds 0, 1 and every value above 2^63 (roundup overflows), which
// includes the sign-extended negatives. It differs from bpftrace's only in
// where 0, 1 and the exact powers of two go, so a second trigger counts those
// exactly (keys=the raw value, filtered by power_filter) and this moves them:
// bpftrace's [2^j, 2^(j+1)) = kernel bucket j+1 - P(2^(j+1)) + P(2^j).
// `kernel`: kernel bucket N -> hits; `powers`: exact value (0, 1, 2, 4, ...,
// 2^63 as u64 bits) -> hits. Returns Log2 buckets as bucket_of numbers them.
std::map<int64_t, uint64_t> log2_from_kernel(const std::map<int64_t, uint64_t> &kernel,
                                             const std::map<uint64_t, uint64_t> &powers);
// "n==0 || n==1 || n==2 || n==4 ..." for a field of `bytes` bytes: every
// power a value of the field can be (for an 8-byte field also the top bit,
// 2^63, written as the signed minimum when the field is signed: the kernel
// puts it in bucket 63, bpftrace in the negatives).
std::string power_filter(std::string_view field, int bytes, bool is_signed);

// One kernel hist trigger, as text for an event's `trigger` file.
struct Trigger {
    std::vector<std::string> keys; // kernel key expressions: "common_pid.execname", "n.log2"
    std::vector<std::string> vals; // summed fields besides hitcount: "lat"
    std::string filter;            // "" or the kernel filter after `if`
    unsigned size_bits = 0;        // 0: the kernel's default (2048 entries)
};
// "hist:keys=common_pid.execname:vals=hitcount:sort=hitcount.descending if pid==1"
std::string trigger_text(const Trigger &t);
// The line that removes it: the same text behind '!'.
std::string trigger_removal(const std::string &text);

// What the kernel can key on, found in tracefs/README (never from the version).
struct KernelHist {
    bool available = false;           // "hist:" in README and events/*/*/hist exist
    std::string stack = "stacktrace"; // or "common_stacktrace" (6.5+)
    std::string cpu = "cpu";          // or "common_cpu"
    bool synthetic = false;           // synthetic_events
};
KernelHist kernel_hist_from_readme(std::string_view readme);

// One parsed row of a kernel `hist` file.
struct HistEntry {
    // Per key, in trigger order: the text ksurf shows. execname keys give
    // "comm", with `pid` filled from the bracket; log2/buckets keys give the
    // bucket (as bucket_of would); stacktrace keys give frames joined by '\n'.
    std::vector<std::string> keys;
    std::vector<std::optional<int64_t>> numbers; // the key's number where it is one
    std::vector<int> pids;                       // execname keys' pid, -1 otherwise
    uint64_t hitcount = 0;
    std::map<std::string, uint64_t, std::less<>> values; // the sums after hitcount: "lat" -> N
};
struct HistFile {
    std::string trigger; // its "# trigger info:" (one of several triggers on an event)
    std::vector<HistEntry> entries;
    uint64_t hits = 0, entries_total = 0, dropped = 0;
    bool ok = false; // a Totals: block was seen
    // Entries that were not whole entries of the trigger's keys (said, never
    // counted under a key they do not have).
    uint64_t unreadable = 0;
    // Lines outside any entry that are not the kernel's (comments, Totals).
    uint64_t stray = 0;
};
// All of a `hist` file's entries, whatever trigger they belong to.
HistFile parse_hist(std::string_view text);
// One HistFile per trigger: an event's `hist` file shows each of its hist
// triggers in turn, each after "# event histogram" and its "# trigger info:".
// `triggers`: how many hist triggers the event has (0: any number); a file
// with more or fewer sections is not read at all (one was made up in a key).
std::vector<HistFile> parse_hist_sections(std::string_view text, size_t triggers = 0);

// The answer: rows per key, each a count or a histogram of values.
class Table {
  public:
    struct Row {
        std::vector<std::string> key;
        uint64_t count = 0;
        std::map<int64_t, uint64_t> buckets; // bucket -> count (histograms)
        int64_t min = 0, max = 0;            // exact values seen (user space, lat)
        long double sum = 0;
        bool has_values = false; // min, max and sum are known
        bool has_sum = false;    // only the sum is (the kernel's vals=): a mean, no min/max
    };
    Table(std::vector<std::string> key_names, std::optional<Bucketing> bucketing)
        : key_names_(std::move(key_names)), bucketing_(bucketing) {}

    // One event: a count of 1 (and the value, for histograms).
    void add(const std::vector<std::string> &key, std::optional<int64_t> value = std::nullopt);
    // A kernel row: `count` hits, in `bucket` for histograms, whose values
    // add up to `sum` when the trigger summed them.
    void add_counted(const std::vector<std::string> &key, uint64_t count,
                     std::optional<int64_t> bucket = std::nullopt,
                     std::optional<uint64_t> sum = std::nullopt);
    // Buckets alone (their hits already counted by add_counted): the kernel's
    // log2 rows once log2_from_kernel moved their powers of two.
    void add_buckets(const std::vector<std::string> &key, const std::map<int64_t, uint64_t> &b);

    const std::vector<std::string> &key_names() const { return key_names_; }
    const std::optional<Bucketing> &bucketing() const { return bucketing_; }
    // Rows by count, largest first (ties by key); `top` 0 means all.
    std::vector<const Row *> sorted(size_t top = 0) const;
    uint64_t total() const;
    size_t size() const { return rows_.size(); }
    void clear() { rows_.clear(); }

    std::string where; // "kernel" or "user space"
    std::string why;   // one line: why it was counted there
    uint64_t dropped = 0, lost = 0;

  private:
    std::vector<std::string> key_names_;
    std::optional<Bucketing> bucketing_;
    std::map<std::vector<std::string>, Row> rows_;
};

// Text: a COUNT column and the keys, or bpftrace-like histograms
// ("[16, 32)    3 |@@@@@|") with count/min/mean/max when known.
// `unit` names the values ("us"); `top` limits rows.
std::string render_text(const Table &t, size_t top = 0, std::string_view unit = {});
// One JSON document: {"keys":[...],"rows":[...],"where":..,"dropped":..,"lost":..}.
std::string render_json(const Table &t, size_t top = 0, std::string_view unit = {});

} // namespace ksurf::aggregate
