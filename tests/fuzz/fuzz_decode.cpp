// libFuzzer target: what comes from the kernel, through the record decoder
// and both output writers. Each input describes an event format (field types,
// offsets and sizes, some of them inconsistent on purpose), the print styles
// of its fields, a process name (any bytes), and the record's bytes (often
// shorter than the format says: a truncated record). The format text goes
// through tep_parse_format, as the capture does with the kernel's formats;
// the record goes through output::make_text and output::make_json. Any crash
// or sanitizer report fails, and so does a JSON line that does not parse.
//
// Built with g++ (tests/fuzz/CMakeLists.txt says why), coverage from
// fuzz_coverage.cpp.
#include "capture/capture.h"
#include "ksyms/kallsyms.h"
#include "output/output.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fuzzer/FuzzedDataProvider.h>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

extern "C" {
#include <traceevent/event-parse.h>
}

namespace {

struct FieldType {
    const char *type;  // as in a format file, before the name
    const char *array; // "[16]", "[]" or ""
    int size;
    int is_signed;
};

// What kernel formats hold: integers of every width, pointers, fixed and
// dynamic strings and arrays, and the kprobe fetch types.
constexpr FieldType kTypes[] = {
    {"int", "", 4, 1},
    {"unsigned int", "", 4, 0},
    {"u8", "", 1, 0},
    {"s16", "", 2, 1},
    {"long", "", 8, 1},
    {"unsigned long", "", 8, 0},
    {"u64", "", 8, 0},
    {"void *", "", 8, 0},
    {"const char *", "", 8, 0},
    {"pid_t", "", 4, 1},
    {"char", "[16]", 16, 1},
    {"char", "[TASK_COMM_LEN]", 16, 1},
    {"__data_loc char[]", "", 4, 1},
    {"__rel_loc char[]", "", 4, 1},
    {"unsigned long", "[4]", 32, 0},
    {"u32", "[3]", 12, 0},
    {"__data_loc u32[]", "", 4, 0},
    {"__data_loc unsigned long[]", "", 4, 0},
    {"x32", "", 4, 0},
    {"x64", "", 8, 0},
    {"s8", "", 1, 1},
    {"string", "", 4, 1},
    {"bool", "", 1, 0},
};

// Kernel symbols for :symbol fields and stacks: a few, some in modules,
// some with odd bytes in their names.
const ksurf::ksyms::Kallsyms &symbols() {
    static ksurf::ksyms::Kallsyms syms =
        ksurf::ksyms::Kallsyms::parse("ffffffff81000000 T _stext\n"
                                      "ffffffff81000100 T do_sys_openat2\n"
                                      "ffffffff81000200 t name\xff\xfe\x80odd\n"
                                      "ffffffffc0000000 t mod_func\t[mod\x01x]\n"
                                      "ffffffffc0001000 t other_func\t[other]\n");
    return syms;
}

std::string format_text(const char *system, const char *name, int id,
                        const std::vector<std::string> &fields, const std::string &print_fmt) {
    std::string t = std::string("name: ") + name + "\nID: " + std::to_string(id) + "\nformat:\n";
    t += "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
         "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
         "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
         "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n";
    for (const auto &f : fields) t += f;
    t += "\nprint fmt: " + print_fmt + "\n";
    (void)system;
    return t;
}

// One record's bytes as the ring buffer hands them out: 4-byte aligned, no
// more, with the event's id in common_type. Not to be copied (rec points in).
struct RawRecord {
    std::vector<uint32_t> words;
    tep_record rec{};
    RawRecord(std::vector<char> bytes, const tep_event *event) {
        if (bytes.size() >= 2 && event) {
            auto id = static_cast<uint16_t>(event->id);
            std::memcpy(bytes.data(), &id, 2);
        }
        words.assign((bytes.size() + 3) / 4 + 1, 0);
        if (!bytes.empty()) std::memcpy(words.data(), bytes.data(), bytes.size());
        rec.data = words.data();
        rec.size = static_cast<int>(bytes.size());
        rec.ts = 123456789;
    }
    RawRecord(const RawRecord &) = delete;
};

struct TepDeleter {
    void operator()(tep_handle *t) const { tep_free(t); }
};

// Runs one record through a formatter into memory; returns what it wrote.
std::string run(bool json, tep_handle *tep, const ksurf::output::Styles &styles, bool stacks,
                ksurf::output::ProcessTable &procs, const ksurf::capture::Record &r) {
    char *buf = nullptr;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (!out) std::abort();
    {
        auto f = json ? ksurf::output::make_json(out, tep, styles, stacks, &procs)
                      : ksurf::output::make_text(out, tep, styles, stacks, &procs);
        f->event(r);
        f->event(r); // a second time: the per-event tables are cached now
        f->flush();
    }
    std::fclose(out);
    std::string text(buf, len);
    std::free(buf);
    return text;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 8192) return 0;
    FuzzedDataProvider in(data, size);
    ksurf::ksyms::Kallsyms::override_kernel(&symbols());

    // Which event: an ordinary one, a dynamic probe, or one the output and
    // the process table treat specially.
    static const std::pair<const char *, const char *> kNames[] = {
        {"fz", "ev"},
        {"ksurf_1", "p0"},
        {"sched", "sched_process_fork"},
        {"sched", "sched_process_exec"},
        {"task", "task_rename"},
        {"syscalls", "sys_enter_openat"},
    };
    auto [system, name] = kNames[in.ConsumeIntegralInRange<size_t>(0, std::size(kNames) - 1)];
    int id = in.ConsumeIntegralInRange<int>(1, 400);

    int nfields = in.ConsumeIntegralInRange<int>(0, 6);
    std::vector<std::string> fields;
    ksurf::output::ProbeStyle style;
    int offset = 8;
    static const char *kFieldNames[] = {"comm",     "pid",         "filename",   "ip_src",
                                        "b16_port", "parent_comm", "parent_pid", "child_pid",
                                        "oldcomm",  "newcomm",     "x"};
    for (int i = 0; i < nfields; ++i) {
        const FieldType &t = kTypes[in.ConsumeIntegralInRange<size_t>(0, std::size(kTypes) - 1)];
        std::string fname =
            kFieldNames[in.ConsumeIntegralInRange<size_t>(0, std::size(kFieldNames) - 1)];
        fname += i ? std::to_string(i) : "";
        if (in.ConsumeBool()) fname = kFieldNames[i % std::size(kFieldNames)];
        int size = t.size, off = offset;
        // Sometimes a format that does not add up: odd offsets and sizes.
        if (in.ConsumeIntegralInRange<int>(0, 7) == 0) off = in.ConsumeIntegralInRange<int>(0, 600);
        if (in.ConsumeIntegralInRange<int>(0, 7) == 0) size = in.ConsumeIntegralInRange<int>(0, 64);
        offset = off + size;
        fields.push_back("\tfield:" + std::string(t.type) + " " + fname + t.array +
                         ";\toffset:" + std::to_string(off) + ";\tsize:" + std::to_string(size) +
                         ";\tsigned:" + std::to_string(t.is_signed) + ";\n");
        style.fields[fname] = static_cast<ksurf::compile::Print>(
            in.ConsumeIntegralInRange<int>(0, static_cast<int>(ksurf::compile::Print::Be64Hex)));
    }
    std::string print_fmt =
        in.ConsumeBool() ? "\"x=%d\", REC->x" : "\"" + in.ConsumeRandomLengthString(40) + "\"";

    std::unique_ptr<tep_handle, TepDeleter> tep(tep_alloc());
    if (!tep) std::abort();
    tep_set_long_size(tep.get(), 8);
    tep_set_page_size(tep.get(), 4096);
    std::string fmt = format_text(system, name, id, fields, print_fmt);
    tep_event *ev = nullptr;
    tep_parse_format(tep.get(), &ev, fmt.data(), fmt.size(), system);
    if (!ev) ev = tep_find_event_by_name(tep.get(), system, name);
    if (!ev) return 0;

    // The stack records that may follow it (options/stacktrace, userstacktrace).
    static const char kKernelStack[] =
        "name: kernel_stack\nID: 1000\nformat:\n"
        "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
        "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
        "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
        "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
        "\tfield:int size;\toffset:8;\tsize:4;\tsigned:1;\n"
        "\tfield:unsigned long caller[8];\toffset:16;\tsize:64;\tsigned:0;\n\n"
        "print fmt: \"\\t=> %ps\\n\", (void *)REC->caller[0]\n";
    static const char kUserStack[] =
        "name: user_stack\nID: 1001\nformat:\n"
        "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
        "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
        "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
        "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
        "\tfield:unsigned int tgid;\toffset:8;\tsize:4;\tsigned:0;\n"
        "\tfield:unsigned long caller[8];\toffset:16;\tsize:64;\tsigned:0;\n\n"
        "print fmt: \"\\t=> %ps\\n\", (void *)REC->caller[0]\n";
    tep_event *kstack = nullptr, *ustack = nullptr;
    tep_parse_format(tep.get(), &kstack, kKernelStack, sizeof kKernelStack - 1, "ftrace");
    tep_parse_format(tep.get(), &ustack, kUserStack, sizeof kUserStack - 1, "ftrace");

    ksurf::output::Styles styles;
    styles.add(system, name, style);

    // The process's name: any bytes the kernel keeps (up to 15).
    std::string comm = in.ConsumeRandomLengthString(16);
    bool stacks = in.ConsumeBool();
    bool with_kstack = stacks && in.ConsumeBool();
    bool with_ustack = stacks && in.ConsumeBool();
    auto some_bytes = [&](size_t max) {
        return in.ConsumeBytes<char>(in.ConsumeIntegralInRange<size_t>(0, max));
    };
    RawRecord kraw(with_kstack ? some_bytes(96) : std::vector<char>{}, kstack);
    RawRecord uraw(with_ustack ? some_bytes(96) : std::vector<char>{}, ustack);
    // The record: the rest, often shorter than the format (truncated).
    RawRecord raw(in.ConsumeRemainingBytes<char>(), ev);
    int pid = 4242;
    if (raw.rec.size >= 8) std::memcpy(&pid, static_cast<char *>(raw.rec.data) + 4, 4);

    ksurf::capture::Record r, ks, us;
    r.event = ev;
    r.rec = &raw.rec;
    r.cpu = 1;
    r.ts = raw.rec.ts;
    r.pid = pid;
    auto attach = [&](ksurf::capture::Record &s, tep_event *e, RawRecord &b,
                      const ksurf::capture::Record *&slot) {
        if (!e) return;
        s = r;
        s.event = e;
        s.rec = &b.rec;
        slot = &s;
    };
    if (with_kstack) attach(ks, kstack, kraw, r.stack);
    if (with_ustack) attach(us, ustack, uraw, r.ustack);

    // Known to the table without /proc: pid 0's child, named with the bytes.
    ksurf::output::ProcessTable procs;
    procs.on_fork(0, comm, pid);

    (void)run(false, tep.get(), styles, stacks, procs, r);
    std::string json = run(true, tep.get(), styles, stacks, procs, r);
    size_t start = 0;
    while (start < json.size()) {
        size_t end = json.find('\n', start);
        if (end == std::string::npos) end = json.size();
        std::string_view line(json.data() + start, end - start);
        if (!line.empty() && !nlohmann::json::accept(line)) {
            std::fprintf(stderr, "fuzz_decode: invalid JSON line: %.*s\n",
                         static_cast<int>(line.size()), line.data());
            std::abort();
        }
        start = end + 1;
    }
    return 0;
}
