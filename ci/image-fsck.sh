#!/bin/bash
# ci/image-fsck.sh — check the cloud image's root file system on the host after a guest ran on
# it: find the GPT partition named like the root label (config/image.mk), copy it out of the
# disk (any format qemu-img reads: the qcow2, an overlay, the raw image) and run `e2fsck -fn`
# on the copy, which changes nothing and fails on any inconsistency.
#
# The one idea: work on a raw copy, never the image itself, so a check cannot race or repair
# what a guest or libvirt still holds, and no loop device or mount is needed.
#
# Usage: [IMAGE_FSCK_DEBUGFS=request] ci/image-fsck.sh IMAGE [LABEL]; exits 0 when e2fsck finds the file system clean,
# 1 otherwise, with what it found on stderr. The copies live in a temporary folder.
set -euo pipefail

image=${1:?usage: ci/image-fsck.sh IMAGE [LABEL]}
label=${2:-${IMAGE_ROOT_LABEL:-nimbus-root}}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nimbus-fsck.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "image-fsck: $*" >&2
	exit 1
}

qemu-img convert -O raw "$image" "$tmp/disk.raw" || fail "qemu-img cannot read $image"
# sgdisk -p: "Number Start End Size Unit Code Name"; the partition whose name is the label.
part=$(sgdisk -p "$tmp/disk.raw" 2>/dev/null |
	awk -v l="$label" '$1 ~ /^[0-9]+$/ && $NF == l { print $1; exit }')
[ -n "$part" ] || fail "$image has no GPT partition named $label"
first=$(sgdisk -i "$part" "$tmp/disk.raw" | awk '/^First sector:/ { print $3 }')
last=$(sgdisk -i "$part" "$tmp/disk.raw" | awk '/^Last sector:/ { print $3 }')
dd if="$tmp/disk.raw" of="$tmp/root.img" bs=512 skip="$first" count=$((last - first + 1)) \
	status=none
rm -f "$tmp/disk.raw"
fslabel=$(e2label "$tmp/root.img" 2>/dev/null) || fail "partition $part holds no ext2 file system"
[ "$fslabel" = "$label" ] || fail "partition $part's file system is labelled '$fslabel', not $label"
if ! e2fsck -fn "$tmp/root.img" >"$tmp/e2fsck.log" 2>&1; then
	cat "$tmp/e2fsck.log" >&2
	fail "e2fsck -fn finds partition $part of $image damaged"
fi
echo "image-fsck: $image partition $part ($label): $(tail -n 1 "$tmp/e2fsck.log")"
# IMAGE_FSCK_DEBUGFS: a debugfs request run on the checked copy (e.g. "cat /root/f"); its
# output follows on stdout, so a caller can read back what a guest wrote.
if [ -n "${IMAGE_FSCK_DEBUGFS:-}" ]; then
	debugfs -R "$IMAGE_FSCK_DEBUGFS" "$tmp/root.img" 2>/dev/null ||
		fail "debugfs -R '$IMAGE_FSCK_DEBUGFS' failed on partition $part"
fi
