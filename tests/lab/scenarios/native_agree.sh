# -S --native prints the kernel's own typed form of member chains (argument
# names, ->member, $retval typed from BTF) where the kernel types probe
# arguments itself. Armed in one kprobe beside ksurf's compiled offsets, both
# forms must read the same values on the same call of vfs_read (and of its
# return), whoever made the call. Kernels without BTF args (6.1) skip, detected from tracefs README.
# lab-timeout: 240
. /lab/lib.sh

if ! grep -qF '<argname>' $T/README; then
    # ksurf finds the same and refuses --native, naming what is missing.
    kx 60 -S --native 'p vfs_read count=count'
    [ "$KX_RC" = 1 ] || fail "-S --native on a kernel without BTF args: exit $KX_RC, not 1"
    has 'does not type probe arguments itself' || fail "-S --native did not say why it refused"
    skip "this kernel does not type probe arguments itself (no <argname> in tracefs README)"
fi
fact "README BTF fetcharg line: $(grep -F '<argname>' $T/README | sed 's/^[[:space:]]*//')"

file=$PWD/native-lab-file.txt
echo "native lab" >"$file"
entry='p vfs_read pos=file->f_pos name=file->f_path.dentry->d_name.name:string count=count flags=file->f_flags ppos=X%3'
ret='r vfs_read ret=$retval'
kx 60 -S "$entry" "$ret"
expect_rc0 "ksurf -S"
grep -q '^p:ksurf/p0 vfs_read ' "$KX_OUT" || fail "ksurf -S printed no vfs_read probe"
cp "$KX_OUT" compiled.txt
kx 60 -S --native "$entry" "$ret"
need_armed "-S --native"
expect_rc0 "ksurf -S --native"
cp "$KX_OUT" native.txt
grep -q '^p:ksurf/p0 vfs_read pos=file->f_pos name=file->f_path.dentry->d_name.name:string count=count flags=file->f_flags ppos=$arg4:x64$' native.txt ||
    fail "-S --native did not print the kernel's form of the member chains"
grep -q '^r:ksurf/p1 vfs_read ret=$retval$' native.txt || fail "-S --native did not print a bare \$retval"

# One event per probe carrying both forms: c_NAME as ksurf compiles it,
# n_NAME as the kernel types it.
both() { # PROBE(p0|p1) NEWNAME
    c=$(grep "^[pr]:ksurf/$1 " compiled.txt | awk '{for (i = 3; i <= NF; i++) printf " c_%s", $i}')
    n=$(grep "^[pr]:ksurf/$1 " native.txt | awk '{for (i = 3; i <= NF; i++) printf " n_%s", $i}')
    head=$(grep "^[pr]:ksurf/$1 " compiled.txt | awk '{print substr($1, 1, 1) ":labnative/'"$2"' " $2}')
    echo "$head$c$n"
}
tracefs_state >before
I=$T/instances/labnative
cleanup() {
    echo 0 >$I/events/enable 2>/dev/null
    rmdir $I 2>/dev/null
    echo '-:labnative/entry' >>$T/kprobe_events 2>/dev/null
    echo '-:labnative/ret' >>$T/kprobe_events 2>/dev/null
}
for p in "p0 entry" "p1 ret"; do
    set -- $p
    def=$(both "$1" "$2")
    note "armed: $def"
    echo >$T/error_log
    echo "$def" >>$T/kprobe_events || { cat $T/error_log; cleanup; fail "the kernel refused: $def"; }
done
mkdir $I || { cleanup; fail "cannot create an instance"; }
for e in entry ret; do echo 1 >$I/events/labnative/$e/enable; done
# dd reads with read(2) (busybox cat copies with sendfile, not vfs_read).
dd if="$file" of=/dev/null bs=64 2>/dev/null
for e in entry ret; do echo 0 >$I/events/labnative/$e/enable; done
cat $I/trace >trace.txt
cleanup
state_same before "the lab's own probes"
grep -E ' (entry|ret):' trace.txt | head -n 6
# Every c_X=V has n_X=V in the same line.
awk '/ (entry|ret):/ {
        n++
        for (i = 1; i <= NF; i++) {
            eq = index($i, "="); if (!eq) continue
            k = substr($i, 1, eq - 1); v = substr($i, eq + 1)
            if (k ~ /^c_/) c[substr(k, 3)] = v
            if (k ~ /^n_/) m[substr(k, 3)] = v
        }
        for (k in c) { checked++; if (!(k in m) || c[k] != m[k]) { print "MISMATCH " k ": ksurf " c[k] " kernel " m[k]; bad++ } }
        delete c; delete m
     }
     END { print n + 0 " events, " checked + 0 " values compared"; exit bad > 0 || n == 0 }' trace.txt ||
    fail "ksurf's offsets and the kernel's BTF fetchargs disagree (or nothing was recorded)"
grep -q ' entry:.* c_name="native-lab-file.txt"' trace.txt ||
    fail "no vfs_read of the lab file was recorded (name= should be its dentry name)"
grep -q ' ret:.* c_ret=11 ' trace.txt || grep -q ' ret:.* c_ret=11$' trace.txt ||
    fail "no vfs_read return of 11 bytes (the lab file) was recorded"
fact "native vs compiled sample: $(grep -m1 ' entry:.*native-lab-file' trace.txt | sed 's/^ *//')"
pass "ksurf's compiled offsets and the kernel's own BTF fetchargs read the same values"
