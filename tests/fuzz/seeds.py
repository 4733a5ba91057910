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


# net_input: byte 0 bit 0 = interface configured as 10.0.2.15; then [len16 BE, clock step,
# frame]. Frames are built from RFC 826/791/792/768/2131 layouts.
def cksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


US_MAC = bytes.fromhex("525400123456")
GW_MAC = bytes.fromhex("52550a000202")
US_IP, GW_IP = bytes([10, 0, 2, 15]), bytes([10, 0, 2, 2])


def eth(dst, ty, payload):
    return dst + GW_MAC + struct.pack("!H", ty) + payload


def ipv4(proto, src, dst, payload, frag=0):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, frag, 64, proto, 0, src, dst)
    return h[:10] + struct.pack("!H", cksum(h)) + h[12:] + payload


def udp(src, dst, sport, dport, data):
    u = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    ph = src + dst + struct.pack("!BBH", 0, 17, len(u))
    return u[:6] + struct.pack("!H", cksum(ph + u) or 0xffff) + u[8:]


def rec(frame, step=1):
    return struct.pack("!HB", len(frame), step) + frame


def net_frames():
    arp_req = eth(b"\xff" * 6, 0x0806, struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1,
                                                     GW_MAC, GW_IP, bytes(6), US_IP))
    icmp = b"\x08\x00\x00\x00\x12\x34\x00\x01" + bytes(range(32))
    icmp = icmp[:2] + struct.pack("!H", cksum(icmp)) + icmp[4:]
    echo = eth(US_MAC, 0x0800, ipv4(1, GW_IP, US_IP, icmp))
    boot = bytearray(236)
    boot[0:3] = b"\x02\x01\x06"
    boot[4:8] = bytes([1, 2, 3, 4])
    boot[16:20] = US_IP
    boot[28:34] = US_MAC
    opts = bytes([0x63, 0x82, 0x53, 0x63, 53, 1, 2, 54, 4]) + GW_IP + bytes(
        [1, 4, 255, 255, 255, 0, 3, 4]) + GW_IP + bytes([51, 4, 0, 1, 0x51, 0x80, 255])
    offer = eth(b"\xff" * 6, 0x0800, ipv4(17, GW_IP, b"\xff" * 4,
                                          udp(GW_IP, b"\xff" * 4, 67, 68, bytes(boot) + opts)))
    frag = eth(US_MAC, 0x0800, ipv4(1, GW_IP, US_IP, icmp, frag=0x2000))
    return arp_req, echo, offer, frag


arp_req, echo, offer, frag = net_frames()
write("net_input", "arp-then-echo", b"\x01" + rec(arp_req) + rec(echo))
write("net_input", "echo-needs-arp", b"\x01" + rec(echo) + rec(arp_req, 20))
write("net_input", "dhcp-offer", b"\x00" + rec(offer))
write("net_input", "fragment", b"\x01" + rec(frag) + rec(echo))


def tcp_rec(ctl, flags, seq, ack, win, opts=b"", payload=b""):
    # tcp_input_fuzz.c's record: ctl, flags, seq, ack, window, option length and bytes,
    # payload length and bytes.
    return (bytes([ctl, flags]) + struct.pack("!IIH", seq, ack, win) + bytes([len(opts)]) +
            opts + bytes([len(payload)]) + payload)


SYN, ACK, FIN, RST, PSH = 0x02, 0x10, 0x01, 0x04, 0x08
REL = 0x0c  # seq relative to rcv_nxt, ack relative to snd_una
write("tcp_input", "data-in-order", b"\x03" + tcp_rec(REL, ACK | PSH, 0, 0, 65535,
                                                       payload=b"x" * 100)
      + tcp_rec(REL | 0x10, ACK, 0, 0, 65535, payload=b"y" * 50))
write("tcp_input", "out-of-order-then-fill", b"\x01"
      + tcp_rec(REL, ACK, 100, 0, 65535, payload=b"b" * 100)
      + tcp_rec(REL, ACK, 0, 0, 65535, payload=b"a" * 100)
      + tcp_rec(REL, ACK | FIN, 0, 0, 65535))
write("tcp_input", "syn-with-options", b"\x00" + tcp_rec(
    1, SYN, 1000, 0, 65535, opts=bytes([2, 4, 5, 0xb4, 1, 3, 3, 7, 8, 10, 0, 0, 0, 1, 0, 0, 0,
                                        0, 1, 1])))
write("tcp_input", "rst-and-challenge", b"\x01" + tcp_rec(REL, RST, 10, 0, 0)
      + tcp_rec(REL, RST, 0, 0, 0))
write("tcp_input", "zero-window", b"\x03" + tcp_rec(REL | 0x30, ACK, 0, 0, 0)
      + tcp_rec(REL | 0xf0, ACK, 0, 0, 0))
write("tcp_input", "sack-blocks", b"\x03" + tcp_rec(REL, ACK, 0, 0, 65535, opts=bytes(
    [1, 1, 5, 18]) + struct.pack("!IIII", 100, 200, 300, 400))
      + tcp_rec(REL, ACK, 0, 0, 65535, opts=bytes([1, 1, 5, 10]) + struct.pack("!II", 0, 50)))
