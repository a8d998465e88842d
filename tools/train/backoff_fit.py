#!/usr/bin/python3
"""Fits the classifier's back-off to the catalogue (core/classify.h).

The parameters are fitted on held-out predictions of the real training
corpora and on the synthetic TRAIN split, never on the development
split:

  1. K-fold cross-validation (stratified by label, pooled over the
     given corpora): a model trained with --backoff off on the other
     folds classifies each fold (`panicsage classify --json`): the
     model's own probabilities, the oops header's catalogue entry and
     label, the nearest stored case's similarity;
  2. a model trained on all of them (--backoff off) classifies the
     synthetic TRAIN split (tools/train/synth.py --split train):
     messages it never saw, far from its stored cases, as the world's;
  3. the specific labels: those whose catalogue header entries agree
     with the label on at least --precision of the real held-out cases
     (and occur in at least 5);
  4. a grid search of w_near, w_specific, w_far, s_lo, s_hi minimising
     the mean negative log-likelihood of the three sets (each real
     corpus and the synthetic split weigh the same), with generic = 1;
     then generic alone on the real held-out cases (synthetic cases
     agree with the catalogue by construction, so they say nothing
     about the entries that do not fix the kind).

conflict_below is not fitted (0.7: an answer the model and the
catalogue disagree on is uncertain unless one side is clearly ahead).
Prints the parameters as a `--backoff` value and the scores per set.

  tools/train/backoff_fit.py [--panicsage build/panicsage] [--k 5] \\
      --synth build/synth/train ../shared/corpus/syzkaller model/corpus/lab
"""
import argparse
import collections
import glob
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile

LABELS = ["manual", "hardware", "null-deref", "stack-corruption", "memory-corruption",
          "out-of-memory", "cpu-lockup", "hung-task", "locking", "boot-failure", "filesystem",
          "driver", "bad-access", "kernel-bug"]
CONFLICT = 0.7
PANIC = "Kernel panic - not syncing: "


def header(path):
    h = {}
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if not line or ":" not in line:
                break
            k, v = line.split(":", 1)
            h[k.strip()] = v.strip()
    return h


def classify(ps, model, path, corpus):
    r = subprocess.run([ps, "classify", "--json", "--model", model, path], capture_output=True,
                       text=True)
    truth = header(path).get("LABEL")
    if r.returncode != 0 or truth not in LABELS:
        return None
    j = json.loads(r.stdout)
    if not j["crash"] or not j["catalogue"]:
        return None
    return {"corpus": corpus, "truth": truth, "p": {x["label"]: x["p"] for x in j["ranking"]},
            "cat": j["catalogue"]["label"], "id": j["catalogue"]["id"],
            "nearest": j["model"]["nearest"]}


def train(ps, out, paths):
    subprocess.run([ps, "train", "--quiet", "--backoff", "off", "--format", "int8", "--seed", "1",
                    "--out", out] + paths, check=True)


def catalogue(path):
    rows = {}
    for line in open(path):
        if line[:1] not in "#\n":
            c = line.rstrip("\n").split("\t")
            rows[c[0]] = c
    return rows


def generic(row):
    """core/classify.c ps_cat_entry_generic."""
    p = row[9]
    lit = re.sub(r"%[-+ #0-9.]*(?:ll|l|hh|h|z|t|j)?[a-zA-Z%]", "", p)
    if p.startswith(PANIC):
        lit = lit[len(PANIC):]
    return p.endswith("%s") and (p[-3] == "/" or len(lit) <= 12)


def weight(prm, c, s, gen, spec):
    wn, ws, wf, lo, hi, g = prm
    t = (hi - s) / (hi - lo) if hi > lo else (1.0 if s < hi else 0.0)
    t = min(1.0, max(0.0, t))
    n = ws if c in spec else wn
    w = n + (wf - n) * t
    return w * g if gen else w


def score(cases, prm, spec):
    nll, tr, pr, cf = 0.0, [], [], []
    for x in cases:
        w = weight(prm, x["cat"], x["nearest"], x["generic"], spec)
        q = {l: (1 - w) * x["p"].get(l, 0.0) for l in LABELS}
        q[x["cat"]] += w
        y = max(LABELS, key=lambda l: q[l])
        nll -= math.log(max(q[x["truth"]], 1e-6))
        tr.append(x["truth"])
        pr.append(y)
        cf.append(q[y])
    n = len(cases)
    bins = collections.defaultdict(lambda: [0, 0.0])
    for t, y, c in zip(tr, pr, cf):
        b = bins[min(14, int(c * 15))]
        b[0] += t == y
        b[1] += c
    f1 = []
    for l in set(tr) | set(pr):
        tp = sum(t == y == l for t, y in zip(tr, pr))
        fp = sum(y == l != t for t, y in zip(tr, pr))
        fn = sum(t == l != y for t, y in zip(tr, pr))
        f1.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    hi = [t != y for t, y, c in zip(tr, pr, cf) if c >= 0.9]
    return {"nll": nll / n, "macro_f1": sum(f1) / len(f1), "accuracy": sum(t == y for t, y in zip(tr, pr)) / n,
            "ece": sum(abs(a - b) for a, b in bins.values()) / n, "confident_wrong": "%d/%d" % (sum(hi), len(hi))}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--panicsage", default="build/panicsage")
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--precision", type=float, default=0.9)
    ap.add_argument("--synth", required=True, help="synthetic TRAIN split (never the dev split)")
    ap.add_argument("--catalogue", default="model/catalogue.tsv")
    ap.add_argument("corpora", nargs="+")
    a = ap.parse_args()
    if "dev" in os.path.basename(os.path.normpath(a.synth)):
        sys.exit("backoff_fit: %s looks like the development split; fit on the train split" % a.synth)
    rows = catalogue(a.catalogue)
    files = [(f, os.path.basename(os.path.normpath(d))) for d in a.corpora for f in sorted(glob.glob(d + "/*.log"))]
    by = collections.defaultdict(list)
    for f, c in files:
        by[header(f).get("LABEL")].append((f, c))
    rng, fold, nxt = random.Random(a.seed), {}, 0
    for lab in sorted(by, key=str):
        l = by[lab][:]
        rng.shuffle(l)
        for f, _ in l:
            fold[f] = nxt % a.k
            nxt += 1
    sets = collections.defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(a.k):
            d = os.path.join(tmp, "train%d" % k)
            os.mkdir(d)
            for i, (f, _) in enumerate(files):
                if fold[f] != k:
                    os.symlink(os.path.abspath(f), os.path.join(d, "%d.log" % i))
            m = os.path.join(tmp, "m%d.psm" % k)
            train(a.panicsage, m, [d])
            for f, c in files:
                if fold[f] == k:
                    x = classify(a.panicsage, m, f, c)
                    if x:
                        sets[c].append(x)
            print("fold %d/%d done" % (k + 1, a.k), file=sys.stderr)
        m = os.path.join(tmp, "all.psm")
        train(a.panicsage, m, a.corpora)
        for f in sorted(glob.glob(a.synth + "/*.log")):
            x = classify(a.panicsage, m, f, "synthetic")
            if x:
                sets["synthetic"].append(x)
    for v in sets.values():
        for x in v:
            x["generic"] = generic(rows[x["id"]]) if x["id"] in rows else False
    real = [x for c, v in sets.items() if c != "synthetic" for x in v]
    agree = collections.defaultdict(lambda: [0, 0])
    for x in real:
        agree[x["cat"]][0] += 1
        agree[x["cat"]][1] += x["cat"] == x["truth"]
    spec = {l for l, (n, ok) in agree.items() if n >= 5 and ok / n >= a.precision}
    mask = sum(1 << LABELS.index(l) for l in spec)
    best = None
    for wn in (0.0, 0.05, 0.1):
        for ws in (0.0, 0.1, 0.2, 0.3):
            for wf in (0.7, 0.8, 0.9, 0.95):
                for lo in (0.5, 0.55, 0.6, 0.65, 0.7):
                    for hi in (0.8, 0.85, 0.9, 0.95):
                        if ws < wn:
                            continue
                        prm = (wn, ws, wf, lo, hi, 1.0)
                        obj = sum(score(v, prm, spec)["nll"] for v in sets.values()) / len(sets)
                        if best is None or obj < best[0]:
                            best = (obj, prm)
    prm = best[1]
    gbest = None
    for g in (0.0, 0.1, 0.25, 0.5, 0.75, 1.0):
        p2 = prm[:5] + (g,)
        obj = score(real, p2, spec)["nll"]
        if gbest is None or obj < gbest[0] - 1e-9:
            gbest = (obj, g)
    prm = prm[:5] + (gbest[1],)
    print("catalogue agreement on the real held-out cases, by catalogue label:")
    for l in LABELS:
        if l in agree:
            n, ok = agree[l]
            print("  %-18s %4d cases, %.3f agree%s" % (l, n, ok / n, "  specific" if l in spec else ""))
    for name, p in (("off", (0, 0, 0, 0.6, 0.9, 1)), ("fitted", prm)):
        print("%s:" % name)
        for c, v in sorted(sets.items()):
            s = score(v, p, spec)
            print("  %-12s %4d cases  macro-F1 %.4f  accuracy %.4f  ECE %.4f  NLL %.4f  confident-wrong %s" %
                  (c, len(v), s["macro_f1"], s["accuracy"], s["ece"], s["nll"], s["confident_wrong"]))
    print("--backoff %g,%g,%g,%g,%g,%g,%g,0x%x" % (prm[0], prm[1], prm[2], prm[3], prm[4], prm[5], CONFLICT, mask))


if __name__ == "__main__":
    main()
