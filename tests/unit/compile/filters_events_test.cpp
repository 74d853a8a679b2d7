// f:FILTER checking and conversion, e probes through a fake EventCatalog.
#include "fixture.h"
#include "util/strings.h"

#include <map>

using namespace ksurf::test;
using ksurf::compile::EventField;

namespace {

class FakeCatalog : public ksurf::compile::EventCatalog {
  public:
    FakeCatalog() {
        std::vector<EventField> common = {
            {"common_type", "unsigned short", 0, 2, false, false, true},
            {"common_pid", "int", 4, 4, true, false, true}};
        auto with = [&](std::vector<EventField> f) {
            f.insert(f.begin(), common.begin(), common.end());
            return f;
        };
        events_[{"sched", "sched_switch"}] =
            with({{"prev_comm", "char[16]", 8, 16, false, true, false},
                  {"prev_pid", "pid_t", 24, 4, true, false, false},
                  {"next_pid", "pid_t", 28, 4, true, false, false}});
        events_[{"sched", "sched_wakeup"}] = with({{"comm", "char[16]", 8, 16, false, true, false},
                                                   {"pid", "pid_t", 24, 4, true, false, false}});
        events_[{"sched", "sched_stat_wait"}] =
            with({{"comm", "char[16]", 8, 16, false, true, false},
                  {"pid", "pid_t", 24, 4, true, false, false},
                  {"delay", "u64", 32, 8, false, false, false}});
        events_[{"net", "netif_rx"}] = with({{"ip_saddr", "u32", 8, 4, false, false, false},
                                             {"vals", "u32[4]", 12, 16, false, false, false}});
        events_[{"syscalls", "sys_enter_openat"}] =
            with({{"filename", "const char *", 16, 8, false, false, false}});
    }
    std::vector<std::pair<std::string, std::string>> match(std::string_view s,
                                                           std::string_view e) const override {
        std::vector<std::pair<std::string, std::string>> out;
        for (const auto &[k, v] : events_)
            if (ksurf::glob_match(s, k.first) && ksurf::glob_match(e, k.second)) out.push_back(k);
        return out;
    }
    std::optional<std::vector<EventField>> fields(std::string_view s,
                                                  std::string_view e) const override {
        auto it = events_.find({std::string(s), std::string(e)});
        if (it == events_.end()) return std::nullopt;
        return it->second;
    }

  private:
    std::map<std::pair<std::string, std::string>, std::vector<EventField>> events_;
};

Compiled compile_event(const std::string &line) {
    static FakeCatalog catalog;
    ksurf::compile::Options opts;
    opts.events = &catalog;
    return compile_with({line}, opts);
}

std::string filter_of(const std::string &line) {
    auto c = compile_one(line);
    EXPECT_TRUE(c.ok) << c.errors();
    return c.ok ? c.probe().filter : "";
}

std::string filter_error(const std::string &line, std::string *caret = nullptr) {
    auto c = compile_one(line);
    EXPECT_FALSE(c.ok) << line;
    if (c.ok || c.diags.empty()) return "";
    if (caret) *caret = c.caret();
    return c.diag().message + " | " + c.diag().hint;
}

const std::string kNet =
    "p __netif_receive_skb_core ip_src=@(struct iphdr *)%0->saddr "
    "proto=@(struct iphdr *)%0->protocol b16_port=@(struct tcphdr *)%0->dest "
    "B16_hport=@(struct tcphdr *)%0->dest b32_seq=@(struct tcphdr *)%0->seq "
    "B32_ack=@(struct tcphdr *)%0->ack_seq b64_q=@(struct tcphdr *)%0->qdata[0] "
    "B64_hq=@(struct tcphdr *)%0->qdata[1] ";

} // namespace

TEST(Filters, ConvertsPrefixedLiterals) {
    EXPECT_EQ(filter_of(kNet + "f:proto==1&&ip_src==127.0.0.1"), "proto==1&&ip_src==0x100007f");
    EXPECT_EQ(filter_of(kNet + "f:ip_src==192.168.1.2 || ip_src == 0x1"),
              "ip_src==0x201a8c0 || ip_src == 0x1");
    EXPECT_EQ(filter_of(kNet + "f:b16_port==80"), "b16_port==20480");
    EXPECT_EQ(filter_of(kNet + "f:B16_hport==0x50"), "B16_hport==0x5000");
    EXPECT_EQ(filter_of(kNet + "f:b32_seq==1"), "b32_seq==16777216");
    EXPECT_EQ(filter_of(kNet + "f:B32_ack>=0x01020304"), "B32_ack>=0x4030201");
    EXPECT_EQ(filter_of(kNet + "f:b64_q==1"), "b64_q==72057594037927936");
    EXPECT_EQ(filter_of(kNet + "f:B64_hq!=2"), "B64_hq!=0x200000000000000");
}

TEST(Filters, OperatorsAndFields) {
    const std::string p = "p wake_up_new_task comm=%0->comm pid=%0->pid flags=%0->flags ";
    // The kernel wants string values quoted; bare words are quoted for it.
    EXPECT_EQ(filter_of(p + "f:comm==systemd"), "comm==\"systemd\"");
    EXPECT_EQ(filter_of(p + "f:common_pid==1&&(comm==python||pid<4)"),
              "common_pid==1&&(comm==\"python\"||pid<4)");
    EXPECT_EQ(filter_of(p + "f:comm ~ \"sys*\" && !(flags & 4) && pid >= -1"),
              "comm ~ \"sys*\" && !(flags & 4) && pid >= -1");
    EXPECT_EQ(filter_of(p + "f:comm!='a b' || pid<=0x10 || pid>3 || pid!=2"),
              "comm!='a b' || pid<=0x10 || pid>3 || pid!=2");
    EXPECT_EQ(filter_of("p do_sys_openat2 f=filename f:f~\"*.so\""), "f~\"*.so\"");
    EXPECT_EQ(filter_of("p no_args c=$comm f:c==bash"), "c==\"bash\"");
}

TEST(Filters, GenericCommAndCpuOnEveryProbe) {
    // The kernel's filter knows the task's comm and the cpu on every event.
    EXPECT_EQ(filter_of("p do_sys_openat2 f=filename:ustring f:comm==cat && cpu==1"),
              "comm==\"cat\" && cpu==1");
    EXPECT_EQ(filter_of("p do_sys_openat2 f:COMM~\"ca*\""), "COMM~\"ca*\"");
}

TEST(Filters, Errors) {
    const std::string p = "p wake_up_new_task comm=%0->comm pid=%0->pid c=%0->counts ";
    std::string caret;
    EXPECT_NE(filter_error(p + "f:comm>3", &caret).find("is a string"), std::string::npos);
    EXPECT_EQ(caret, ">");
    EXPECT_NE(filter_error(p + "f:pid~\"1*\"", &caret).find("only for string fields"),
              std::string::npos);
    EXPECT_EQ(caret, "~");
    EXPECT_NE(filter_error(p + "f:pid==\"x\"", &caret).find("is a number, not a string"),
              std::string::npos);
    EXPECT_EQ(caret, "\"x\"");
    EXPECT_NE(filter_error(p + "f:pid==abc", &caret).find("is not a number"), std::string::npos);
    EXPECT_EQ(caret, "abc");
    EXPECT_NE(filter_error(p + "f:pdi==1", &caret).find("did you mean 'pid'?"), std::string::npos);
    EXPECT_EQ(caret, "pdi");
    EXPECT_NE(filter_error(p + "f:(pid==1", &caret).find("unbalanced '('"), std::string::npos);
    EXPECT_EQ(caret, "(");
    EXPECT_NE(filter_error(p + "f:pid==1)", &caret).find("unbalanced ')'"), std::string::npos);
    EXPECT_EQ(caret, ")");
    EXPECT_NE(filter_error(p + "f:pid=1", &caret).find("'=' is not a comparison"),
              std::string::npos);
    EXPECT_EQ(caret, "=");
    EXPECT_NE(filter_error(p + "f:pid==1 &&", &caret).find("expected a condition"),
              std::string::npos);
    EXPECT_NE(filter_error(p + "f:pid==1 pid==2", &caret).find("expected && or ||"),
              std::string::npos);
    EXPECT_EQ(caret, "pid");
    EXPECT_NE(filter_error(p + "f:pid", &caret).find("expected a comparison"), std::string::npos);
    EXPECT_NE(filter_error(p + "f:pid==", &caret).find("expected a value"), std::string::npos);
    EXPECT_NE(filter_error(p + "f:", &caret).find("empty filter"), std::string::npos);
    EXPECT_NE(filter_error(p + "f:comm==\"abc", &caret).find("unterminated string"),
              std::string::npos);
    EXPECT_NE(filter_error(p + "f:c==1", &caret).find("is an array"), std::string::npos);
    EXPECT_NE(filter_error(p + "f:pid==127.0.0.1", &caret).find("name the field ip_pid"),
              std::string::npos);
    EXPECT_NE(filter_error(kNet + "f:ip_src==localhost", &caret).find("not an IPv4 address"),
              std::string::npos);
    EXPECT_NE(filter_error(kNet + "f:ip_src==1.2.3.400", &caret).find("not an IPv4"),
              std::string::npos);
    EXPECT_NE(filter_error(kNet + "f:b16_port==70000", &caret).find("does not fit in 16 bits"),
              std::string::npos);
    EXPECT_NE(filter_error(p + "f:1==pid", &caret).find("expected a field name"),
              std::string::npos);
    // the caret is placed in the whole expression
    auto c = compile_one(p + "f:pid==1 && comm > 2");
    ASSERT_FALSE(c.ok);
    EXPECT_EQ(c.diag().text.substr(c.diag().begin, 1), ">");
}

TEST(Events, GlobsAndFilters) {
    auto c = compile_event("e sched/sched_stat_wait f:delay>1000000");
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(c.probe().kind, ksurf::compile::ProbeKind::Event);
    EXPECT_EQ(c.probe().filter, "delay>1000000");
    ASSERT_EQ(c.probe().matched.size(), 1u);
    // a glob: every matched event must have the field
    c = compile_event("e sched/sched_s* f:prev_pid==1");
    ASSERT_FALSE(c.ok);
    EXPECT_EQ(c.diag().message, "unknown field 'prev_pid' in sched/sched_stat_wait");
    EXPECT_NE(c.diag().hint.find("narrow the event glob"), std::string::npos) << c.errors();
    c = compile_event("e sched/sched_[sw][ta]* f:pid>1 && comm~\"sys*\"");
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(c.probe().matched.size(), 2u);
    EXPECT_EQ(c.probe().matched[0].second, "sched_stat_wait");
    c = compile_event("e */sched_switch f:common_pid!=0 && prev_comm==bash");
    ASSERT_TRUE(c.ok) << c.errors();
    c = compile_event("e sched/sched_switch f:prev_comm>1");
    ASSERT_FALSE(c.ok);
    c = compile_event("e net/netif_rx f:ip_saddr==10.0.0.1");
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(c.probe().filter, "ip_saddr==0x100000a");
    c = compile_event("e net/netif_rx f:vals==1");
    ASSERT_FALSE(c.ok);
}

TEST(Events, NoMatchSuggests) {
    auto c = compile_event("e sched/sched_swich");
    ASSERT_FALSE(c.ok);
    EXPECT_EQ(c.diag().message, "no trace event matches 'sched/sched_swich'");
    EXPECT_EQ(c.diag().hint, "did you mean 'sched/sched_switch'?");
    EXPECT_EQ(c.caret(), "sched/sched_swich");
    c = compile_event("e nosuch/*");
    ASSERT_FALSE(c.ok);
    c = compile_event("e sched/sched_switch x=%0");
    ASSERT_FALSE(c.ok);
    EXPECT_NE(c.diag().message.find("trace events take no arguments"), std::string::npos);
    c = compile_event("e sched/sched_switch f:next_pd==1");
    ASSERT_FALSE(c.ok);
    EXPECT_EQ(c.diag().hint, "did you mean 'next_pid'?");
}
