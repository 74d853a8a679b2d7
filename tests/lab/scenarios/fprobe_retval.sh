# f FUNC%return (fprobe events): vfs_read's $retval is the bytes dd read
# (busybox cat copies a file with sendfile, not read, so it never enters
# vfs_read; dd reads).
# A kernel whose tracefs/README has no fprobe line (6.1) refuses the same
# line before arming, naming fprobe events; the README says which case this is.
# lab-timeout: 120
. /lab/lib.sh

printf '0123456789abcdefghij' >file20 # 20 bytes
expr='f vfs_read%return r=$retval'
tracefs_state >before
if grep -qF 'f[:[<group>/][<event>]] <func-name>[%return]' $T/README; then
    fact "fprobe events: yes"
    need_show "fprobe events" "$expr"
    has '^f:ksurf/p0 vfs_read%return r=\$retval:s64' ||
        fail "-S does not print the kernel's fprobe line with a typed \$retval"
    kx 60 "$expr" -- dd if=file20 of=/dev/null bs=64 count=1
    need_armed "fprobe events"
    expect_rc0 "ksurf with an fprobe"
    has 'p0: .*<- vfs_read\) r=20([^0-9]|$)' ||
        fail "vfs_read's \$retval is not the 20 bytes dd read"
    state_same before "$expr"
    pass "fprobe exit shows the bytes read"
fi
fact "fprobe events: no"
kx 60 "$expr" -- cat file20
[ "$KX_RC" != 0 ] || fail "ksurf armed an fprobe on a kernel without fprobe events"
has 'fprobe events' || fail "the refusal does not name fprobe events"
has 'cannot arm|nothing was armed' || fail "the refusal is not one before arming"
! has '0123456789abcdefghij' || fail "cat ran although the probe was refused before arming"
state_same before "$expr"
pass "refused before arming, naming fprobe events"
