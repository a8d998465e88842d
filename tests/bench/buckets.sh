#!/bin/sh
# Crash-bucket quality: how panicsage's bucket signatures (core/bucket.h)
# group known crashes.  Prints numbers, never fails on them.
#
#   tests/bench/buckets.sh [SHARED]      (SHARED default ../shared)
#
# - the QEMU lab corpus (model/corpus/lab, always there): buckets per
#   fault kind and purity (the share of cases whose bucket's majority
#   kind is their own);
# - syzkaller's labelled reports (SHARED/corpus/syzkaller, SKIP without
#   them): purity by label and by syzbot's title (syzbot's own bucket:
#   "<kind> in <function>"), buckets per title, and pairwise precision and
#   recall of "same bucket" against "same title".
# Signatures as `panicsage buckets --signature` computes them: the exact
# keys, without the store's similarity fallback, which can only merge
# (tests/t_buckets.sh measures the lab through a real collector).
set -u
cd "$(dirname "$0")/../.."
B=${B:-build}
PS=$B/panicsage
PY=/usr/bin/python3
SHARED=${1:-${PANICSAGE_SHARED:-../shared}}
[ -x "$PS" ] || { echo "build first"; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

cat >"$T/score.py" <<'PY'
import collections, itertools, json, re, sys

def header(path):
    h = {}
    for line in open(path, errors="replace"):
        if not line.strip():
            break
        k, _, v = line.partition(":")
        h[k.strip()] = v.strip()
    return h

def purity(groups, truth):
    n = sum(len(fs) for fs in groups.values())
    good = sum(max(collections.Counter(truth[f] for f in fs).values()) for fs in groups.values())
    return good / n if n else 0.0

def pairs(groups, truth):
    """Pairwise precision and recall of same bucket against same truth."""
    tp = fp = 0
    for fs in groups.values():
        for a, b in itertools.combinations(fs, 2):
            if truth[a] == truth[b]:
                tp += 1
            else:
                fp += 1
    by_truth = collections.Counter(truth.values())
    same = sum(c * (c - 1) // 2 for c in by_truth.values())
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / same if same else 1.0)

which, path = sys.argv[1], sys.argv[2]
sigs = json.load(open(path))
groups = collections.defaultdict(list)
for s in sigs:
    groups[s["id"]].append(s["file"])
if which == "lab":
    kind = {s["file"]: re.sub(r"-\d+\.log$", "", s["file"].split("/")[-1]) for s in sigs}
    per = collections.defaultdict(set)
    for b, fs in groups.items():
        for f in fs:
            per[kind[f]].add(b)
    counts = {k: len(v) for k, v in per.items()}
    print("lab: %d cases, %d kinds, %d buckets, purity by kind %.3f, buckets per kind mean %.2f, max %d"
          % (len(sigs), len(per), len(groups), purity(groups, kind), sum(counts.values()) / len(counts),
             max(counts.values())))
    print("lab buckets per kind: " + ", ".join("%s %d" % kv for kv in sorted(counts.items())))
else:
    meta = {s["file"]: header(s["file"]) for s in sigs}
    label = {f: m.get("LABEL") for f, m in meta.items()}
    title = {f: m.get("TITLE") for f, m in meta.items()}
    titles = collections.defaultdict(set)
    for b, fs in groups.items():
        for f in fs:
            titles[title[f]].add(b)
    p, r = pairs(groups, title)
    print("syzkaller: %d cases, %d buckets, %d syzbot titles; purity by label %.3f, by title %.3f; "
          "buckets per title %.2f; same bucket vs same title: precision %.3f, recall %.3f"
          % (len(sigs), len(groups), len(titles), purity(groups, label), purity(groups, title),
             sum(len(v) for v in titles.values()) / len(titles), p, r))
PY

echo "crash buckets: exact signature keys (panicsage buckets --signature)"
"$PS" buckets --signature --json model/corpus/lab/*.log >"$T/lab.json" 2>"$T/lab.err" ||
	echo "lab: some logs failed: $(head -n 3 "$T/lab.err")"
"$PY" "$T/score.py" lab "$T/lab.json"
if [ -d "$SHARED/corpus/syzkaller" ]; then
	"$PS" buckets --signature --json "$SHARED"/corpus/syzkaller/*.log >"$T/syz.json" 2>"$T/syz.err" ||
		echo "syzkaller: some logs failed: $(head -n 3 "$T/syz.err")"
	"$PY" "$T/score.py" syzkaller "$T/syz.json"
else
	echo "SKIP syzkaller: $SHARED/corpus/syzkaller not found"
fi
