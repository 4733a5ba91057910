#!/bin/bash
# vfs-pressure — the UBC under memory pressure: a 256 MiB guest reads a 320 MiB file (sparse:
# two 4 KiB runs of data, holes elsewhere) through the cache. The cache grows into free memory,
# then recycles its oldest clean pages (through the pageout scan) to keep a reserve free, so the
# read completes, every page is read from the file system once, and the FNV-1a the guest
# prints equals the host's (computed over the holes in closed form: h * p^n).
. "$(dirname "$0")/lib.sh"
boot_scenario vfs-pressure
BOOT_PCI_DEVICES=0
BOOT_ACCEL=tcg
BOOT_TIMEOUT=120
BOOT_APPEND="root=LABEL=pressure"
work=$BOOT_WORKDIR/vfs-pressure
rm -rf "$work" && mkdir -p "$work/tree"
size=$((320 << 20))
hole_data=$((200 << 20))
fnv=$(python3 - "$work/tree/sparse.bin" "$size" "$hole_data" <<'PY'
import sys
path, size, at = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
pat = lambda off, n: bytes(((i * 31 + (i >> 10)) & 0xff) for i in range(off, off + n))
with open(path, "wb") as f:
    f.write(pat(0, 4096))
    f.seek(at)
    f.write(pat(at, 4096))
    f.truncate(size)
P, M, h = 0x100000001B3, 2**64, 0xCBF29CE484222325
def run(h, data):
    for b in data:
        h = ((h ^ b) * P) % M
    return h
h = run(h, pat(0, 4096))
h = h * pow(P, at - 4096, M) % M
h = run(h, pat(at, 4096))
h = h * pow(P, size - at - 4096, M) % M
print("%016x" % h)
PY
)
if ! { truncate -s 16M "$work/ext2.img" &&
	mke2fs -q -F -t ext2 -L pressure -d "$work/tree" "$work/ext2.img" >/dev/null 2>&1 &&
	python3 tests/boot/mkgpt.py "$work/gpt.img" pressure="$work/ext2.img"; }; then
	boot_fail "could not build the GPT disk image"
fi
BOOT_QEMU_EXTRA=(-drive "file=$work/gpt.img,format=raw,if=none,id=disk1"
	-device virtio-blk-pci,drive=disk1)
boot_shell_run "sum /sparse.bin" mem poweroff
boot_answer 1 "^sum: $size bytes fnv1a64 $fnv, 5120 pager reads \\(81920 pages\\)" \
	"the file's checksum, each page read once in 16-page clusters"
boot_finish
