#!/usr/bin/env python3
"""seeds.py — write the fuzz tier's seed inputs into tests/fuzz/corpus/<name>/.

Seeds are well-formed inputs the fuzzers start from, so that their mutations begin deep inside
the parsers instead of at the first magic-number check. Each is built here from the format's
definition (Xen arch-x86/hvm/start_info.h; Multiboot2 spec section 3.6; the command-line syntax
in ARCHITECTURE.md), not captured from a machine. Run it again after changing it; the files are
committed so that `make check-fuzz` needs no Python.

The harnesses take byte 0 as the structure's offset in the fake memory that follows it.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, seed, data):
    d = os.path.join(HERE, "corpus", name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, seed), "wb") as f:
        f.write(data)


def pvh(version, offset=0):
    # Memory (from address 0): [start_info @ offset][cmdline @ 0x80][modlist @ 0x100]
    # [module cmdline @ 0x180][memmap @ 0x200].
    mem = bytearray(0x300)
    si = struct.pack("<IIIIQQQ", 0x336ec578, version, 0, 2, 0x100, 0x80, 0xf5a40)
    if version >= 1:
        si += struct.pack("<QII", 0x200, 4, 0)
    mem[offset:offset + len(si)] = si
    cmd = b"console=ttyS0 ktest=all root=/dev/vda\0"
    mem[0x80:0x80 + len(cmd)] = cmd
    mods = struct.pack("<QQQQ", 0x2000000, 0x1000, 0x180, 0)
    mods += struct.pack("<QQQQ", 0x3000000, 0x200, 0, 0)
    mem[0x100:0x100 + len(mods)] = mods
    mem[0x180:0x180 + 7] = b"initrd\0"
    mmap = b"".join(struct.pack("<QQII", a, s, t, 0) for a, s, t in [
        (0, 0x9fc00, 1), (0x9fc00, 0x400, 2), (0x100000, 0xfee0000, 1),
        (0xffe0000, 0x20000, 3)])
    mem[0x200:0x200 + len(mmap)] = mmap
    return bytes([offset]) + bytes(mem)


def mb2_tag(t, body):
    tag = struct.pack("<II", t, 8 + len(body)) + body
    return tag + b"\0" * (-len(tag) % 8)


def mb2():
    rsdp1 = b"RSD PTR " + bytes(12)
    rsdp2 = b"RSD PTR " + bytes([0] * 7 + [2]) + bytes(20)
    mmap = struct.pack("<II", 24, 0) + b"".join(
        struct.pack("<QQII", a, s, t, 0)
        for a, s, t in [(0, 0x9fc00, 1), (0x100000, 0x7ee0000, 1), (0xfeffc000, 0x4000, 2)])
    tags = (mb2_tag(1, b"ktest=all console=ttyS0\0") + mb2_tag(2, b"GRUB 2.06\0") +
            mb2_tag(3, struct.pack("<II", 0x2000000, 0x2001000) + b"initrd\0") +
            mb2_tag(6, mmap) + mb2_tag(14, rsdp1) + mb2_tag(15, rsdp2) + mb2_tag(0, b""))
    return bytes([0]) + struct.pack("<II", 8 + len(tags), 0) + tags


write("bootinfo_pvh", "v1", pvh(1))
write("bootinfo_pvh", "v0", pvh(0))
write("bootinfo_pvh", "v1-offset3", pvh(1, 3))
write("bootinfo_mb2", "grub", mb2())
write("cmdline", "typical", b"console=ttyS0 console=hvc0 root=/dev/vda1 init=/sbin/init quiet")
write("cmdline", "quotes", b'init="/bin/sh -c \'echo hi\'" ktest=vm_page,fault loglevel=0x7 x=')
write("cmdline", "odd", b'=v a=b=c "k k"=v\tq\n r="unterminated')


def mach_msg(bits, remote, local, msg_id, descs=None, data=b""):
    # mach_msg_header_t, then (complex) a body and 12-byte port descriptors (<mach/message.h>).
    body = b""
    if descs is not None:
        bits |= 0x80000000
        body = struct.pack("<I", len(descs)) + b"".join(
            struct.pack("<IIHBB", name, 0, 0, disp, 0) for name, disp in descs)
    size = 24 + len(body) + len(data)
    return struct.pack("<IIIIIi", bits, size, remote, local, 0, msg_id) + body + data


# Names in ipc_kmsg_fuzz.c's space A: 0x100 receive+send, 0x200 receive, 0x300 send, 0x400
# send-once, 0x500 port set, 0x600 dead name. Dispositions: 16 MOVE_RECEIVE ... 21 MAKE_SEND_ONCE.
write("ipc_kmsg", "simple", mach_msg(19, 0x300, 0, 1, data=b"\0" * 8))
write("ipc_kmsg", "rpc", mach_msg(19 | 21 << 8, 0x300, 0x200, 2))
write("ipc_kmsg", "send-once", mach_msg(18, 0x400, 0, 3))
write("ipc_kmsg", "descriptors", mach_msg(17, 0x300, 0, 4, [(0x200, 16), (0x100, 19), (0x100, 20),
                                                             (0x400, 18), (0, 17)]))
write("ipc_kmsg", "to-self", mach_msg(20, 0x100, 0x100, 5, [(0x200, 21)]))
