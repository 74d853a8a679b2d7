#include "graph/report.h"

#include "util/bytes.h"
#include "util/json.h"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>
#include <functional>

namespace ksurf::graph {

std::string format_duration(uint64_t ns) {
    return fmt::format("{}.{:03} us", ns / 1000, ns % 1000);
}

namespace {

std::string format_ret(int64_t ret) {
    if (ret < 0 && ret >= -4095) {
        const char *name = strerrorname_np(static_cast<int>(-ret));
        return name ? fmt::format("{} ({})", ret, name) : std::to_string(ret);
    }
    if (ret > 0xffffff) return fmt::format("{:#x}", static_cast<uint64_t>(ret));
    return std::to_string(ret);
}

std::string label(const Forest &forest, const Node &n) {
    const std::string &name = forest.name(n.name);
    std::string out;
    switch (n.kind) {
    case Kind::Call:
        out = name + "()";
        break;
    case Kind::Syscall:
        out = fmt::format("{}({})", name, n.detail);
        if (n.has_ret) out += " = " + format_ret(n.ret);
        break;
    default:
        out = n.detail.empty() ? name : name + " " + n.detail;
        break;
    }
    if (!n.complete) out += "  (unfinished)";
    // Names and arguments come from the kernel and the traced program: shown as the byte policy
    // says.
    return text_escaped(out);
}

bool instant(const Node &n) {
    return n.kind == Kind::Fault || n.kind == Kind::Mark;
}

bool hidden(const Node &n, const ReportOptions &o) {
    return o.min_time_ns && n.duration < o.min_time_ns;
}

std::string thread_title(const Thread &t) {
    std::string comm = t.comm.empty() ? "?" : text_escaped(t.comm);
    if (t.tid == t.pid) return fmt::format("{} [{}]", comm, t.pid);
    return fmt::format("{} [{}] thread {}", comm, t.pid, t.tid);
}

double us(uint64_t ns) {
    return static_cast<double>(ns) / 1000.0;
}

} // namespace

void print_trees(FILE *out, const Forest &forest, const ReportOptions &o) {
    uint64_t base = forest.first_ts();
    for (const auto &[tid, t] : forest.threads()) {
        if (t.first_root == kNone) continue;
        std::fprintf(out, "\n== %s ==\n", thread_title(t).c_str());
        std::fprintf(out, "%11s %13s  %s\n", "START(s)", "DURATION",
                     o.syscalls ? "SYSCALL / EVENT" : "FUNCTION");
        std::string indent;
        std::function<void(uint32_t)> print = [&](uint32_t id) {
            const Node &n = forest.node(id);
            if (hidden(n, o)) return;
            double start = static_cast<double>(n.start - std::min(n.start, base)) / 1e9;
            std::string dur = instant(n) ? "" : format_duration(n.duration);
            std::fprintf(out, "%+11.6f %13s  %s%s\n", start, dur.c_str(), indent.c_str(),
                         label(forest, n).c_str());
            indent += "  ";
            for (uint32_t c = n.first_child; c != kNone; c = forest.node(c).next) print(c);
            indent.resize(indent.size() - 2);
        };
        for (uint32_t r = t.first_root; r != kNone; r = forest.node(r).next) print(r);
    }
}

namespace {

bool wanted(const Stat &s, const ReportOptions &o) {
    return o.syscalls ? s.kind == Kind::Syscall : s.kind == Kind::Call;
}

void table(FILE *out, const Forest &forest, std::vector<Stat> rows, const ReportOptions &o,
           const char *title, const std::function<bool(const Stat &, const Stat &)> &by) {
    std::stable_sort(rows.begin(), rows.end(), by);
    if (rows.size() > o.top) rows.resize(o.top);
    std::fprintf(out, "  %s\n", title);
    std::fprintf(out, "    %9s %15s %15s %15s %7s  %s\n", "CALLS", "TOTAL", "SELF", "MAX", "ERRORS",
                 o.syscalls ? "SYSCALL" : "FUNCTION");
    for (const auto &s : rows)
        std::fprintf(out, "    %9llu %15s %15s %15s %7llu  %s\n",
                     static_cast<unsigned long long>(s.calls), format_duration(s.total).c_str(),
                     format_duration(s.self).c_str(), format_duration(s.max).c_str(),
                     static_cast<unsigned long long>(s.errors),
                     text_escaped(forest.name(s.name)).c_str());
}

} // namespace

void print_summary(FILE *out, const Forest &forest, const std::vector<ProcessSummary> &summary,
                   const ReportOptions &o) {
    for (const auto &p : summary) {
        std::vector<Stat> rows;
        uint64_t calls = 0, total = 0, switches = 0, off = 0, faults = 0, blocks = 0, io = 0,
                 done = 0;
        for (const auto &s : p.stats) {
            if (wanted(s, o)) {
                rows.push_back(s);
                calls += s.calls;
                total += s.total;
            }
            if (s.kind == Kind::OffCpu) switches += s.calls, off += s.total;
            if (s.kind == Kind::Fault) faults += s.calls;
            if (s.kind == Kind::Block)
                blocks += s.calls, io += s.total, done += s.calls - s.unfinished;
        }
        std::fprintf(out, "\n== summary: %s [%d], %zu thread%s: %llu %s ==\n",
                     p.comm.empty() ? "?" : text_escaped(p.comm).c_str(), p.pid, p.tids.size(),
                     p.tids.size() == 1 ? "" : "s", static_cast<unsigned long long>(calls),
                     o.syscalls ? "system calls" : "function calls");
        if (o.syscalls)
            std::fprintf(out,
                         "  %llu context switches (%s off-CPU), %llu page faults, %llu block "
                         "requests issued (%llu seen completing, %s)\n",
                         static_cast<unsigned long long>(switches), format_duration(off).c_str(),
                         static_cast<unsigned long long>(faults),
                         static_cast<unsigned long long>(blocks),
                         static_cast<unsigned long long>(done), format_duration(io).c_str());
        if (rows.empty()) continue;
        const char *what = o.syscalls ? "system calls" : "functions";
        table(out, forest, rows, o, fmt::format("top {} by total time", what).c_str(),
              [](const Stat &a, const Stat &b) { return a.total > b.total; });
        if (!o.syscalls)
            table(out, forest, rows, o, fmt::format("top {} by self time", what).c_str(),
                  [](const Stat &a, const Stat &b) { return a.self > b.self; });
        table(out, forest, rows, o, fmt::format("top {} by calls", what).c_str(),
              [](const Stat &a, const Stat &b) { return a.calls > b.calls; });
    }
}

nlohmann::json trees_json(const Forest &forest, const ReportOptions &o) {
    uint64_t base = forest.first_ts();
    nlohmann::json threads = nlohmann::json::array();
    std::function<nlohmann::json(uint32_t)> one = [&](uint32_t id) {
        const Node &n = forest.node(id);
        nlohmann::json j = {{"name", forest.name(n.name)},
                            {"start_us", us(n.start - std::min(n.start, base))},
                            {"duration_us", us(n.duration)},
                            {"complete", n.complete}};
        if (n.kind != Kind::Call) {
            static const char *kinds[] = {"call", "syscall", "off_cpu", "fault", "block", "mark"};
            j["kind"] = kinds[static_cast<int>(n.kind)];
        }
        if (n.has_ret) j["ret"] = n.ret;
        if (!n.detail.empty()) j["detail"] = n.detail;
        nlohmann::json kids = nlohmann::json::array();
        for (uint32_t c = n.first_child; c != kNone; c = forest.node(c).next)
            if (!hidden(forest.node(c), o)) kids.push_back(one(c));
        if (!kids.empty()) j["children"] = std::move(kids);
        return j;
    };
    for (const auto &[tid, t] : forest.threads()) {
        if (t.first_root == kNone) continue;
        nlohmann::json calls = nlohmann::json::array();
        for (uint32_t r = t.first_root; r != kNone; r = forest.node(r).next)
            if (!hidden(forest.node(r), o)) calls.push_back(one(r));
        threads.push_back({{"tid", t.tid}, {"pid", t.pid}, {"comm", t.comm}, {"calls", calls}});
    }
    return threads;
}

nlohmann::json summary_json(const Forest &forest, const std::vector<ProcessSummary> &summary,
                            const ReportOptions &o) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto &p : summary) {
        nlohmann::json top = nlohmann::json::array();
        uint64_t switches = 0, off = 0, faults = 0, blocks = 0;
        for (const auto &s : p.stats) {
            if (s.kind == Kind::OffCpu) switches += s.calls, off += s.total;
            if (s.kind == Kind::Fault) faults += s.calls;
            if (s.kind == Kind::Block) blocks += s.calls;
            if (!wanted(s, o)) continue;
            top.push_back({{"name", forest.name(s.name)},
                           {"calls", s.calls},
                           {"total_us", us(s.total)},
                           {"self_us", us(s.self)},
                           {"max_us", us(s.max)},
                           {"errors", s.errors}});
        }
        nlohmann::json j = {{"pid", p.pid}, {"comm", p.comm}, {"threads", p.tids}, {"top", top}};
        if (o.syscalls) {
            j["context_switches"] = switches;
            j["off_cpu_us"] = us(off);
            j["page_faults"] = faults;
            j["block_requests"] = blocks;
        }
        out.push_back(std::move(j));
    }
    return out;
}

void print_folded(FILE *out, const std::map<std::string, uint64_t> &folded) {
    for (const auto &[stack, weight] : folded)
        std::fprintf(out, "%s %llu\n", text_escaped(stack).c_str(),
                     static_cast<unsigned long long>(weight));
}

namespace {

struct Frame {
    std::string name;
    uint64_t value = 0;
    std::map<std::string, size_t> children; // name -> index
};

// Valid UTF-8 XML text: the byte policy first (a name cut short for its box
// may end inside a character), then XML's own escapes.
std::string xml_escape(std::string_view raw) {
    std::string s = text_escaped(raw);
    std::string out;
    for (char c : s) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        default:
            // XML 1.0 allows no control characters but tab, newline and return.
            if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r')
                out += '?';
            else
                out += c;
        }
    }
    return out;
}

// Warm colours, stable per name (as flamegraph.pl's "hot" palette).
std::string colour(std::string_view name) {
    uint32_t h = 2166136261u;
    for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    int r = 205 + static_cast<int>(h % 50);
    int g = static_cast<int>((h >> 8) % 230);
    int b = static_cast<int>((h >> 16) % 55);
    return fmt::format("rgb({},{},{})", r, g, b);
}

} // namespace

std::string flame_svg(const std::map<std::string, uint64_t> &folded, const std::string &title) {
    std::vector<Frame> frames(1);
    frames[0].name = "all";
    size_t max_depth = 0;
    for (const auto &[stack, weight] : folded) {
        size_t cur = 0;
        frames[0].value += weight;
        size_t depth = 0, pos = 0;
        while (pos <= stack.size()) {
            size_t semi = stack.find(';', pos);
            if (semi == std::string::npos) semi = stack.size();
            std::string name = stack.substr(pos, semi - pos);
            pos = semi + 1;
            auto it = frames[cur].children.find(name);
            size_t next;
            if (it == frames[cur].children.end()) {
                next = frames.size();
                frames[cur].children.emplace(name, next);
                frames.push_back({name, 0, {}});
            } else {
                next = it->second;
            }
            frames[next].value += weight;
            cur = next;
            ++depth;
        }
        max_depth = std::max(max_depth, depth);
    }
    const double width = 1200, pad = 10, row = 16, top = 40;
    const double height = top + (static_cast<double>(max_depth) + 1) * row + pad + 20;
    const double total = static_cast<double>(std::max<uint64_t>(frames[0].value, 1));
    const double scale = (width - 2 * pad) / total;
    std::string svg;
    svg += "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n";
    svg += fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{}\" "
                       "height=\"{}\" viewBox=\"0 0 {} {}\" font-family=\"monospace\" "
                       "font-size=\"12\">\n",
                       width, height, width, height);
    svg += fmt::format("<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#f8f8f0\"/>\n",
                       width, height);
    svg +=
        fmt::format("<text x=\"{}\" y=\"24\" text-anchor=\"middle\" font-size=\"17\">{}</text>\n",
                    width / 2, xml_escape(title));
    // Depth-first, children in name order (like flamegraph.pl), root at the bottom.
    struct Item {
        size_t frame;
        double x;
        size_t depth;
    };
    std::vector<Item> stack{{0, pad, 0}};
    while (!stack.empty()) {
        Item it = stack.back();
        stack.pop_back();
        const Frame &f = frames[it.frame];
        double w = static_cast<double>(f.value) * scale;
        if (w < 0.1) continue;
        double y = height - pad - 20 - (static_cast<double>(it.depth) + 1) * row;
        double pct = 100.0 * static_cast<double>(f.value) / total;
        std::string name = xml_escape(f.name);
        svg += fmt::format("<g><title>{} ({}, {:.2f}%)</title><rect x=\"{:.2f}\" y=\"{:.1f}\" "
                           "width=\"{:.2f}\" height=\"{:.1f}\" fill=\"{}\" rx=\"2\" ry=\"2\"/>",
                           name, xml_escape(format_duration(f.value)), pct, it.x, y, w, row - 1,
                           colour(f.name));
        size_t fit = w > 10 ? static_cast<size_t>((w - 6) / 7.2) : 0;
        if (fit >= 3) {
            std::string text = f.name.size() <= fit ? f.name : f.name.substr(0, fit - 2) + "..";
            svg += fmt::format("<text x=\"{:.2f}\" y=\"{:.1f}\">{}</text>", it.x + 3, y + row - 4,
                               xml_escape(text));
        }
        svg += "</g>\n";
        double x = it.x;
        std::vector<Item> kids;
        for (const auto &[cname, idx] : f.children) {
            kids.push_back({idx, x, it.depth + 1});
            x += static_cast<double>(frames[idx].value) * scale;
        }
        for (auto k = kids.rbegin(); k != kids.rend(); ++k) stack.push_back(*k);
    }
    svg += "</svg>\n";
    return svg;
}

} // namespace ksurf::graph
