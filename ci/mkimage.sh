#!/bin/bash
# ci/mkimage.sh — build the cloud image (`make image`): a GPT disk that boots Nimbus through GRUB
# and Multiboot2 under UEFI (OVMF) and under BIOS (SeaBIOS), made without loop devices, mounts
# or root, so that it builds in CI. Follows the project's recipe (shared IMAGE.md), GRUB's
# boot.S/diskboot.S for the BIOS block lists, and the UEFI removable-media path
# (\EFI\BOOT\BOOTX64.EFI).
#
# The one idea: every partition is built as its own file by the tool that owns its format
# (mke2fs -d, mkfs.vfat + mtools, grub-mkimage) and then copied into the partitioned sparse file
# at the offset sgdisk reports, so nothing needs a block device.
#
# Layout (sizes from config/image.mk): 1 BIOS boot (EF02, GRUB's i386-pc core image),
# 2 EFI system (EF00, FAT, GRUB x86_64-efi with its config inside), 3 root (8300, ext2 labelled
# IMAGE_ROOT_LABEL: /boot/nimbus.elf, busybox and its applet links, config/rootfs, extra trees).
#
# Usage: ci/mkimage.sh KERNEL.elf OUT.img. The settings come from the environment (make exports
# config/image.mk): IMAGE_SIZE_MB IMAGE_BIOSBOOT_MB IMAGE_ESP_MB IMAGE_ROOT_LABEL IMAGE_CMDLINE
# IMAGE_EXTRA_TREES; BUSYBOX (default /bin/busybox, Debian's busybox-static).
#
# The root tree comes from ci/mkroot.sh (busybox with its applet links and config/rootfs).
set -euo pipefail

die() {
	echo "mkimage: $*" >&2
	exit 1
}

[ $# -eq 2 ] || die "usage: $0 KERNEL.elf OUT.img"
kernel=$1
out=$2
size_mb=${IMAGE_SIZE_MB:-64}
biosboot_mb=${IMAGE_BIOSBOOT_MB:-1}
esp_mb=${IMAGE_ESP_MB:-16}
label=${IMAGE_ROOT_LABEL:-nimbus-root}
cmdline=${IMAGE_CMDLINE:-root=LABEL=$label console=ttyS0 console=hvc0}
busybox=${BUSYBOX:-/bin/busybox}
grub_pc=/usr/lib/grub/i386-pc
grub_efi=/usr/lib/grub/x86_64-efi
top=$(cd "$(dirname "$0")/.." && pwd)

[ -f "$kernel" ] || die "no kernel at $kernel (run make first)"
[ -f "$grub_pc/boot.img" ] || die "no $grub_pc/boot.img (Debian package grub-pc-bin)"
[ -d "$grub_efi" ] || die "no $grub_efi (Debian package grub-efi-amd64-bin)"
for tool in sgdisk mke2fs e2fsck mkfs.vfat mmd mcopy grub-mkimage grub-mkstandalone; do
	command -v "$tool" >/dev/null || die "$tool is missing (run make deps)"
done

work=$out.d
rm -rf "$work"
mkdir -p "$work"

# --- The root tree -------------------------------------------------------------------------
root=$work/root
mkdir -p "$root/boot"
cp "$kernel" "$root/boot/nimbus.elf"
# shellcheck disable=SC2086 # IMAGE_EXTRA_TREES is a list of directories
napplets=$(BUSYBOX=$busybox bash "$top/ci/mkroot.sh" "$root" ${IMAGE_EXTRA_TREES:-}) ||
	die "could not build the root tree"

# --- Partitions ----------------------------------------------------------------------------
raw=$work/disk.raw
truncate -s "${size_mb}M" "$raw"
sgdisk -o \
	-n "1:2048:+${biosboot_mb}M" -t 1:EF02 -c 1:bios \
	-n "2:0:+${esp_mb}M" -t 2:EF00 -c 2:esp \
	-n 3:0:0 -t 3:8300 -c "3:$label" "$raw" >/dev/null ||
	die "sgdisk could not partition the disk (sizes: config/image.mk)"

# part_first N / part_last N: a partition's first and last sector, as sgdisk -i prints them.
part_first() {
	sgdisk -i "$1" "$raw" | awk '/^First sector:/ { print $3 }'
}
part_last() {
	sgdisk -i "$1" "$raw" | awk '/^Last sector:/ { print $3 }'
}
# put FILE N: copy FILE into partition N; it must fit.
put() {
	local first last bytes

	first=$(part_first "$2")
	last=$(part_last "$2")
	bytes=$(stat -c %s "$1")
	[ "$bytes" -le $(((last - first + 1) * 512)) ] ||
		die "$1 ($bytes bytes) does not fit partition $2 (sectors $first-$last)"
	dd if="$1" of="$raw" bs=512 seek="$first" conv=notrunc status=none
}

# --- 3: root file system -------------------------------------------------------------------
root_kib=$((($(part_last 3) - $(part_first 3) + 1) / 2))
# root_owner: the tree belongs to root in the image whoever builds it.
mke2fs -q -F -t ext2 -L "$label" -E root_owner=0:0 -d "$root" "$work/root.img" "${root_kib}k" >/dev/null ||
	die "mke2fs could not build the root file system"
e2fsck -fn "$work/root.img" >"$work/e2fsck.log" 2>&1 ||
	die "e2fsck -fn finds the new root file system damaged (see $work/e2fsck.log)"
put "$work/root.img" 3

# --- GRUB's configuration, one for both firmwares ------------------------------------------
# The root partition is found by its label, so the same file serves the EFI and BIOS GRUBs
# whichever disk the firmware calls it.
cat >"$work/grub.cfg" <<EOF
set timeout=0
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
search --no-floppy --label $label --set=root
multiboot2 /boot/nimbus.elf $cmdline
boot
EOF
modules="part_gpt ext2 search search_label serial multiboot2 normal"

# --- 2: EFI system partition ---------------------------------------------------------------
grub-mkstandalone -O x86_64-efi -o "$work/BOOTX64.EFI" --modules="$modules" \
	--install-modules="$modules configfile" --fonts= --locales= --themes= \
	"boot/grub/grub.cfg=$work/grub.cfg" || die "grub-mkstandalone (x86_64-efi) failed"
rm -f "$work/esp.img"
mkfs.vfat -n ESP -C "$work/esp.img" $((esp_mb * 1024)) >/dev/null ||
	die "mkfs.vfat could not build the EFI system partition"
mmd -i "$work/esp.img" ::/EFI ::/EFI/BOOT
mcopy -i "$work/esp.img" "$work/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI
put "$work/esp.img" 2

# --- 1: BIOS boot partition and the MBR ----------------------------------------------------
# GRUB's core image with a memdisk holding grub.cfg as its prefix, so it needs nothing from the
# ESP; boot.img in the MBR loads its first sector (diskboot), which loads the rest by the
# block list in its last bytes, as grub-bios-setup would write them.
mkdir -p "$work/memdisk/boot/grub"
cp "$work/grub.cfg" "$work/memdisk/boot/grub/grub.cfg"
tar -C "$work/memdisk" -cf "$work/memdisk.tar" boot
# shellcheck disable=SC2086 # $modules is a list of module names
grub-mkimage -O i386-pc -o "$work/core.img" -p '(memdisk)/boot/grub' -m "$work/memdisk.tar" \
	biosdisk $modules memdisk tar configfile || die "grub-mkimage (i386-pc) failed"
put "$work/core.img" 1
python3 - "$raw" "$grub_pc/boot.img" "$work/core.img" "$(part_first 1)" <<'EOF' ||
import struct, sys

raw, boot_img, core_img, core_lba = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
boot = bytearray(open(boot_img, "rb").read())
core_size = len(open(core_img, "rb").read())
if len(boot) != 512 or core_size <= 512:
    sys.exit("boot.img or core.img has an unexpected size")
# boot.S: GRUB_BOOT_MACHINE_KERNEL_SECTOR (0x5c), the LBA of core.img's first sector.
boot[0x5c:0x64] = struct.pack("<Q", core_lba)
with open(raw, "r+b") as f:
    mbr = bytearray(f.read(512))
    if mbr[510:512] != b"\x55\xaa":
        sys.exit("the disk has no protective MBR to patch")
    # Code only: bytes 440..509 (disk signature, protective partition table) stay sgdisk's.
    mbr[0:440] = boot[0:440]
    f.seek(0)
    f.write(mbr)
    # diskboot.S: the block list ends the sector: start LBA (0x1f4), sector count (0x1fc),
    # load segment (0x1fe, kept). One run covers the rest of core.img.
    f.seek(core_lba * 512)
    first = bytearray(f.read(512))
    first[0x1F4:0x1FC] = struct.pack("<Q", core_lba + 1)
    first[0x1FC:0x1FE] = struct.pack("<H", (core_size + 511) // 512 - 1)
    f.seek(core_lba * 512)
    f.write(first)
EOF
	die "could not write GRUB's boot.img and block list"

sgdisk -v "$raw" >"$work/sgdisk-verify.log" 2>&1 ||
	die "sgdisk -v finds the partition table damaged (see $work/sgdisk-verify.log)"
mv "$raw" "$out"
echo "mkimage: $out: ${size_mb} MiB GPT, root ${root_kib} KiB ext2 '$label'," \
	"$napplets busybox applets, core.img $(($(stat -c %s "$work/core.img") / 1024)) KiB"
