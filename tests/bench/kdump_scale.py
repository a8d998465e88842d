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

Then the cost of each stage of the capture pipeline on the 1 MiB log:
the report's timing_us per stage, best of the REPEATS runs (the model's
Drain templates are seeded before the parse stage starts; that is
total minus the stages), and, when valgrind is installed, the
instructions of one run per stage (callgrind, inclusive counts of the
functions that make up each stage; deterministic, unlike times on a
shared machine).

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


STAGES = ["parse", "drain", "extract", "embed", "classify"]
# callgrind: stage -> functions whose inclusive instruction counts add up to it
CG_STAGES = [
    ("read log + load model", None),
    ("parse the catalogue", ["ps_model_catalogue"]),
    ("seed model templates", ["ps_drain_init", "ps_model_seed_drain"]),
    ("parse", ["ps_log_parse"]),
    ("mask", ["ps_mask_line", "ps_mask_kernel"]),
    ("drain", ["ps_drain_add"]),
    ("catalogue matching", ["ps_catalogue_match"]),
    ("extract (with the matching)", ["ps_mark_lines", "ps_extract"]),
    ("classify", ["ps_classify"]),
    ("in-process total", ["ps_diagnose", "ps_model_catalogue"]),
]


def stage_times(timings):
    """Best (min) of each stage over the runs; 'setup' is total minus the
    stages (seeding the model's templates into Drain)."""
    best = {}
    for t in timings:
        t = dict(t)
        t["setup"] = t.get("total", 0) - sum(t.get(k, 0) for k in STAGES)
        for k, v in t.items():
            best[k] = min(best.get(k, v), v)
    return best


def callgrind_stages(cmd, tmp):
    """Instructions per stage of one run under callgrind, or None."""
    import shutil
    if not shutil.which("valgrind") or not shutil.which("callgrind_annotate"):
        return None
    out = os.path.join(tmp, "cg.out")
    try:
        subprocess.run(["valgrind", "--tool=callgrind", "--dump-instr=no",
                        "--callgrind-out-file=" + out] + cmd, capture_output=True, timeout=600)
        ann = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", out], capture_output=True,
                             text=True, timeout=600).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    finally:
        if os.path.exists(out):
            os.unlink(out)
    incl, total = {}, None
    for line in ann.split("\n"):
        m = re.match(r"^\s*([\d,]+)\s+\([^)]*\)\s+(\S+)", line)
        if not m:
            continue
        n = int(m.group(1).replace(",", ""))
        if m.group(2) == "PROGRAM":
            total = n
            continue
        fn = m.group(2).rsplit(":", 1)[-1]
        incl[fn] = max(incl.get(fn, 0), n)
    if total is None or "ps_diagnose" not in incl:
        return None
    res = {}
    for name, fns in CG_STAGES:
        if fns is None:
            res[name] = incl.get("main", total) - incl["ps_diagnose"] - incl.get("ps_model_catalogue", 0)
        else:
            res[name] = sum(incl.get(f, 0) for f in fns if f != "ps_mask_kernel" or
                            "ps_mask_line" not in incl)
    res["whole process"] = total
    return res


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
        walls, rss, inproc, label, warn, timings = [], [], [], None, "", []
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
            timings.append(rep["timing_us"])
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
                     "inprocess_ms_median": med(inproc), "label": label, "tail_only": bool(warn),
                     "stage_us_min": stage_times(timings)})
        os.unlink(path + ".time")
        if name == "1 MiB":         # kept for the per-stage costs below
            stages_cmd, stages_rows = cmd, len(rows) - 1
            stages_log = path + ".1mib"
            os.rename(path, stages_log)
        else:
            os.unlink(path)
    print("(wall: process start to exit, measured around GNU time; peak RSS: GNU time's %M;"
          " in-process: the report's timing_us.total)")

    # the capture pipeline's stages on the 1 MiB log
    best = rows[stages_rows]["stage_us_min"]
    print("\n1 MiB log, cost per stage of the capture pipeline")
    print("in-process us, best of %d runs each: " % repeats +
          ", ".join("%s %d" % (k, best.get(k, 0)) for k in ["setup"] + STAGES + ["total"]) +
          "  (setup: seeding the model's templates into Drain, before parse)")
    cg = callgrind_stages(stages_cmd[:-1] + [stages_log], tmp)
    if cg:
        print("instructions (callgrind, one run): " + ", ".join("%s %.1fM" % (k, v / 1e6) for k, v in cg.items()) +
              "  (mask and drain make up the report's drain stage, extract its extract stage)")
    else:
        print("instructions: valgrind not installed, not measured")
    os.unlink(stages_log)
    os.rmdir(tmp)
    if out_json:
        json.dump({"repeats": repeats, "model": os.path.basename(model) if model else None, "rows": rows,
                   "stages_1mib": {"us_min": best, "instructions": cg}},
                  open(out_json, "w"), indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
