#include "expr/raw_probe.h"

#include <cctype>
#include <charconv>

namespace ksurf::expr {

namespace {

constexpr size_t kMaxEventNameLen = 64; // MAX_EVENT_NAME_LEN, with the NUL

bool alpha(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool alnum(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

} // namespace

bool kernel_number(std::string_view s, uint64_t &v) {
    int base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s.remove_prefix(2);
    } else if (s.size() > 1 && s[0] == '0') {
        base = 8;
        s.remove_prefix(1);
    }
    if (s.empty()) return false;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
    return ec == std::errc() && ptr == s.data() + s.size();
}

bool is_good_name(std::string_view s) {
    if (s.empty() || !alpha(s[0])) return false;
    for (char c : s)
        if (!alnum(c)) return false;
    return true;
}

bool parse_event_name(std::string_view t, size_t b, size_t e, ProbeAst &p, const ErrorFn &error) {
    std::string_view s = t.substr(b, e - b);
    size_t ev = b;
    size_t slash = s.find('/');
    if (slash != std::string_view::npos) {
        std::string_view grp = s.substr(0, slash);
        if (grp.empty()) {
            error(b, b + 1, "no group name before '/'", "write p:GROUP/EVENT or p:EVENT");
            return false;
        }
        if (grp.size() + 1 > kMaxEventNameLen) {
            error(b, b + slash, "group name longer than 63 characters", "");
            return false;
        }
        if (!is_good_name(grp)) {
            error(b, b + slash, "group name '" + std::string(grp) + "' is not a C identifier",
                  "letters, digits and '_', not starting with a digit");
            return false;
        }
        p.group = std::string(grp);
        p.group_span = {b, b + slash};
        ev = b + slash + 1;
    }
    std::string_view name = t.substr(ev, e - ev);
    if (name.empty()) {
        error(ev, ev + 1, "no event name after ':'", "write p:EVENT or p:GROUP/EVENT");
        return false;
    }
    if (name.size() > kMaxEventNameLen) {
        error(ev, e, "event name longer than 64 characters", "");
        return false;
    }
    if (!is_good_name(name)) {
        error(ev, e, "event name '" + std::string(name) + "' is not a C identifier",
              "letters, digits and '_', not starting with a digit");
        return false;
    }
    p.event_name = std::string(name);
    p.event_name_span = {ev, e};
    return true;
}

size_t parse_kernel_place(std::string_view t, size_t b, size_t e, ProbeAst &p, bool &done,
                          const ErrorFn &error) {
    done = false;
    std::string_view tok = t.substr(b, e - b);
    bool kprobe = p.type == ProbeType::Kprobe || p.type == ProbeType::Kretprobe;
    if (!kprobe) return e;
    // The kernel's own test: a '/' and a ':' make it a uprobe place.
    if (tok.find('/') != std::string_view::npos && tok.find(':') != std::string_view::npos) {
        if (p.maxactive) {
            error(p.type_span.begin, p.type_span.end, "maxactive is only for kretprobes",
                  "uprobes take r without a number");
            done = true;
            return std::string_view::npos;
        }
        p.type = p.type == ProbeType::Kprobe ? ProbeType::Uprobe : ProbeType::Uretprobe;
        size_t end = e;
        if (t[end - 1] == ')') {
            size_t open = t.rfind('(', end - 1);
            if (open == std::string_view::npos || open < b) {
                error(end - 1, end, "unbalanced ')'", "write PATH:OFFSET(REF_CTR_OFFSET)");
                done = true;
                return std::string_view::npos;
            }
            if (!kernel_number(t.substr(open + 1, end - open - 2), p.ref_ctr_offset)) {
                error(open + 1, end - 1, "bad reference counter offset",
                      "write PATH:OFFSET(0x1234), the semaphore's file offset");
                done = true;
                return std::string_view::npos;
            }
            p.has_ref_ctr = true;
            end = open;
        } else if (size_t open = tok.rfind('('); open != std::string_view::npos) {
            size_t close = tok.find(')', open);
            if (close != std::string_view::npos)
                error(b + close + 1, e, "unexpected text after the reference counter offset",
                      "write PATH:OFFSET(REF_CTR_OFFSET)");
            else
                error(b + open, e, "reference counter brace is not closed",
                      "write PATH:OFFSET(REF_CTR_OFFSET)");
            done = true;
            return std::string_view::npos;
        }
        std::string_view head = t.substr(b, end - b);
        if (head.ends_with("%return")) {
            p.type = ProbeType::Uretprobe;
            end -= 7;
        }
        return end;
    }
    if (std::isdigit(static_cast<unsigned char>(tok[0]))) {
        if (!kernel_number(tok, p.address)) {
            error(b, e, "bad probe address", "write 0xffffffff81000000 or a function name");
        } else {
            p.has_address = true;
            p.target_span = {b, e};
        }
        done = true;
        return std::string_view::npos;
    }
    if (size_t pct = tok.find('%'); pct != std::string_view::npos) {
        if (tok.substr(pct) != "%return") {
            error(b + pct, e, "unknown place suffix '" + std::string(tok.substr(pct)) + "'",
                  "only SYMBOL%return (a return probe) is known");
            done = true;
            return std::string_view::npos;
        }
        if (p.type == ProbeType::Kprobe) p.type = ProbeType::Kretprobe;
        return b + pct;
    }
    return e;
}

bool parse_ftrace_place(std::string_view t, size_t b, size_t e, ProbeAst &p, const ErrorFn &error) {
    bool tp = p.type == ProbeType::Tprobe;
    std::string_view tok = t.substr(b, e - b);
    p.target_span = {b, e};
    if (tp && tok.find('/') != std::string_view::npos) {
        error(b, e, "a tracepoint probe names the tracepoint without its system",
              "write t " + std::string(tok.substr(tok.find('/') + 1)) +
                  " (e SYSTEM/EVENT is the trace event)");
        return false;
    }
    if (size_t colon = tok.find(':'); colon != std::string_view::npos) {
        error(b, b + colon + 1,
              tp ? "a tracepoint probe takes no MODULE:" : "an fprobe takes no MODULE:",
              tp ? "write t TRACEPOINT" : "write f FUNC: ftrace finds module functions by name");
        return false;
    }
    size_t end = e;
    if (!tp && tok.ends_with("%return")) {
        p.type = ProbeType::Fretprobe;
        end -= 7;
    }
    size_t q = b;
    while (q < end && (alnum(t[q]) || t[q] == '.')) ++q;
    if (q == b || !alpha(t[b])) {
        error(b, end > b ? end : e, tp ? "expected a tracepoint name" : "expected a function name",
              tp ? "write e.g. t sched_switch" : "write e.g. f vfs_read or f vfs_read%return");
        return false;
    }
    if (q != end) {
        bool plus = t[q] == '+';
        error(q, end,
              std::string("unexpected '") + t[q] + "' after the " +
                  (tp ? "tracepoint" : "function") + " name",
              plus ? "an fprobe is on the function's entry or exit; use p SYMBOL+OFFSET for a "
                     "place inside"
              : tp ? "write t TRACEPOINT"
                   : "write f FUNC or f FUNC%return");
        return false;
    }
    p.symbol = std::string(t.substr(b, q - b));
    p.symbol_span = {b, q};
    return true;
}

bool is_raw_fetcharg(std::string_view t, size_t b, size_t e, bool kernel_form) {
    if (b >= e) return false;
    std::string_view s = t.substr(b, e - b);
    char c = s[0];
    // Only the kernel means these.
    if (c == '+' || c == '-' || c == '\\') return true;
    // surftrace's member chains (@jiffies->x, $retval->f) are never the kernel's
    if (s.find("->") != std::string_view::npos) return false;
    if (s.starts_with("$arg")) return true;
    if (c == '@' && s.size() > 1 && s[1] != '(') {
        std::string_view body = s.substr(1, s.find(':') - 1);
        if (body.starts_with('+')) return true;
        // @ADDR: the kernel's, in any base (surftrace wrote only @0x...)
        if (!body.empty() && std::isdigit(static_cast<unsigned char>(body[0]))) return true;
        if (!std::isdigit(static_cast<unsigned char>(body.empty() ? '0' : body[0])) &&
            body.find_first_of("+-") != std::string_view::npos)
            return true;
    }
    if (!kernel_form) return false;
    // In a kernel line, whatever the kernel could parse is the kernel's;
    // surftrace's casts, %N and parameter names stay ours.
    if (c == '%') return s.size() < 2 || !std::isdigit(static_cast<unsigned char>(s[1]));
    if (c == '$') return true;
    if (c == '@') return s.size() < 2 || s[1] != '(';
    if (c == '(') {
        size_t p = 1;
        while (p < s.size() && s[p] == ' ') ++p;
        return p >= s.size() || !alpha(s[p]); // (%ax) is not a cast
    }
    return false;
}

} // namespace ksurf::expr
