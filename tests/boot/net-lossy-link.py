#!/usr/bin/env python3
"""net-lossy-link.py — a bad Ethernet link between a QEMU guest and a tap device, for the
net-tap-loss scenario on hosts whose kernel has no sch_netem (tc's netem qdisc).

QEMU's `-netdev dgram` sends each guest frame as one UDP datagram to 127.0.0.1:LINK_PORT and
takes frames back from there; this program relays them to and from the tap device TAP (which
the scenario made, with the host's address, in its network namespace), so the peer is Linux's
own TCP as with `-netdev tap`. In each direction it drops LOSS percent of the frames and holds
back REORDER percent until the next frame has gone out (or 3 ms have passed), the way netem's
`loss 5% reorder 25%` treats a link. The random source is seeded, so a failure replays.

The one idea: a frame is either sent once, late, or never — never changed or duplicated — so
every byte the guest and the host agree on crossed this link through loss and reordering.

Usage: net-lossy-link.py TAP LINK_PORT QEMU_PORT LOSS REORDER SEED STATS_FILE
It runs until SIGTERM, then writes what it did to STATS_FILE.
"""
import fcntl
import os
import random
import select
import signal
import socket
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
HOLD_S = 0.003

tap_name, link_port, qemu_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
loss, reorder = float(sys.argv[4]) / 100, float(sys.argv[5]) / 100
rng = random.Random(int(sys.argv[6]))
stats_file = sys.argv[7]

tap = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(tap, TUNSETIFF, struct.pack("16sH", tap_name.encode(), IFF_TAP | IFF_NO_PI))
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("127.0.0.1", link_port))
qemu = ("127.0.0.1", qemu_port)


class Direction:
    """One way across the link: what it passed, dropped and reordered, and the frame held."""

    def __init__(self, name, send):
        self.name, self.send = name, send
        self.passed = self.dropped = self.reordered = 0
        self.held, self.held_at = None, 0.0

    def frame(self, f):
        if rng.random() < loss:
            self.dropped += 1
            return
        if self.held is None and rng.random() < reorder:
            self.held, self.held_at = f, time.monotonic()
            return
        self.out(f)
        self.flush()

    def out(self, f):
        try:
            self.send(f)
            self.passed += 1
        except OSError:
            self.dropped += 1  # QEMU not listening yet, or the tap is down: a lost frame

    def flush(self, older_than=None):
        if self.held is None:
            return
        if older_than is not None and time.monotonic() - self.held_at < older_than:
            return
        f, self.held = self.held, None
        self.reordered += 1
        self.out(f)

    def report(self):
        return "%s: %d passed, %d dropped, %d reordered" % (self.name, self.passed,
                                                            self.dropped, self.reordered)


to_host = Direction("guest->host", lambda f: os.write(tap, f))
to_guest = Direction("host->guest", lambda f: udp.sendto(f, qemu))
running = True


def stop(signum, frame):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
while running:
    try:
        ready, _, _ = select.select([tap, udp], [], [], HOLD_S)
    except InterruptedError:
        continue
    if udp in ready:
        f, src = udp.recvfrom(65536)
        if src == qemu:
            to_host.frame(f)
    if tap in ready:
        try:
            to_guest.frame(os.read(tap, 65536))
        except OSError:
            pass
    to_host.flush(HOLD_S)
    to_guest.flush(HOLD_S)
with open(stats_file, "w") as out:
    out.write(to_host.report() + "\n" + to_guest.report() + "\n")
