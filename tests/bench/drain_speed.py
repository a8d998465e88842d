#!/usr/bin/python3
"""Drain speed against the reference.

Reads ../shared/conformance/drain (or $PANICSAGE_SHARED/conformance/drain):
the Loghub 2k samples, the reference's parameters and its recorded wall
time (logpai Drain.py, Python, pandas I/O included).  Runs
`panicsage templates` with the same masks and parameters, best of 5, and
prints lines/second of the whole command and of the Drain stage alone,
and the ratio to the recorded reference time, twice: for the in-process
time from reading the file to writing the templates (what the reference's
figure covers: it was taken inside Python, without interpreter start-up)
and for the whole process including its start-up (dynamic loading of
BLIS/OpenMP, mbedTLS and SQLite, which the templates command never uses).  When logpai's Drain.py is
not on the machine (it is not a Debian package), the recorded figure is
the reference.
"""
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, "build", "panicsage")
REPEATS = 5


def main():
    shared = os.environ.get("PANICSAGE_SHARED", os.path.join(ROOT, "..", "shared"))
    base = os.path.join(shared, "conformance", "drain")
    if not os.path.isdir(base):
        print("drain_speed: %s not found (reference data lives in ../shared)" % base)
        return 77
    print("Drain speed, %d runs each, best wall time; machine: %s, %d CPUs"
          % (REPEATS, os.uname().machine, os.cpu_count()))
    print("%-6s %6s %8s %10s %10s %12s %14s %10s %10s" % (
        "data", "lines", "ref s", "process s", "in-proc s", "lines/s", "drain lines/s",
        "x process", "x in-proc"))
    for ds in sorted(os.listdir(base)):
        d = os.path.join(base, ds)
        if not os.path.isfile(os.path.join(d, "params.json")):
            continue
        p = json.load(open(os.path.join(d, "params.json")))
        args = [BIN, "templates", "--stats", "--st", str(p["st"]), "--depth", str(p["depth"]),
                "--max-children", str(p["max_children"])]
        for m in p["masks"]:
            args += ["--mask", m.replace("\\d", "[0-9]")]
        args.append(os.path.join(d, "content.txt"))
        best = None
        best_in = None
        drain_rate = 0
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            r = subprocess.run(args, capture_output=True)
            dt = time.perf_counter() - t0
            if r.returncode != 0:
                print("%s: templates failed: %s" % (ds, r.stderr.decode()))
                return 1
            m = re.search(r"\(([0-9]+) lines/s\), total ([0-9]+) us", r.stderr.decode())
            if best is None or dt < best:
                best = dt
            if m and (best_in is None or int(m.group(2)) / 1e6 < best_in):
                best_in = int(m.group(2)) / 1e6
                drain_rate = int(m.group(1))
        best_in = best_in or best
        print("%-6s %6d %8.3f %10.4f %10.4f %12.0f %14d %9.0fx %9.0fx" % (
            ds, p["lines"], p["reference_seconds"], best, best_in, p["lines"] / best_in,
            drain_rate, p["reference_seconds"] / best, p["reference_seconds"] / best_in))
    return 0


if __name__ == "__main__":
    sys.exit(main())
