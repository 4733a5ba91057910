#!/usr/bin/env python3
"""net-tcp-peer.py — the host's side of the net-tcp scenario, around tests/boot/converse.py.

Before QEMU starts it opens a TCP server on 127.0.0.1:SERVER_PORT, which the guest reaches as
slirp's 10.0.2.2: it reads one connection to its end, checks that byte i is i % 251 (the debug
shell's `tcpsend` pattern), answers one line and closes. Meanwhile a client connects to
127.0.0.1:ECHO_PORT, which QEMU forwards (hostfwd) to the guest's `tcpecho 7`, and sends
ECHO_BYTES of the same pattern while reading the echo, comparing every byte. Each side writes
its verdict to RESULTS/host-server.txt and RESULTS/host-echo.txt for the scenario to judge.

Usage: net-tcp-peer.py RESULTS SERVER_PORT ECHO_PORT ECHO_BYTES [--bind ADDR] [--echo-to ADDR]
[converse.py arguments] (in a --cmd, '@' stands for a space). --bind serves on ADDR instead of
127.0.0.1, --echo-to connects to the guest's echo service at ADDR instead of 127.0.0.1 (the
net-tap scenarios: a tap in a network namespace, no slirp in between).
"""
import os
import runpy
import socket
import sys
import threading
import time

results, server_port, echo_port, echo_bytes = sys.argv[1], int(sys.argv[2]), int(
    sys.argv[3]), int(sys.argv[4])
del sys.argv[1:5]
bind_addr, echo_addr = "127.0.0.1", "127.0.0.1"
while len(sys.argv) > 2 and sys.argv[1] in ("--bind", "--echo-to"):
    if sys.argv[1] == "--bind":
        bind_addr = sys.argv[2]
    else:
        echo_addr = sys.argv[2]
    del sys.argv[1:3]
# BOOT_DRIVER is split on spaces, so the scenario writes a command's spaces as '@'.
sys.argv = [a.replace("@", " ") if i > 0 and sys.argv[i - 1] == "--cmd" else a
            for i, a in enumerate(sys.argv)]
os.makedirs(results, exist_ok=True)
DEADLINE = time.monotonic() + 240


CYCLE = bytes(range(251))


def pattern(off, n):
    o = off % 251
    return (CYCLE * ((o + n) // 251 + 1))[o:o + n]


def verdict(name, text):
    with open(os.path.join(results, name), "w") as f:
        f.write(text + "\n")


def serve(ls):
    ls.settimeout(max(1, DEADLINE - time.monotonic()))
    try:
        c, peer = ls.accept()
    except OSError as e:
        verdict("host-server.txt", "no connection: %s" % e)
        return
    c.settimeout(60)
    got, bad = 0, None
    try:
        while True:
            d = c.recv(65536)
            if not d:
                break
            if bad is None and d != pattern(got, len(d)):
                want = pattern(got, len(d))
                bad = got + next(i for i in range(len(d)) if d[i] != want[i])
            got += len(d)
        reply = "host got %d bytes, pattern %s" % (got, "ok" if bad is None else
                                                      "BAD at %d" % bad)
        c.sendall(reply.encode() + b"\n")
        c.close()
        verdict("host-server.txt", reply)
    except OSError as e:
        verdict("host-server.txt", "error after %d bytes: %s" % (got, e))


def echo_once():
    """One try: True when the whole echo came back (or a mismatch was found)."""
    s = socket.create_connection((echo_addr, echo_port), timeout=10)
    s.settimeout(30)
    data = pattern(0, echo_bytes)
    err = []

    def writer():
        try:
            # sendall's time-out bounds the whole call: send in pieces so that only a stall
            # of 30 s, not a slow link, ends the echo.
            for off in range(0, echo_bytes, 65536):
                s.sendall(data[off:off + 65536])
            s.shutdown(socket.SHUT_WR)
        except OSError as e:
            err.append(e)

    t0 = time.monotonic()
    w = threading.Thread(target=writer, daemon=True)
    w.start()
    back = bytearray()
    try:
        while len(back) < echo_bytes:
            d = s.recv(65536)
            if not d:
                break
            back.extend(d)
    except OSError as e:
        err.append(e)
    s.close()
    if not back:
        return False  # nobody listening in the guest yet: slirp accepted, then closed
    dt = time.monotonic() - t0
    if bytes(back) == data:
        verdict("host-echo.txt", "echo ok: %d bytes each way in %.2f s" % (echo_bytes, dt))
    else:
        first = next((i for i in range(min(len(back), len(data))) if back[i] != data[i]),
                     min(len(back), len(data)))
        verdict("host-echo.txt", "echo BAD: %d of %d bytes back, first difference at %d%s" %
                (len(back), echo_bytes, first, " (%s)" % err[0] if err else ""))
    return True


def echo():
    while time.monotonic() < DEADLINE:
        try:
            if echo_once():
                return
        except OSError:
            pass
        time.sleep(1)
    verdict("host-echo.txt", "echo never answered")


ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((bind_addr, server_port))
ls.listen(1)
threading.Thread(target=serve, args=(ls,), daemon=True).start()
threading.Thread(target=echo, daemon=True).start()
runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "converse.py"),
               run_name="__main__")
