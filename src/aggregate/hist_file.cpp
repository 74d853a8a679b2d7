// The kernel's side of aggregation: hist trigger text, what tracefs/README
// says the kernel can do, and the `hist` file a trigger fills (format from
// kernel/trace/trace_events_hist.c: "{ key: value, key: value } hitcount: N
// val: N", then "Totals:" with Hits, Entries, Dropped).
#include "aggregate/aggregate.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <fmt/format.h>
#include <limits>

namespace ksurf::aggregate {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

std::optional<int64_t> number(std::string_view s) {
    s = trim(s);
    if (s.empty()) return std::nullopt;
    int64_t v = 0;
    const char *end = s.data() + s.size();
    auto r = std::from_chars(s.data(), end, v);
    if (r.ec != std::errc() || r.ptr != end) {
        uint64_t u = 0; // a u64 above INT64_MAX: kept as its bits
        auto r2 = std::from_chars(s.data(), end, u);
        if (r2.ec != std::errc() || r2.ptr != end) return std::nullopt;
        return static_cast<int64_t>(u);
    }
    return v;
}

uint64_t after(std::string_view line, std::string_view label) {
    auto at = line.find(label);
    if (at == std::string_view::npos) return 0;
    std::string_view rest = trim(line.substr(at + label.size()));
    size_t n = 0;
    while (n < rest.size() && std::isdigit(static_cast<unsigned char>(rest[n]))) ++n;
    uint64_t v = 0;
    std::from_chars(rest.data(), rest.data() + n, v);
    return v;
}

bool is_ident(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// Splits "a: 1, b: bash [ 12]" at the ", " that start another "name:".
std::vector<std::string_view> split_keys(std::string_view s) {
    std::vector<std::string_view> out;
    size_t start = 0;
    for (size_t i = 0; i + 1 < s.size(); ++i) {
        if (s[i] != ',' || s[i + 1] != ' ') continue;
        size_t j = i + 2;
        while (j < s.size() && s[j] == ' ') ++j;
        size_t k = j;
        while (k < s.size() && is_ident(s[k])) ++k;
        if (k > j && k < s.size() && s[k] == ':') {
            out.push_back(s.substr(start, i - start));
            start = j;
        }
    }
    out.push_back(s.substr(start));
    return out;
}

void parse_key(std::string_view part, HistEntry &e, bool maybe_execname = true) {
    auto colon = part.find(':');
    std::string_view v = colon == std::string_view::npos ? part : part.substr(colon + 1);
    std::string text;
    std::optional<int64_t> num;
    int pid = -1;
    std::string_view t = trim(v);
    if (v.find('\n') != std::string_view::npos) {
        // A stack: one frame per line.
        size_t pos = 0;
        while (pos < t.size()) {
            size_t nl = t.find('\n', pos);
            std::string_view frame =
                trim(t.substr(pos, nl == std::string_view::npos ? nl : nl - pos));
            if (!frame.empty()) {
                if (!text.empty()) text += '\n';
                text += frame;
            }
            if (nl == std::string_view::npos) break;
            pos = nl + 1;
        }
    } else if (t.starts_with("~ 2^")) {
        num = number(t.substr(4));
        text = fmt::format("{}", num.value_or(0));
    } else if (t.starts_with("~ ")) {
        auto dash = t.find('-', 3); // "~ 96-127" (a leading '-' would be a sign)
        num = number(t.substr(2, dash == std::string_view::npos ? dash : dash - 2));
        text = fmt::format("{}", num.value_or(0));
    } else if (maybe_execname && t.ends_with(']') && t.rfind('[') != std::string_view::npos &&
               t.front() != '[') {
        // execname: "bash            [     18116]"
        size_t open = t.rfind('[');
        auto p = number(t.substr(open + 1, t.size() - open - 2));
        if (p) {
            pid = static_cast<int>(*p);
            num = *p;
            text = std::string(trim(t.substr(0, open)));
        } else {
            text = std::string(t);
        }
    } else {
        num = number(t);
        text = std::string(t);
    }
    e.keys.push_back(std::move(text));
    e.numbers.push_back(num);
    e.pids.push_back(pid);
}

// After the keys: "hitcount:   3  lat:   100" (the sums of vals=).
void parse_values(std::string_view tail, HistEntry &e) {
    size_t pos = 0;
    while (pos < tail.size()) {
        size_t colon = tail.find(':', pos);
        if (colon == std::string_view::npos) break;
        size_t start = colon;
        while (start > pos && is_ident(tail[start - 1])) --start;
        std::string_view name = tail.substr(start, colon - start);
        size_t v = colon + 1;
        while (v < tail.size() && tail[v] == ' ') ++v;
        size_t n = v;
        while (n < tail.size() && std::isdigit(static_cast<unsigned char>(tail[n]))) ++n;
        uint64_t value = 0;
        std::from_chars(tail.data() + v, tail.data() + n, value);
        if (!name.empty() && name != "hitcount" && n > v) e.values.emplace(name, value);
        pos = n > colon ? n : colon + 1;
    }
}

// An entry's lines: a stack key's frames (the kernel keeps at most 16 or 64,
// by version) and the rest.
constexpr size_t kMaxEntryLines = 128;

// A key of a trigger as its `hist` file prints it: NAME: then the value.
struct KeySpec {
    std::string name;      // the field (common_pid for common_pid.execname)
    bool execname = false; // " %-16s[%10d]": the comm at the hit, its pid
    bool stack = false;    // printed as stacktrace: or common_stacktrace:
};

// "hist:keys=common_pid.execname,n.log2:vals=..." -> its keys.
std::vector<KeySpec> trigger_keys(std::string_view trigger) {
    std::vector<KeySpec> out;
    auto at = trigger.find("keys=");
    if (at == std::string_view::npos) return out;
    std::string_view list = trigger.substr(at + 5);
    list = list.substr(0, list.find_first_of(": "));
    size_t pos = 0;
    while (pos <= list.size()) {
        size_t comma = std::min(list.find(',', pos), list.size());
        std::string_view key = list.substr(pos, comma - pos);
        std::string_view name = key.substr(0, key.find('.'));
        std::string_view mod =
            key.find('.') == std::string_view::npos ? "" : key.substr(key.find('.') + 1);
        KeySpec k{std::string(name), mod == "execname",
                  name == "stacktrace" || name == "common_stacktrace" || mod == "stacktrace"};
        if (!k.name.empty()) out.push_back(std::move(k));
        pos = comma + 1;
    }
    return out;
}

// Whether `text` at `pos` is "NAME:" of key k (a stack's either name).
size_t name_at(std::string_view text, size_t pos, const KeySpec &k) {
    if (pos > text.size()) return 0;
    for (std::string_view n : {std::string_view(k.name), std::string_view("stacktrace"),
                               std::string_view("common_stacktrace")}) {
        if (n != k.name && !k.stack) break;
        if (text.substr(pos).starts_with(n) && text.substr(pos + n.size(), 1) == ":")
            return n.size() + 1;
    }
    return 0;
}

// An entry's keys (between "{ " and " }") read with the trigger's keys in
// hand, "NAME: value" joined by ", ". An .execname value is " %-16s[%10d]"
// (kernel/trace/trace_events_hist.c): the comm, at most 15 bytes of any kind
// (prctl(PR_SET_NAME) takes newlines and "} hitcount:"), is read by position,
// so that no process name can end an entry early or make up one of its own.
// Other values run to ", NEXT:", the next key's name; a string value may hold
// that text too, so every way of reading the entry is tried, and it is read
// only when there is exactly one.
struct KeyWalk {
    std::string_view text;
    const std::vector<KeySpec> &specs;
    std::vector<size_t> starts, ends, best_starts, best_ends; // per key: "NAME:" .. value end
    int ways = 0;

    // Where key i's value may end at q: the next key's ", NAME:", or the end.
    bool ends_at(size_t i, size_t q) const {
        return i + 1 == specs.size()
                   ? q == text.size()
                   : text.substr(q, 2) == ", " && name_at(text, q + 2, specs[i + 1]);
    }

    void walk(size_t pos, size_t i) {
        if (ways > 1) return; // ambiguous already
        if (i == specs.size()) {
            if (pos == text.size() && ++ways == 1) {
                best_starts = starts;
                best_ends = ends;
            }
            return;
        }
        if (i) {
            if (text.substr(pos, 2) != ", ") return;
            pos += 2;
        }
        size_t name = name_at(text, pos, specs[i]);
        if (!name) return;
        size_t value = pos + name;
        starts[i] = pos;
        if (specs[i].execname) {
            // The 16 columns of the comm, then "[%10d]" (a kernel with a
            // longer comm would move it right: searched from there).
            for (size_t q = value + 17; q + 12 <= text.size(); ++q)
                if (text[q] == '[' && text[q + 11] == ']' && ends_at(i, q + 12) &&
                    number(text.substr(q + 1, 10))) {
                    ends[i] = q + 12;
                    walk(q + 12, i + 1);
                }
            return;
        }
        for (size_t q = value; q <= text.size(); ++q)
            if (ends_at(i, q)) {
                ends[i] = q;
                walk(q, i + 1);
            }
    }
};

// False: not one whole entry of these keys (yet), or more than one way to
// read it.
bool parse_known_keys(std::string_view text, const std::vector<KeySpec> &specs, HistEntry &e) {
    KeyWalk w{text, specs, std::vector<size_t>(specs.size()), std::vector<size_t>(specs.size()),
              {},   {}};
    w.walk(0, 0);
    if (w.ways != 1) return false;
    for (size_t i = 0; i < specs.size(); ++i) {
        std::string_view key = text.substr(w.best_starts[i], w.best_ends[i] - w.best_starts[i]);
        if (!specs[i].execname) {
            parse_key(key, e, false);
            continue;
        }
        // "NAME: %-16s[%10d]"
        std::string_view v = key.substr(name_at(key, 0, specs[i]));
        auto pid = number(v.substr(v.size() - 11, 10));
        std::string_view comm = v.substr(1, v.size() - 13);
        while (!comm.empty() && comm.back() == ' ') comm.remove_suffix(1);
        e.keys.emplace_back(comm);
        e.numbers.push_back(pid);
        e.pids.push_back(static_cast<int>(pid.value_or(-1)));
    }
    return true;
}

} // namespace

std::string trigger_text(const Trigger &t) {
    std::string keys;
    for (const auto &k : t.keys) keys += (keys.empty() ? "" : ",") + k;
    std::string vals = "hitcount";
    for (const auto &v : t.vals) vals += "," + v;
    std::string out = fmt::format("hist:keys={}:vals={}:sort=hitcount.descending", keys, vals);
    if (t.size_bits) out += fmt::format(":size={}", 1u << t.size_bits);
    if (!t.filter.empty()) out += " if " + t.filter;
    return out;
}

std::string trigger_removal(const std::string &text) {
    return "!" + text;
}

std::string power_filter(std::string_view field, int bytes, bool is_signed) {
    int bits = 8 * std::clamp(bytes, 1, 8);
    std::string out = fmt::format("{}==0", field);
    // A signed field's top bit is its negatives (in the kernel's bucket 0),
    // but for 8 bytes the minimum is 2^63 as u64: the kernel's bucket 63.
    int top = is_signed && bits < 64 ? bits - 2 : bits - 1;
    for (int j = 0; j <= top; ++j) {
        if (j == 63 && is_signed)
            out += fmt::format(" || {}=={}", field, std::numeric_limits<int64_t>::min());
        else
            out += fmt::format(" || {}=={}", field, uint64_t{1} << j);
    }
    return out;
}

std::map<int64_t, uint64_t> log2_from_kernel(const std::map<int64_t, uint64_t> &kernel,
                                             const std::map<uint64_t, uint64_t> &powers) {
    auto P = [&](uint64_t v) -> __int128 {
        auto it = powers.find(v);
        return it == powers.end() ? 0 : it->second;
    };
    std::array<__int128, 65> out{}; // bucket_of's numbering: 0 negatives .. 64 [2^62, 2^63)
    for (const auto &[k, n] : kernel) {
        // Bucket N in 1..63 holds (2^(N-1), 2^N]: bpftrace's [2^(N-1), 2^N)
        // (bucket_of's N+1) once 2^N moves up and 2^(N-1) moves in (below).
        // Bucket 0, and anything the kernel could print past 63, is 0, 1 and
        // the values above 2^63 (the negatives).
        if (k >= 1 && k <= 63)
            out[static_cast<size_t>(k + 1)] += n;
        else
            out[0] += n;
    }
    // The kernel prints the .log2 trigger's section before the powers'
    // (triggers list in the order added): hits between the two reads can make
    // a power's count exceed its kernel bucket's. Never move more than the
    // bucket held, so the total stays the row's count.
    std::array<__int128, 65> held = out;
    __int128 p0 = std::min(P(0), held[0]);
    __int128 p1 = std::min(P(1), held[0] - p0);
    out[1] += p0;
    out[2] += p1;
    out[0] -= p0 + p1;
    for (int j = 1; j <= 63; ++j) {
        // 2^j sits in kernel bucket j, i.e. out[j + 1]; it belongs to
        // out[j + 2] ([2^j, 2^(j+1))), or for 2^63 to the negatives.
        __int128 p = std::min(P(uint64_t{1} << j), held[static_cast<size_t>(j + 1)]);
        out[static_cast<size_t>(j + 1)] -= p;
        out[j == 63 ? 0 : static_cast<size_t>(j + 2)] += p;
    }
    std::map<int64_t, uint64_t> buckets;
    for (size_t i = 0; i < out.size(); ++i)
        // Below zero only when the two triggers were read a few hits apart.
        if (out[i] > 0) buckets[static_cast<int64_t>(i)] = static_cast<uint64_t>(out[i]);
    return buckets;
}

KernelHist kernel_hist_from_readme(std::string_view readme) {
    KernelHist k;
    k.available = readme.find("hist:") != std::string_view::npos ||
                  readme.find("hist trigger") != std::string_view::npos;
    if (readme.find("common_stacktrace") != std::string_view::npos) k.stack = "common_stacktrace";
    if (readme.find("common_cpu") != std::string_view::npos) k.cpu = "common_cpu";
    k.synthetic = readme.find("synthetic_events") != std::string_view::npos;
    return k;
}

std::vector<HistFile> parse_hist_sections(std::string_view text, size_t triggers) {
    std::vector<HistFile> out;
    std::vector<std::string_view> parts;
    size_t start = 0;
    // A trigger's section ends with its "Dropped:" line; only there does
    // "# event histogram" start the next one (a string key can hold that
    // line too).
    bool after_totals = false;
    for (size_t pos = 0; pos < text.size();) {
        size_t nl = text.find('\n', pos);
        size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
        std::string_view t = trim(text.substr(pos, end - pos));
        if (t.starts_with("# event histogram") && pos > start && after_totals) {
            parts.push_back(text.substr(start, pos - start));
            start = pos;
        }
        if (!t.empty()) after_totals = t.starts_with("Dropped:");
        pos = end;
    }
    parts.push_back(text.substr(start));
    bool whole = true;
    for (auto part : parts) {
        HistFile h = parse_hist(part);
        // The kernel prints each entry on its line (a stack's frames on
        // theirs), then its Totals with the number of entries it printed. A
        // string key can hold "\n} hitcount:99\n" and more, ending an entry
        // early (its rest is then a stray line) or adding one (more entries
        // than printed): then nothing of this trigger is taken as read.
        if (h.stray || (h.ok && h.entries_total != h.entries.size() + h.unreadable) ||
            (!h.ok && !h.entries.empty()))
            whole = false;
        const std::string_view info = "# trigger info:";
        if (auto at = part.find(info); at != std::string_view::npos) {
            auto line = part.substr(at + info.size());
            h.trigger = std::string(trim(line.substr(0, line.find('\n'))));
        }
        if (h.ok || !h.entries.empty() || !h.trigger.empty()) out.push_back(std::move(h));
    }
    // One broken section (a key cut it short, or made up one of its own),
    // or more sections than triggers: nothing of the file is taken as read.
    if (!whole || (triggers && out.size() != triggers))
        for (auto &h : out) {
            // The rows the kernel says it printed, where it said so.
            h.unreadable = h.ok ? h.entries_total : h.entries.size() + h.unreadable;
            h.entries.clear();
        }
    return out;
}

HistFile parse_hist(std::string_view text) {
    HistFile out;
    size_t pos = 0;
    std::string block; // an entry being read (several lines for stacks)
    size_t block_lines = 0;
    bool in_entry = false, failed = false;
    enum class Phase { Header, Entries, Totals } phase = Phase::Header;
    // The keys of the trigger whose entries these are, from its "# trigger
    // info:" (none: read as the kernel usually prints them, see split_keys).
    std::vector<KeySpec> specs;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        std::string_view line =
            text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
        std::string_view t = trim(line);
        // After a failed try, a new entry or the totals end the one being read.
        if (in_entry && failed && (t.starts_with("{") || t == "Totals:")) {
            ++out.unreadable;
            in_entry = false;
        }
        if (!in_entry) {
            // What the kernel prints outside entries, each in its place:
            // comments before the first entry, the counts after Totals:.
            // Anything else is the rest of an entry a key ended early.
            if (t.empty()) continue;
            if (t.starts_with("#")) {
                // After Totals, only the next trigger's section may begin.
                if (phase == Phase::Totals && t.starts_with("# event histogram"))
                    phase = Phase::Header;
                if (phase != Phase::Header) ++out.stray;
                if (t.starts_with("# trigger info:")) specs = trigger_keys(t);
                continue;
            }
            if (t == "Totals:" && phase != Phase::Totals) {
                phase = Phase::Totals;
                out.ok = true;
                continue;
            }
            if (phase == Phase::Totals && t.starts_with("Hits:"))
                out.hits = after(t, "Hits:");
            else if (phase == Phase::Totals && t.starts_with("Entries:"))
                out.entries_total = after(t, "Entries:");
            else if (phase == Phase::Totals && t.starts_with("Dropped:"))
                out.dropped = after(t, "Dropped:");
            else if (!t.starts_with("{") || phase == Phase::Totals)
                ++out.stray;
            if (!t.starts_with("{") || phase == Phase::Totals) continue;
            phase = Phase::Entries;
            in_entry = true;
            failed = false;
            block.clear();
            block_lines = 0;
        }
        block.append(line);
        block += '\n';
        ++block_lines;
        auto close = block.rfind("} hitcount:");
        if (close == std::string::npos) continue;
        std::string_view b = block;
        size_t open = b.find('{');
        HistEntry e;
        std::string_view keys = b.substr(open + 1, close - open - 1);
        if (!specs.empty()) {
            // "{ KEYS }" on one line, "{ KEYS\n}" after a stack's frames.
            if (keys.starts_with(' ')) keys.remove_prefix(1);
            if (keys.ends_with(' ') || keys.ends_with('\n')) keys.remove_suffix(1);
            if (!parse_known_keys(keys, specs, e)) {
                failed = true;
                // Not a whole entry yet (a comm holding "\n} hitcount:"):
                // read on, up to the longest stack the kernel prints.
                if (block_lines > kMaxEntryLines) {
                    ++out.unreadable;
                    in_entry = false;
                }
                continue;
            }
        } else {
            // A single-line entry's keys have no newline; a stack's do (kept).
            if (keys.ends_with('\n')) keys.remove_suffix(1);
            for (auto part : split_keys(keys)) parse_key(part, e);
        }
        in_entry = false;
        e.hitcount = after(b.substr(close), "hitcount:");
        parse_values(b.substr(close + 1), e);
        out.entries.push_back(std::move(e));
    }
    if (in_entry) ++out.unreadable;
    return out;
}

} // namespace ksurf::aggregate
