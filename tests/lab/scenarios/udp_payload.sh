# surftrace's "who sends this UDP packet" example, as its document writes it:
# ip_output with the IP and UDP headers, b16_dest, $comm and the payload as a
# string (Sdata[0]), filtered on ip_dst and b16_dest. busybox has no UDP
# client, but its syslogd forwards to a remote host over UDP: logger's line
# goes out as a UDP packet sent by syslogd.
# lab-timeout: 120
. /lab/lib.sh

expr='p ip_output proto=@(struct iphdr*)l3%2->protocol ip_dst=@(struct iphdr*)l3%2->daddr b16_dest=@(struct udphdr*)l3%2->dest comm=$comm body=@(struct udphdr*)l3%2->Sdata[0] f:proto==17&&ip_dst==127.0.0.1&&b16_dest==9988'
need_show "surftrace's Sdata" "$expr"
syslogd -n -R 127.0.0.1:9988 -O /dev/null &
slpid=$!
sleep 0.5
KX_OPTS= catch_one "kprobe arming" "$expr" logger -t ksurflab hello-from-the-lab
kill "$slpid" 2>/dev/null
wait "$slpid" 2>/dev/null
has 'b16_dest=9988' || fail "b16_dest is not 9988"
has 'ip_dst=127\.0\.0\.1' || fail "ip_dst is not 127.0.0.1"
has 'comm="?syslogd' || fail "the sending process (syslogd) is not named"
has 'body=.*hello-from-the-lab' || fail "the payload is not shown"
state_same before "$expr"
pass
