#!/bin/sh
# classify --json: valid JSON with the documented keys; every segment and
# culprit entry points at the input line it quotes (checked against the
# file itself); a case file's header is never part of the analysis; the
# host CLI and the capture-kernel binary agree.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

{ printf 'LABEL: planted-label-xyzzy\nTITLE: BUG: kernel NULL pointer dereference in cachefs_evict_entry\nSOURCE: test\n\n'
  cat tests/data/example.log; } > "$T/case.log"
printf '<4>[  10.000000] plain line one\r\n<4>[  10.000001] BUG: soft lockup - CPU#0 stuck for 22s! [a:1]\r\n' > "$T/crlf.log"

# (an arm64 SError, a kind no stored case has:
# the catalogue weighs in, and the report says why)
for f in tests/data/example.log "$T/case.log" "$T/crlf.log" tests/data/world/arm64-serror-5x.log; do
	$B/panicsage classify --json "$f" > "$T/host.json" || { echo "FAIL: classify $f"; exit 1; }
	$B/panicsage-kdump --json "$f" > "$T/kdump.json" || { echo "FAIL: kdump $f"; exit 1; }
	/usr/bin/python3 - "$f" "$T/host.json" "$T/kdump.json" <<'PY' || exit 1
import json, re, sys
path, host, kdump = sys.argv[1:]
lines = open(path, "rb").read().decode("utf-8", "replace").split("\n")
a = json.load(open(host))
b = json.load(open(kdump))
keys = ["label", "confidence", "uncertain", "model", "crash", "catalogue", "ranking", "segment",
        "culprits", "neighbors", "timing_us"]
assert list(a) == keys, "keys %r" % list(a)
# the catalogue entry named is a row of model/catalogue.tsv, with its label and source
rows = {r.split("\t")[0]: r.split("\t") for r in open("model/catalogue.tsv") if r[:1] not in "#\n"}
for rep in (a, b):
    assert rep["crash"] is True, "crash %r" % rep["crash"]
    c = rep["catalogue"]
    assert c and set(c) == {"id", "label", "source"}, "catalogue %r" % c
    assert c["id"] in rows and rows[c["id"]][8] == c["source"], "catalogue entry %r" % c
    assert c["label"] in (rows[c["id"]][1], rows[c["id"]][7].split(":")[-1]), "catalogue label %r" % c
    # the model's own answer and the catalogue's weight in the back-off
    m = rep["model"]
    assert m and set(m) == {"label", "p", "nearest", "catalogue_weight", "catalogue_why"}, "model %r" % m
    assert 0 <= m["catalogue_weight"] <= 1 and -1 <= m["nearest"] <= 1, "model %r" % m
    # why the catalogue weighs what it does: nothing when it weighs 0
    assert (m["catalogue_why"] is None) == (m["catalogue_weight"] == 0), "model %r" % m
    assert m["catalogue_why"] in (None, "distance", "address", "catch-all"), "model %r" % m
    if "serror" in path:
        assert m["catalogue_weight"] > 0, "SError: model %r" % m
    assert abs(m["nearest"] - rep["neighbors"][0]["similarity"]) < 1e-3, "nearest %r" % m
    p = {r["label"]: r["p"] for r in rep["ranking"]}
    # (1 - w) p + w on the catalogue's label, then calibrated (order kept):
    # above a weight of 0.5 nothing can outrank it
    if m["catalogue_weight"] > 0.5:
        assert rep["label"] == c["label"], "catalogue label outranked at weight %r" % m
    if m["catalogue_weight"] == 0:
        # the model's answer, at most shrunk towards "any label" (no entry names the kind)
        assert m["label"] == rep["label"] and rep["confidence"] <= m["p"] + 1e-3
    assert rep["segment"], "empty segment"
    prev = 0
    for s in rep["segment"] + rep["culprits"]:
        raw = lines[s["line"] - 1].rstrip("\r")
        # the text is the line minus its prefixes
        assert raw.endswith(s["text"]), "line %d is %r, report says %r" % (s["line"], raw, s["text"])
    for s in rep["segment"]:
        assert s["line"] > prev, "segment not in input order"
        prev = s["line"]
        m = re.match(r"^(<\d+>)?\[\s*(\d+\.\d+)\]", lines[s["line"] - 1])
        assert (s["ts"] is None) == (m is None), "ts of line %d" % s["line"]
        if m:
            assert abs(s["ts"] - float(m.group(2))) < 1e-6
    assert all(not l.startswith(("LABEL:", "TITLE:", "SOURCE:")) for l in
               (lines[s["line"] - 1] for s in rep["segment"])), "case header analysed"
    scores = [c["score"] for c in rep["culprits"]]
    assert scores == sorted(scores, reverse=True), "culprits not best first"
    assert set(rep["timing_us"]) >= {"parse", "drain", "extract", "total"}
strip = lambda r: {k: v for k, v in r.items() if k != "timing_us"}
assert strip(a) == strip(b), "host and kdump reports differ"
print("ok:", path, len(a["segment"]), "segment lines, top culprit line", a["culprits"][0]["line"])
PY
done

# a panic() reason no entry names (the generic panic entry), far from every
# stored case: the model's answer stays first but is shrunk towards "any
# label" and reported uncertain
printf '[ 100.000000] eth0: link up\n[ 100.500000] zorblax: spindle 3 desynchronised\n[ 101.000000] Kernel panic - not syncing: frobnicator 7 melted down, spindle 3\n' > "$T/unknown.log"
$B/panicsage classify --json "$T/unknown.log" > "$T/unknown.json" || { echo "FAIL: classify unknown.log"; exit 1; }
/usr/bin/python3 - "$T/unknown.json" <<'PY' || exit 1
import json, sys
r = json.load(open(sys.argv[1]))
m = r["model"]
assert r["catalogue"]["id"] == "kb.panic-generic", r["catalogue"]
assert m["nearest"] < 0.75, "nearest %r: not far enough for this check" % m["nearest"]
assert r["label"] == m["label"], "the ranking changed"
assert r["confidence"] < 0.5 and r["confidence"] < m["p"] and r["uncertain"], r
print("ok: an uncatalogued panic reason far from every stored case is shrunk (%.2f, model %.2f) and uncertain"
      % (r["confidence"], m["p"]))
PY

# the case file's LABEL never reaches the report
$B/panicsage classify "$T/case.log" > "$T/console.txt"
if grep -q "planted-label-xyzzy" "$T/console.txt"; then
	echo "FAIL: the case file's LABEL leaked into the report"; exit 1
fi
# the console names the catalogue entry of the header
grep -q "^panicsage: catalogue: null.x86 says null-deref (arch/x86/mm/fault.c:" "$T/console.txt" ||
	{ echo "FAIL: catalogue line"; grep catalogue "$T/console.txt"; exit 1; }
# line numbers count the header lines too
grep -q "line 29: \[3611.034187\] BUG: kernel NULL pointer dereference" "$T/console.txt" ||
	{ echo "FAIL: header line number"; cat "$T/console.txt" | head -5; exit 1; }
echo "ok: case-file header skipped, line numbers refer to the file"

# the crashed machine's text reaches the console escaped: escape
# sequences (OSC title, screen clear, C1 CSI) in the oops lines
sed 's/BUG: kernel NULL pointer dereference/BUG: \x1b]0;owned\x07\x1b[2J\xc2\x9b31m kernel NULL pointer dereference/' \
	tests/data/example.log >"$T/esc.log"
grep -q "$(printf '\033')" "$T/esc.log" || { echo "FAIL: no escape planted"; exit 1; }
for prog in "$B/panicsage classify" "$B/panicsage-kdump"; do
	$prog "$T/esc.log" >"$T/esc.txt" 2>&1 || { echo "FAIL: $prog on escapes: exit $?"; exit 1; }
	if LC_ALL=C grep -q "$(printf '\033\\|\007\\|\302\233')" "$T/esc.txt" ||
	   ! grep -qF 'BUG: \x1b]0;owned\x07\x1b[2J' "$T/esc.txt"; then
		echo "FAIL: $prog printed control characters raw"; cat -v "$T/esc.txt" | grep BUG | head -3; exit 1
	fi
done
echo "ok: console reports escape control characters"
