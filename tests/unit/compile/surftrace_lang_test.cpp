// surftrace's documented language as its documents write it (seed 003 and
// ../shared/reference.md): Sdata[i], the data members after every header at
// every layer, the legacy %0~(struct T)->member spelling, X!(u64)%ax, and
// string filters quoted or not.
#include "fixture.h"
#include "kernel_types.h"

using namespace ksurf::test;
using namespace kfx;
using ksurf::compile::Print;

namespace {

std::string off(size_t v) {
    return hex(static_cast<long long>(v));
}

std::string skb_data() {
    return off(offsetof(sk_buff, data)) + "(%di)";
}

} // namespace

TEST(SurftraceLanguage, SdataIsThePayloadStringAfterTheHeader) {
    // surftrace's "who sends this UDP packet": the first byte of the UDP payload
    auto c = compile_one("p __netif_receive_skb_core body=@(struct udphdr*)l3%0->Sdata[0]");
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(c.args(),
              "body=" + off(sizeof(iphdr) + sizeof(udphdr)) + "(" + skb_data() + "):string");
    EXPECT_EQ(c.probe().args.at(0).print, Print::String);
    auto at4 = compile_one("p __netif_receive_skb_core s=@(struct tcphdr *)l4%0->Sdata[4]");
    ASSERT_TRUE(at4.ok) << at4.errors();
    EXPECT_EQ(at4.args(), "s=" + off(sizeof(tcphdr) + 4) + "(" + skb_data() + "):string");
    // a string cannot be indexed further
    EXPECT_FALSE(compile_one("p __netif_receive_skb_core s=@(struct udphdr *)%0->Sdata[0][1]").ok);
}

TEST(SurftraceLanguage, DataMembersAfterEveryHeaderAtEveryLayer) {
    struct Header {
        const char *name;
        size_t size;
        std::vector<int> layers; // where skb->data may point for this header
    };
    const std::vector<Header> headers = {{"ethhdr", sizeof(ethhdr), {2}},
                                         {"iphdr", sizeof(iphdr), {2, 3}},
                                         {"icmphdr", sizeof(icmphdr), {2, 3, 4}},
                                         {"tcphdr", sizeof(tcphdr), {2, 3, 4}},
                                         {"udphdr", sizeof(udphdr), {2, 3, 4}}};
    struct Member {
        const char *name;
        size_t width;
        std::string type;
    };
    const std::vector<Member> members = {{"cdata", 1, "u8"},
                                         {"sdata", 2, "u16"},
                                         {"ldata", 4, "u32"},
                                         {"qdata", 8, "u64"},
                                         {"Sdata", 1, "string"}};
    for (const auto &h : headers) {
        bool l4 = h.name != std::string("ethhdr") && h.name != std::string("iphdr");
        for (int layer : h.layers) {
            // bytes from skb->data to the header
            size_t before = layer == 2 ? (h.name == std::string("ethhdr") ? 0 : sizeof(ethhdr)) +
                                             (l4 ? sizeof(iphdr) : 0)
                            : layer == 3 ? (l4 ? sizeof(iphdr) : 0)
                                         : 0;
            for (const auto &m : members) {
                std::string expr = "x=@(struct " + std::string(h.name) + " *)l" +
                                   std::to_string(layer) + "%0->" + m.name + "[3]";
                auto c = compile_one("p __netif_receive_skb_core " + expr);
                ASSERT_TRUE(c.ok) << expr << "\n" << c.errors();
                EXPECT_EQ(c.args(), "x=" + off(before + h.size + 3 * m.width) + "(" + skb_data() +
                                        "):" + m.type)
                    << expr;
            }
        }
    }
}

TEST(SurftraceLanguage, LegacyTildeFormBesideTheModernOne) {
    auto legacy = compile_one("p wake_up_new_task users=%0S~(struct task_struct)->mm->mm_users "
                              "comm=%0~(struct task_struct)->comm");
    auto modern = compile_one("p wake_up_new_task users=S!(struct task_struct *)%0->mm->mm_users "
                              "comm=(struct task_struct *)%0->comm");
    ASSERT_TRUE(legacy.ok) << legacy.errors();
    ASSERT_TRUE(modern.ok) << modern.errors();
    EXPECT_EQ(legacy.args(), modern.args());
    EXPECT_EQ(legacy.probe().args.at(0).print, Print::Signed);

    // seed 003's packet spelling: %0~$(struct icmphdr)l3->sdata[1]
    auto pkt = compile_one("p __netif_receive_skb_core data=%0~$(struct icmphdr)l3->sdata[1]");
    auto pkt_modern =
        compile_one("p __netif_receive_skb_core data=@(struct icmphdr *)l3%0->sdata[1]");
    ASSERT_TRUE(pkt.ok) << pkt.errors();
    ASSERT_TRUE(pkt_modern.ok) << pkt_modern.errors();
    EXPECT_EQ(pkt.args(), pkt_modern.args());
    EXPECT_EQ(pkt.args(),
              "data=" + off(sizeof(iphdr) + sizeof(icmphdr) + 2) + "(" + skb_data() + "):u16");

    auto bad = compile_one("p wake_up_new_task x=%0~struct");
    EXPECT_FALSE(bad.ok);
    EXPECT_EQ(bad.caret().substr(0, 1), "~") << bad.errors();
}

TEST(SurftraceLanguage, CastToAScalarType) {
    auto c = compile_one("p do_filp_open+121 v=X!(u64)%ax w=S!(int)%dx");
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(c.args(), "v=%ax:x64 w=%dx:s32");
}

TEST(SurftraceLanguage, StringFiltersQuotedOrNot) {
    auto bare = compile_one("p wake_up_new_task comm=%0->comm f:comm==systemd");
    auto quoted = compile_one("p wake_up_new_task comm=%0->comm f:comm==\"systemd\"");
    ASSERT_TRUE(bare.ok) << bare.errors();
    ASSERT_TRUE(quoted.ok) << quoted.errors();
    EXPECT_EQ(bare.probe().filter, "comm==\"systemd\"");
    EXPECT_EQ(quoted.probe().filter, "comm==\"systemd\"");
}
