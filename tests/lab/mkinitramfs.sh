#!/bin/sh
# Builds the lab's initramfs (cpio newc, gzip): busybox-static with its applet
# links, ksurf with the shared libraries it links and the dynamic loader, the
# init script, the scenario helpers and the scenarios. A ksurf of the host's
# architecture gets its libraries from ldd; a cross-built one (aarch64) from
# readelf -d, found among the host's multiarch copies of that architecture's
# libraries (Debian's :arm64 packages), since ldd cannot run it.
#
#   mkinitramfs.sh OUT.gz KSURF_BINARY LAB_SOURCE_DIR
set -eu

out=$1
ksurf=$2
src=$3

BUSYBOX=${KSURF_LAB_BUSYBOX:-/bin/busybox}
[ -x "$BUSYBOX" ] || { echo "mkinitramfs: $BUSYBOX missing (apt-get install busybox-static)" >&2; exit 1; }
if readelf -lW "$BUSYBOX" 2>/dev/null | grep -q 'INTERP'; then
    echo "mkinitramfs: $BUSYBOX is dynamically linked; the lab needs busybox-static" >&2
    exit 1
fi
[ -x "$ksurf" ] || { echo "mkinitramfs: ksurf binary $ksurf missing" >&2; exit 1; }

root=$(mktemp -d "${out}.root.XXXXXX")
trap 'rm -rf "$root"' EXIT

mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" "$root/lib64" \
    "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/run" "$root/etc" "$root/root" "$root/lab"
cp "$BUSYBOX" "$root/bin/busybox"
# A foreign busybox cannot run here to list its applets; the host's list is
# the same program's (both Debian's busybox-static of the same version).
applets=$("$BUSYBOX" --list-full 2>/dev/null || /bin/busybox --list-full)
for applet in $applets; do
    [ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done

# ksurf and the libraries it links, at the paths the loader looks for them.
# Debug info is stripped from the copies: it is most of their size.
machine=$(readelf -hW "$ksurf" | sed -n 's/^ *Machine: *//p')
case $machine in
AArch64) multiarch=aarch64-linux-gnu ;;
*X86-64*) multiarch=x86_64-linux-gnu ;;
*) echo "mkinitramfs: ksurf is for '$machine', which the lab does not boot" >&2; exit 1 ;;
esac
strip=strip
command -v "$multiarch-strip" >/dev/null && strip=$multiarch-strip
copy_elf() {
    mkdir -p "$root$(dirname "$2")"
    cp -L "$1" "$root$2"
    $strip --strip-debug "$root$2" 2>/dev/null || true
}
copy_elf "$ksurf" /usr/bin/ksurf
interp=$(readelf -lW "$ksurf" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
[ -n "$interp" ] || { echo "mkinitramfs: $ksurf names no program interpreter" >&2; exit 1; }
[ -e "$interp" ] || { echo "mkinitramfs: its loader $interp is not on this machine (libc6:${multiarch%%-*})" >&2; exit 1; }
if [ "$multiarch" = "$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)" ]; then
    ldd "$ksurf" | awk '/=> \// {print $3} /^[[:space:]]*\// {print $1}' | sort -u |
        while read -r lib; do copy_elf "$lib" "$lib"; done
else
    # NEEDED entries, breadth first, each looked up where Debian's multiarch
    # packages put that architecture's libraries.
    find_lib() {
        for d in /lib/$multiarch /usr/lib/$multiarch; do
            [ -e "$d/$1" ] && { echo "$d/$1"; return 0; }
        done
        return 1
    }
    todo=$(readelf -dW "$ksurf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
    seen=" "
    while [ -n "$todo" ]; do
        next=""
        for n in $todo; do
            case $seen in *" $n "*) continue ;; esac
            seen="$seen$n "
            lib=$(find_lib "$n") || { echo "mkinitramfs: $n (needed by ksurf) not in /lib/$multiarch or /usr/lib/$multiarch" >&2; exit 1; }
            copy_elf "$lib" "$lib"
            next="$next $(readelf -dW "$lib" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')"
        done
        todo=$next
    done
fi
[ -e "$root$interp" ] || copy_elf "$interp" "$interp"

printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
printf '127.0.0.1 localhost\n' >"$root/etc/hosts"

cp "$src/init" "$root/init"
chmod 755 "$root/init"
cp "$src/lib.sh" "$root/lab/lib.sh"
mkdir -p "$root/lab/scenarios"
cp "$src"/scenarios/*.sh "$root/lab/scenarios/"

(cd "$root" && find . -print | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
