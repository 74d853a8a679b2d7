// Keys, buckets, the folded table and how it prints (text like bpftrace's
// count maps and hist(), or one JSON document).
#include "aggregate/aggregate.h"
#include "util/bytes.h"
#include "util/json.h"

#include <algorithm>
#include <bit>
#include <fmt/format.h>
#include <limits>
#include <nlohmann/json.hpp>

namespace ksurf::aggregate {

Key parse_key(std::string_view text) {
    Key k;
    k.name = std::string(text);
    if (text == "comm")
        k.kind = KeyKind::Comm;
    else if (text == "pid")
        k.kind = KeyKind::Pid;
    else if (text == "tid")
        k.kind = KeyKind::Tid;
    else if (text == "cpu")
        k.kind = KeyKind::Cpu;
    else if (text == "func")
        k.kind = KeyKind::Func;
    else if (text == "stack")
        k.kind = KeyKind::Stack;
    else if (text == "ustack")
        k.kind = KeyKind::UStack;
    return k;
}

std::vector<Key> parse_keys(const std::vector<std::string> &texts) {
    std::vector<Key> out;
    for (const auto &t : texts) {
        size_t pos = 0;
        while (pos <= t.size()) {
            size_t comma = t.find(',', pos);
            std::string part = t.substr(pos, comma == std::string::npos ? comma : comma - pos);
            if (!part.empty()) out.push_back(parse_key(part));
            if (comma == std::string::npos) break;
            pos = comma + 1;
        }
    }
    return out;
}

int64_t bucket_of(const Bucketing &b, int64_t v) {
    if (b.kind == Bucketing::Kind::Log2) {
        // bpftrace's: negatives, 0, 1, then 2 + floor(log2 v).
        if (v < 0) return 0;
        if (v == 0) return 1;
        return 1 + static_cast<int64_t>(std::bit_width(static_cast<uint64_t>(v)));
    }
    int64_t step = b.step > 0 ? b.step : 1;
    if (b.max > b.min) v = std::clamp(v, b.min, b.max - 1);
    // Floor division, so negative values fall in the bucket below zero.
    int64_t q = v / step;
    if ((v % step != 0) && (v < 0)) --q;
    return q * step;
}

namespace {

// 2^power as bpftrace writes a log2 bound: 512, 1K, 2K, ..., 1M, ..., 8E.
std::string power_label(int64_t power) {
    static constexpr const char *suffix[] = {"", "K", "M", "G", "T", "P", "E"};
    int64_t decade = std::clamp<int64_t>(power / 10, 0, 6);
    return fmt::format("{}{}", uint64_t{1} << (power - 10 * decade), suffix[decade]);
}

// The first value after a linear bucket, saturated (a bucket near INT64_MAX).
int64_t linear_end(const Bucketing &b, int64_t bucket) {
    int64_t step = b.step > 0 ? b.step : 1;
    return bucket > std::numeric_limits<int64_t>::max() - step ? std::numeric_limits<int64_t>::max()
                                                               : bucket + step;
}

} // namespace

std::string bucket_label(const Bucketing &b, int64_t bucket) {
    if (b.kind == Bucketing::Kind::Log2) {
        if (bucket <= 0) return "(..., 0)";
        if (bucket == 1) return "[0]";
        if (bucket == 2) return "[1]";
        return fmt::format("[{}, {})", power_label(bucket - 2), power_label(bucket - 1));
    }
    return fmt::format("[{}, {})", bucket, linear_end(b, bucket));
}

std::pair<std::optional<int64_t>, int64_t> bucket_bounds(const Bucketing &b, int64_t bucket) {
    if (b.kind == Bucketing::Kind::Log2) {
        if (bucket <= 0) return {std::nullopt, -1};
        if (bucket <= 2) return {bucket - 1, bucket - 1};
        int64_t lo = int64_t{1} << std::min<int64_t>(bucket - 2, 62);
        return {lo, lo + (lo - 1)}; // 2^(k-1) - 1 without overflowing at 2^63
    }
    return {bucket, linear_end(b, bucket) - 1};
}

void Table::add(const std::vector<std::string> &key, std::optional<int64_t> value) {
    auto &row = rows_[key];
    if (row.key.empty()) row.key = key;
    ++row.count;
    if (!value) return;
    if (bucketing_) ++row.buckets[bucket_of(*bucketing_, *value)];
    if (!row.has_values || *value < row.min) row.min = *value;
    if (!row.has_values || *value > row.max) row.max = *value;
    row.sum += static_cast<long double>(*value);
    row.has_values = true;
}

void Table::add_buckets(const std::vector<std::string> &key, const std::map<int64_t, uint64_t> &b) {
    auto &row = rows_[key];
    if (row.key.empty()) row.key = key;
    for (const auto &[bucket, n] : b) row.buckets[bucket] += n;
}

void Table::add_counted(const std::vector<std::string> &key, uint64_t count,
                        std::optional<int64_t> bucket, std::optional<uint64_t> sum) {
    auto &row = rows_[key];
    if (row.key.empty()) row.key = key;
    row.count += count;
    if (bucket) row.buckets[*bucket] += count;
    if (sum) {
        row.sum += static_cast<long double>(*sum);
        row.has_sum = true;
    }
}

std::vector<const Table::Row *> Table::sorted(size_t top) const {
    std::vector<const Row *> out;
    for (const auto &[k, r] : rows_) out.push_back(&r);
    std::stable_sort(out.begin(), out.end(),
                     [](const Row *a, const Row *b) { return a->count > b->count; });
    if (top && out.size() > top) out.resize(top);
    return out;
}

uint64_t Table::total() const {
    uint64_t n = 0;
    for (const auto &[k, r] : rows_) n += r.count;
    return n;
}

namespace {

// A key as text: its bytes under the byte policy (util/bytes.h), so that a
// process name cannot carry terminal escapes, nor a newline that would print
// as a row of its own (prctl(PR_SET_NAME) takes "\n 99  sync"); a stack
// key keeps one frame per line.
std::string shown(std::string_view v, bool stack) {
    if (!stack) return text_escaped(v);
    std::string out;
    for (size_t pos = 0;;) {
        size_t nl = v.find('\n', pos);
        out += text_escaped(v.substr(pos, nl == std::string_view::npos ? nl : nl - pos));
        if (nl == std::string_view::npos) return out;
        out += '\n';
        pos = nl + 1;
    }
}

bool is_stack_key(const Table &t, size_t i) {
    return i < t.key_names().size() &&
           (t.key_names()[i] == "stack" || t.key_names()[i] == "ustack");
}

std::string key_title(const Table &t, const Table::Row &r) {
    std::string s;
    for (size_t i = 0; i < r.key.size(); ++i) {
        if (i) s += ", ";
        std::string v = shown(r.key[i], is_stack_key(t, i));
        std::replace(v.begin(), v.end(), '\n', ' ');
        s += t.key_names().size() > 1 ? fmt::format("{}={}", t.key_names()[i], v) : v;
    }
    return s;
}

std::string upper(std::string s) {
    for (auto &c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string render_counts(const Table &t, size_t top) {
    auto rows = t.sorted(top);
    size_t cw = 5;
    for (const auto *r : rows) cw = std::max(cw, fmt::format("{}", r->count).size());
    // Single-line keys are columns; a stack key prints its frames below the row.
    std::vector<size_t> widths(t.key_names().size());
    std::vector<bool> multi(widths.size());
    for (size_t i = 0; i < widths.size(); ++i) widths[i] = t.key_names()[i].size();
    std::vector<std::vector<std::string>> keys;
    for (const auto *r : rows) {
        keys.emplace_back();
        for (size_t i = 0; i < r->key.size(); ++i)
            keys.back().push_back(shown(r->key[i], is_stack_key(t, i)));
    }
    for (const auto &key : keys)
        for (size_t i = 0; i < key.size() && i < widths.size(); ++i) {
            if (is_stack_key(t, i))
                multi[i] = true;
            else
                widths[i] = std::max(widths[i], key[i].size());
        }
    auto line = [&](const std::string &count, const std::vector<std::string> &cols) {
        std::string s = fmt::format("{:>{}}", count, cw);
        size_t last = cols.size();
        while (last > 0 && multi[last - 1]) --last;
        for (size_t i = 0; i < cols.size(); ++i) {
            if (multi[i]) continue;
            s += "  ";
            s += i + 1 == last ? cols[i] : fmt::format("{:<{}}", cols[i], widths[i]);
        }
        return s + "\n";
    };
    std::vector<std::string> heads;
    for (const auto &n : t.key_names()) heads.push_back(upper(n));
    std::string out = line("COUNT", heads);
    for (size_t row = 0; row < rows.size(); ++row) {
        const auto *r = rows[row];
        out += line(fmt::format("{}", r->count), keys[row]);
        for (size_t i = 0; i < keys[row].size() && i < multi.size(); ++i) {
            if (!multi[i]) continue;
            size_t pos = 0;
            const std::string &v = keys[row][i];
            while (pos <= v.size()) {
                size_t nl = v.find('\n', pos);
                out += fmt::format("{:>{}}  {}\n", "", cw + 2,
                                   v.substr(pos, nl == std::string::npos ? nl : nl - pos));
                if (nl == std::string::npos) break;
                pos = nl + 1;
            }
        }
    }
    return out;
}

std::string stats_line(const Table::Row &r, std::string_view unit) {
    std::string u = unit.empty() ? "" : fmt::format(" {}", unit);
    long double mean = r.count ? r.sum / static_cast<long double>(r.count) : 0;
    if (!r.has_values && r.has_sum)
        return fmt::format("count {}, mean {:.1f}{}\n", r.count, static_cast<double>(mean), u);
    if (!r.has_values) return fmt::format("count {}\n", r.count);
    return fmt::format("count {}, min {}{}, mean {:.1f}{}, max {}{}\n", r.count, r.min, u,
                       static_cast<double>(mean), u, r.max, u);
}

std::string render_hist(const Table &t, size_t top, std::string_view unit) {
    const Bucketing &b = *t.bucketing();
    std::string out;
    bool first = true;
    for (const auto *r : t.sorted(top)) {
        if (!first) out += "\n";
        first = false;
        out +=
            t.key_names().empty() ? std::string("@:\n") : fmt::format("@[{}]:\n", key_title(t, *r));
        if (r->buckets.empty()) {
            out += stats_line(*r, unit);
            continue;
        }
        uint64_t most = 0;
        for (const auto &[k, n] : r->buckets) most = std::max(most, n);
        int64_t lo = r->buckets.begin()->first, hi = r->buckets.rbegin()->first;
        int64_t step = b.kind == Bucketing::Kind::Log2 ? 1 : std::max<int64_t>(b.step, 1);
        // Empty buckets between the first and last are shown, as bpftrace does.
        for (int64_t k = lo; k <= hi; k += step) {
            auto it = r->buckets.find(k);
            uint64_t n = it == r->buckets.end() ? 0 : it->second;
            size_t bar = most ? static_cast<size_t>((n * 52 + most - 1) / most) : 0;
            if (n == 0) bar = 0;
            out += fmt::format("{:<20} {:>8} |{:<52}|\n", bucket_label(b, k), n,
                               std::string(bar, '@'));
            if (hi - k < step) break;
        }
        out += stats_line(*r, unit);
    }
    return out;
}

} // namespace

std::string render_text(const Table &t, size_t top, std::string_view unit) {
    if (t.size() == 0) return "no events\n";
    return t.bucketing() ? render_hist(t, top, unit) : render_counts(t, top);
}

std::string render_json(const Table &t, size_t top, std::string_view unit) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto *r : t.sorted(top)) {
        nlohmann::json key = nlohmann::json::object();
        for (size_t i = 0; i < r->key.size() && i < t.key_names().size(); ++i)
            key[t.key_names()[i]] = r->key[i];
        nlohmann::json row = {{"key", key}, {"count", r->count}};
        if (t.bucketing()) {
            nlohmann::json buckets = nlohmann::json::array();
            for (const auto &[k, n] : r->buckets) {
                nlohmann::json bucket = {{"bucket", bucket_label(*t.bucketing(), k)}};
                // Its first and last value, as bpftrace's JSON gives them (the
                // negatives have no first).
                auto [lo, hi] = bucket_bounds(*t.bucketing(), k);
                if (lo) bucket["min"] = *lo;
                bucket["max"] = hi;
                bucket["count"] = n;
                buckets.push_back(bucket);
            }
            row["buckets"] = buckets;
        }
        if (r->has_values) {
            row["min"] = r->min;
            row["max"] = r->max;
            row["mean"] = r->count ? static_cast<double>(r->sum / r->count) : 0.0;
        } else if (r->has_sum) {
            row["mean"] = r->count ? static_cast<double>(r->sum / r->count) : 0.0;
        }
        rows.push_back(row);
    }
    nlohmann::json doc = {{"keys", t.key_names()}, {"rows", rows}, {"total", t.total()},
                          {"where", t.where},      {"why", t.why}, {"dropped", t.dropped},
                          {"lost", t.lost}};
    if (!unit.empty()) doc["unit"] = unit;
    // Keys hold raw bytes (a process name need not be UTF-8): ksurf's writer
    // escapes them where nlohmann's dump() would throw.
    return json::dump(doc);
}

} // namespace ksurf::aggregate
