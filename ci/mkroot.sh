#!/bin/bash
# ci/mkroot.sh — the root file system's tree: the directories a Unix user space expects,
# Debian's busybox-static with one relative symbolic link per applet (/sbin/init included: busybox
# init reads /etc/inittab), config/rootfs on top, then any extra trees. `make image` (mkimage.sh)
# and `make run` (run-qemu.sh) turn it into ext2 with mke2fs -d.
#
# Usage: ci/mkroot.sh ROOT-DIR [EXTRA-TREE...]; BUSYBOX names the binary (default /bin/busybox).
# Prints the number of applets linked.
set -euo pipefail

die() {
	echo "mkroot: $*" >&2
	exit 1
}

[ $# -ge 1 ] || die "usage: $0 ROOT-DIR [EXTRA-TREE...]"
root=$1
shift
busybox=${BUSYBOX:-/bin/busybox}
top=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$busybox" ] || die "no busybox at $busybox (Debian package busybox-static)"
"$busybox" --list-full >/dev/null 2>&1 || die "$busybox cannot list its applets"

# The layout a Unix user space expects; init mounts proc, sys and dev over the empty ones.
mkdir -p "$root"/{bin,sbin,boot,dev,etc,proc,sys,tmp,root,run,mnt,var/log,var/tmp} \
	"$root"/usr/{bin,sbin}
chmod 1777 "$root/tmp" "$root/var/tmp"
chmod 700 "$root/root"
cp "$busybox" "$root/bin/busybox"
chmod 755 "$root/bin/busybox"
napplets=0
while IFS= read -r applet; do
	case $applet in
	bin/busybox | "" | /* | *..*) continue ;;
	esac
	dir=$(dirname "$applet")
	up=$(echo "$dir" | sed 's|[^/][^/]*|..|g') # bin -> .., usr/bin -> ../..
	mkdir -p "$root/$dir"
	ln -sf "$up/bin/busybox" "$root/$applet"
	napplets=$((napplets + 1))
done < <("$busybox" --list-full)
[ -L "$root/sbin/init" ] || die "busybox has no init applet: /sbin/init would be missing"
cp -R "$top/config/rootfs/." "$root/"
for t in "$@"; do
	if [ -d "$t" ]; then
		cp -R "$t/." "$root/"
		echo "mkroot: added $t" >&2
	fi
done
echo "$napplets"
