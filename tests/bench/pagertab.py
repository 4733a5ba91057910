#!/usr/bin/env python3
"""tests/bench/pagertab.py — turn the console logs of `make bench` into the pager table.

Reads the serial logs that ci/bench.sh saved (one per boot), picks out the lines that
tests/bench/init.sh prints (@@R name value unit, @@FAIL, @@SKIP, @@SHA, @@BEGIN, @@END), and
writes the table of issue 11: workload, Nimbus median, Linux median, ratio, spread. The one
idea: every number in the table is computed here from a log line; a kernel that produced no
figure gets "n/a" and the reason, never a value.

  pagertab.py --md OUT.md --dat OUT.dat [--settings FILE] [--na KERNEL=REASON]... KERNEL:LOG...

Exit status 1 when there is no figure at all, a workload read back wrong data (pagerbench's exit
status 3) or printed a malformed figure, any Linux workload failed (Linux is the reference: all
of it must run), or the kernels ran different binaries. A Nimbus workload that could not run (a
feature missing: any other status) is listed as FAILED with its reason but does not fail the
run: the table says what is missing instead of hiding it. Ratio is Nimbus / Linux over the medians (every figure is a
rate, so above 1 means Nimbus is faster). Spread is (max - min) / median of one kernel's
repetitions, in percent.
"""
import argparse
import re
import statistics
import sys

KERNELS = ("nimbus", "linux")
_FIGURE = re.compile(r"@@R ([A-Za-z0-9_]+) ([0-9]+(?:\.[0-9]+)?) ([A-Za-z/%]+)\s*$")


def parse_log(text):
    """Return what one boot reported: begun, ended, sha, figures [(name, unit, value)],
    fails [str], skips [str]. A marker must start a line (after optional carriage returns) so
    kernel messages cannot forge one; a malformed @@R line is reported as a failure."""
    run = {"begun": False, "ended": False, "sha": None, "figures": [], "fails": [], "skips": []}
    for raw in text.splitlines():
        line = raw.strip("\r")
        if not line.startswith("@@"):
            continue
        if line.startswith("@@BEGIN"):
            run["begun"] = True
        elif line == "@@END":
            run["ended"] = True
        elif line.startswith("@@SHA "):
            words = line.split()
            run["sha"] = words[1] if len(words) > 1 else None
        elif line.startswith("@@R "):
            m = _FIGURE.match(line)
            if m:
                run["figures"].append((m.group(1), m.group(3), float(m.group(2))))
            else:
                run["fails"].append("malformed figure: " + line[4:])
        elif line.startswith("@@FAIL "):
            run["fails"].append(line[7:])
        elif line.startswith("@@SKIP "):
            run["skips"].append(line[7:])
    return run


def median(values):
    return statistics.median(values) if values else None


def spread(values):
    """(max - min) / median in percent; None for fewer than two values or a zero median."""
    if len(values) < 2:
        return None
    m = statistics.median(values)
    if m == 0:
        return None
    return 100.0 * (max(values) - min(values)) / m


def ratio(nimbus, linux):
    if nimbus is None or linux is None or linux == 0:
        return None
    return nimbus / linux


def build_rows(runs):
    """runs: {kernel: [parsed run, ...]}. Returns rows in the order figures first appear:
    {name, unit, values: {kernel: [..]}, median: {..}, spread: {..}, ratio}."""
    order = []
    values = {}
    for kernel in KERNELS:
        for run in runs.get(kernel, []):
            for name, unit, value in run["figures"]:
                key = (name, unit)
                if key not in values:
                    order.append(key)
                    values[key] = {k: [] for k in KERNELS}
                values[key][kernel].append(value)
    rows = []
    for key in order:
        v = values[key]
        med = {k: median(v[k]) for k in KERNELS}
        rows.append({"name": key[0], "unit": key[1], "values": v, "median": med,
                     "spread": {k: spread(v[k]) for k in KERNELS},
                     "ratio": ratio(med["nimbus"], med["linux"])})
    return rows


def _num(x):
    if x is None:
        return "n/a"
    return "%.1f" % x if x >= 100 else "%.3g" % x


def _pct(x):
    return "n/a" if x is None else "%.1f%%" % x


def render_table(rows):
    """The table as Markdown (which also reads well on a terminal)."""
    head = ["workload", "unit", "Nimbus median", "Linux median", "ratio N/L",
            "spread N / L", "runs N / L"]
    lines = [head]
    for r in rows:
        lines.append([r["name"], r["unit"], _num(r["median"]["nimbus"]),
                      _num(r["median"]["linux"]),
                      "n/a" if r["ratio"] is None else "%.2f" % r["ratio"],
                      "%s / %s" % (_pct(r["spread"]["nimbus"]), _pct(r["spread"]["linux"])),
                      "%d / %d" % (len(r["values"]["nimbus"]), len(r["values"]["linux"]))])
    widths = [max(len(l[i]) for l in lines) for i in range(len(head))]
    out = []
    for i, l in enumerate(lines):
        out.append("| " + " | ".join(c.ljust(w) for c, w in zip(l, widths)) + " |")
        if i == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out) + "\n"


def render_notes(runs, na):
    """Lines about what did not produce figures: unavailable kernels, failures, skips, boots
    that did not finish, and the sha256 each kernel ran (they must all agree)."""
    notes = []
    for kernel in KERNELS:
        if kernel in na:
            notes.append("%s: n/a (%s)" % (kernel, na[kernel]))
        for i, run in enumerate(runs.get(kernel, []), 1):
            for f in run["fails"]:
                notes.append("%s run %d: FAILED %s" % (kernel, i, f))
            for s in run["skips"]:
                notes.append("%s run %d: skipped %s" % (kernel, i, s))
            if run["begun"] and not run["ended"]:
                notes.append("%s run %d: did not finish (timeout or crash)" % (kernel, i))
            elif not run["begun"] and kernel not in na:
                notes.append("%s run %d: user space never started" % (kernel, i))
    shas = {run["sha"] for k in KERNELS for run in runs.get(k, []) if run["sha"]}
    if len(shas) > 1:
        notes.append("DIFFERENT pagerbench binaries ran: " + ", ".join(sorted(shas)))
    return notes


def render_dat(rows):
    """gnuplot data: label, Nimbus median, Linux median (NaN where there is none)."""
    out = ["# workload Nimbus Linux"]
    for r in rows:
        med = r["median"]
        out.append('"%s (%s)" %s %s' % (r["name"].replace("_", " "), r["unit"],
                                        "NaN" if med["nimbus"] is None else repr(med["nimbus"]),
                                        "NaN" if med["linux"] is None else repr(med["linux"])))
    return "\n".join(out) + "\n"


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--md", required=True)
    ap.add_argument("--dat", required=True)
    ap.add_argument("--settings", help="file of settings lines to quote in the .md")
    ap.add_argument("--na", action="append", default=[], help="KERNEL=REASON")
    ap.add_argument("logs", nargs="*", help="KERNEL:LOG")
    args = ap.parse_args(argv)
    runs = {k: [] for k in KERNELS}
    for spec in args.logs:
        kernel, _, path = spec.partition(":")
        if kernel not in KERNELS or not path:
            ap.error("log '%s' is not KERNEL:PATH with KERNEL one of %s" % (spec, KERNELS))
        with open(path, encoding="utf-8", errors="replace") as f:
            runs[kernel].append(parse_log(f.read()))
    na = dict(s.split("=", 1) for s in args.na)
    rows = build_rows(runs)
    table = render_table(rows)
    notes = render_notes(runs, na)
    sys.stdout.write(table)
    for n in notes:
        print(n)
    with open(args.md, "w", encoding="utf-8") as f:
        f.write("# Pager throughput: Nimbus against Linux\n\n")
        f.write("Ratio = Nimbus median / Linux median (all figures are rates: higher is "
                "faster). Spread = (max - min) / median over one kernel's runs.\n\n")
        f.write(table)
        if notes:
            f.write("\n" + "".join("- %s\n" % n for n in notes))
        if args.settings:
            with open(args.settings, encoding="utf-8") as s:
                f.write("\n## Settings\n\n" + "".join("- %s" % l for l in s if l.strip()))
    with open(args.dat, "w", encoding="utf-8") as f:
        f.write(render_dat(rows))
    # The table is written either way; the status says whether it is trustworthy.
    return 0 if rows and not untrustworthy(runs, notes) else 1


def untrustworthy(runs, notes):
    """Why the figures cannot be trusted (see the module's doc), or an empty list."""
    bad = [n for n in notes if "DIFFERENT" in n]
    for kernel in KERNELS:
        for run in runs.get(kernel, []):
            for f in run["fails"]:
                if kernel == "linux" or f.startswith("malformed") or f.endswith(" rc=3"):
                    bad.append("%s: %s" % (kernel, f))
    return bad


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
