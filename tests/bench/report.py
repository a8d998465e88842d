#!/usr/bin/python3
"""Writes tests/bench/REPORT.md and results.json from the outputs that
tests/bench/run.sh collected in one directory (NAME.txt, NAME.rc,
NAME.secs, NAME.json), and the fuzzing record tests/fuzz/longruns.txt.

  report.py RESULTS_DIR REPORT.md results.json LONGRUNS
"""
import json
import os
import re
import sys


def read(d, name, default=""):
    p = os.path.join(d, name)
    return open(p, errors="replace").read() if os.path.exists(p) else default


def rc(d, name):
    v = read(d, name + ".rc").strip()
    return int(v) if v else None


def load_json(d, name):
    try:
        return json.load(open(os.path.join(d, name)))
    except (OSError, ValueError):
        return None


def parse_vmcore(text):
    """vmcore_dmesg.sh's fixed-width table -> [{vmcore, tool, wall_ms_min, ...}]."""
    rows, cur = [], None
    for line in text.split("\n"):
        if len(line) < 64 or line.startswith("vmcore ") or line.startswith("("):
            continue
        name = line[:34].strip()
        if name:
            cur = name
        tool = line[35:61].strip()
        rest = line[62:]
        m = re.match(r"\s*([\d.]+) / ([\d.]+)\s+(\d+)\s+(.*)$", rest)
        if m:
            rows.append({"vmcore": cur, "tool": tool, "wall_ms_min": float(m.group(1)),
                         "wall_ms_median": float(m.group(2)), "peak_rss_kib": int(m.group(3)),
                         "output": m.group(4).strip()})
        elif tool:
            rows.append({"vmcore": cur, "tool": tool, "error": rest.strip()})
    return rows


def parse_drain(text):
    rows = []
    for line in text.split("\n"):
        f = line.split()
        if len(f) == 9 and f[1].isdigit() and f[8].endswith("x"):
            rows.append({"dataset": f[0], "lines": int(f[1]), "reference_s": float(f[2]),
                         "panicsage_process_s": float(f[3]), "panicsage_s": float(f[4]),
                         "lines_per_s": float(f[5]), "drain_stage_lines_per_s": float(f[6]),
                         "speedup_process": float(f[7][:-1]), "speedup": float(f[8][:-1])})
    return rows


def parse_longruns(path):
    per, notes, runs = {}, [], []
    if not os.path.exists(path):
        return per, notes, runs
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("#"):
            if line.startswith("# note: "):
                notes.append(line[len("# note: "):].strip())
            continue
        m = re.match(r"(\S+) (fuzz_\w+): (\d+)s, (\d+|\?) execs \(([\d?]+)/s\), "
                     r"(?:cov: (\d+) ft: (\d+) corp: (\d+)|[^,]*), crashes (\d+), exit (\d+)", line)
        if not m:
            continue
        t = m.group(2)
        r = {"date": m.group(1), "target": t, "seconds": int(m.group(3)),
             "execs": int(m.group(4)) if m.group(4) != "?" else 0,
             "cov": int(m.group(6) or 0), "ft": int(m.group(7) or 0), "corpus": int(m.group(8) or 0),
             "crashes": int(m.group(9)), "exit": int(m.group(10))}
        runs.append(r)
        p = per.setdefault(t, {"seconds": 0, "execs": 0, "cov": 0, "runs": 0, "crashes": 0})
        p["seconds"] += r["seconds"]
        p["execs"] += r["execs"]
        p["cov"] = max(p["cov"], r["cov"])
        p["runs"] += 1
        p["crashes"] += r["crashes"]
    return per, notes, runs


def fmt_s(v):
    return "%.3f s" % v if v >= 0.1 else "%.2f ms" % (v * 1000)


def main():
    d, report_path, json_path, longruns = sys.argv[1:5]
    mach = dict(l.split("=", 1) for l in read(d, "machine.txt").split("\n") if "=" in l)
    res = {"machine": mach, "total_seconds": int(read(d, "total.secs", "0").strip() or 0)}
    md = []
    w = md.append

    # ---- collect ----
    vm_real = parse_vmcore(read(d, "vmcore_real.txt")) if rc(d, "vmcore_real") in (0, 1) else []
    vm_synth = parse_vmcore(read(d, "vmcore_synth.txt"))
    res["vmcore_real"] = vm_real or {"not_measured": read(d, "vmcore_real.txt").strip()}
    res["vmcore_synthetic"] = vm_synth
    res["vmcore_arm64"] = (parse_vmcore(read(d, "vmcore_arm64.txt", "")) if rc(d, "vmcore_arm64") in (0, 1) else []) \
        or {"not_measured": read(d, "vmcore_arm64.txt", "not measured").strip()}
    ks = load_json(d, "kdump_scale.json")
    res["kdump_scale"] = ks
    kmodel = read(d, "kdump_model.txt").strip()
    drain = parse_drain(read(d, "drain.txt"))
    res["drain"] = drain or {"not_measured": read(d, "drain.txt").strip()}
    db = load_json(d, "dbscan.json")
    res["dbscan"] = db
    sage = load_json(d, "sage.json")
    res["graphsage"] = sage or {"not_measured": (read(d, "sage_c.txt") + read(d, "sage_c.err")).strip()[-300:]}
    sizes = {}
    m = re.search(r"without upload: (\d+) bytes", read(d, "kdump_size.txt"))
    if m:
        sizes["kdump_without_upload_stripped"] = int(m.group(1))
    m = re.search(r"with upload: +(\d+) bytes", read(d, "kdump_size.txt"))
    if m:
        sizes["kdump_with_upload_stripped"] = int(m.group(1))
    b = read(d, "bin_size.txt").split()
    if len(b) == 4:
        sizes["kdump_as_built_stripped"] = int(b[1])
        sizes["kdump_as_built_unstripped"] = int(b[2])
        sizes["default_model_built_in"] = int(b[3])
        sizes["kdump_as_built_stripped_without_model"] = int(b[1]) - int(b[3])
    for line in read(d, "model_size.txt").split("\n"):
        f = line.split()
        if len(f) == 2:
            sizes["model_" + f[0]] = int(f[1])
    res["sizes"] = sizes
    per, notes, runs = parse_longruns(longruns)
    total_fuzz = sum(p["seconds"] for p in per.values())
    res["fuzzing"] = {"per_target": per, "total_hours": total_fuzz / 3600.0, "notes": notes, "runs": runs}
    res["extraction_text"] = read(d, "extract.txt")
    res["upload_text"] = read(d, "upload.txt")
    res["buckets_text"] = read(d, "buckets.txt")
    res["upload_stores_text"] = read(d, "upload_stores.txt")

    # ---- report ----
    w("# panicsage benchmarks")
    w("")
    w("Written by `make bench` (tests/bench/run.sh) on %s from commit %s, in %d s. "
      "Every benchmark number below comes from that one run; ratios compare tools run back to back on "
      "the same input on the same machine. The fuzzing figures are the recorded long runs "
      "(tests/fuzz/longruns.txt), added up when the report is written." % (mach.get("date", "?"), mach.get("commit", "?"),
                                          res["total_seconds"]))
    w("")
    w("Machine: %s, %s CPUs (`nproc`), %s MiB RAM, Linux %s, %s; load average at start %s "
      "(the machine is shared: other builds and QEMU may run alongside, so times are upper bounds). "
      "Compiler: %s. Anchors: %s, makedumpfile %s."
      % (mach.get("cpu", "?"), mach.get("nproc", "?"), mach.get("mem_mib", "?"), mach.get("kernel", "?"),
         mach.get("os", "?"), mach.get("load", "?"), mach.get("cc", "?"), mach.get("vmcore_dmesg", "?"),
         mach.get("makedumpfile", "?")))
    w("")

    # headline table
    w("## Summary")
    w("")
    w("| benchmark | input | panicsage | anchor | result |")
    w("|---|---|---|---|---|")
    real_ok = [r for r in vm_real if "wall_ms_min" in r]
    if real_ok:
        for core in sorted(set(r["vmcore"] for r in real_ok)):
            t = {r["tool"]: r for r in real_ok if r["vmcore"] == core}
            ours = t.get("reader, static musl") or t.get("panicsage dmesg")
            vd, mdf = t.get("vmcore-dmesg"), t.get("makedumpfile --dump-dmesg")
            if ours and vd:
                w("| vmcore → log | real QEMU vmcore %s | %.1f ms, %d KiB peak RSS | vmcore-dmesg %.1f ms, %d KiB%s "
                  "| output %s; %.1fx the speed, %.1fx less memory |"
                  % (core, ours["wall_ms_median"], ours["peak_rss_kib"], vd["wall_ms_median"], vd["peak_rss_kib"],
                     "; makedumpfile %.1f ms, %d KiB" % (mdf["wall_ms_median"], mdf["peak_rss_kib"]) if mdf and "wall_ms_median" in mdf else "",
                     ours["output"] if ours is not t.get("panicsage dmesg") else vd["output"],
                     vd["wall_ms_median"] / ours["wall_ms_median"] if ours["wall_ms_median"] else 0,
                     vd["peak_rss_kib"] / ours["peak_rss_kib"] if ours["peak_rss_kib"] else 0))
    else:
        w("| vmcore → log | real QEMU vmcore | not measured: %s | | |" % read(d, "vmcore_real.txt").strip())
    if ks and ks.get("rows"):
        for r in ks["rows"]:
            if r["log"] in ("1 MiB", "16 MiB"):
                w("| capture kernel: extraction + classification | %s log (%d lines), model %s | %.1f ms in-process "
                  "(median %.1f; whole process %.0f ms min, %.0f median), %.1f MiB peak RSS | target: 1 MiB < 20 ms, "
                  "< 32 MiB | label %s%s |"
                  % (r["log"], r["lines"], "built-in default" if kmodel.startswith("the built-in") else ("trained by sage-bench" if kmodel.startswith("the model") else "none"),
                     r["inprocess_ms_min"], r["inprocess_ms_median"], r["wall_ms_min"],
                     r["wall_ms_median"], r["peak_rss_kib_median"] / 1024.0,
                     r["label"], ", last 8 MiB only" if r["tail_only"] else ""))
    if drain:
        for r in drain:
            w("| Drain | Loghub %s, %d lines | %.0f lines/s (Drain stage %.0f lines/s) | logpai Drain.py, recorded %.3f s "
              "| %.0fx faster in-process, %.0fx with process start-up (target 50x) |"
              % (r["dataset"], r["lines"], r["lines_per_s"], r["drain_stage_lines_per_s"],
                 r["reference_s"], r["speedup"], r["speedup_process"]))
    else:
        w("| Drain | Loghub samples | not measured: %s | | |" % read(d, "drain.txt").strip()[:200])
    if db and db.get("rows"):
        for r in db["rows"]:
            if r["n"] in (100000, 20000):
                w("| DBSCAN | %s, %d points, eps %g | %s | scikit-learn %s: %s | labels %s; %.1fx |"
                  % (r["problem"], r["n"], r["eps"], fmt_s(r["panicsage_s"]), db["sklearn"], fmt_s(r["sklearn_s"]),
                     "identical" if r["identical"] else "DIFFERENT", r["speedup"]))
    else:
        w("| DBSCAN | | not measured: %s | | |" % (db or {}).get("error", "no output"))
    if sage and "train_s_torch" in sage:
        w("| GraphSAGE training | syzkaller corpus, %d cases (%d held out), %d epochs, 1 thread | %.2f s, held-out "
          "accuracy %.3f | PyTorch %s: %.2f s, accuracy %.3f | %.2fx |"
          % (sage["n"], sage["held_out"], sage["epochs"], sage["train_s_panicsage"], sage["acc_panicsage"],
             sage["torch"], sage["train_s_torch"], sage["acc_torch"], sage["train_speedup"]))
        w("| GraphSAGE inference | same model, every case as a query | %.1f µs/case float, %.1f µs int8 "
          "(one case at a time, as in the capture kernel) | PyTorch: %.1f µs/case one case per call, %.1f µs/case "
          "in one batch | %.2fx one by one, %.2fx against the batch; labels %.1f%% identical; int8 = float for %.1f%% |"
          % (sage["infer_us_panicsage_f32"], sage["infer_us_panicsage_int8"], sage.get("infer_us_torch_single", 0),
             sage["infer_us_torch_batch"], sage.get("infer_speedup_single", 0), sage["infer_speedup"],
             100 * sage["infer_label_agreement"], 100 * sage["int8_agrees_f32"]))
    else:
        w("| GraphSAGE | | not measured: %s | | |" % str(res["graphsage"].get("not_measured", res["graphsage"].get("error", "")))[:200])
    if sizes:
        kib = lambda key: "%.0f KiB" % (sizes[key] / 1024.0) if key in sizes else "?"
        model_in = sizes.get("default_model_built_in", 0)
        w("| binary size | panicsage-kdump, static musl, stripped | %s as built%s; %s with mbedTLS + upload, %s without "
          "(both as linked by kdump_size.sh, model included) | target < 1.5 MiB without the model | %s |"
          % (kib("kdump_as_built_stripped"),
             ", of which %s built-in model" % kib("default_model_built_in") if model_in else "",
             kib("kdump_with_upload_stripped"), kib("kdump_without_upload_stripped"),
             "%s without the model" % kib("kdump_as_built_stripped_without_model") if model_in else ""))
        if "model_float" in sizes:
            w("| model size | trained on the syzkaller corpus | float %.0f KiB, int8 %.0f KiB, both %.0f KiB | | |"
              % (sizes["model_float"] / 1024.0, sizes.get("model_int8", 0) / 1024.0, sizes.get("model_both", 0) / 1024.0))
    open_crashes = sum(1 for n in notes if n.lower().startswith("open"))
    w("| fuzzing | %d libFuzzer targets, ASan + UBSan | %.2f hours in total, %d executions | | %s |"
      % (len(per), total_fuzz / 3600.0, sum(p["execs"] for p in per.values()),
         "%d open crash(es)" % open_crashes if open_crashes else "no open crash"))
    w("")

    # the DESIGN.md targets, met or not, from the numbers above
    w("## Against the targets (DESIGN.md)")
    w("")
    verdict = lambda ok: "met" if ok else "**not met**"
    if ks and ks.get("rows"):
        one = [r for r in ks["rows"] if r["log"] == "1 MiB"]
        if one:
            r = one[0]
            w("- 1 MiB dmesg classified in under 20 ms on one core: %s (%.1f ms in-process, the best of %d runs on "
              "this shared machine; median %.1f ms; %.0f ms for the whole process)."
              % (verdict(r["inprocess_ms_min"] < 20), r["inprocess_ms_min"], ks.get("repeats", 0),
                 r["inprocess_ms_median"], r["wall_ms_min"]))
        big = max(r["peak_rss_kib_median"] for r in ks["rows"])
        w("- Peak memory under 32 MiB including the model: %s (at most %.1f MiB, 16 MiB log)." % (verdict(big < 32 * 1024), big / 1024.0))
    if "kdump_as_built_stripped_without_model" in sizes:
        v = sizes["kdump_as_built_stripped_without_model"]
        w("- Static binary under 1.5 MiB without the model: %s (%.0f KiB)." % (verdict(v < 1.5 * 1024 * 1024), v / 1024.0))
    if real_ok:
        same = all(r.get("output") == "identical" for r in real_ok if r["tool"] in ("reader, static musl", "vmcore-dmesg"))
        faster, smaller = True, True
        for core in set(r["vmcore"] for r in real_ok):
            t = {r["tool"]: r for r in real_ok if r["vmcore"] == core}
            o, v = t.get("reader, static musl"), t.get("vmcore-dmesg")
            if o and v:
                faster &= o["wall_ms_median"] <= v["wall_ms_median"]
                smaller &= o["peak_rss_kib"] < v["peak_rss_kib"]
        w("- vmcore → dmesg byte-identical to vmcore-dmesg: %s; no slower: %s; less memory: %s (real QEMU vmcores)."
          % (verdict(same), verdict(faster), verdict(smaller)))
    if drain:
        w("- Drain 50x the reference's speed: %s (in-process, reading to writing, as the reference's own "
          "figure: %s; the regular-expression masks take most of it, the Drain stage alone runs at %s "
          "lines/s); identical templates are checked by `make test` (t_drain_conformance)."
          % (verdict(min(r["speedup"] for r in drain) >= 50),
             ", ".join("%s %.0fx" % (r["dataset"], r["speedup"]) for r in drain),
             "-".join("%.1fM" % (r["drain_stage_lines_per_s"] / 1e6) for r in
                      sorted(drain, key=lambda r: r["drain_stage_lines_per_s"])[::len(drain) - 1 or 1])))
    if db and db.get("rows"):
        w("- DBSCAN labels identical to scikit-learn: %s (%d of %d problems)."
          % (verdict(all(r["identical"] for r in db["rows"])), sum(r["identical"] for r in db["rows"]), len(db["rows"])))
    if sage and "train_s_torch" in sage:
        w("- GraphSAGE float path agrees with a reference implementation: labels of PyTorch on the same weights "
          "%.1f%% identical (the 1e-5 numeric check against numpy is tests/unit/test_sage_ref.c); int8 gives the "
          "float label for %.1f%% of cases." % (100 * sage["infer_label_agreement"], 100 * sage["int8_agrees_f32"]))
    w("")

    # details
    w("## 1. vmcore → log")
    w("")
    w("`tests/bench/vmcore_dmesg.sh`: the same vmcore through `panicsage dmesg` (host binary), the reader linked "
      "statically with musl as `panicsage-kdump` links it (`build/tests/vmcore-dmesg-static`), kexec-tools' "
      "`vmcore-dmesg` and `makedumpfile --dump-dmesg`; wall time min / median and peak RSS (GNU time) over the "
      "repeats after a warm-up; output compared byte for byte with `panicsage dmesg`'s. makedumpfile writes its "
      "own layout, so its output is expected to differ.")
    w("")
    w("Real QEMU vmcores (the fault lab's captures, sysrq crash, Debian 6.1 guest; `.vmcore` is "
      "`makedumpfile -E -d 31` output, `.raw-vmcore` the raw `/proc/vmcore`):")
    w("")
    w("```")
    w(read(d, "vmcore_real.txt").rstrip())
    w("```")
    w("")
    w("arm64 vmcores (the arm64 lab's capture, sysrq crash, Debian 6.1 arm64 guest, raw `/proc/vmcore`): the host "
      "readers as above, then both aarch64 readers under `qemu-aarch64-static` (`build/arm64/panicsage-kdump "
      "--dmesg` and Debian's arm64 `vmcore-dmesg`; their peak RSS includes the emulator's):")
    w("")
    w("```")
    w(read(d, "vmcore_arm64.txt", "not measured").rstrip())
    w("```")
    w("")
    w("Synthetic vmcores (tests/vmcoregen.c; three printk formats with a 1 MiB log, and a 16 MiB lockless ring):")
    w("")
    w("```")
    w(read(d, "vmcore_synth.txt").rstrip())
    w("```")
    w("")
    w("## 2. Capture kernel: extraction + classification by log size")
    w("")
    w("`tests/bench/kdump_scale.py`: boot-log noise (the non-crash lines of tests/data/example.log, repeated with "
      "increasing timestamps and varying numbers) with one NULL-pointer oops, call trace and panic at the end. "
      "Model: %s. In-process = the report's `timing_us.total` (parse, Drain, extraction, embedding, "
      "classification; reading the file and loading the model excluded); wall and peak RSS = the whole process "
      "under GNU time." % (kmodel or "none (extraction only)"))
    w("")
    w("```")
    w(read(d, "kdump_scale.txt").rstrip())
    w("```")
    w("")
    if read(d, "model_bench.txt"):
        w("The model engineer's benchmark (`tests/bench/model_bench.py`, same run): 1 MiB log with the default "
          "model, the classifier stages, training and cross-validation time.")
        w("")
        w("```")
        w(read(d, "model_bench.txt").rstrip())
        w("```")
        w("")
    w("## 3. Drain")
    w("")
    w("`tests/bench/drain_speed.py`: `panicsage templates` with the reference's masks and parameters on the Loghub "
      "samples of ../shared/conformance/drain, best of 5; the reference (logpai Drain.py, Python) is not a Debian "
      "package, so its recorded wall time from ../shared is the anchor. Template identity is checked by "
      "tests/t_drain_conformance.sh in `make test`.")
    w("")
    w("```")
    w(read(d, "drain.txt").rstrip() or "not measured")
    w("```")
    w("")
    w("## 4. DBSCAN against scikit-learn")
    w("")
    w("`tests/bench/dbscan_vs_sklearn.py` (see its header): identical labels required; times are best of 3, "
      "in-process on both sides. The `graph` problems are what the extractor clusters (sliding-window neighbours); "
      "the `points` problems use panicsage's Euclidean search over points sorted by their first coordinate "
      "(ps_points_index; the extractor never uses it), against scikit-learn's k-d tree.")
    w("")
    w("```")
    w(read(d, "dbscan.txt").rstrip())
    w("```")
    w("")
    w("## 5. GraphSAGE against PyTorch")
    w("")
    w("`build/tests/sage-bench` trains with the trainer (tools/train/trainer.c, BLIS) on the syzkaller corpus with every "
      "fifth case held out (in the graph, label hidden) and runs the capture-side forward pass (core/sage.c) for "
      "every case; `tests/bench/sage_vs_torch.py` trains the same architecture on the same h0 features and k-NN "
      "graph in PyTorch (same epochs, Adam, dropout, weight decay, class weights) and runs the frozen model's "
      "weights in one batch and one case per call. Accuracies differ only through random initialisation and dropout masks. Repeats: "
      "training best of 2 runs on each side; inference best of 3 passes over all cases on each side.")
    w("")
    w("```")
    w((read(d, "sage_torch.txt") or read(d, "sage_c.txt") + read(d, "sage_c.err")[-500:]).rstrip())
    w("```")
    w("")
    w("## 6. Sizes")
    w("")
    w("```")
    w(read(d, "kdump_size.txt").rstrip())
    if len(read(d, "bin_size.txt").split()) == 4:
        f = read(d, "bin_size.txt").split()
        w("panicsage-kdump as built (make): %s bytes stripped, %s bytes with symbols, built-in model %s bytes"
          % (f[1], f[2], f[3]))
    for line in read(d, "model_size.txt").strip().split("\n"):
        if line:
            w("model, --format %s: %s bytes (syzkaller corpus, default dims)" % tuple(line.split()))
    w("```")
    w("")
    w("## 7. Extraction on the labelled corpus")
    w("")
    w("```")
    w(read(d, "extract.txt").rstrip() or "not measured")
    w("```")
    w("")
    w("## 8. Upload path under load (loopback, mutual TLS)")
    w("")
    w("```")
    w(read(d, "upload.txt").rstrip() or "not measured")
    w("```")
    w("")
    w("## 8a. Uploads by store: SQLite and PostgreSQL")
    w("")
    w("`tests/bench/upload_stores.sh`: uploads per second and the p99 latency of a capture kernel's run "
      "with the collector's store in a SQLite file and in PostgreSQL, at 8 and 32 concurrent clients, "
      "and two collectors sharing the PostgreSQL store.")
    w("")
    w("```")
    w(read(d, "upload_stores.txt").rstrip() or "not measured")
    w("```")
    w("")
    w("## 8b. Crash buckets")
    w("")
    w("`tests/bench/buckets.sh`: how the bucket signatures (core/bucket.h) group the lab corpus by fault kind "
      "and syzkaller's reports by syzbot's titles.")
    w("")
    w("```")
    w(read(d, "buckets.txt").rstrip() or "not measured")
    w("```")
    w("")
    w("## 9. Fuzzing")
    w("")
    w("libFuzzer targets in tests/fuzz (see tests/fuzz/README.md), built with clang -fsanitize=fuzzer,address,"
      "undefined and the arena's poisoned red zones. Long runs (`make fuzz`, under `nice -n 19` on this shared "
      "machine) are recorded in tests/fuzz/longruns.txt; `make test` adds a 15 s run per target and replays every "
      "seed and reproducer under gcc's ASan + UBSan.")
    w("")
    w("| target | runs | time | executions | coverage (edges) | crashes |")
    w("|---|---|---|---|---|---|")
    for t in sorted(per):
        p = per[t]
        w("| %s | %d | %.0f min | %d | %d | %d |" % (t, p["runs"], p["seconds"] / 60.0, p["execs"], p["cov"], p["crashes"]))
    w("| total | %d | %.2f h | %d | | %d |" % (sum(p["runs"] for p in per.values()), total_fuzz / 3600.0,
                                            sum(p["execs"] for p in per.values()),
                                            sum(p["crashes"] for p in per.values())))
    w("")
    for n in notes:
        w("- " + n)
    w("")
    w("## Rows not measured")
    w("")
    missing = []
    if not real_ok:
        missing.append("vmcore → log on a real QEMU vmcore: " + read(d, "vmcore_real.txt").strip())
    if not drain:
        missing.append("Drain: " + read(d, "drain.txt").strip()[:200])
    if not (sage and "train_s_torch" in sage):
        missing.append("GraphSAGE vs PyTorch: " + str(res["graphsage"])[:200])
    w("\n".join("- " + m for m in missing) if missing else "None: every row above was measured in this run.")
    w("")
    open(report_path, "w").write("\n".join(md))
    json.dump(res, open(json_path, "w"), indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
