#!/bin/sh
# Builds the lab's initramfs (cpio newc, gzip): busybox-static with its applet
# links, ksurf with the shared libraries it links (from ldd) and the dynamic
# loader, the init script, the scenario helpers and the scenarios.
#
#   mkinitramfs.sh OUT.gz KSURF_BINARY LAB_SOURCE_DIR
set -eu

out=$1
ksurf=$2
src=$3

BUSYBOX=${KSURF_LAB_BUSYBOX:-/bin/busybox}
[ -x "$BUSYBOX" ] || { echo "mkinitramfs: $BUSYBOX missing (apt-get install busybox-static)" >&2; exit 1; }
if ldd "$BUSYBOX" >/dev/null 2>&1; then
    echo "mkinitramfs: $BUSYBOX is dynamically linked; the lab needs busybox-static" >&2
    exit 1
fi
[ -x "$ksurf" ] || { echo "mkinitramfs: ksurf binary $ksurf missing" >&2; exit 1; }

root=$(mktemp -d "${out}.root.XXXXXX")
trap 'rm -rf "$root"' EXIT

mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" "$root/lib64" \
    "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/run" "$root/etc" "$root/root" "$root/lab"
cp "$BUSYBOX" "$root/bin/busybox"
for applet in $("$BUSYBOX" --list-full); do
    [ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done

# ksurf and the libraries it links, at the paths the loader looks for them.
# Debug info is stripped from the copies: it is most of their size.
copy_elf() {
    mkdir -p "$root$(dirname "$2")"
    cp -L "$1" "$root$2"
    strip --strip-debug "$root$2" 2>/dev/null || true
}
copy_elf "$ksurf" /usr/bin/ksurf
ldd "$ksurf" | awk '/=> \// {print $3} /^[[:space:]]*\// {print $1}' | sort -u |
    while read -r lib; do copy_elf "$lib" "$lib"; done
[ -e "$root/lib64/ld-linux-x86-64.so.2" ] || copy_elf /lib64/ld-linux-x86-64.so.2 /lib64/ld-linux-x86-64.so.2

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
