# A packet probe: the IPv4 header at skb->data in ip_rcv, with ip_ names
# printed as dotted quads and converted in the filter, caught on ping over lo.
# lab-timeout: 90
. /lab/lib.sh

expr='p ip_rcv proto=@(struct iphdr *)l3%0->protocol ip_src=@(struct iphdr *)%0->saddr ip_dst=@(struct iphdr *)l3%0->daddr f:proto==1&&ip_src==127.0.0.1'
ping -c 1 -W 2 127.0.0.1 >/dev/null 2>&1 || fail "ping 127.0.0.1 does not work in the lab (lo down?)"
need_show "packet (skb) expressions" "$expr"
catch_one "kprobe arming" "$expr" ping -c 1 -W 1 127.0.0.1
has 'proto=1([^0-9]|$)' || fail "proto is not 1 (ICMP)"
has 'ip_src=127\.0\.0\.1' || fail "ip_src is not shown as 127.0.0.1"
has 'ip_dst=127\.0\.0\.1' || fail "ip_dst is not shown as 127.0.0.1"
state_same before "$expr"
pass
