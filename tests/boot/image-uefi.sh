#!/bin/bash
# image-uefi — the cloud image (make image) boots under OVMF: the firmware runs GRUB from the
# EFI system partition (\EFI\BOOT\BOOTX64.EFI), GRUB finds the root by its label and loads
# /boot/nimbus.elf by Multiboot2; the kernel must find the disk's three partitions and reach
# the boot-complete line; e2fsck -fn checks the root afterwards (tests/boot/image.inc).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/image.inc"
image_scenario uefi
