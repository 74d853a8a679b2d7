// Text (ftrace's trace_pipe shape) and JSON-lines formatters. Each record is
// formatted with fmt into one reusable buffer that is written out in large
// chunks; field layouts come from SpecCache, computed once per event id.
#include "ksyms/kallsyms.h"
#include "output/decode.h"
#include "output/output.h"
#include "output/text_parts.h"
#include "util/bytes.h"
#include "util/json.h"
#include "util/write_error.h"

#include <bit>
#include <cerrno>
#include <fmt/compile.h>
#include <fmt/format.h>

extern "C" {
#include <traceevent/event-parse.h>
}

namespace ksurf::output {

using compile::Print;

namespace {

constexpr size_t kChunk = 1 << 16;
// A symbol further than this from an address is not where the address points.
constexpr uint64_t kMaxSymbolOffset = 1 << 20;

// Hand-rolled pieces of the per-event prefix: fmt's width handling counts
// code points, which costs more than the rest of a line together.
void put_spaces(Buffer &b, size_t n) {
    static constexpr std::string_view kSpaces = "                                ";
    while (n > 0) {
        size_t k = std::min(n, kSpaces.size());
        b.append(kSpaces.substr(0, k));
        n -= k;
    }
}

void put_uint(Buffer &b, uint64_t v) {
    fmt::format_int s(v);
    b.append(std::string_view(s.data(), s.size()));
}

void put_sint(Buffer &b, int64_t v) {
    fmt::format_int s(v);
    b.append(std::string_view(s.data(), s.size()));
}

// v zero-padded to `width` digits.
void put_uint_zero(Buffer &b, uint64_t v, size_t width) {
    fmt::format_int s(v);
    for (size_t i = s.size(); i < width; ++i) b.push_back('0');
    b.append(std::string_view(s.data(), s.size()));
}

// A record's time in microseconds, rounded as the kernel's `trace` rounds it
// (ns2usecs adds 500 ns): truncating printed some records 1 us before the
// kernel. The text prefix and JSON's "ts" both use it, so they agree.
uint64_t kernel_usecs(uint64_t ts_ns) {
    return (ts_ns + 500u) / 1000u;
}

// ftrace's "%16s-%-7d [%03d] d.h2. %5llu.%06lu: " shape (the irq-info
// columns only when `data` is given); comm as the byte policy says.
void put_text_prefix(Buffer &b, std::string_view raw_comm, int pid, int cpu, uint64_t ts,
                     const char *data) {
    Buffer safe; // inline storage: no allocation for a comm
    append_text_escaped(safe, raw_comm);
    std::string_view comm(safe.data(), safe.size());
    if (comm.size() < 16) put_spaces(b, 16 - comm.size());
    b.append(comm);
    b.push_back('-');
    fmt::format_int p(pid);
    b.append(std::string_view(p.data(), p.size()));
    put_spaces(b, p.size() < 7 ? 7 - p.size() : 0);
    b.append(std::string_view(" ["));
    put_uint_zero(b, static_cast<uint64_t>(cpu), 3);
    b.append(std::string_view("] "));
    if (data) {
        put_irq_info(b, static_cast<uint8_t>(data[2]), static_cast<uint8_t>(data[3]));
        b.push_back(' ');
    }
    uint64_t us = kernel_usecs(ts);
    fmt::format_int sec(us / 1000000u);
    if (sec.size() < 5) put_spaces(b, 5 - sec.size());
    b.append(std::string_view(sec.data(), sec.size()));
    b.push_back('.');
    put_uint_zero(b, us % 1000000u, 6);
    b.append(std::string_view(": "));
}

// "func+0x1a" or "func+0x1a [module]"; "0x..." when no symbol covers addr.
// Names are escaped for text here; JSON escapes the whole string once.
void put_symbol(Buffer &b, uint64_t addr, bool text) {
    auto hit = ksyms::Kallsyms::kernel().lookup(addr);
    if (hit.name.empty() || hit.offset > kMaxSymbolOffset) {
        fmt::format_to(std::back_inserter(b), FMT_COMPILE("0x{:x}"), addr);
        return;
    }
    auto name = [&](std::string_view s) {
        if (text)
            append_text_escaped(b, s);
        else
            b.append(s);
    };
    name(hit.name);
    fmt::format_to(std::back_inserter(b), FMT_COMPILE("+0x{:x}"), hit.offset);
    if (!hit.module.empty()) {
        b.append(std::string_view(" ["));
        name(hit.module);
        b.push_back(']');
    }
}

uint64_t byteswap_to(uint64_t v, int bits) {
    switch (bits) {
    case 16:
        return std::byteswap(static_cast<uint16_t>(v));
    case 32:
        return std::byteswap(static_cast<uint32_t>(v));
    default:
        return std::byteswap(v);
    }
}

// One integer value (`raw` zero-extended from `size` bytes at `bytes`) as the
// field's Print style says. JSON keeps numbers as numbers, dotted quads and
// symbols as strings.
template <bool Json>
void put_number(Buffer &b, uint64_t raw, uint32_t size, const char *bytes, const FieldSpec &f) {
    auto out = std::back_inserter(b);
    switch (f.print) {
    case Print::Ipv4:
        if (Json) b.push_back('"');
        fmt::format_to(out, FMT_COMPILE("{}.{}.{}.{}"), static_cast<uint8_t>(bytes[0]),
                       size > 1 ? static_cast<uint8_t>(bytes[1]) : 0,
                       size > 2 ? static_cast<uint8_t>(bytes[2]) : 0,
                       size > 3 ? static_cast<uint8_t>(bytes[3]) : 0);
        if (Json) b.push_back('"');
        return;
    case Print::Be16:
    case Print::Be32:
    case Print::Be64: {
        int bits = f.print == Print::Be16 ? 16 : f.print == Print::Be32 ? 32 : 64;
        fmt::format_to(out, FMT_COMPILE("{}"), byteswap_to(raw, bits));
        return;
    }
    case Print::Be16Hex:
    case Print::Be32Hex:
    case Print::Be64Hex: {
        int bits = f.print == Print::Be16Hex ? 16 : f.print == Print::Be32Hex ? 32 : 64;
        if (Json)
            fmt::format_to(out, FMT_COMPILE("{}"), byteswap_to(raw, bits));
        else
            fmt::format_to(out, FMT_COMPILE("0x{:x}"), byteswap_to(raw, bits));
        return;
    }
    case Print::Hex:
        if (Json)
            fmt::format_to(out, FMT_COMPILE("{}"), raw);
        else
            fmt::format_to(out, FMT_COMPILE("0x{:x}"), raw);
        return;
    case Print::Symbol:
        if (Json) {
            Buffer tmp;
            put_symbol(tmp, raw, false);
            json::append_string(b, std::string_view(tmp.data(), tmp.size()));
        } else {
            put_place(b, raw, true); // as the kernel's %pS: "func+0x1a/0x40"
        }
        return;
    default:
        if (f.is_signed)
            put_sint(b, sign_extend(raw, size));
        else
            put_uint(b, raw);
        return;
    }
}

template <bool Json>
void put_int_array(Buffer &b, const char *p, size_t bytes, const FieldSpec &f) {
    b.push_back(Json ? '[' : '{');
    for (size_t i = 0; i + f.elem <= bytes; i += f.elem) {
        if (i) b.push_back(',');
        put_number<Json>(b, load_uint(p + i, f.elem), f.elem, p + i, f);
    }
    b.push_back(Json ? ']' : '}');
}

// The value of one field of a record, in text or JSON.
// `quote`: text strings in double quotes, as kprobe and uprobe events print them.
template <bool Json>
void put_field(Buffer &b, const char *data, uint32_t rec_size, const FieldSpec &f,
               bool quote = false) {
    switch (f.kind) {
    case FieldKind::Int: {
        if (f.offset + f.size > rec_size) {
            b.append(std::string_view(Json ? "null" : "?"));
            return;
        }
        put_number<Json>(b, load_uint(data + f.offset, f.size), f.size, data + f.offset, f);
        return;
    }
    case FieldKind::CharArray:
    case FieldKind::DynString: {
        std::string_view s;
        if (f.kind == FieldKind::DynString) {
            auto bytes = dyn_bytes(data, rec_size, f);
            // A probe's string it could not read (a user page not in memory)
            // has length 0 (an empty string has its NUL): the kernel prints
            // "(fault)" for it, and so does text.
            if (!Json && quote && bytes.empty()) {
                b.append(std::string_view("(fault)"));
                return;
            }
            s = c_string(bytes.data(), bytes.size());
        } else if (f.offset < rec_size) {
            s = c_string(data + f.offset, std::min(f.size, rec_size - f.offset));
        }
        if (Json)
            json::append_string(b, s);
        else if (quote)
            put_quoted(b, s);
        else
            append_text_escaped(b, s);
        return;
    }
    case FieldKind::IntArray:
        if (f.offset + f.size > rec_size) {
            b.append(std::string_view(Json ? "null" : "?"));
            return;
        }
        put_int_array<Json>(b, data + f.offset, f.size, f);
        return;
    case FieldKind::DynIntArray: {
        auto bytes = dyn_bytes(data, rec_size, f);
        put_int_array<Json>(b, bytes.data(), bytes.size(), f);
        return;
    }
    }
}

// The addresses of a kernel_stack / user_stack record.
template <class F> void for_each_caller(const capture::Record &r, const EventSpec &spec, F &&fn) {
    if (spec.caller_offset < 0) return;
    const char *data = static_cast<const char *>(r.rec->data);
    uint32_t size = static_cast<uint32_t>(r.rec->size);
    uint32_t off = static_cast<uint32_t>(spec.caller_offset);
    if (off > size) return;
    uint64_t n = (size - off) / sizeof(uint64_t);
    if (spec.count_offset >= 0 && static_cast<uint32_t>(spec.count_offset) + 4 <= size) {
        int32_t count;
        std::memcpy(&count, data + spec.count_offset, 4);
        if (count >= 0 && static_cast<uint64_t>(count) < n) n = static_cast<uint64_t>(count);
    }
    for (uint64_t i = 0; i < n; ++i) {
        uint64_t addr;
        std::memcpy(&addr, data + off + i * sizeof addr, sizeof addr);
        if (addr == 0 || addr == ~0ull) break;
        fn(addr);
    }
}

class FormatterBase : public Formatter {
  public:
    FormatterBase(FILE *out, const Styles &styles, bool stacks, ProcessTable *procs)
        : out_(out), specs_(styles), stacks_(stacks), procs_(procs) {
        if (!procs_) {
            own_procs_ = std::make_unique<ProcessTable>();
            procs_ = own_procs_.get();
        }
        buf_.reserve(kChunk * 2);
    }
    ~FormatterBase() override { write_out(); }

    void event(const capture::Record &r) final {
        procs_->feed(r);
        const EventSpec &spec = specs_.get(r.event);
        format(r, spec, procs_->get(r.pid).comm, static_cast<const char *>(r.rec->data),
               static_cast<uint32_t>(r.rec->size));
        if (buf_.size() >= kChunk) write_out();
    }

    void flush() override {
        write_out();
        flush_checked(out_, out_name());
    }

  protected:
    // One record into buf_.
    virtual void format(const capture::Record &r, const EventSpec &spec, std::string_view comm,
                        const char *data, uint32_t size) = 0;

    void write_out() {
        if (buf_.size() && std::fwrite(buf_.data(), 1, buf_.size(), out_) != buf_.size())
            note_write_error(out_name(), errno);
        buf_.clear();
    }
    std::string_view out_name() const { return out_ == stdout ? "standard output" : "output"; }

    FILE *out_;
    SpecCache specs_;
    bool stacks_;
    ProcessTable *procs_;
    std::unique_ptr<ProcessTable> own_procs_;
    Buffer buf_;
};

class TextFormatter final : public FormatterBase {
  public:
    TextFormatter(FILE *out, tep_handle *tep, const Styles &styles, bool stacks,
                  ProcessTable *procs, bool irq_info)
        : FormatterBase(out, styles, stacks, procs), print_fmt_(tep), irq_info_(irq_info) {}

  protected:
    void format(const capture::Record &r, const EventSpec &spec, std::string_view comm,
                const char *data, uint32_t size) override {
        put_text_prefix(buf_, comm, r.pid, r.cpu, r.ts, irq_info_ && size >= 4 ? data : nullptr);
        buf_.append(spec.name);
        buf_.push_back(':');
        if (spec.is_stack || spec.is_user_stack) {
            buf_.append(
                std::string_view(spec.is_stack ? " <stack trace>\n" : " <user stack trace>\n"));
            put_stack(r, spec);
            return;
        }
        if (spec.print_fmt) {
            // A tracepoint: its own print fmt, as `cat trace` shows it.
            buf_.push_back(' ');
            print_fmt_.put(buf_, r.rec);
        } else {
            put_fields(spec, data, size);
        }
        buf_.push_back('\n');
        if (stacks_) {
            if (r.stack) put_stack(*r.stack, specs_.get(r.stack->event));
            if (r.ustack) put_stack(*r.ustack, specs_.get(r.ustack->event));
        }
    }

  private:
    // NAME=VALUE for each field: probes (as the kernel prints them: strings
    // quoted, places as "(sym+off/size)" and "(caller+off/size <- func)"),
    // system calls, and events whose print fmt libtraceevent cannot parse.
    void put_fields(const EventSpec &spec, const char *data, uint32_t size) {
        const FieldSpec *func = nullptr; // a kretprobe's __probe_func, shown with its caller
        for (const auto &f : spec.fields) {
            if (f.name == "__probe_ip" || f.name == "__probe_ret_ip") {
                buf_.append(std::string_view(" ("));
                put_probe_place(data, size, f, true);
                if (f.name == "__probe_ret_ip" && func) {
                    buf_.append(std::string_view(" <- "));
                    put_probe_place(data, size, *func, false);
                }
                buf_.push_back(')');
                continue;
            }
            if (f.name == "__probe_func") {
                func = &f;
                continue;
            }
            buf_.push_back(' ');
            buf_.append(f.name);
            buf_.push_back('=');
            put_field<false>(buf_, data, size, f, spec.probe);
        }
    }

    void put_probe_place(const char *data, uint32_t size, const FieldSpec &f, bool offset) {
        if (f.kind != FieldKind::Int || f.offset + f.size > size) {
            buf_.push_back('?');
            return;
        }
        put_place(buf_, load_uint(data + f.offset, f.size), offset);
    }

    PrintFmt print_fmt_;
    bool irq_info_;

    void put_stack(const capture::Record &s, const EventSpec &spec) {
        bool kernel = spec.is_stack;
        for_each_caller(s, spec, [&](uint64_t addr) {
            buf_.append(std::string_view(" => "));
            if (kernel)
                put_symbol(buf_, addr, true);
            else
                fmt::format_to(std::back_inserter(buf_), FMT_COMPILE("0x{:x}"), addr);
            buf_.push_back('\n');
        });
    }
};

class JsonFormatter final : public FormatterBase {
  public:
    using FormatterBase::FormatterBase;

  protected:
    void format(const capture::Record &r, const EventSpec &spec, std::string_view comm,
                const char *data, uint32_t size) override {
        json::Writer &w = w_;
        w.begin_object();
        Buffer &ts = w.key("ts").value_buffer();
        uint64_t us = kernel_usecs(r.ts);
        put_uint(ts, us / 1000000u);
        ts.push_back('.');
        put_uint_zero(ts, us % 1000000u, 6);
        w.member("cpu", r.cpu).member("pid", r.pid).member("comm", comm);
        w.member("event", std::string_view(spec.full));
        if (spec.is_stack || spec.is_user_stack) {
            w.key(spec.is_stack ? "stack" : "ustack");
            put_stack(r, spec);
            w.end_object();
            buf_.push_back('\n');
            return;
        }
        w.key("fields").begin_object();
        for (const auto &f : spec.fields)
            put_field<true>(w.key(f.name).value_buffer(), data, size, f);
        w.end_object();
        if (stacks_) {
            if (r.stack) {
                w.key("stack");
                put_stack(*r.stack, specs_.get(r.stack->event));
            }
            if (r.ustack) {
                w.key("ustack");
                put_stack(*r.ustack, specs_.get(r.ustack->event));
            }
        }
        w.end_object();
        buf_.push_back('\n');
    }

  private:
    void put_stack(const capture::Record &s, const EventSpec &spec) {
        bool kernel = spec.is_stack;
        w_.begin_array();
        for_each_caller(s, spec, [&](uint64_t addr) {
            if (kernel) {
                sym_.clear();
                put_symbol(sym_, addr, false);
                w_.value(std::string_view(sym_.data(), sym_.size()));
            } else {
                w_.value(addr);
            }
        });
        w_.end_array();
    }

    // Kept across events: neither allocates once grown.
    json::Writer w_{buf_};
    Buffer sym_;
};

} // namespace

std::unique_ptr<Formatter> make_text(FILE *out, tep_handle *tep, const Styles &styles, bool stacks,
                                     ProcessTable *procs, bool irq_info) {
    return std::make_unique<TextFormatter>(out, tep, styles, stacks, procs, irq_info);
}

std::unique_ptr<Formatter> make_json(FILE *out, tep_handle *, const Styles &styles, bool stacks,
                                     ProcessTable *procs) {
    return std::make_unique<JsonFormatter>(out, styles, stacks, procs);
}

void print_summary(FILE *out, uint64_t events, const std::vector<capture::Capture::CpuStats> &stats,
                   bool json) {
    Buffer b;
    auto it = std::back_inserter(b);
    uint64_t total = 0;
    for (const auto &s : stats) total += s.lost();
    if (json) {
        json::Writer w(b);
        w.begin_object().member("events", events).member("lost", total);
        w.key("lost_per_cpu").begin_object();
        for (const auto &s : stats)
            if (s.lost()) w.member(fmt::format("cpu{}", s.cpu), s.lost());
        w.end_object().end_object();
        b.push_back('\n');
    } else {
        fmt::format_to(it, "ksurf: {} events read; lost: ", events);
        if (!total) b.append(std::string_view("none"));
        bool first = true;
        for (const auto &s : stats) {
            if (!s.lost()) continue;
            fmt::format_to(it, "{}cpu{} {}", first ? "" : ", ", s.cpu, s.lost());
            first = false;
        }
        b.push_back('\n');
    }
    std::fwrite(b.data(), 1, b.size(), out);
    std::fflush(out);
}

} // namespace ksurf::output
