#!/bin/sh
# The lab's ctest fixture for one kernel flavour: fetch (or reuse) the Debian
# kernel, build the initramfs, boot it once under QEMU (TCG) to run every
# scenario, and split
# the console into one result per scenario in OUT_DIR/results/:
#   <name>.result   "PASS|FAIL|SKIP reason"
#   <name>.out      the scenario's output
# plus OUT_DIR/console.log, OUT_DIR/lab-facts.txt (the FACT lines) and
# OUT_DIR/results/SKIP-ALL when the lab cannot run here (then exit 77).
#
#   run-lab.sh OUT_DIR KSURF_BINARY LAB_SOURCE_DIR [FLAVOUR]
# FLAVOUR is 6.1 (default), 6.12 (both x86_64) or arm64 (aarch64, 6.12; then
# KSURF_BINARY is the cross-built aarch64 ksurf, see scripts/setup).
# Environment: KSURF_LAB_ONLY="a b" runs only those scenarios;
# KSURF_LAB_TIMEOUT (s, default 1380) bounds the QEMU run; KSURF_LAB_DEBUG=1
# streams each scenario's traced output (sh -x) to the console as it runs.
set -u

out=$1
ksurf=$2
src=$3
flavour=${4:-6.1}
res=$out/results
timeout_s=${KSURF_LAB_TIMEOUT:-1380}

rm -rf "$res"
mkdir -p "$res"
now() { date +%s; }
t_start=$(now)

skip_all() {
    echo "$*" >"$res/SKIP-ALL"
    echo "SKIP: $*"
    exit 77
}

case $flavour in
arm64)
    qemu=qemu-system-aarch64
    qemu_pkg=qemu-system-arm
    # virt board, PL011 console. -cpu max with the QEMU-defined pointer
    # authentication: the architected one (QARMA) costs TCG dearly and the
    # kernel signs every return address with it.
    machine="-M virt -cpu ${KSURF_LAB_CPU:-max,pauth-impdef=on}"
    console=ttyAMA0
    ;;
*)
    qemu=qemu-system-x86_64
    qemu_pkg=qemu-system-x86
    machine="-cpu ${KSURF_LAB_CPU:-max}"
    console=ttyS0
    ;;
esac
command -v $qemu >/dev/null || skip_all "$qemu not installed (apt-get install $qemu_pkg)"
# The aarch64 ksurf is cross-built by scripts/setup (KSURF_ARCH=arm64 build);
# when that could not be done, it left the reason beside where the binary goes.
if [ ! -x "$ksurf" ]; then
    why=$(cat "$(dirname "$ksurf")/CROSS-BUILD-SKIPPED" 2>/dev/null)
    hint="cmake --build the host build first"
    [ "$flavour" = arm64 ] && hint="build it with KSURF_ARCH=arm64 scripts/setup build"
    skip_all "no ksurf binary for the $flavour guest at $ksurf: ${why:-$hint}"
fi

kdir=$("$src/fetch-kernel.sh" "$flavour" | tail -n 1)
case $kdir in
SKIP:*) skip_all "kernel lab: ${kdir#SKIP: }" ;;
/*) ;;
*) skip_all "kernel lab: fetch-kernel.sh gave no kernel" ;;
esac
t_fetched=$(now)
echo "kernel: $(cat "$kdir/package" 2>/dev/null) ($((t_fetched - t_start)) s to find or fetch)"

busybox=/bin/busybox
[ -x "$kdir/busybox" ] && busybox=$kdir/busybox   # the guest architecture's own
KSURF_LAB_BUSYBOX=$busybox "$src/mkinitramfs.sh" "$out/initrd.gz" "$ksurf" "$src" || { echo "FAIL: cannot build the initramfs"; exit 1; }
echo "initramfs: $(du -k "$out/initrd.gz" | cut -f1) KiB"

append="console=$console quiet panic=-1"
if [ -n "${KSURF_LAB_ONLY:-}" ]; then
    echo "$KSURF_LAB_ONLY" >"$res/ONLY"
    append="$append ksurf_lab_only=$(echo "$KSURF_LAB_ONLY" | tr ' ' ',')"
fi

[ -n "${KSURF_LAB_DEBUG:-}" ] && append="$append ksurf_lab_debug"
[ -n "${KSURF_LAB_VERBOSE:-}" ] && append="$append ksurf_lab_verbose"

t_boot=$(now)
# KVM does not work on these machines; TCG does. Multi-threaded TCG
# (thread=multi, the default for -smp 2) livelocks now and then while the
# kernel patches its own text on both CPUs (enabling the function tracer
# stalled RCU in 2 of 10 boots); one thread running both vCPUs did not, in 8
# of 8. -no-reboot turns the kernel's panic (init died) into QEMU exiting.
# shellcheck disable=SC2086 # $machine is a list of options
timeout -s KILL "$timeout_s" $qemu -accel "${KSURF_LAB_ACCEL:-tcg,thread=single}" $machine -m 1024 -smp "${KSURF_LAB_SMP:-2}" \
    -nographic -no-reboot -nic none \
    -kernel "$kdir/vmlinuz" -initrd "$out/initrd.gz" -append "$append" \
    </dev/null >"$out/console.log" 2>&1
qrc=$?
t_end=$(now)
# CPU time QEMU took (children's user + system time, as `times` prints it):
# the lab's cost on an idle machine, whatever else this one was running.
cpu_s=$(times | tail -n 1 | awk '{
    n = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); sub("s", "", p[2]); n += p[1] * 60 + p[2] }
    printf "%.0f", n }')

# Serial lines end in CR LF.
tr -d '\r' <"$out/console.log" >"$out/console.txt"
awk -v res="$res" '
    /^KSURF-LAB-BEGIN / { name = $2; f = res "/" name ".out"; printf "" > f; inside = 1; next }
    /^KSURF-LAB-END /   { inside = 0; close(f); next }
    inside              { print > f; next }
    /^KSURF-LAB-RESULT / {
        r = res "/" $2 ".result"
        line = $3; for (i = 4; i <= NF; i++) line = line " " $i
        print line > r; close(r); next
    }
' "$out/console.txt"
# Cores of a crashed ksurf: decode, and append a backtrace to the scenario's
# output when gdb is here (the guest's copy is the host binary, stripped).
awk -v res="$res" '
    /^KSURF-LAB-CORE-END/ { inside = 0; close(f); next }
    /^KSURF-LAB-CORE / { f = res "/" $2 "." $3 ".b64"; printf "" > f; inside = 1; next }
    inside { print > f }
' "$out/console.txt"
for b in "$res"/*.b64; do
    [ -e "$b" ] || continue
    core=${b%.b64}
    base64 -d <"$b" | gunzip >"$core" 2>/dev/null
    rm -f "$b"
    name=$(basename "$core" | cut -d. -f1)
    {
        echo "--- ksurf crashed: core $(basename "$core") kept in $res ---"
        gdb=gdb
        # The host's gdb reads only x86_64 cores; gdb-multiarch reads aarch64 ones.
        [ "$flavour" = arm64 ] && gdb=gdb-multiarch
        if command -v $gdb >/dev/null; then
            $gdb -batch -nx -ex 'set pagination off' -ex 'thread apply all bt' "$ksurf" "$core" 2>&1 |
                grep -E '^(#|Thread|Program terminated)' | head -n 60
        else
            echo "(install $gdb for a backtrace: $gdb $ksurf $core)"
        fi
    } >>"$res/$name.out"
done
grep -h '^FACT ' "$res"/*.out 2>/dev/null | sed 's/^FACT //' >"$out/lab-facts.txt"

# The BIOS's last escape sequences can share a line with the first marker.
started=$(sed -n 's/.*KSURF-LAB-START [^ ]* //p' "$out/console.txt")
done_at=$(sed -n 's/^KSURF-LAB-DONE //p' "$out/console.txt")
echo "qemu: exit $qrc after $((t_end - t_boot)) s (all children so far: $cpu_s s of CPU); guest reached init at ${started:-?} s, finished scenarios at ${done_at:-?} s of uptime"
echo "lab: $((t_end - t_start)) s in all"
for r in "$res"/*.result; do
    [ -e "$r" ] && echo "  $(basename "$r" .result): $(cat "$r")"
done
[ -s "$out/lab-facts.txt" ] && { echo "facts:"; sed 's/^/  /' "$out/lab-facts.txt"; }

if [ -z "$done_at" ]; then
    echo "--- console tail ---"
    tail -n 40 "$out/console.txt"
    if [ "$qrc" = 137 ]; then
        echo "FAIL: the lab did not finish within $timeout_s s; QEMU was killed"
    else
        echo "FAIL: the lab stopped before running every scenario (QEMU exit $qrc)"
    fi
    exit 1
fi
exit 0
