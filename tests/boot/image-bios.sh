#!/bin/bash
# image-bios — the cloud image (make image) boots under SeaBIOS: boot.img in the MBR loads
# GRUB's i386-pc core image from the BIOS boot partition, which loads /boot/nimbus.elf by
# Multiboot2; the same checks as image-uefi (tests/boot/image.inc).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/image.inc"
image_scenario bios
