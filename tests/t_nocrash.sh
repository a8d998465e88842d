#!/bin/sh
# "No crash found": a log without any fault line of the catalogue (a
# clean boot, a quiet journal, only warnings the catalogue marks
# harmless: tests/data/nocrash) gets, from both binaries, label null and
# "no crash found" on the console and in --json (crash false, no
# catalogue entry, no segment, culprits or ranking), exit code 0 as for
# any report; and, as a counter-check, a crash log does not.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

for f in tests/data/nocrash/*.log; do
	for prog in "$B/panicsage classify" "$B/panicsage-kdump --no-deliver"; do
		$prog "$f" > "$T/console.txt" 2> "$T/err.txt"; rc=$?
		[ $rc -eq 0 ] || bad "$prog $f: exit $rc"
		head -n 1 "$T/console.txt" | grep -q "^panicsage: no crash found - none of the [0-9]* lines is a fault message" ||
			bad "$prog $f: console says $(head -n 1 "$T/console.txt")"
		grep -q "fault-indicating segment\|^panicsage: crash:" "$T/console.txt" && bad "$prog $f: console shows a crash"
		$prog --json "$f" > "$T/report.json"; rc=$?
		[ $rc -eq 0 ] || bad "$prog --json $f: exit $rc"
		/usr/bin/python3 - "$T/report.json" <<'PY' || bad "$prog --json $f"
import json, sys
r = json.load(open(sys.argv[1]))
want = {"label": None, "confidence": None, "uncertain": None, "crash": False, "catalogue": None, "ranking": [],
        "segment": [], "culprits": [], "neighbors": []}
for k, v in want.items():
    assert r[k] == v, "%s is %r" % (k, r[k])
PY
	done
	echo "ok: $f: no crash found (both binaries, console and JSON)"
done

# the counter-check: a crash is a crash
for prog in "$B/panicsage classify" "$B/panicsage-kdump --no-deliver"; do
	$prog --json tests/data/example.log > "$T/report.json" || bad "$prog --json example.log"
	/usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["crash"] is True and r["label"] == "null-deref" and r["catalogue"]["id"] == "null.x86", r
' "$T/report.json" || bad "$prog: example.log is not the crash it is"
done
[ $fails -eq 0 ] || exit 1
echo "ok: example.log is a crash for both binaries"
