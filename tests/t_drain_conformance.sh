#!/bin/sh
# Drain conformance: `panicsage templates` with the reference's masks and
# parameters must assign every line of the Loghub samples exactly the
# template logpai's Drain.py assigned, so its grouping accuracy equals
# the published figure.  Reads ../shared/conformance/drain (or
# $PANICSAGE_SHARED/conformance/drain); skipped when that is absent.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
SHARED=${PANICSAGE_SHARED:-../shared}
D=$SHARED/conformance/drain
if [ ! -d "$D" ]; then
	echo "skipped: $D not found (reference outputs live in ../shared)"
	exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
for ds in "$D"/*/; do
	name=$(basename "$ds")
	[ -f "$ds/params.json" ] || continue
	# Python regexes to POSIX ERE: \d -> [0-9]; the rest is common syntax
	/usr/bin/python3 - "$ds/params.json" > "$T/args" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
print("--st"); print(p["st"]); print("--depth"); print(p["depth"])
print("--max-children"); print(p["max_children"])
for m in p["masks"]:
    print("--mask"); print(m.replace("\\d", "[0-9]"))
PY
	set --
	while IFS= read -r a; do set -- "$@" "$a"; done < "$T/args"
	$B/panicsage templates "$@" "$ds/content.txt" > "$T/$name.out" || { echo "FAIL: $name: templates exited $?"; fail=1; continue; }
	/usr/bin/python3 - "$name" "$ds" "$T/$name.out" <<'PY' || fail=1
import json, sys
from collections import defaultdict
name, ds, out = sys.argv[1:]
ours = open(out).read().split("\n")[:-1]
ref = open(ds + "/reference_templates.txt").read().split("\n")[:-1]
gt = open(ds + "/groundtruth_templates.txt").read().split("\n")[:-1]
params = json.load(open(ds + "/params.json"))

def grouping_accuracy(parsed, truth):
    # a line is correct when the lines sharing its parsed template are
    # exactly the lines sharing its ground-truth template
    by_p, by_t = defaultdict(set), defaultdict(set)
    for i, (p, t) in enumerate(zip(parsed, truth)):
        by_p[p].add(i); by_t[t].add(i)
    return sum(1 for p, t in zip(parsed, truth) if by_p[p] == by_t[t]) / len(truth)

diff = [i for i, (a, b) in enumerate(zip(ours, ref)) if a != b]
ga = grouping_accuracy(ours, gt)
print("%s: %d lines, %d templates (reference %d), %d lines differ from the reference, "
      "grouping accuracy %.4f (published %.4f)" % (name, len(ours), len(set(ours)),
      len(set(ref)), len(diff) + abs(len(ours) - len(ref)), ga, params["reference_grouping_accuracy"]))
for i in diff[:5]:
    print("  line %d: ours %r, reference %r" % (i + 1, ours[i], ref[i]))
ok = not diff and len(ours) == len(ref) and abs(ga - params["reference_grouping_accuracy"]) < 5e-5
sys.exit(0 if ok else 1)
PY
done
exit $fail
