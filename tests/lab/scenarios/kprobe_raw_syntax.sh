# The kernel's own kprobe_events syntax, verbatim: every argument form the
# kernel's selftest kprobe_args_syntax.tc (and kprobe_args_type.tc,
# probepoint.tc) expects to be accepted is armed here, in kernel heads
# p:NAME / r:NAME, and the kernel lists each probe under the name given.
# lab-timeout: 240
. /lab/lib.sh

sym=_sdata
grep -qw "$sym" /proc/kallsyms || sym=vfs_read
addr=0x$(grep -w "$sym" /proc/kallsyms | head -n 1 | cut -d' ' -f1)
# The selftest's forms name x86 registers; on aarch64 the same forms use its
# own (the kernel refuses the other architecture's names, and so does ksurf).
a0=$(argreg 0) a1=$(argreg 1)
case $ARCH in
aarch64) reg=%x0 s1=%x0 s2=%x1 s3=%x2 ;;
*) reg=%ax s1=%ax s2=%dx s3=%cx ;;
esac
set -- "$reg" "@$sym" "@$addr" "@$sym+10" "@$sym-10" '$stack' '$stack0' '$stack1' '$comm' \
    "+0($reg)" "-0($reg)" '+10($stack)' '+0($stack1)' "+10(@$sym-10)" '+0(+10(+20($stack)))' \
    "$reg:x16" '$comm:string' '+0($stack):string' \
    '$stack0:s64' '$stack0:u32' '$stack0:x8' '$stack0:b4@4/32' \
    "+u0($a1):ustring" "$reg:symbol" "+0($a0):u8[16]" "+0($a0):string[2]"
# Forms newer than some kernels: armed when this kernel's README lists them.
readme=$T/README
types=$(grep -A3 'type: s8' $readme)
grep -q 'arg<N>' $readme && set -- "$@" '$arg1'
grep -q 'imm-value' $readme && set -- "$@" '\42' '\-1'
grep -q 'imm-string' $readme && set -- "$@" '\"ksurf"'
echo "$types" | grep -qw symstr && set -- "$@" "+0($a1):symstr"
echo "$types" | grep -qw char && set -- "$@" "+0($a0):char"
fact "raw syntax README types: $(echo "$types" | tr -s ' \t\n' ' ')"

exprs=
i=0
for a in "$@"; do
    exprs="$exprs
p:raw$i vfs_read $a"
    i=$((i + 1))
done
n=$i
printf '%s\n' "$exprs" | sed '/^$/d' >exprs.txt
printf '%s\n' 'r:rawret vfs_read $retval' 'r4:rawret4 vfs_read+0 r=$retval:s32' \
    'p:rawpret vfs_read%return $retval' \
    "p:myprobe do_sys_open dfd=$s1 filename=$s2 flags=$s3 mode=+4(\$stack)" \
    "p:open do_sys_open filename=+0($a1):string" >>exprs.txt
ta=0x$(grep -w tracefs_create_dir /proc/kallsyms | head -n 1 | cut -d' ' -f1)
[ "$ta" != 0x ] && printf '%s\n' "p:rawaddr $ta" 'p:rawsym tracefs_create_dir' >>exprs.txt
fact "raw syntax forms: $(wc -l <exprs.txt)"

kx 60 -S -f exprs.txt
skip_if_not_impl "the kernel's probe syntax (ksurf -S)"
[ "$KX_RC" = 0 ] || fail "ksurf -S refused the kernel's own syntax"
i=0
for a in "$@"; do
    grep -qF -- "p:ksurf/raw$i vfs_read arg1=$a" "$KX_OUT" || fail "-S changed '$a'"
    i=$((i + 1))
done
has "^p:ksurf/myprobe do_sys_open dfd=$s1 filename=$s2 flags=$s3 mode=\\+4\\(\\\$stack\\)\$" ||
    fail "-S did not keep seed 004's probe as written"

tracefs_state >before
kx_bg 120 -f exprs.txt -d 4
armed=
for i in $(seq 1 400); do
    if grep -q ':ksurf_[0-9]*/open ' $T/kprobe_events; then armed=1; break; fi
    sleep 0.1
done
cp $T/kprobe_events armed.txt
kx_wait
need_armed "the kernel's probe syntax"
[ -n "$armed" ] || fail "the probes never showed in kprobe_events"
expect_rc0 "arming the kernel's own syntax"
grep -q ':ksurf_[0-9]*/myprobe do_sys_open' armed.txt || fail "myprobe is not armed under its name"
grep -q '^r4:ksurf_[0-9]*/rawret4 ' armed.txt || fail "r4:rawret4 is not armed with its maxactive"
i=0
while [ "$i" -lt "$n" ]; do
    grep -q "/raw$i vfs_read" armed.txt || fail "raw$i ($(sed -n "$((i + 1))p" exprs.txt)) was not armed"
    i=$((i + 1))
done
state_same before "the kernel's own syntax"
pass "$(wc -l <armed.txt) probes armed"
