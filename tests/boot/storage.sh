#!/bin/bash
# storage — a second virtio-blk disk with a GPT (tests/boot/mkgpt.py, no root, no partitioning
# tool) whose first partition, "nimbus-ext2", is an ext2 image made by `mke2fs -t ext2 -d` from
# a small tree written here, and a second, empty one. The kernel must publish IOMedia nubs for
# both partitions under an IOPartitionScheme, and the storage ktests must mount the ext2
# partition through its IOMedia and read the files back (they skip, and this scenario fails,
# if the partition is missing). The read rates are printed as figures, not judged.
. "$(dirname "$0")/lib.sh"
boot_scenario storage
BOOT_ACCEL=tcg
BOOT_TIMEOUT=90
BOOT_APPEND="ktest=all root=LABEL=nimbus-ext2"
tree=$BOOT_WORKDIR/storage-tree
rm -rf "$tree" && mkdir -p "$tree/etc" "$tree/dev" "$tree/proc"
printf 'hello from the host disk\n' >"$tree/hello.txt"
printf 'nimbus' >"$tree/etc/motd"
ln -s etc/motd "$tree/link"
# big.bin: byte i is (i * 31 + (i >> 10)) & 0xff, as bsd/fs/ext2/ext2_ktest.c checks.
python3 -c '
import sys
n = 2 * 1024 * 1024 + 123
sys.stdout.buffer.write(bytes(((i * 31 + (i >> 10)) & 0xff) for i in range(n)))' >"$tree/big.bin"
ext2=$BOOT_WORKDIR/storage-ext2.img
gpt=$BOOT_WORKDIR/storage-gpt.img
rm -f "$ext2" "$gpt"
if ! { truncate -s 6M "$ext2" &&
	mke2fs -q -F -t ext2 -b 1024 -L nimbus-ext2 -d "$tree" "$ext2" >/dev/null 2>&1 &&
	python3 tests/boot/mkgpt.py "$gpt" nimbus-ext2="$ext2" spare=1; }; then
	boot_fail "could not build the GPT disk image"
fi
BOOT_QEMU_EXTRA=(-drive "file=$gpt,format=raw,if=none,id=disk1"
	-device virtio-blk-pci,drive=disk1)
boot_run
boot_expect '^iomedia vdb: GPT, 2 partitions$' "the GPT on the second disk"
boot_expect '^iomedia vdb1: partition 1, 6144 KiB at 1048576, label nimbus-ext2$' \
	"the ext2 partition's nub"
boot_expect '^iomedia vdb2: partition 2, 1024 KiB at 7340032, label spare$' "the spare partition"
boot_expect '^ok [0-9]+ - storage_partition_nubs$' "the partition ktest (ran, not skipped)"
boot_expect '^ok [0-9]+ - storage_ext2_reads_files$' "the ext2 ktest (ran, not skipped)"
boot_expect '^#   hello.txt \(inode' "the root listing names hello.txt"
boot_expect '^vfs: mounted /dev/vdb1 on / \(ext2' "the partition mounted as the root"
boot_expect '^ok [0-9]+ - vfs_ubc_read_cold_warm_purge$' "the UBC ktest (ran, not skipped)"
boot_expect '^ok [0-9]+ - vfs_devfs_nodes$' "the devfs ktest (ran, not skipped)"
boot_expect '^ok [0-9]+ - vfs_ubc_mmap_coherence$' "the mmap coherence ktest (ran, not skipped)"
boot_expect '^ok [0-9]+ - procfs_mount_meminfo_drop_caches$' "the procfs ktest (ran, not skipped)"
boot_finish
