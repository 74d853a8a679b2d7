// The language on the fixture BTF: every source, type and output form, with
// expected offsets from offsetof() over the same C definitions.
#include "fixture.h"
#include "kernel_types.h"

#include <bpf/btf.h>
#include <unistd.h>

using namespace ksurf::test;
using namespace kfx;
using ksurf::compile::Arch;
using ksurf::compile::Print;
using ksurf::compile::ProbeKind;

namespace {

// Bit position of a bitfield: set it to all ones in a zeroed object, find the bits.
template <class T, class Set> std::pair<unsigned, unsigned> bit_range(Set set) {
    alignas(T) unsigned char buf[sizeof(T)] = {};
    T *obj = reinterpret_cast<T *>(buf);
    set(*obj);
    unsigned first = ~0u, count = 0;
    for (unsigned i = 0; i < sizeof(T) * 8; ++i) {
        if (buf[i / 8] & (1u << (i % 8))) {
            if (first == ~0u) first = i;
            ++count;
        }
    }
    return {first, count};
}

std::string off(size_t v) {
    return hex(static_cast<long long>(v));
}

} // namespace

TEST(Vectors, SurftraceDocumentationShapes) {
    EXPECT_EQ(ksurf::compile::probe_definition(compile_one("p do_filp_open dfd=X%0").probe(),
                                               "ksurf", "p0"),
              "p:ksurf/p0 do_filp_open dfd=%di:x32");
    EXPECT_EQ(compile_one("p wake_up_new_task users=S%0->mm->mm_users").args(),
              "users=" + off(offsetof(mm_struct, mm_users)) + "(" + off(offsetof(task_struct, mm)) +
                  "(%di)):s32");
    auto pos = compile_one("p do_filp_open+121 pos=X!(struct file*)%ax->f_pos");
    EXPECT_EQ(pos.args(), "pos=" + off(offsetof(file, f_pos)) + "(%ax):x64");
    EXPECT_EQ(ksurf::compile::probe_definition(pos.probe(), "g", "p0"),
              "p:g/p0 do_filp_open+121 pos=" + off(offsetof(file, f_pos)) + "(%ax):x64");
    EXPECT_EQ(compile_one("p _do_fork comm=%0->comm").args(),
              "comm=" + off(offsetof(task_struct, comm)) + "(%di):string");
    EXPECT_EQ(compile_one("r _do_fork r=$retval").args(), "r=$retval:s64");
    EXPECT_EQ(compile_one("p _do_fork+21 r=%r12").args(), "r=%r12");
    EXPECT_EQ(
        compile_one("p wake_up_new_task name=!(struct kmem_cache*)@task_group_cache->name").args(),
        "name=+0x0(" + off(offsetof(kmem_cache, name)) + "(@task_group_cache)):string");
    auto net = compile_one("p __netif_receive_skb_core proto=@(struct iphdr *)l3%0->protocol "
                           "ip_src=@(struct iphdr *)%0->saddr f:proto==1&&ip_src==127.0.0.1");
    ASSERT_TRUE(net.ok) << net.errors();
    std::string data = off(offsetof(sk_buff, data)) + "(%di)";
    EXPECT_EQ(net.args(), "proto=" + off(offsetof(iphdr, protocol)) + "(" + data +
                              "):u8 ip_src=" + off(offsetof(iphdr, saddr)) + "(" + data + "):u32");
    EXPECT_EQ(net.probe().filter, "proto==1&&ip_src==0x100007f");
    EXPECT_EQ(net.probe().args[1].print, Print::Ipv4);
}

TEST(Vectors, ArgumentsByArchitecture) {
    EXPECT_EQ(compile_one("p many_args a=%0 b=%5").args(), "a=%di:s32 b=%r9:s32");
    EXPECT_EQ(compile_one("p many_args a=%0 h=%7", Arch::Aarch64).args(), "a=%x0:s32 h=%x7:s32");
    EXPECT_EQ(compile_one("p many_args a=%0 h=%7", Arch::Riscv64).args(), "a=%a0:s32 h=%a7:s32");
    EXPECT_EQ(compile_one("p do_sys_openat2 how=how", Arch::Aarch64).args(), "how=%x2:x64");
    EXPECT_EQ(compile_one("p do_sys_openat2 r=%x29", Arch::Aarch64).args(), "r=%x29");
    EXPECT_EQ(compile_one("p do_sys_openat2 r=%s11", Arch::Riscv64).args(), "r=%s11");
}

TEST(Vectors, ParameterNames) {
    auto c = compile_one("p do_sys_openat2 name=filename:ustring");
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(ksurf::compile::probe_definition(c.probe(), "ksurf_1234", "p0"),
              "p:ksurf_1234/p0 do_sys_openat2 name=+0x0(%si):ustring");
    EXPECT_EQ(c.probe().args[0].print, Print::String);
    EXPECT_EQ(compile_one("p do_sys_openat2 name=filename").args(), "name=+0x0(%si):string");
    EXPECT_EQ(compile_one("p do_sys_openat2 fd=dfd mode=how->mode").args(),
              "fd=%di:s32 mode=" + off(offsetof(open_how, mode)) + "(%dx):u64");
}

TEST(Vectors, Retval) {
    EXPECT_EQ(compile_one("r alloc_file_pseudo m=$retval->f_mode").args(),
              "m=" + off(offsetof(file, f_mode)) + "($retval):u32");
    EXPECT_EQ(compile_one("r alloc_file_pseudo f=$retval").args(), "f=$retval:x64");
    auto r10 = compile_one("r10 _do_fork r=X$retval");
    ASSERT_TRUE(r10.ok) << r10.errors();
    EXPECT_EQ(r10.probe().maxactive, 10);
    EXPECT_EQ(r10.probe().kind, ProbeKind::Kretprobe);
    EXPECT_EQ(ksurf::compile::probe_definition(r10.probe(), "grp", "name"),
              "r10:grp/name _do_fork r=$retval:x64");
}

TEST(Vectors, SpecialVariables) {
    EXPECT_EQ(compile_one("p no_args c=$comm s=$stack s3=$stack3 a=@0xffffffff81000000 "
                          "j=@jiffies_fixture u=@some_untyped_symbol")
                  .args(),
              "c=$comm s=$stack s3=$stack3 a=@0xffffffff81000000 j=@jiffies_fixture "
              "u=@some_untyped_symbol");
    EXPECT_EQ(compile_one("p no_args c=$comm").probe().args[0].print, Print::String);
    EXPECT_EQ(compile_one("p no_args s=X$stack2").args(), "s=$stack2:x64");
    // globals without a BTF VAR need a cast, as on real kernels
    EXPECT_FALSE(compile_one("p no_args n=@task_group_cache->name").ok);
}

namespace {

// BTF built with libbpf's writer API, saved to a temporary file and opened.
struct HandBtf {
    explicit HandBtf(struct btf *b) {
        uint32_t size = 0;
        const void *raw = btf__raw_data(b, &size);
        int fd = mkstemp(path);
        if (fd >= 0 && write(fd, raw, size) == static_cast<ssize_t>(size)) {
            std::string err;
            info = ksurf::types::TypeInfo::open(path, err);
        }
        if (fd >= 0) close(fd);
        btf__free(b);
    }
    ~HandBtf() { unlink(path); }
    char path[32] = "/tmp/ksurf_btf_XXXXXX";
    std::unique_ptr<ksurf::types::TypeInfo> info;
};

} // namespace

TEST(Vectors, TypedGlobals) {
    // pahole 1.24 only encodes per-CPU VARs; build BTF with ordinary globals by hand.
    struct btf *b = btf__new_empty();
    int ulong = btf__add_int(b, "long unsigned int", 8, 0);
    int box = btf__add_struct(b, "counter_box", 16);
    btf__add_field(b, "hits", ulong, 0, 0);
    btf__add_field(b, "misses", ulong, 64, 0);
    int ptr = btf__add_ptr(b, box);
    int box_ptr = btf__add_var(b, "box_ptr", BTF_VAR_GLOBAL_ALLOCATED, ptr);
    int the_box = btf__add_var(b, "the_box", BTF_VAR_GLOBAL_ALLOCATED, box);
    int pcpu = btf__add_var(b, "pcpu_box", BTF_VAR_GLOBAL_ALLOCATED, box);
    btf__add_datasec(b, ".bss", 24);
    btf__add_datasec_var_info(b, box_ptr, 0, 8);
    btf__add_datasec_var_info(b, the_box, 8, 16);
    btf__add_datasec(b, ".data..percpu", 16);
    btf__add_datasec_var_info(b, pcpu, 0, 16);
    int proto = btf__add_func_proto(b, 0);
    btf__add_func(b, "f", BTF_FUNC_GLOBAL, proto);
    HandBtf hand(b);
    ASSERT_TRUE(hand.info);
    ksurf::compile::Options opts;
    opts.types = hand.info.get();
    auto c = compile_with({"p f m=@box_ptr->misses h=@the_box.hits m2=@the_box.misses"}, opts);
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(c.args(), "m=+0x8(@box_ptr):u64 h=@the_box:u64 m2=@the_box+0x8:u64");
    c = compile_with({"p f h=@pcpu_box.hits"}, opts);
    ASSERT_FALSE(c.ok);
    EXPECT_EQ(c.diag().message, "'@pcpu_box' is a per-CPU variable");
}

TEST(Vectors, ModuleFunction) {
    auto c = compile_one("p fixmod:mod_func id=%0->id pid=%1->pid");
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(c.probe().module, "fixmod");
    EXPECT_EQ(c.args(), "id=+0x0(%di):s32 pid=" + off(offsetof(task_struct, pid)) + "(%si):s32");
    EXPECT_EQ(ksurf::compile::probe_definition(c.probe(), "g", "p0").substr(0, 23),
              "p:g/p0 fixmod:mod_func ");
    auto bad = compile_one("p nomod:mod_func id=%0->id");
    ASSERT_FALSE(bad.ok);
    EXPECT_NE(bad.diag().message.find("no BTF for module nomod"), std::string::npos)
        << bad.errors();
}

TEST(Vectors, Casts) {
    EXPECT_EQ(compile_one("p do_filp_open pos=(struct file *)%ax->f_pos").args(),
              "pos=" + off(offsetof(file, f_pos)) + "(%ax):s64");
    EXPECT_EQ(compile_one("p do_filp_open v=(__u32)%ax w=(unsigned long)%bx").args(),
              "v=%ax:u32 w=%bx:u64");
    EXPECT_EQ(compile_one("p wake_up_new_task p=(struct file *)(%0->stack)->f_pos").args(),
              "p=" + off(offsetof(file, f_pos)) + "(" + off(offsetof(task_struct, stack)) +
                  "(%di)):s64");
    EXPECT_EQ(compile_one("p wake_up_new_task c=!(struct task_struct *)%0->parent->comm").args(),
              "c=" + off(offsetof(task_struct, comm)) + "(" + off(offsetof(task_struct, parent)) +
                  "(%di)):string");
}

TEST(Vectors, MembersAnonymousAndNested) {
    EXPECT_EQ(compile_one("p wake_up_new_task a=%0->anon_b w=%0->anon_whole x=%0->nested_x "
                          "u=%0->nested_u16")
                  .args(),
              "a=" + off(offsetof(task_struct, anon_b)) +
                  "(%di):s32 w=" + off(offsetof(task_struct, anon_whole)) +
                  "(%di):s64 x=" + off(offsetof(task_struct, nested_x)) +
                  "(%di):u64 u=" + off(offsetof(task_struct, nested_u16)) + "(%di):u16");
    EXPECT_EQ(compile_one("p wake_up_new_task d=%0->sched_info.run_delay").args(),
              "d=" + off(offsetof(task_struct, sched_info.run_delay)) + "(%di):u64");
    EXPECT_EQ(compile_one("p wake_up_new_task n=%0->pids[1].node.next").args(),
              "n=" + off(offsetof(task_struct, pids[1].node.next)) + "(%di):x64");
    EXPECT_EQ(compile_one("p wake_up_new_task n=%0->pids[2].node.next->prev").args(),
              "n=" + off(offsetof(list_head, prev)) + "(" +
                  off(offsetof(task_struct, pids[2].node.next)) + "(%di)):x64");
}

TEST(Vectors, TypedefsQualifiersEnumsWrappers) {
    EXPECT_EQ(compile_one("p wake_up_new_task s=%0->state k=%0->kind kx=X%0->kind").args(),
              "s=" + off(offsetof(task_struct, state)) +
                  "(%di):s64 k=" + off(offsetof(task_struct, kind)) +
                  "(%di):u32 kx=" + off(offsetof(task_struct, kind)) + "(%di):x32");
    // refcount_t -> atomic_t -> int; kuid_t -> uid_t
    EXPECT_EQ(compile_one("p wake_up_new_task u=%0->usage l=%0->loginuid e=%0->cred->euid").args(),
              "u=" + off(offsetof(task_struct, usage)) +
                  "(%di):s32 l=" + off(offsetof(task_struct, loginuid)) +
                  "(%di):u32 e=" + off(offsetof(cred, euid)) + "(" +
                  off(offsetof(task_struct, cred)) + "(%di)):u32");
    EXPECT_EQ(compile_one("p odd_probe s=%1 c=%2 us=U%1").args(), "s=%si:s16 c=%dx:u8 us=%si:u16");
    // a wrapper passed by value is its scalar in the register
    EXPECT_EQ(compile_one("p set_uid u=%0 c=%1->counter n=S%1").args(),
              "u=%di:u32 c=+0x0(%si):s32 n=%si:s64");
}

TEST(Vectors, Arrays) {
    EXPECT_EQ(compile_one("p wake_up_new_task c=%0->counts[2]").args(),
              "c=" + off(offsetof(task_struct, counts) + 2 * sizeof(int)) + "(%di):s32");
    EXPECT_EQ(compile_one("p wake_up_new_task c=%0->counts x=X%0->counts").args(),
              "c=" + off(offsetof(task_struct, counts)) +
                  "(%di):s32[4] x=" + off(offsetof(task_struct, counts)) + "(%di):x32[4]");
    EXPECT_EQ(compile_one("p wake_up_new_task r=%0->raw_bytes").args(),
              "r=" + off(offsetof(task_struct, raw_bytes)) + "(%di):u8[8]");
    EXPECT_EQ(compile_one("p wake_up_new_task h=%0->history[99]").args(),
              "h=" + off(offsetof(task_struct, history) + 99 * sizeof(long)) + "(%di):s64");
    // a pointer indexed like an array
    EXPECT_EQ(compile_one("p wake_up_new_task c=%0->name_ptr[3]").args(),
              "c=+0x3(" + off(offsetof(task_struct, name_ptr)) + "(%di)):s8");
    EXPECT_EQ(compile_one("p wake_up_new_task c=%0->comm[1]").args(),
              "c=" + off(offsetof(task_struct, comm) + 1) + "(%di):s8");
}

TEST(Vectors, Bitfields) {
    auto mig = bit_range<task_struct>([](task_struct &t) { t.sched_migrated = 1; });
    auto pol = bit_range<task_struct>([](task_struct &t) { t.policy_bits = 7; });
    auto rt = bit_range<task_struct>([](task_struct &t) { t.rt_priority_bits = 127; });
    auto field = [](std::pair<unsigned, unsigned> r, unsigned container) {
        unsigned start = r.first / container * container;
        return off(start / 8) + "(%di):b" + std::to_string(r.second) + "@" +
               std::to_string(r.first - start) + "/" + std::to_string(container);
    };
    EXPECT_EQ(compile_one("p wake_up_new_task m=%0->sched_migrated").args(), "m=" + field(mig, 32));
    EXPECT_EQ(compile_one("p wake_up_new_task p=%0->policy_bits r=%0->rt_priority_bits").args(),
              "p=" + field(pol, 32) + " r=" + field(rt, 32));
    // packed: 'high' (20 bits at bit 20) crosses a 32-bit boundary -> 64-bit container
    auto high = bit_range<odd_bits>([](odd_bits &o) { o.high = 0xfffff; });
    auto wide = bit_range<odd_bits>([](odd_bits &o) { o.wide = 0xffffffffffull; });
    EXPECT_EQ(compile_one("p odd_probe h=%0->high w=%0->wide").args(),
              "h=" + field(high, 64) + " w=" + field(wide, 64));
    auto c = compile_one("p odd_probe h=X%0->high");
    EXPECT_EQ(c.probe().args[0].print, Print::Hex);
}

TEST(Vectors, ExplicitTypes) {
    std::string flags = off(offsetof(task_struct, flags)) + "(%di)";
    EXPECT_EQ(
        compile_one("p wake_up_new_task a=%0->flags:x16 b=%0->flags:s8 c=%0->flags:char").args(),
        "a=" + flags + ":x16 b=" + flags + ":s8 c=" + flags + ":char");
    EXPECT_EQ(compile_one("p wake_up_new_task s=%0->stack:symbol").args(),
              "s=" + off(offsetof(task_struct, stack)) + "(%di):symbol");
    EXPECT_EQ(compile_one("p wake_up_new_task s=%0->stack:symbol").probe().args[0].print,
              Print::Symbol);
    EXPECT_EQ(compile_one("p wake_up_new_task c=%0->counts:u8[4] d=%0->name_ptr:u8[4]").args(),
              "c=" + off(offsetof(task_struct, counts)) + "(%di):u8[4] d=+0x0(" +
                  off(offsetof(task_struct, name_ptr)) + "(%di)):u8[4]");
    EXPECT_EQ(compile_one("p wake_up_new_task c=%0->comm:ustring r=%si:string").args(),
              "c=" + off(offsetof(task_struct, comm)) + "(%di):ustring r=+0x0(%si):string");
    EXPECT_EQ(compile_one("p wake_up_new_task b=%0->flags:b4@2/32").args(),
              "b=" + flags + ":b4@2/32");
}

TEST(Vectors, Packets) {
    std::string data = off(offsetof(sk_buff, data)) + "(%di)";
    auto args = [](const std::string &e) {
        return compile_one("p __netif_receive_skb_core " + e).args();
    };
    EXPECT_EQ(args("p=@(struct iphdr *)l2%0->protocol"),
              "p=" + off(sizeof(ethhdr) + offsetof(iphdr, protocol)) + "(" + data + "):u8");
    EXPECT_EQ(args("d=@(struct tcphdr *)%0->dest"),
              "d=" + off(sizeof(iphdr) + offsetof(tcphdr, dest)) + "(" + data + "):u16");
    EXPECT_EQ(args("d=@(struct tcphdr *)l4%0->dest"),
              "d=" + off(offsetof(tcphdr, dest)) + "(" + data + "):u16");
    EXPECT_EQ(args("d=@(struct udphdr *)l2%0->len"),
              "d=" + off(sizeof(ethhdr) + sizeof(iphdr) + offsetof(udphdr, len)) + "(" + data +
                  "):u16");
    EXPECT_EQ(args("t=@(struct ethhdr *)l2%0->h_proto"),
              "t=" + off(offsetof(ethhdr, h_proto)) + "(" + data + "):u16");
    EXPECT_EQ(args("i=@(struct icmphdr *)%0->un.echo.sequence"),
              "i=" + off(sizeof(iphdr) + offsetof(icmphdr, un.echo.sequence)) + "(" + data +
                  "):u16");
    // data after the header: surftrace's sdata[1] on iphdr is 20 + 2 = 0x16
    EXPECT_EQ(args("data=X@(struct iphdr *)l3%0->sdata[1]"), "data=+0x16(" + data + "):x16");
    EXPECT_EQ(args("c=@(struct icmphdr *)%0->cdata[3] l=@(struct udphdr *)%0->ldata[1] "
                   "q=@(struct tcphdr *)l4%0->qdata[0]"),
              "c=" + off(sizeof(iphdr) + sizeof(icmphdr) + 3) + "(" + data +
                  "):u8 l=" + off(sizeof(iphdr) + sizeof(udphdr) + 4) + "(" + data +
                  "):u32 q=" + off(sizeof(tcphdr)) + "(" + data + "):u64");
    EXPECT_EQ(args("s=@(struct udphdr *)l4%0->Sdata"),
              "s=" + off(sizeof(udphdr)) + "(" + data + "):string");
    auto doff = bit_range<tcphdr>([](tcphdr &t) { t.doff = 15; });
    EXPECT_EQ(args("d=@(struct tcphdr *)l4%0->doff"), "d=" + off(doff.first / 16 * 2) + "(" + data +
                                                          "):b4@" +
                                                          std::to_string(doff.first % 16) + "/16");
    // the skb through a named parameter and a register cast
    EXPECT_EQ(args("p=@(struct iphdr *)skb->protocol"),
              "p=" + off(offsetof(iphdr, protocol)) + "(" + data + "):u8");
}

TEST(Vectors, NamePrefixes) {
    auto c = compile_one("p __netif_receive_skb_core ip_dst=@(struct iphdr *)%0->daddr "
                         "b16_port=@(struct tcphdr *)%0->dest B16_p=@(struct tcphdr *)%0->source "
                         "b32_seq=@(struct tcphdr *)%0->seq B32_ack=@(struct tcphdr *)%0->ack_seq "
                         "b64_q=@(struct tcphdr *)%0->qdata[0] B64_r=%r8");
    ASSERT_TRUE(c.ok) << c.errors();
    const auto &a = c.probe().args;
    EXPECT_EQ(a[0].print, Print::Ipv4);
    EXPECT_EQ(a[1].print, Print::Be16);
    EXPECT_EQ(a[2].print, Print::Be16Hex);
    EXPECT_EQ(a[3].print, Print::Be32);
    EXPECT_EQ(a[4].print, Print::Be32Hex);
    EXPECT_EQ(a[5].print, Print::Be64);
    EXPECT_EQ(a[6].print, Print::Be64Hex);
    EXPECT_EQ(a[6].fetch, "%r8:u64");
    EXPECT_EQ(compile_one("p no_args ip_a=%ax").args(), "ip_a=%ax:u32");
}

TEST(Vectors, UnnamedArguments) {
    auto c = compile_one("p do_sys_openat2 %0 fd=%1 how");
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(c.args(), "arg1=%di:s32 fd=+0x0(%si):string arg3=%dx:x64");
}

TEST(Vectors, Uprobes) {
    auto c = compile_one("P /bin/sh:main a=%0 r=X%ax s=$stack1 c=$comm");
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(c.probe().kind, ProbeKind::Uprobe);
    EXPECT_EQ(c.probe().path, "/bin/sh");
    EXPECT_EQ(c.probe().symbol, "main");
    EXPECT_EQ(c.args(), "a=%di r=%ax:x64 s=$stack1 c=$comm");
    EXPECT_EQ(ksurf::compile::probe_definition(c.probe(), "g", "p1", "/usr/bin/dash", 0x1234),
              "p:g/p1 /usr/bin/dash:0x1234 a=%di r=%ax:x64 s=$stack1 c=$comm");
    auto r = compile_one("R /lib/libc.so.6:malloc+4 p=$retval n=%0:string");
    EXPECT_FALSE(r.ok); // %0 in a return probe
    r = compile_one("R /lib/libc.so.6:malloc p=$retval s=$retval:string");
    ASSERT_TRUE(r.ok) << r.errors();
    EXPECT_EQ(r.probe().kind, ProbeKind::Uretprobe);
    EXPECT_EQ(r.args(), "p=$retval s=+0x0($retval):string");
    EXPECT_EQ(ksurf::compile::probe_definition(r.probe(), "g", "p0", "/usr/lib/libc.so.6", 0x99),
              "r:g/p0 /usr/lib/libc.so.6:0x99 p=$retval s=+0x0($retval):string");
    auto raw = compile_one("P ./app:0x4f0 a=%1");
    ASSERT_TRUE(raw.ok) << raw.errors();
    EXPECT_EQ(raw.probe().offset, 0x4f0u);
    EXPECT_EQ(ksurf::compile::probe_definition(raw.probe(), "g", "p0"), "p:g/p0 ./app:0x4f0 a=%si");
}

TEST(Vectors, WithoutTypesOnlyUntypedForms) {
    ksurf::compile::Options opts; // no BTF at all
    auto c = compile_with({"p _do_fork+21 r=%r12 d=X%0", "r _do_fork r=$retval"}, opts);
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(c.plan.probes[0].args[0].fetch, "%r12");
    EXPECT_EQ(c.plan.probes[0].args[1].fetch, "%di:x64");
    EXPECT_EQ(c.plan.probes[1].args[0].fetch, "$retval");
    auto bad = compile_with({"p _do_fork comm=%0->comm"}, opts);
    ASSERT_FALSE(bad.ok);
    EXPECT_NE(bad.diag().message.find("BTF"), std::string::npos) << bad.errors();
}

TEST(Vectors, BtfIsParsedLazily) {
    std::string err;
    auto info = open_fixture();
    ASSERT_TRUE(info);
    ksurf::compile::Options opts;
    opts.types = info.get();
    auto c = compile_with({"p _do_fork+21 r=%r12", "r _do_fork r=%ax"}, opts);
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_FALSE(info->parsed());
    c = compile_with({"p _do_fork comm=%0->comm"}, opts);
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_TRUE(info->parsed());
    // a readable file that is not BTF: only the forms needing types fail
    auto junk =
        ksurf::types::TypeInfo::open(std::string(KSURF_SOURCE_DIR) + "/CMakeLists.txt", err);
    ASSERT_TRUE(junk);
    opts.types = junk.get();
    EXPECT_TRUE(compile_with({"p f r=%r12"}, opts).ok);
    auto bad = compile_with({"p f c=%0->comm"}, opts);
    ASSERT_FALSE(bad.ok);
    EXPECT_NE(bad.diag().message.find("cannot parse BTF"), std::string::npos) << bad.errors();
    EXPECT_FALSE(ksurf::types::TypeInfo::open("/nonexistent/btf", err));
    EXPECT_NE(err.find("/nonexistent/btf"), std::string::npos);
}

TEST(Vectors, NameIndexAgreesWithScans) {
    // The first lookups scan (btf__find_by_name_kind); later ones use an index.
    auto info = open_fixture();
    ASSERT_TRUE(info);
    ksurf::compile::Options opts;
    opts.types = info.get();
    std::string first;
    for (int i = 0; i < 20; ++i) {
        auto c = compile_with({"p wake_up_new_task n=!(struct kmem_cache *)%ax->name "
                               "t=(struct task_struct *)%bx->pid u=(__u32)%cx"},
                              opts);
        ASSERT_TRUE(c.ok) << c.errors();
        if (i == 0) first = c.args();
        EXPECT_EQ(c.args(), first) << "iteration " << i;
    }
    auto bad = compile_with({"p wake_up_new_task n=!(struct kmem_cach *)%ax->name"}, opts);
    ASSERT_FALSE(bad.ok);
    EXPECT_EQ(bad.diag().hint, "did you mean 'struct kmem_cache'?");
}

TEST(Vectors, UserPointersUseUserDereferences) {
    // Kernels built with clang tag __user pointees (BTF_KIND_TYPE_TAG "user").
    struct btf *b = btf__new_empty();
    int i32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
    int chr = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
    int arr = btf__add_array(b, i32, chr, 8);
    int unext = btf__add_struct(b, "unext", 4);
    btf__add_field(b, "len", i32, 0, 0);
    int nptr = btf__add_ptr(b, btf__add_type_tag(b, "user", unext));
    int ubuf = btf__add_struct(b, "ubuf", 24);
    btf__add_field(b, "len", i32, 0, 0);
    btf__add_field(b, "name", arr, 32, 0);
    btf__add_field(b, "next", nptr, 128, 0);
    int uptr = btf__add_ptr(b, btf__add_type_tag(b, "user", ubuf));
    int cchr = btf__add_const(b, chr);
    int ustr = btf__add_ptr(b, btf__add_type_tag(b, "user", cchr));
    int proto = btf__add_func_proto(b, i32);
    btf__add_func_param(b, "u", uptr);
    btf__add_func_param(b, "path", ustr);
    btf__add_func(b, "f", BTF_FUNC_GLOBAL, proto);
    HandBtf hand(b);
    ASSERT_TRUE(hand.info);
    ksurf::compile::Options opts;
    opts.types = hand.info.get();
    auto c = compile_with({"p f l=u->len n=u->name p=path nl=u->next->len c=u->name[1]"}, opts);
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(c.args(), "l=+u0x0(%di):s32 n=+u0x4(%di):ustring p=+0x0(%si):ustring "
                        "nl=+u0x0(+u0x10(%di)):s32 c=+u0x5(%di):s8");
}
