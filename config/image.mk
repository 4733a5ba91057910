# config/image.mk — the cloud image's layout (`make image`, ci/mkimage.sh).
#
# A GPT disk: a BIOS boot partition (GRUB's i386-pc core image), an EFI system partition
# (FAT, GRUB for x86_64-efi) and an ext2 root file system labelled IMAGE_ROOT_LABEL that takes
# the rest of the disk. Sizes in MiB; the disk file is sparse, so unused space costs nothing.
IMAGE_SIZE_MB     ?= 64
IMAGE_BIOSBOOT_MB ?= 1
IMAGE_ESP_MB      ?= 16
IMAGE_ROOT_LABEL  ?= nimbus-root

# The kernel command line GRUB gives the kernel (ARCHITECTURE.md, "Interfaces").
IMAGE_CMDLINE     ?= root=LABEL=$(IMAGE_ROOT_LABEL) console=ttyS0 console=hvc0

# Directories copied over the root tree after busybox and config/rootfs (later: the
# project's own programs from user/, installed under $(BUILD)/user-root). Missing ones are
# skipped.
IMAGE_EXTRA_TREES ?= $(BUILD)/user-root
