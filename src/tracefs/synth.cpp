#include "tracefs/synth.h"

#include "tracefs/synth_lib.h"

#include "expr/ast.h"

#include "util/strings.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>

namespace ksurf::tracefs {

namespace {

// The error of a libtracefs call: errno, and what the kernel logged since.
Error synth_error(const Tracefs &fs, const std::string &what, const std::string &log_before) {
    int e = errno;
    Error err{what, e > 0 ? e : 0, {}, {}};
    err.kernel_log = error_log_since(log_before, fs.error_log());
    return err;
}

void add_steps(const expr::FilterNode &n, std::vector<FilterStep> &out) {
    using K = FilterStep::Kind;
    switch (n.kind) {
    case expr::FilterKind::Or:
    case expr::FilterKind::And:
        for (size_t i = 0; i < n.kids.size(); ++i) {
            if (i) out.push_back({n.kind == expr::FilterKind::Or ? K::Or : K::And, {}, {}, {}});
            add_steps(n.kids[i], out);
        }
        return;
    case expr::FilterKind::Not:
        // "!" then a group: libtracefs writes the steps side by side, and
        // the kernel's "!" binds to what follows it.
        out.push_back({K::Not, {}, {}, {}});
        for (const auto &k : n.kids) {
            bool group = k.kind == expr::FilterKind::Group;
            if (!group) out.push_back({K::Open, {}, {}, {}});
            add_steps(k, out);
            if (!group) out.push_back({K::Close, {}, {}, {}});
        }
        return;
    case expr::FilterKind::Group:
        out.push_back({K::Open, {}, {}, {}});
        for (const auto &k : n.kids) add_steps(k, out);
        out.push_back({K::Close, {}, {}, {}});
        return;
    case expr::FilterKind::Compare: {
        std::string value = n.value;
        if (n.quoted) {
            // libtracefs appends the value as written: it keeps its quotes.
            char q = value.find('"') == std::string::npos ? '"' : '\'';
            value = q + value + q;
        }
        out.push_back({K::Compare, n.field, n.op, std::move(value)});
        return;
    }
    }
}

ksurf_compare compare_of(const std::string &op) {
    if (op == "!=") return KSURF_COMPARE_NE;
    if (op == ">") return KSURF_COMPARE_GT;
    if (op == ">=") return KSURF_COMPARE_GE;
    if (op == "<") return KSURF_COMPARE_LT;
    if (op == "<=") return KSURF_COMPARE_LE;
    if (op == "~") return KSURF_COMPARE_RE;
    if (op == "&") return KSURF_COMPARE_AND;
    return KSURF_COMPARE_EQ;
}

ksurf_filter_type type_of(FilterStep::Kind k) {
    switch (k) {
    case FilterStep::Kind::And:
        return KSURF_FILTER_AND;
    case FilterStep::Kind::Or:
        return KSURF_FILTER_OR;
    case FilterStep::Kind::Not:
        return KSURF_FILTER_NOT;
    case FilterStep::Kind::Open:
        return KSURF_FILTER_OPEN_PAREN;
    case FilterStep::Kind::Close:
        return KSURF_FILTER_CLOSE_PAREN;
    case FilterStep::Kind::Compare:
        break;
    }
    return KSURF_FILTER_COMPARE;
}

} // namespace

Result<std::vector<FilterStep>> filter_steps(std::string_view filter) {
    expr::Filter parsed;
    std::vector<expr::Diagnostic> diags;
    if (!expr::parse_filter(filter, 0, filter.size(), parsed, diags))
        return std::unexpected(Error{
            fmt::format("not a filter: {}{}", filter, diags.empty() ? "" : ": " + diags[0].message),
            0,
            {},
            {}});
    std::vector<FilterStep> out;
    add_steps(parsed.root, out);
    return out;
}

Result<std::shared_ptr<LatencySynth>>
LatencySynth::create(tep_handle *tep, const Tracefs &fs, const std::string &name,
                     const std::string &system, const std::string &start, const std::string &end,
                     bool usecs, const std::string &start_filter) {
    std::vector<FilterStep> steps;
    if (!start_filter.empty()) {
        auto parsed = filter_steps(start_filter);
        if (!parsed) return std::unexpected(parsed.error());
        steps = std::move(*parsed);
    }
    std::string before = fs.error_log();
    errno = 0;
    tracefs_synth *s = ksurf_synth_latency(tep, name.c_str(), system.c_str(), start.c_str(),
                                           end.c_str(), usecs ? 1 : 0);
    if (!s)
        return std::unexpected(
            synth_error(fs,
                        fmt::format("cannot describe the synthetic event {} ({}/{} -> {}/{})", name,
                                    system, start, system, end),
                        before));
    if (!steps.empty()) {
        std::vector<ksurf_filter_step> c;
        for (const auto &st : steps)
            c.push_back({type_of(st.kind), st.field.c_str(), compare_of(st.op), st.value.c_str()});
        if (ksurf_synth_start_filter(s, c.data(), c.size()) < 0) {
            Error e = synth_error(
                fs,
                fmt::format("libtracefs refused the entry filter '{}' of {}", start_filter, name),
                before);
            ksurf_synth_free(s);
            return std::unexpected(e);
        }
    }
    if (ksurf_synth_create(s) < 0) {
        // tracefs_synth_create writes three things: the event, the entry's
        // histogram (with the filter) and the return's onmatch() one.
        Error e = synth_error(fs,
                              fmt::format("the kernel refused the synthetic event {} or the "
                                          "histograms that pair {} with {}",
                                          name, start, end),
                              before);
        ksurf_synth_free(s);
        return std::unexpected(e);
    }
    return std::shared_ptr<LatencySynth>(new LatencySynth(s, name));
}

LatencySynth::~LatencySynth() {
    destroy();
    ksurf_synth_free(synth_);
}

void LatencySynth::destroy() noexcept {
    if (!live_) return;
    live_ = false;
    if (ksurf_synth_destroy(synth_) < 0)
        std::fprintf(stderr, "ksurf: cleanup: cannot remove the synthetic event %s: %s\n",
                     name_.c_str(), std::strerror(errno));
}

std::optional<pid_t> synthetic_owner(std::string_view name) {
    // "ksurf_123_lat": the owner's group name is what precedes the second '_'.
    if (!name.starts_with("ksurf_")) return std::nullopt;
    size_t end = name.find('_', 6);
    if (end == std::string_view::npos) return std::nullopt;
    return owner_of(name.substr(0, end));
}

void remove_leftover_synthetic(const Tracefs &fs, Removed &out) {
    auto dead = [](std::optional<pid_t> pid) { return pid && !owner_alive(*pid); };
    std::vector<std::pair<std::string, std::string>> triggers; // file, spec
    auto collect = [&](const std::string &rel) {
        auto text = fs.read(rel);
        if (!text) return;
        for (const auto &line : split(*text, '\n')) {
            if (!line.starts_with("hist:")) continue;
            // The file shows "SPEC [active]"; the kernel removes "!SPEC".
            std::string spec = line;
            for (std::string_view tail : {" [active]", " [paused]"})
                if (spec.ends_with(tail)) spec.resize(spec.size() - tail.size());
            triggers.emplace_back(rel, spec);
        }
    };
    // A dead run's histograms on synthetic events in its instance: removing
    // the instance frees them without giving back their hold on the event
    // (6.1, 6.12: only "!hist:" does), which could then never be removed.
    for (const auto &name : fs.list_dir("instances")) {
        if (name.size() < 6 || name[5] != '-' || !dead(owner_of(name))) continue;
        std::string dir = fmt::format("instances/{}/events/synthetic", name);
        for (const auto &event : fs.list_dir(dir))
            if (dead(synthetic_owner(event))) collect(fmt::format("{}/{}/trigger", dir, event));
    }
    // The triggers a dead run put on its own events at the top level.
    for (const auto &group : fs.list_dir("events")) {
        if (group.size() < 6 || group[5] != '_' || !dead(owner_of(group))) continue;
        for (const auto &event : fs.list_dir("events/" + group))
            collect(fmt::format("events/{}/{}/trigger", group, event));
    }
    // A return's histogram (onmatch) refers to the entry's variables: it
    // goes first, or the kernel refuses to remove the entry's (EBUSY).
    std::stable_partition(triggers.begin(), triggers.end(), [](const auto &t) {
        return t.second.find("onmatch(") != std::string::npos;
    });
    for (const auto &[rel, spec] : triggers) {
        auto st = fs.write(rel, "!" + spec, true);
        if (!st) out.problems.push_back(st.error().str());
    }
    // The synthetic events themselves ("ksurf_123_lat u64 lat").
    auto defs = fs.read("synthetic_events");
    if (!defs) return;
    for (const auto &line : split(*defs, '\n')) {
        std::string name = line.substr(0, line.find_first_of(" \t"));
        if (!dead(synthetic_owner(name))) continue;
        auto st = fs.write("synthetic_events", "!" + name, true);
        if (st)
            out.dynamic_events.push_back("synthetic/" + name);
        else
            out.problems.push_back(st.error().str());
    }
}

} // namespace ksurf::tracefs
