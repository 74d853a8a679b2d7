// Every user error: a diagnostic with the expression, a caret under the
// offending part and a hint. Nothing is thrown.
#include "fixture.h"

using namespace ksurf::test;

namespace {

struct Case {
    const char *expr;
    const char *message; // substring of the message
    const char *caret;   // exact text under the caret
    const char *hint;    // substring of the hint ("" = any)
};

class Diagnostics : public ::testing::TestWithParam<Case> {};

} // namespace

TEST_P(Diagnostics, CaretAndHint) {
    const Case &c = GetParam();
    auto r = compile_one(c.expr);
    ASSERT_FALSE(r.ok) << c.expr;
    ASSERT_FALSE(r.diags.empty());
    const auto &d = r.diag();
    EXPECT_NE(d.message.find(c.message), std::string::npos) << r.errors();
    EXPECT_EQ(r.caret(), c.caret) << r.errors();
    EXPECT_NE(d.hint.find(c.hint), std::string::npos) << r.errors();
    EXPECT_EQ(d.text, c.expr);
    EXPECT_EQ(d.origin, "argument 1");
}

INSTANTIATE_TEST_SUITE_P(
    Language, Diagnostics,
    ::testing::Values(
        // probe type and target
        Case{"x do_filp_open", "unknown probe type 'x'", "x", "p (kprobe)"},
        Case{"r0 _do_fork", "bad return probe type", "r0", "maxactive"},
        Case{"p", "expected a function", "p", "p do_sys_openat2"},
        Case{"e sched", "expected SYSTEM/EVENT", "sched", "sched_switch"},
        Case{"r _do_fork+4 r=$retval", "return probe cannot have an offset", "+4",
             "p SYMBOL+OFFSET"},
        Case{"p _do_fork+zz", "bad offset", "+zz", "SYMBOL+21"},
        Case{"P /bin/sh", "expected PATH:SYMBOL", "/bin/sh", "readline"},
        Case{"p wake_up_new_tsk c=%0->comm", "unknown function 'wake_up_new_tsk'",
             "wake_up_new_tsk", "did you mean 'wake_up_new_task'?"},
        // sources
        Case{"p many_args g=%6", "passes only 6 arguments", "%6", "$stackN"},
        Case{"p do_filp_open x=%2", "has only 2 parameters", "%2", "%0 .. %1"},
        Case{"p do_sys_openat2 n=filenme", "has no parameter 'filenme'", "filenme",
             "did you mean 'filename'?"},
        Case{"p do_sys_openat2 n=%rdi", "unknown x86_64 register '%rdi'", "%rdi",
             "did you mean '%di'?"},
        Case{"p do_sys_openat2 n=%r17", "unknown x86_64 register", "%r17", ""},
        Case{"p do_sys_openat2 r=$retval", "$retval is only known in a return probe", "$retval",
             "use r"},
        Case{"r _do_fork a=%0", "return probe reads a clobbered register", "%0", "$retval"},
        Case{"r _do_fork a=p", "parameter 'p' in a return probe", "p", "$retval"},
        Case{"r no_args r=$retval", "returns void", "$retval", ""},
        Case{"p no_args x=$foo", "unknown variable '$foo'", "$foo", "$retval"},
        Case{"p no_args x=@", "expected a symbol or an address", "@", "@jiffies"},
        Case{"p no_args x=@nosuch->a", "no type for '@nosuch'", "@nosuch", "cast it"},
        Case{"p no_args x=@percpu_task->pid", "is a per-CPU variable", "@percpu_task", "offset"},
        Case{"p no_args x=@0x10->a", "an address has no type", "@0x10", "cast it"},
        // members
        Case{"p wake_up_new_task c=%0->comn", "struct task_struct has no member 'comn'", "comn",
             "did you mean 'comm'?"},
        Case{"p wake_up_new_task c=%0->mm->mm_user", "no member 'mm_user'", "mm_user",
             "did you mean 'mm_users'?"},
        Case{"p wake_up_new_task c=%0->pid->x", "'->' on '%0->pid', which is pid_t", "->", ""},
        Case{"p wake_up_new_task c=%0->sched_info->pcount", "not a pointer", "->",
             "use '.' for a member of a struct value"},
        Case{"p wake_up_new_task c=%0->mm.mm_users", "which is a pointer", ".",
             "use '->' through a pointer"},
        Case{"p wake_up_new_task c=%0.mm", "which is a pointer", ".", "->"},
        Case{"p wake_up_new_task c=%0->pid.x", "not a struct", ".", ""},
        Case{"p wake_up_new_task c=%0->stack->x", "points to void", "->", "cast it"},
        Case{"p wake_up_new_task c=%0->counts[4]", "index 4 is out of range", "4", "0 .. 3"},
        Case{"p wake_up_new_task c=%0->pid[1]", "not an array", "[1]", ""},
        Case{"p wake_up_new_task c=%0->name_ptr[99999999999]", "is too large", "99999999999",
             "up to"},
        Case{"p wake_up_new_task c=%0->counts[x]", "array index must be a number", "x",
             "member[3]"},
        Case{"p wake_up_new_task c=%0->history", "100 elements", "%0->history", "history[0]"},
        Case{"p wake_up_new_task c=%0->sched_info", "is struct sched_info", "%0->sched_info",
             "members: pcount, run_delay"},
        Case{"p wake_up_new_task c=%0->mm->load_avg", "floating point", "%0->mm->load_avg", ""},
        Case{"p wake_up_new_task c=%0->pids", "read one element", "%0->pids", "pids[0]"},
        Case{"p do_filp_open x=%ax->f_pos", "'%ax' has no type", "->f_pos",
             "!(struct NAME *)%ax->f_pos"},
        Case{"p wake_up_new_task c=%0-mm", "unexpected '-'", "-", "did you mean '->'?"},
        Case{"p wake_up_new_task c=%0->", "expected a member name", "->", "->member"},
        // casts
        Case{"p do_filp_open x=!(struct fil *)%ax->f_pos", "unknown type 'struct fil'",
             "struct fil *", "did you mean 'struct file'?"},
        Case{"p do_filp_open x=(struct file)%ax", "cast to a struct value", "struct file",
             "(struct file *)"},
        Case{"p do_filp_open x=!(strct file *)%ax", "unknown type 'strct file'", "strct file *",
             ""},
        Case{"p do_filp_open x=!(struct file *%ax", "unbalanced", "(struct file *%ax", ""},
        Case{"p do_filp_open x=!struct", "expected '(' after '!'", "!", ""},
        // types
        Case{"p wake_up_new_task c=%0->pid:string", "a string type on '%0->pid', which is pid_t",
             ":string", "char * or char[]"},
        Case{"p wake_up_new_task c=%0->mm:string", "not a char pointer", ":string", "(char *)"},
        Case{"p wake_up_new_task c=%0->pid:u33", "unknown type ':u33'", ":u33", "u8..u64"},
        Case{"p wake_up_new_task c=%0->pid:u8[65]", "array length must be 1 .. 64", ":u8[65]", ""},
        Case{"p wake_up_new_task c=X%0->pid:u32", "both a format letter and a :type", "X",
             "drop the letter"},
        Case{"p wake_up_new_task c=X%0->comm", "format letter X on '%0->comm'", "X", ":u8[16]"},
        Case{"p wake_up_new_task c=%0->pid:symbol", ":symbol on '%0->pid'", ":symbol", ""},
        Case{"p wake_up_new_task c=%0->sched_migrated:u32", "is a bitfield", ":u32", "letter"},
        Case{"p wake_up_new_task c=%0->pid:", "bad type suffix", ":", ":u32"},
        // packets
        Case{"p __netif_receive_skb_core e=@(struct ethhdr *)%0->h_proto",
             "struct ethhdr is the layer-2 header", "struct ethhdr *", "l2"},
        Case{"p __netif_receive_skb_core e=@(struct ethhdr *)l3%0->h_proto",
             "struct ethhdr is the layer-2 header", "l3", "l2"},
        Case{"p __netif_receive_skb_core e=@(struct iphdr *)l4%0->saddr", "skb->data is at layer 4",
             "l4", "tcphdr"},
        Case{"p __netif_receive_skb_core e=@(struct iphdr *)l5%0->saddr",
             "unknown packet layer marker", "l5", "l2"},
        Case{"p __netif_receive_skb_core e=@(struct file *)%0->f_pos", "is not a packet header",
             "struct file *", "iphdr"},
        Case{"p wake_up_new_task e=@(struct iphdr *)%0->saddr", "not struct sk_buff *", "%0",
             "skb->data"},
        Case{"p __netif_receive_skb_core e=@(struct iphdr *)%0->cdata",
             "'cdata' is the data after the header", "->cdata", "cdata[0]"},
        Case{"p __netif_receive_skb_core e=@(struct iphdr *)%0->sadr", "no member 'sadr'", "sadr",
             "did you mean 'saddr'?"},
        Case{"p __netif_receive_skb_core e=@(struct iphdr *)l2%0", "packet header pointer",
             "@(struct iphdr *)l2%0", "saddr"},
        // names
        Case{"p do_sys_openat2 a=%0 a=%1", "duplicate name 'a'", "a", "first used at column 18"},
        Case{"p do_sys_openat2 common_pid=%0", "reserved", "common_pid", "common_pid"},
        Case{"p do_sys_openat2 __probe_ip=%0", "reserved by the kernel", "__probe_ip", ""},
        Case{"p do_sys_openat2 9x=%0", "bad argument name '9x'", "9x", "letters"},
        Case{"p do_sys_openat2 a_name_that_is_much_too_long_for_it=%0",
             "longer than the kernel's 31", "a_name_that_is_much_too_long_for_it", "shorter"},
        Case{"p do_sys_openat2 ip_x=how->flags", "needs a 32-bit value", "ip_x", ""},
        Case{"p do_sys_openat2 ip_x=filename", "prints numbers", "ip_x", "prefix"},
        Case{"p wake_up_new_task b16_x=%0->pid", "needs a 16-bit value", "b16_x", ""},
        Case{"p wake_up_new_task ip_x=%0->sched_migrated", "is a bitfield", "ip_x", ""},
        Case{"p wake_up_new_task ip_x=%0->counts", "is an array", "ip_x", "counts[0]"},
        // uprobes without types
        Case{"P /bin/sh:main a=%0->x", "DWARF", "->x", "%N"},
        Case{"P /bin/sh:main a=(struct file *)%0", "DWARF", "(struct file *)", ""},
        Case{"P /bin/sh:main a=argc", "parameter names of user programs", "argc", "%N"},
        Case{"P /bin/sh:main a=@jiffies", "not available in uprobes", "@jiffies", ""},
        // events without a catalog
        Case{"e sched/sched_switch", "trace events are not available here", "sched/sched_switch",
             "tracefs"}));

TEST(Diagnostics, ManyErrorsAreCollected) {
    auto r = compile_with(
        {"p wake_up_new_task a=%0->comn b=%0->pid:u33 a=%0->pid", "x y", "p do_sys_openat2 ok=%0"},
        [] {
            ksurf::compile::Options o;
            o.types = &fixture_types();
            return o;
        }());
    EXPECT_FALSE(r.ok);
    ASSERT_EQ(r.diags.size(), 4u) << r.errors();
    EXPECT_EQ(r.diags[3].origin, "argument 2");
    EXPECT_EQ(r.plan.probes.size(), 1u); // the good one still compiled
}

TEST(Diagnostics, TooManyArguments) {
    std::string e = "p do_sys_openat2";
    for (int i = 0; i < 129; ++i) e += " a" + std::to_string(i) + "=%0";
    auto r = compile_one(e);
    ASSERT_FALSE(r.ok);
    EXPECT_NE(r.diag().message.find("more than 128"), std::string::npos);
    EXPECT_EQ(r.caret(), "a128=%0");
}

TEST(Diagnostics, RenderFileLineColumn) {
    ksurf::compile::Diagnostic d;
    d.origin = "probes.txt:3";
    d.text = "p do_sys_openat2 n=filenme";
    d.begin = 19;
    d.end = 26;
    d.message = "'do_sys_openat2' has no parameter 'filenme'";
    d.hint = "did you mean 'filename'?";
    EXPECT_EQ(d.render(), "probes.txt:3:20: error: 'do_sys_openat2' has no parameter 'filenme'\n"
                          "  p do_sys_openat2 n=filenme\n"
                          "                     ^~~~~~~\n"
                          "  hint: did you mean 'filename'?\n");
    d.origin = "argument 2";
    d.hint.clear();
    d.text = "p\tx";
    d.begin = 2;
    d.end = 3;
    EXPECT_EQ(d.render(), "argument 2: error: 'do_sys_openat2' has no parameter 'filenme'\n"
                          "  p x\n"
                          "    ^\n");
}

// surftrace's %0X~(struct T) once parsed as the hex number 0X and dropped
// the argument without a word; no argument may vanish silently.
TEST(Diagnostics, NoArgumentDroppedSilently) {
    auto c = compile_one("p do_filp_open m=%0X~(struct file)->f_mode");
    ASSERT_TRUE(c.ok) << c.errors();
    EXPECT_EQ(c.probe().args.size(), 1u);
    EXPECT_EQ(c.probe().args.at(0).print, ksurf::compile::Print::Hex);
    c = compile_one("p do_filp_open m=%0x");
    ASSERT_FALSE(c.ok);
    EXPECT_EQ(c.diag().message, "bad argument number");
}
