#!/usr/bin/python3
"""Grows a corpus of case files to N cases for the training benchmark.

Case i (0 <= i < N) is a copy of base case i mod len(bases) (the *.log
case files of the directories given, sorted by path) with what differs
between machines and between two reports of one bug changed, as a fleet
sends the same bugs many times over:

  - timestamps "[  123.456789]" shifted by the same random amount in a case;
  - hexadecimal numbers of 8 or more digits whose value is at least
    0x100000 (addresses, register values): the digits after the first
    four are random (the same number gets the same replacement within a
    case), so kernel and user ranges and small values (NULL + offset)
    stay what they were;
  - frame offsets "+0x1f/0x80": a random offset below the function size;
  - process ids ("pid: 123", "PID: 123", "pid=123", "comm[123]"), and the
    CPU number of "CPU: 1".

Headers (LABEL: ...) are kept; the file is named g<i>-<base name>.
Deterministic: the same bases, N and --seed give the same files.
Nothing of the output is committed: `make bench` writes it under build/.

  tools/train/grow.py --seed 1 -n 10000 [--start I] OUTDIR DIR...
"""
import argparse
import os
import random
import re
import sys

TS = re.compile(rb"^\[ *(\d+)\.(\d{6})\]", re.M)
HEX = re.compile(rb"(?<![0-9A-Za-z])(0x)?([0-9a-f]{8,16})(?![0-9A-Za-z])")
OFF = re.compile(rb"\+0x([0-9a-f]+)/0x([0-9a-f]+)")
PID = re.compile(rb"((?:pid|PID):? ?=?|\w\[)(\d{1,7})(\]?)")
CPU = re.compile(rb"(CPU: )(\d+)")


def mutate(text, rng):
    """The log part of a case file with the fields above changed."""
    shift = rng.randrange(0, 86400 * 1000000)
    seen = {}

    def ts(m):
        t = int(m.group(1)) * 1000000 + int(m.group(2)) + shift
        return b"[%5d.%06d]" % (t // 1000000, t % 1000000)

    def hexnum(m):
        digits = m.group(2)
        if int(digits, 16) < 0x100000:
            return m.group(0)
        new = seen.get(digits)
        if new is None:
            tail = "".join(rng.choice("0123456789abcdef") for _ in range(len(digits) - 4))
            new = digits[:4] + tail.encode()
            seen[digits] = new
        return (m.group(1) or b"") + new

    def off(m):
        size = int(m.group(2), 16)
        return b"+0x%x/0x%s" % (rng.randrange(0, max(size, 1)), m.group(2))

    def pid(m):
        return m.group(1) + b"%d" % rng.randrange(1, 4194304) + m.group(3)

    def cpu(m):
        return m.group(1) + b"%d" % rng.randrange(0, 64)

    text = TS.sub(ts, text)
    text = HEX.sub(hexnum, text)
    text = OFF.sub(off, text)
    text = PID.sub(pid, text)
    return CPU.sub(cpu, text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("-n", type=int, required=True, help="cases to write")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--start", type=int, default=0,
                    help="write cases start..n-1 only (to grow in parallel: same files)")
    a = ap.parse_args()
    bases = []
    for d in a.dirs:
        for name in sorted(os.listdir(d)):
            if name.endswith(".log"):
                bases.append(os.path.join(d, name))
    bases.sort()
    if not bases:
        sys.exit("grow.py: no *.log case file in " + " ".join(a.dirs))
    texts = []
    for p in bases:
        with open(p, "rb") as f:
            t = f.read()
        cut = t.find(b"\n\n")      # header, blank line, log
        if cut < 0 or b"LABEL:" not in t[:cut]:
            continue
        texts.append((os.path.basename(p), t[:cut + 2], t[cut + 2:]))
    if not texts:
        sys.exit("grow.py: no labelled case file")
    os.makedirs(a.out, exist_ok=True)
    for i in range(a.start, a.n):
        name, head, log = texts[i % len(texts)]
        rng = random.Random(a.seed * 1000003 + i)
        with open(os.path.join(a.out, "g%06d-%s" % (i, name)), "wb") as f:
            f.write(head)
            f.write(mutate(log, rng))
    print("grow.py: %d cases from %d bases into %s" % (a.n, len(texts), a.out))


if __name__ == "__main__":
    main()
