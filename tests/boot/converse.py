#!/usr/bin/env python3
"""converse.py — type commands at a shell on a guest's serial port, as a person would.

Used by boot scenarios through BOOT_DRIVER (tests/boot/lib.sh). It starts the QEMU command
given after `--` (which must route the serial port to stdio), copies everything the guest
prints to the log, and for each --cmd waits for the prompt, types the command one character at
a time (a "{pause}" in it waits a few seconds; "{no-enter}" at its end leaves out the Enter
key), and keeps what the guest answered until the next prompt. After the last command it waits
for QEMU to exit by itself (e.g. through an ACPI power-off).

The one idea: never type before the prompt, and never wait past one deadline for the whole
conversation; on any failure say which step it was in --reason, so the judge can tell a user
why, then end QEMU. The exit status is QEMU's own, or 124 when the deadline passed.

Outputs: --log (the serial log), --transcripts DIR/N-CMD.out (each command's answer, the echo
of the command itself and carriage returns removed), --reason (why the conversation failed).
"""

import argparse
import os
import select
import subprocess
import sys
import time

TIMED_OUT = 124
# In a --cmd, PAUSE stops the typing for PAUSE_SECONDS (the guest's output is still read): so a
# command can start before the next keys come, e.g. "sleep 100\r{pause}\x03" for ^C.
PAUSE = "{pause}"
PAUSE_SECONDS = 3
# A --cmd ending in NO_ENTER is typed without the carriage return (one ended by ^C, say).
NO_ENTER = "{no-enter}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--log", required=True)
    ap.add_argument("--prompt", default="nimbus> ")
    ap.add_argument("--cmd", action="append", default=[])
    ap.add_argument("--transcripts")
    ap.add_argument("--reason")
    ap.add_argument("--char-delay", type=float, default=0.02)
    ap.add_argument("qemu", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    qemu = args.qemu[1:] if args.qemu[:1] == ["--"] else args.qemu
    if not qemu:
        ap.error("no QEMU command after --")

    deadline = time.monotonic() + args.timeout
    prompt = args.prompt.encode()
    buf = bytearray()
    log = open(args.log, "wb")
    proc = subprocess.Popen(qemu, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    os.set_blocking(proc.stdout.fileno(), False)

    def reason(text):
        if args.reason:
            with open(args.reason, "w") as f:
                f.write(text + "\n")
        print("converse: " + text, file=sys.stderr)

    def pump(until, seconds=None):
        """Read guest output until the deadline, QEMU's exit, or until() is true (or for
        `seconds`, when given)."""
        stop = deadline if seconds is None else min(deadline, time.monotonic() + seconds)
        while not until():
            left = stop - time.monotonic()
            if left <= 0 and seconds is not None:
                return "ok"
            if left <= 0:
                return "deadline"
            ready, _, _ = select.select([proc.stdout], [], [], min(left, 0.5))
            if ready:
                data = proc.stdout.read()
                if data:
                    buf.extend(data)
                    log.write(data)
                    log.flush()
                    continue
                if data == b"":  # EOF: QEMU closed stdout, it is exiting
                    proc.wait()
                    return "exited"
            if proc.poll() is not None:
                rest = proc.stdout.read() or b""
                buf.extend(rest)
                log.write(rest)
                return "exited"
        return "ok"

    def finish(status):
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()
        return status

    def save(n, cmd, text):
        if not args.transcripts:
            return
        os.makedirs(args.transcripts, exist_ok=True)
        text = text.replace(b"\r", b"")
        if text.lstrip().startswith(cmd.encode()):
            text = text.lstrip()[len(cmd):]
        name = "%d-%s.out" % (n, "".join(c if c.isalnum() else "_" for c in cmd))
        with open(os.path.join(args.transcripts, name), "wb") as f:
            f.write(text)

    pos = 0
    for n, cmd in enumerate(args.cmd, 1):
        found = []

        def prompt_seen():
            i = buf.find(prompt, pos)
            if i >= 0:
                found.append(i)
            return i >= 0

        what = "before '%s'" % cmd if n == 1 else "after '%s'" % args.cmd[n - 2]
        got = pump(prompt_seen)
        if got == "deadline":
            reason("no prompt %r on the serial line within %gs (%s)" %
                   (args.prompt, args.timeout, what))
            return finish(TIMED_OUT)
        if got == "exited":
            reason("QEMU exited with status %d before the prompt %r appeared (%s)" %
                   (proc.returncode, args.prompt, what))
            return finish(proc.returncode)
        if n > 1:
            save(n - 1, args.cmd[n - 2], bytes(buf[pos:found[0]]))
        pos = found[0] + len(prompt)
        typed = cmd[:-len(NO_ENTER)] if cmd.endswith(NO_ENTER) else cmd + "\r"
        for i, part in enumerate(typed.split(PAUSE)):
            if i > 0:
                pump(lambda: False, PAUSE_SECONDS)
            for c in part:
                proc.stdin.write(c.encode())
                proc.stdin.flush()
                time.sleep(args.char_delay)

    got = pump(lambda: False)
    if args.cmd:
        save(len(args.cmd), args.cmd[-1], bytes(buf[pos:]))
    if got == "deadline":
        last = "'%s'" % args.cmd[-1] if args.cmd else "boot"
        reason("QEMU was still running %gs after %s" % (args.timeout, last))
        return finish(TIMED_OUT)
    return finish(proc.returncode)


if __name__ == "__main__":
    sys.exit(main())
