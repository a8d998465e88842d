#!/usr/bin/python3
"""Reliability diagram from `panicsage eval` outputs: the
"reliability (WHAT): bin LO-HI n N confidence C accuracy A" lines.

  reliability.py OUT.png NAME=EVAL.txt[:WHAT] ...

One panel per NAME: accuracy against mean confidence per bin (bars:
accuracy, the diagonal: perfect calibration), the ECE from the
"calibration (WHAT): ECE ..." line in the title.  WHAT picks which of
the eval's calibration blocks (default: the last one printed).
Needs python3-matplotlib (ci/deps.sh bench).
"""
import re
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

RB = re.compile(r"^reliability \((.*)\): bin ([0-9.]+)-([0-9.]+) n (\d+) confidence ([0-9.]+) accuracy ([0-9.]+)$")
RC = re.compile(r"^calibration \((.*)\): ECE ([0-9.]+) .*confident-wrong (\d+) of (\d+)")


def read(path, what):
    bins, ece = {}, {}
    for line in open(path):
        m = RB.match(line.rstrip("\n"))
        if m:
            bins.setdefault(m.group(1), []).append(tuple(float(x) for x in m.groups()[1:]))
        m = RC.match(line)
        if m:
            ece[m.group(1)] = (float(m.group(2)), int(m.group(3)), int(m.group(4)))
    if not bins:
        sys.exit("reliability: no reliability lines in %s" % path)
    key = what or list(bins)[-1]
    if key not in bins:
        sys.exit("reliability: %s has no block '%s' (has: %s)" % (path, key, ", ".join(bins)))
    return key, bins[key], ece.get(key)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    panels = []
    for arg in sys.argv[2:]:
        name, _, rest = arg.partition("=")
        path, _, what = rest.partition(":")
        panels.append((name,) + read(path, what))
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 4.2), squeeze=False)
    for ax, (name, what, bins, ece) in zip(axes[0], panels):
        lo = [b[0] for b in bins]
        w = [b[1] - b[0] for b in bins]
        acc = [b[4] for b in bins]
        conf = [b[3] for b in bins]
        n = [int(b[2]) for b in bins]
        ax.bar(lo, acc, width=w, align="edge", edgecolor="black", color="#4c72b0", label="accuracy")
        ax.plot(conf, acc, "o", color="#dd8452", label="bin: mean confidence, accuracy")
        ax.plot([0, 1], [0, 1], "--", color="gray", label="perfect")
        for x, y, k in zip(lo, acc, n):
            ax.text(x + 0.005, min(y + 0.02, 0.95), str(k), fontsize=6)
        t = name
        if ece:
            t += "\nECE %.3f, %d/%d wrong at >= 0.9" % ece
        ax.set_title(t, fontsize=9)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("confidence")
        ax.set_ylabel("accuracy")
        ax.legend(loc="upper left", fontsize=7)
    fig.tight_layout()
    fig.savefig(sys.argv[1], dpi=90)


if __name__ == "__main__":
    main()
