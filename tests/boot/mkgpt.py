#!/usr/bin/env python3
"""mkgpt.py — build a GPT disk image without root and without partitioning tools.

    mkgpt.py OUT.img LABEL=FILE|LABEL=SIZE_MiB|LABEL=SIZE_MiB:swap ...

Each argument is one partition, in order, aligned to 1 MiB: LABEL=FILE copies FILE into it (its
size rounded up to a MiB), LABEL=N makes an empty N MiB partition. All get the Linux filesystem
data type GUID, except N:swap partitions, which get the Linux swap type GUID. Writes a
protective MBR, the primary header and entry array, and the backup
array and header (UEFI 2.10 §5.3), with their CRC32s. Used by tests/boot/storage.sh.
"""
import os
import struct
import sys
import uuid
import zlib

BS = 512
MIB = 1 << 20
NENT = 128
LINUX_FS = uuid.UUID("0fc63daf-8483-4772-8e79-3d69d8477de4")
LINUX_SWAP = uuid.UUID("0657fd6d-a4ab-43c4-84e5-0933c84b4f4f")


def main():
    out, specs = sys.argv[1], sys.argv[2:]
    parts, lba = [], MIB // BS
    for spec in specs:
        label, _, what = spec.partition("=")
        what, _, kind = what.partition(":")
        ptype = LINUX_SWAP if kind == "swap" else LINUX_FS
        if what.isdigit():
            data, size = None, int(what) * MIB
        else:
            data = open(what, "rb").read()
            size = (len(data) + MIB - 1) // MIB * MIB
        parts.append((label, data, lba, lba + size // BS - 1, ptype))
        lba += size // BS
    nlba = lba + MIB // BS
    array_blocks = NENT * 128 // BS
    disk = bytearray(nlba * BS)
    disk[446 + 4] = 0xEE
    struct.pack_into("<II", disk, 446 + 8, 1, min(nlba - 1, 0xFFFFFFFF))
    disk[510:512] = b"\x55\xaa"
    arr = bytearray(NENT * 128)
    for i, (label, data, first, last, ptype) in enumerate(parts):
        e = ptype.bytes_le + uuid.uuid5(uuid.NAMESPACE_URL, "nimbus/%s/%d" % (label, i)).bytes_le
        e += struct.pack("<QQQ", first, last, 0) + label.encode("utf-16le").ljust(72, b"\0")
        arr[i * 128:(i + 1) * 128] = e
        if data:
            disk[first * BS:first * BS + len(data)] = data
    acrc = zlib.crc32(arr)
    disk_guid = uuid.uuid5(uuid.NAMESPACE_URL, "nimbus/" + os.path.basename(out)).bytes_le
    for my, alt, al in ((1, nlba - 1, 2), (nlba - 1, 1, nlba - 1 - array_blocks)):
        disk[al * BS:al * BS + len(arr)] = arr
        h = bytearray(BS)
        struct.pack_into("<8sIIIIQQQQ16sQIII", h, 0, b"EFI PART", 0x10000, 92, 0, 0, my, alt,
                         2 + array_blocks, nlba - 2 - array_blocks, disk_guid, al, NENT, 128,
                         acrc)
        struct.pack_into("<I", h, 16, zlib.crc32(h[:92]))
        disk[my * BS:(my + 1) * BS] = h
    with open(out, "wb") as f:
        f.write(disk)


if __name__ == "__main__":
    main()
