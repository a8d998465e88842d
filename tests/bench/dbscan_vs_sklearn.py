#!/usr/bin/python3
"""DBSCAN: core/dbscan.c against scikit-learn on the same problems.

Two kinds of problem, each at a few sizes, generated here with a fixed
seed and written to a file both sides read:

  graph   what the extractor clusters: log lines in time order, the
          distance |i-j|/4 + |t_i-t_j|/2 s + 0.25 if the templates differ
          (core/extract.h with its defaults), stored for |i-j| <= 4 (all
          other pairs are farther than eps = 1).  Values are multiples of
          1/128, exact in binary, so both sides see the same numbers.
          scikit-learn: DBSCAN(metric="precomputed") on the sparse matrix
          (rows sorted beforehand, as it recommends).
  points  2-D Gaussian blobs with uniform noise, Euclidean metric.
          panicsage: ps_points_index (points sorted by x, each query
          scans the run within eps in x; building it is timed too);
          scikit-learn: its default (a k-d tree).

For each: identical labels (yes/no), time of panicsage's ps_dbscan
(best of REPEATS, in-process, neighbour queries included) and of
scikit-learn's fit() (best of REPEATS), and the ratio.  Prints a table;
with --json FILE also writes the numbers.  Needs build/tests/dbscan-bench
(make bench builds it) and python3-sklearn.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, "build", "tests", "dbscan-bench")
REPEATS = 3


def graph_problem(n, rng):
    import numpy as np
    gaps = rng.choice([1, 2, 4, 64, 640], size=n, p=[0.5, 0.25, 0.15, 0.07, 0.03])
    t = np.cumsum(gaps) / 64.0                       # seconds, multiples of 1/64
    tpl = np.empty(n, dtype=np.int64)
    cur = 0
    for i in range(n):
        if rng.random() < 0.3:
            cur = int(rng.integers(0, 50))
        tpl[i] = cur
    rows, cols, vals = [], [], []
    for i in range(n):
        for j in range(max(0, i - 4), min(n, i + 5)):
            if j == i:
                continue
            d = abs(i - j) / 4.0 + abs(t[i] - t[j]) / 2.0 + (0.25 if tpl[i] != tpl[j] else 0.0)
            rows.append(i)
            cols.append(j)
            vals.append(d)
    return rows, cols, vals


def write_graph(path, n, eps, ms, rows, cols, vals):
    per = [[] for _ in range(n)]
    for r, c, v in zip(rows, cols, vals):
        per[r].append((c, v))
    with open(path, "w") as f:
        f.write("%d %r %d\n" % (n, eps, ms))
        for r in range(n):
            f.write("%d %s\n" % (len(per[r]), " ".join("%d %r" % (c, v) for c, v in per[r])))


def points_problem(n, rng):
    import numpy as np
    k = max(3, n // 500)
    centers = rng.uniform(-100, 100, size=(k, 2))
    nb = int(n * 0.9)
    x = centers[rng.integers(0, k, size=nb)] + rng.normal(0, 2.0, size=(nb, 2))
    noise = rng.uniform(-120, 120, size=(n - nb, 2))
    pts = np.vstack([x, noise])
    return pts[rng.permutation(n)]


def run_ours(mode, path):
    r = subprocess.run([BIN, mode, path, str(REPEATS)], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("dbscan-bench failed: " + r.stderr)
    lines = r.stdout.split("\n")
    best = int(lines[-2].split()[1])
    return [int(v) for v in lines[:-2]], best / 1e6


def run_sklearn(make_model, X):
    best, labels = None, None
    for _ in range(REPEATS):
        m = make_model()
        t0 = time.perf_counter()
        m.fit(X)
        dt = time.perf_counter() - t0
        if best is None or dt < best:
            best = dt
        labels = [int(v) for v in m.labels_]
    return labels, best


def main():
    out_json = None
    if len(sys.argv) == 3 and sys.argv[1] == "--json":
        out_json = sys.argv[2]
    try:
        import numpy as np
        import scipy.sparse as sp
        import sklearn
        from sklearn.cluster import DBSCAN
        from sklearn.neighbors import sort_graph_by_row_values
    except ImportError as e:
        print("dbscan_vs_sklearn: scikit-learn not available (%s); apt install python3-sklearn" % e)
        if out_json:
            json.dump({"error": "scikit-learn not available"}, open(out_json, "w"))
        return 0
    if not os.access(BIN, os.X_OK):
        print("dbscan_vs_sklearn: %s not built (make bench builds it)" % BIN)
        return 1
    rng = np.random.default_rng(20261123)
    results = []
    tmp = tempfile.mkdtemp()
    print("DBSCAN vs scikit-learn %s, best of %d runs each, 1 thread" % (sklearn.__version__, REPEATS))
    print("%-7s %8s %5s %9s %9s %12s %12s %8s" % ("problem", "n", "eps", "clusters", "labels", "panicsage s",
                                                  "sklearn s", "speedup"))
    cases = [("graph", 1000), ("graph", 10000), ("graph", 100000),
             ("points", 1000), ("points", 5000), ("points", 20000)]
    for kind, n in cases:
        path = os.path.join(tmp, "%s-%d.txt" % (kind, n))
        if kind == "graph":
            eps, ms = 1.0, 3
            rows, cols, vals = graph_problem(n, rng)
            write_graph(path, n, eps, ms, rows, cols, vals)
            # sorted rows, as scikit-learn wants them (outside the timing)
            X = sort_graph_by_row_values(sp.csr_matrix((vals, (rows, cols)), shape=(n, n)),
                                         warn_when_not_sorted=False)
            make = lambda: DBSCAN(eps=eps, min_samples=ms, metric="precomputed")
        else:
            eps, ms = 2.5, 5
            X = points_problem(n, rng)
            with open(path, "w") as f:
                f.write("%d 2 %r %d\n" % (n, eps, ms))
                for p in X:
                    f.write("%r %r\n" % (float(p[0]), float(p[1])))
            make = lambda: DBSCAN(eps=eps, min_samples=ms)
        ours, t_ours = run_ours(kind, path)
        ref, t_ref = run_sklearn(make, X)
        same = ours == ref
        nclu = max(ref) + 1 if ref else 0
        print("%-7s %8d %5g %9d %9s %12.5f %12.5f %7.1fx" % (kind, n, eps, nclu, "identical" if same else "DIFFER",
                                                           t_ours, t_ref, t_ref / t_ours if t_ours > 0 else 0))
        results.append({"problem": kind, "n": n, "eps": eps, "min_samples": ms, "clusters": nclu,
                        "identical": same, "panicsage_s": t_ours, "sklearn_s": t_ref,
                        "speedup": (t_ref / t_ours) if t_ours > 0 else None})
        os.unlink(path)
    os.rmdir(tmp)
    if out_json:
        json.dump({"sklearn": sklearn.__version__, "repeats": REPEATS, "rows": results},
                  open(out_json, "w"), indent=1)
    return 0 if all(r["identical"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
