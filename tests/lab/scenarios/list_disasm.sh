# ksurf list disasm do_sys_openat2 reads the live kernel text (/proc/kcore):
# every printed offset is an instruction boundary kprobe_events accepts, and
# a ksurf probe armed at one of them fires.
# lab-timeout: 120
. /lab/lib.sh

# Precondition: the build has capstone (ksurf --version says what it was
# built with); without it list disasm prints bytes only, by design.
ksurf --version | grep -q '^built with:.*capstone$' ||
    skip "ksurf built without capstone: $(ksurf --version | tail -n 1)"
kx 60 list disasm do_sys_openat2
skip_if_not_impl "ksurf list disasm"
expect_rc0 "list disasm"
offs=$(awk '$1 ~ /^\+0x/ {print substr($1, 2)}' "$KX_OUT" | head -n 12)
[ -n "$offs" ] || fail "no instructions printed"
# arm64 has no kprobes on ftrace sites: they refuse the NOP that ftrace
# patches into a call (after `mov x9, x30`), whose address the kernel lists in
# available_filter_functions_addrs (6.5+). x86 probes its fentry site fine.
site=
if [ "$ARCH" = aarch64 ]; then
    [ -r $T/available_filter_functions_addrs ] ||
        skip "no available_filter_functions_addrs to find the ftrace site arm64 kprobes refuse"
    addr=$(awk '$2 == "do_sys_openat2" {sub(/^0x/, "", $1); print $1; exit}' $T/available_filter_functions_addrs)
    site=$(awk -v a="$addr:" '$1 ~ /^\+0x/ && $2 == a {print substr($1, 2)}' "$KX_OUT")
    [ -n "$site" ] || fail "the ftrace site of do_sys_openat2 ($addr) is not among the printed instructions"
    note "ftrace site: +$site ($addr)"
fi
pick=
for o in $offs; do
    if [ "$o" = "$site" ]; then
        if echo "p:lab/ld do_sys_openat2+$o" >>$T/kprobe_events 2>/dev/null; then
            echo '-:lab/ld' >>$T/kprobe_events
            fact "list disasm: kprobes accept the ftrace site +$o on $ARCH"
        else
            fact "list disasm: kprobes refuse the ftrace site +$o on $ARCH"
        fi
        continue
    fi
    echo "p:lab/ld do_sys_openat2+$o" >>$T/kprobe_events 2>/dev/null ||
        fail "kprobe_events refused printed offset +$o"
    echo '-:lab/ld' >>$T/kprobe_events
    # Past the fentry call, the first accepted offset is the one to arm.
    [ -z "$pick" ] && [ "$((o))" -ge 5 ] && pick=$o
done
note "first offsets accepted: $(echo $offs)"
[ -n "$pick" ] || fail "no offset past +5 printed"
fact "list disasm do_sys_openat2: armed at +$pick"

expr="p do_sys_openat2+$pick"
catch_one "kprobe at func+off" "$expr" cat /proc/version
state_same before "$expr"

kx 60 list disasm do_sys_openat2 --json
expect_rc0 "list disasm --json"
has '"probe": "p do_sys_openat2\+0"' || fail "JSON lacks ready-made probe specs"
pass
