#!/usr/bin/python3
"""panicsage-kdump on logs of 10 KiB, 100 KiB, 1 MiB and 16 MiB.

Each log is boot-time noise followed by one crash: the noise lines are
the non-crash lines of tests/data/example.log (a Debian boot), repeated
with increasing timestamps and varying numbers (so Drain sees the usual
variable fields), and the crash is the oops + call trace + panic of
example.log, at the end.  16 MiB is beyond the 8 MiB the capture-kernel
binary keeps: only its end is analysed (with a warning).

For each size: REPEATS runs of `panicsage-kdump --json --no-deliver
[--model MODEL] LOG` under GNU time: wall time (process start to exit)
and peak RSS (min and median), and the in-process timing_us.total of the report (parse to
classification, reading the file excluded); the label found.

  kdump_scale.py [--model MODEL] [--repeats N] [--json FILE]
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
K = os.path.join(ROOT, "build", "panicsage-kdump")
EXAMPLE = os.path.join(ROOT, "tests", "data", "example.log")
SIZES = [("10 KiB", 10 << 10), ("100 KiB", 100 << 10), ("1 MiB", 1 << 20), ("16 MiB", 16 << 20)]


def make_log(size, path):
    lines = open(EXAMPLE).read().split("\n")
    crash_at = next(i for i, l in enumerate(lines) if "BUG: kernel NULL pointer" in l)
    noise = [l.split("] ", 1)[1] for l in lines[:crash_at] if "] " in l]
    crash = [l.split("] ", 1)[1] if "] " in l else l for l in lines[crash_at:] if l]
    crash_bytes = sum(len(c) + 16 for c in crash)
    out, n, ts = [], 0, 0
    total = 0
    while total < size - crash_bytes:
        ts += 7919 + (n * 104729) % 100000
        text = re.sub(r"\d+", lambda m: str((int(m.group()) + n) % (10 ** len(m.group()))), noise[n % len(noise)])
        line = "[%5d.%06d] %s" % (ts // 10 ** 6, ts % 10 ** 6, text)
        out.append(line)
        total += len(line) + 1
        n += 1
    for c in crash:
        ts += 137
        out.append("[%5d.%06d] %s" % (ts // 10 ** 6, ts % 10 ** 6, c))
    data = "\n".join(out) + "\n"
    open(path, "w").write(data)
    return len(data), len(out)


def main():
    args = sys.argv[1:]
    model, repeats, out_json = None, 5, None
    while args:
        a = args.pop(0)
        if a == "--model":
            model = args.pop(0)
        elif a == "--repeats":
            repeats = int(args.pop(0))
        elif a == "--json":
            out_json = args.pop(0)
        else:
            print(__doc__)
            return 2
    tmp = tempfile.mkdtemp()
    rows = []
    print("panicsage-kdump --json --no-deliver%s, %d runs each (min / median)"
          % (" --model " + os.path.basename(model) if model else "", repeats))
    print("%-8s %9s %8s %16s %16s %18s  %s" % ("log", "bytes", "lines", "wall ms", "peak RSS KiB",
                                                "in-process ms", "label"))
    for name, size in SIZES:
        path = os.path.join(tmp, "log")
        nbytes, nlines = make_log(size, path)
        cmd = [K, "--json", "--no-deliver"] + (["--model", model] if model else []) + [path]
        walls, rss, inproc, label, warn = [], [], [], None, ""
        subprocess.run(cmd, capture_output=True)             # warm the page cache
        for _ in range(repeats):
            t0 = time.perf_counter()
            r = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", path + ".time"] + cmd,
                               capture_output=True, text=True)
            walls.append((time.perf_counter() - t0) * 1000)
            if r.returncode not in (0, 5):
                print("%s: panicsage-kdump exit %d: %s" % (name, r.returncode, r.stderr[:200]))
                return 1
            rss.append(int(open(path + ".time").read().split()[-1]))
            rep = json.loads(r.stdout)
            inproc.append(rep["timing_us"]["total"] / 1000.0)
            label = rep.get("label")
            warn = "tail only" if "only its end" in r.stderr else ""
        walls.sort(), rss.sort(), inproc.sort()
        med = lambda v: v[len(v) // 2]
        print("%-8s %9d %8d %7.1f / %6.1f %7d / %7d %8.2f / %7.2f  %s %s" % (
            name, nbytes, nlines, walls[0], med(walls), rss[0], med(rss), inproc[0], med(inproc),
            label, warn))
        rows.append({"log": name, "bytes": nbytes, "lines": nlines, "wall_ms_min": walls[0],
                     "wall_ms_median": med(walls), "peak_rss_kib_min": rss[0],
                     "peak_rss_kib_median": med(rss), "inprocess_ms_min": inproc[0],
                     "inprocess_ms_median": med(inproc), "label": label, "tail_only": bool(warn)})
        os.unlink(path)
        os.unlink(path + ".time")
    os.rmdir(tmp)
    print("(wall: process start to exit, measured around GNU time; peak RSS: GNU time's %M;"
          " in-process: the report's timing_us.total)")
    if out_json:
        json.dump({"repeats": repeats, "model": os.path.basename(model) if model else None, "rows": rows},
                  open(out_json, "w"), indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
