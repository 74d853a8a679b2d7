# Bitfields and anonymous unions: iphdr's ihl:4 and version:4 share one byte
# (0x45), so reading the whole unit gives 69, not 4 and 5; sk_buff's dev sits
# in an anonymous union inside an anonymous struct.
# lab-timeout: 90
. /lab/lib.sh

expr='p ip_rcv dev=%0->dev->name ver=@(struct iphdr *)l3%0->version ihl=@(struct iphdr *)l3%0->ihl'
need_show "bitfields and anonymous unions" "$expr"
catch_one "kprobe arming" "$expr" ping -c 1 -W 1 127.0.0.1
has 'ver=4([^0-9]|$)' || fail "version:4 is not 4"
has 'ihl=5([^0-9]|$)' || fail "ihl:4 is not 5"
has 'dev="?lo' || fail "skb->dev->name (through the anonymous union) is not lo"
state_same before "$expr"
pass
