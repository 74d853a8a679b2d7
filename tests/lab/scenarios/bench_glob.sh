# bench (bench/README.md, "kprobes or fprobes for a glob"): the N functions
# `p vfs_*` matches (ksurf -S lists them), armed by raw writes as N kprobes
# (p:, r: in kprobe_events) and as N fprobe events (f:, f:...%return in
# dynamic_events), one after the other in the same boot: the time to define,
# enable, disable and remove them (one write per event each, as ksurf does),
# the hits a hist trigger per event counts for one `dd` (the same for both
# kinds, or counting differs), and the cost of a hit (dd bs=1 with every
# event enabled). Then ksurf itself on the same glob. Facts only, except that
# both kinds must count the same calls and nothing may be left.
# lab-timeout: 900
. /lab/lib.sh

[ -e $T/kprobe_events ] || skip "no kprobes (no kprobe_events)"
grep -qF 'f[:[<group>/][<event>]] <func-name>[%return]' $T/README ||
    skip "this kernel has no fprobe events (no f[:[<group>/][<event>]] line in README)"
grep -q 'hist:' $T/README || skip "this kernel has no hist triggers"

now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
G=benchglob
I=$T/instances/benchglob
F=$PWD/file16
echo "sixteen bytes..." >"$F"

kx 60 -S 'p vfs_*'
expect_rc0 "ksurf -S 'p vfs_*'"
grep '^p:' "$KX_OUT" | awk '{print $2}' >funcs
N=$(wc -l <funcs)
[ "$N" -gt 10 ] || fail "'p vfs_*' gave $N functions"
fact "bench_glob functions: $N (p vfs_*)"

tracefs_state >before
mkdir $I || fail "cannot make an instance"

# each_event CMD: CMD i for every event index.
each_event() {
    _i=0
    while [ "$_i" -lt "$N" ]; do
        "$@" "$_i"
        _i=$((_i + 1))
    done
}

# bench KIND (k r f fr): define, enable in the instance, count one dd with
# a hist trigger per event, time a burst of hits, then take it all down.
bench() {
    kind=$1
    case $kind in
    k | r) file=$T/kprobe_events ;;
    *) file=$T/dynamic_events ;;
    esac
    bad=0
    t0=$(now_ms)
    _i=0
    while read -r fn; do
        case $kind in
        k) line="p:$G/e$_i $fn" ;;
        r) line="r:$G/e$_i $fn" ;;
        f) line="f:$G/e$_i $fn" ;;
        fr) line="f:$G/e$_i $fn%return" ;;
        esac
        echo "$line" >>"$file" 2>/dev/null || bad=$((bad + 1))
        _i=$((_i + 1))
    done <funcs
    t1=$(now_ms)
    [ "$bad" = 0 ] || note "$kind: $bad definitions refused"
    on() { echo 1 >"$I/events/$G/e$1/enable" 2>/dev/null; }
    each_event on
    t2=$(now_ms)
    trig() { echo 'hist:keys=common_pid.execname' >"$I/events/$G/e$1/trigger" 2>/dev/null; }
    each_event trig
    t3=$(now_ms)
    dd if="$F" of=/dev/null bs=4 count=4 2>/dev/null
    hits=0
    vfs_read=0
    count() {
        _h=$(grep ' dd ' "$I/events/$G/e$1/hist" 2>/dev/null |
            sed -n 's/.*hitcount: *\([0-9]*\).*/\1/p' | awk '{s += $1} END {print s + 0}')
        hits=$((hits + _h))
        [ "$(sed -n "$(($1 + 1))p" funcs)" = vfs_read ] && vfs_read=$_h
        :
    }
    each_event count
    untrig() { echo '!hist:keys=common_pid.execname' >>"$I/events/$G/e$1/trigger" 2>/dev/null; }
    each_event untrig
    # A burst of hits: 20,000 one-byte reads and writes through vfs_read
    # and vfs_write with every event on (the instance's buffer overwrites).
    t4=$(now_ms)
    dd if=/dev/zero of=/dev/null bs=1 count=20000 2>/dev/null
    t5=$(now_ms)
    off() { echo 0 >"$I/events/$G/e$1/enable" 2>/dev/null; }
    each_event off
    t6=$(now_ms)
    rm_ev() { echo "-:$G/e$1" >>"$file" 2>/dev/null || bad=$((bad + 1)); }
    each_event rm_ev
    t7=$(now_ms)
    fact "bench_glob $kind x$N: define $((t1 - t0)) ms, enable $((t2 - t1)) ms, hist triggers $((t3 - t2)) ms, disable $((t6 - t5)) ms, remove $((t7 - t6)) ms; arm+remove $((t2 - t0 + t7 - t5)) ms; dd of 20000 1-byte reads+writes $((t5 - t4)) ms; one dd of 4x4 bytes: $hits hits (vfs_read $vfs_read)"
    eval "hits_$kind=$hits read_$kind=$vfs_read"
}

t0=$(now_ms)
dd if=/dev/zero of=/dev/null bs=1 count=20000 2>/dev/null
t1=$(now_ms)
fact "bench_glob none: dd of 20000 1-byte reads+writes $((t1 - t0)) ms"

bench k
bench f
bench r
bench fr
rmdir $I || fail "cannot remove the instance"
grep -q "$G/" $T/kprobe_events $T/dynamic_events && fail "events of $G were left"
[ "$hits_k" = "$hits_f" ] || fail "kprobes counted $hits_k hits of dd, fprobes $hits_f"
[ "$hits_r" = "$hits_fr" ] || fail "kretprobes counted $hits_r hits of dd, fprobe exits $hits_fr"
[ "$read_k" -ge 4 ] || fail "vfs_read counted $read_k times for dd count=4"
state_same before "raw kprobes and fprobes"

# ksurf on the same glob: as it chooses, and with a register argument
# (fprobes cannot read registers, so that glob stays kprobes).
reg=$(argreg 0)
for expr in 'p vfs_*' "p vfs_* a=$reg" 'r vfs_*' "r vfs_* a=$reg"; do
    t0=$(now_ms)
    kx 300 "$expr" -- true
    t1=$(now_ms)
    expect_rc0 "ksurf '$expr' -- true"
    fact "bench_glob ksurf '$expr' -- true: $((t1 - t0)) ms"
done
t0=$(now_ms)
kx 60 'p vfs_open' -- true
t1=$(now_ms)
fact "bench_glob ksurf 'p vfs_open' -- true: $((t1 - t0)) ms"
state_same before "ksurf over vfs_*"
pass
