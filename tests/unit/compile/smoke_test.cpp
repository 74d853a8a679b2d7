#include "fixture.h"

using namespace ksurf::test;

TEST(Smoke, Print) {
    for (const char *e :
         {"p do_filp_open dfd=X%0", "p wake_up_new_task users=S%0->mm->mm_users",
          "p do_filp_open+121 pos=X!(struct file*)%ax->f_pos", "p _do_fork comm=%0->comm",
          "r _do_fork r=$retval", "p _do_fork+21 r=%r12",
          "p wake_up_new_task name=!(struct kmem_cache*)@task_group_cache->name",
          "p __netif_receive_skb_core proto=@(struct iphdr *)l3%0->protocol "
          "ip_src=@(struct iphdr *)%0->saddr f:proto==1&&ip_src==127.0.0.1",
          "p do_sys_openat2 name=filename:ustring", "r alloc_file_pseudo m=$retval->f_mode",
          "p wake_up_new_task a=%0->sched_migrated b=%0->policy_bits c=%0->anon_b d=%0->nested_u16 "
          "e=%0->pids[1].node.next f=%0->counts g=%0->loginuid h=%0->usage",
          "p wake_up_new_task a=%0->mm.x", "p wake_up_new_tsk a=%0->mm"}) {
        auto c = compile_one(e);
        if (c.ok)
            printf("%s\n  -> %s | %s\n", e,
                   ksurf::compile::probe_definition(c.probe(), "g", "p0").c_str(),
                   c.probe().filter.c_str());
        else
            printf("%s\n%s", e, c.errors().c_str());
    }
}
