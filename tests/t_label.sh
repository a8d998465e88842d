#!/bin/sh
# panicsage label (the labelling queue) and train --db on a real store:
# cases classified and uploaded by panicsage-kdump --deliver (and the
# upload driver for a hand-made report) into panicsage serve, which keeps
# running while cases are labelled.  Expected orders, rows and counts are
# computed here from the stored JSON (python3's json and sqlite3
# modules, the sqlite3 CLI, model inspect), not copied from the program.
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
need_store_tools
small="--dim 16 --hidden 16 --buckets 1024 --epochs 300 --k 5 --quiet"

"$PS" pki init "$T/pki" >/dev/null || { echo "pki failed"; exit 1; }
DB=$T/cases.db
start_collector "$T/pki" "$DB" --timeout 5

# 23 cases classified and delivered by the capture-kernel binary: the
# example twice (same ranking: a tie broken by received time) and 21
# fixtures of six kinds.  Then one report without a ranking (as with no
# model) whose lines carry terminal control characters.
deliver_cases "$T/pki" 0 tests/data/example.log tests/data/example.log \
	$(ls tests/data/cases/*.log | sed -n '1~5p;2~5p;4~5p' | head -21)
printf '{"label":null,"confidence":null,"ranking":[],"segment":[{"line":3,"ts":null,"text":"no ts here"},{"line":4,"ts":7.000001,"text":"BUG: \\u001b[31mred\\u001b[0m"}],"culprits":[{"line":4,"text":"BUG: \\u001b[31mred\\u001b[0m","score":1}],"neighbors":[],"timing_us":{}}' >"$T/noranking.json"
upload_report "$T/pki" "$T/noranking.json" 6.1.0-test
n=$((NCASES + 1))
check "$n cases stored" [ "$(sqlite3 "$DB" 'SELECT count(*) FROM cases')" = $n ]
"$PS" summarize --db "$DB" --config /dev/null --no-llm --limit 5 >/dev/null 2>&1 || bad "summarize"

# The expected queue, from the stored rows: entropy -sum p ln p of the
# ranking (none = maximally uncertain, first), then received time, id.
cat >"$T/expect.py" <<'PY'
import json, math, sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute(
    "SELECT id, received_us, report, summary FROM cases WHERE COALESCE(human_label, '') = ''").fetchall()
out = []
for cid, rec, rep, summ in rows:
    r = json.loads(rep)
    ps = [e["p"] for e in (r.get("ranking") or []) if isinstance(e, dict) and isinstance(e.get("p"), (int, float))]
    h = -sum(p * math.log(p) for p in ps if p > 0) if ps else None
    gist = json.loads(summ).get("summary") if summ else None
    out.append((h is not None, -(h or 0), rec, cid, h, gist))
out.sort()
for _, _, rec, cid, h, gist in out:
    print(cid, rec, "none" if h is None else repr(h), json.dumps(gist))
PY
cat >"$T/got.py" <<'PY'
import datetime, json, sys
for e in json.load(sys.stdin):
    assert e["short_id"] == e["id"][:12], e
    t = datetime.datetime.fromtimestamp(e["received_us"] // 1000000, datetime.timezone.utc)
    assert e["received"] == t.strftime("%Y-%m-%dT%H:%M:%SZ"), e
    h = e["entropy"]
    print(e["id"], e["received_us"], "none" if h is None else repr(h), json.dumps(e["summary"]))
PY
# entropies compared to 12 significant digits (the JSON has 15)
cmp_queue() { # $1: expected file, $2: got file
	"$PY" - "$1" "$2" <<'PY'
import sys
a = [l.split(" ", 3) for l in open(sys.argv[1])]
b = [l.split(" ", 3) for l in open(sys.argv[2])]
def same(x, y):
    if x[:2] != y[:2] or x[3] != y[3] or (x[2] == "none") != (y[2] == "none"):
        return False
    return x[2] == "none" or abs(float(x[2]) - float(y[2])) <= 1e-12 * max(1.0, abs(float(x[2])))
sys.exit(0 if len(a) == len(b) and all(same(x, y) for x, y in zip(a, b)) else 1)
PY
}
"$PY" "$T/expect.py" "$DB" >"$T/expect"
"$PS" label --db "$DB" --cases --json --limit 0 >"$T/list.json"; rc=$?
check "label --cases --json exit 0" [ $rc -eq 0 ]
checke "label --json fields (id prefix, UTC time)" '"$PY" "$T/got.py" <"$T/list.json" >"$T/got"'
check "queue order, entropies and summaries match the stored reports" cmp_queue "$T/expect" "$T/got"
check "the report without ranking comes first" [ "$(sed -n '1s/ .*//p' "$T/got")" = "$(sqlite3 "$DB" "SELECT id FROM cases WHERE json_array_length(report,'\$.ranking') = 0")" ]
# the two example cases have the same ranking: listed in received order
check "a tie on entropy is listed oldest first" "$PY" - "$T/got" <<'PY'
import sys
rows = [l.split(" ", 3) for l in open(sys.argv[1])]
groups = {}
for cid, rec, h, _ in rows:
    if h != "none":
        groups.setdefault(h, []).append((int(rec), cid))
ties = [g for g in groups.values() if len(g) > 1]
sys.exit(0 if ties and all(g == sorted(g) for g in ties) else 1)
PY
check "some listed cases carry a summary gist" [ "$(grep -vc ' null$' "$T/got")" -ge 5 ]

"$PS" label --db "$DB" --cases >"$T/list.txt"; rc=$?
check "--cases list exit 0" [ $rc -eq 0 ]
grep -E '^[0-9a-f]{12}  ' "$T/list.txt" | cut -c1-12 >"$T/text.ids"
head -n 20 "$T/expect" | cut -c1-12 >"$T/want.ids"
check "text list: default limit 20, same order" cmp -s "$T/text.ids" "$T/want.ids"
check "text list says how many there are" grep -q "^20 of $n shown" "$T/list.txt"
checke "text list escapes control characters" 'grep -qF "BUG: \x1b[31mred\x1b[0m" "$T/list.txt" && ! grep -q "$(printf "\033")" "$T/list.txt"'
"$PS" label --db "$DB" --cases --limit 3 --json >"$T/l3.json"
check "--limit 3" [ "$("$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))' <"$T/l3.json")" = 3 ]

# --show: the segment as the log lines training uses
top=$(sed -n '3s/ .*//p' "$T/expect")
"$PS" label --db "$DB" --show "$(echo "$top" | cut -c1-12)" >"$T/show.txt"; rc=$?
checke "--show exit 0" '[ $rc -eq 0 ] && grep -q "^case $top\$" "$T/show.txt"'
sqlite3 "$DB" "SELECT report FROM cases WHERE id='$top'" | "$PY" -c '
import json, sys
for e in json.load(sys.stdin)["segment"]:
    ts = e["ts"]
    if ts is None:
        print(e["text"])
    else:
        us = round(ts * 1e6)
        print("[%5d.%06d] %s" % (us // 1000000, us % 1000000, e["text"]))' >"$T/seg.want"
sed -n '/^segment/,/^culprit/p' "$T/show.txt" | sed '1d;$d' | sed 's/^  *[0-9-]*  //' >"$T/seg.got"
check "--show prints the segment as [%5lu.%06lu] lines" cmp -s "$T/seg.want" "$T/seg.got"
for w in 'culprit lines' 'neighbours' 'ranking:'; do
	check "--show has '$w'" grep -q "$w" "$T/show.txt"
done
"$PS" label --db "$DB" --show "$top" --json >"$T/show.json"
check "--show --json is the row with its report" "$PY" -c "
import json, sys; d = json.load(open('$T/show.json'))
sys.exit(0 if d['id'] == '$top' and isinstance(d['report']['segment'], list) else 1)"

# --set while the collector runs; the case leaves the queue
before=$("$PY" -c 'import time; print(int(time.time() * 1e6))')
"$PS" label --db "$DB" --set "$(echo "$top" | cut -c1-12)" cpu-lockup --by tester >"$T/set.out" 2>&1; rc=$?
after=$("$PY" -c 'import time; print(int(time.time() * 1e6))')
cat "$T/set.out"
checke "--set exit 0" '[ $rc -eq 0 ] && grep -q "labelled cpu-lockup by tester" "$T/set.out"'
check "row: human_label, labelled_by, labelled_us" [ "$(sqlite3 "$DB" "SELECT human_label || '|' || labelled_by || '|' || (labelled_us BETWEEN $before AND $after) FROM cases WHERE id='$top'")" = "cpu-lockup|tester|1" ]
"$PS" label --db "$DB" --cases --json --limit 0 >"$T/list2.json"
checke "the labelled case left the queue" '! grep -q "$top" "$T/list2.json"'
"$PY" "$T/expect.py" "$DB" >"$T/expect2"
"$PY" "$T/got.py" <"$T/list2.json" >"$T/got2"
check "the rest of the queue keeps its order" cmp_queue "$T/expect2" "$T/got2"
"$PS" label --db "$DB" --set "$top" hung-task --by other >"$T/set.out" 2>&1; rc=$?
checke "relabelling says old -> new" '[ $rc -eq 0 ] && grep -q "relabelled cpu-lockup -> hung-task" "$T/set.out"'
check "relabelled row" [ "$(sqlite3 "$DB" "SELECT human_label || '|' || labelled_by FROM cases WHERE id='$top'")" = "hung-task|other" ]
check "the store is at schema 3" [ "$(sqlite3 "$DB" 'PRAGMA user_version')" = 3 ]

# errors
second=$(sed -n '2s/ .*//p' "$T/expect2")
"$PS" label --db "$DB" --set "$second" not-a-label >"$T/err" 2>&1; rc=$?
check "unknown label -> exit 2" [ $rc -eq 2 ]
"$PS" model inspect | sed -n 's/^ *[0-9][0-9]* \([a-z-]*\) .*stored cases$/\1/p' >"$T/labels"
all_labels_named() {
	[ "$(wc -l <"$T/labels")" -eq 14 ] || return 1
	for l in $(cat "$T/labels"); do grep -q -- "$l" "$T/err" || return 1; done
}
check "the message lists the 14 labels of the shipped model" all_labels_named
check "unknown label: nothing written" [ "$(sqlite3 "$DB" "SELECT human_label IS NULL FROM cases WHERE id='$second'")" = 1 ]
"$PS" label --db "$DB" --show 0123456789abcdef >"$T/err" 2>&1; rc=$?
checke "unknown id -> exit 4" '[ $rc -eq 4 ] && grep -q "no case .0123456789abcdef." "$T/err"'
"$PS" label --db "$DB" --set 0123456789abcdef null-deref >"$T/err" 2>&1; rc=$?
check "--set unknown id -> exit 4" [ $rc -eq 4 ]
"$PS" label --db "$DB" --show 'xyz!' >/dev/null 2>&1; rc=$?
check "malformed id -> exit 2" [ $rc -eq 2 ]
"$PS" label --db "$T/none.db" >"$T/err" 2>&1; rc=$?
checke "missing store -> exit 3, not created" '[ $rc -eq 3 ] && [ ! -e "$T/none.db" ] && grep -q "none.db" "$T/err"'
echo "not a database" >"$T/text.db"
"$PS" label --db "$T/text.db" >/dev/null 2>&1; rc=$?
check "not a store -> exit 3" [ $rc -eq 3 ]
"$PS" label >/dev/null 2>&1; rc=$?
check "no --db -> exit 2" [ $rc -eq 2 ]
"$PS" label --db "$DB" --set "$second" >/dev/null 2>&1; rc=$?
check "--set without LABEL -> exit 2" [ $rc -eq 2 ]
"$PS" label --db "$DB" --limit many >/dev/null 2>&1; rc=$?
check "bad --limit -> exit 2" [ $rc -eq 2 ]
"$PS" label --db "$DB" --show "$second" --set "$second" null-deref >/dev/null 2>&1; rc=$?
check "--show with --set -> exit 2" [ $rc -eq 2 ]
"$PS" label --db "$DB" --frobnicate >/dev/null 2>&1; rc=$?
check "unknown option -> exit 2" [ $rc -eq 2 ]
checke "--help names the active-learning criterion" '"$PS" label --help >"$T/help" && grep -q "same\|criterion" "$T/help"'

# an ambiguous prefix: two rows whose ids share 'feedface' (copies of a
# stored row, in a copy of the store)
sqlite3 "$DB" ".backup '$T/amb.db'"
sqlite3 "$T/amb.db" "INSERT INTO cases SELECT 'feedface' || substr(id, 9), received_us, capture_us, release, machine, label, confidence, report, peer, client, summary, summary_source, summary_us, NULL, NULL, NULL, bucket, signature, entropy FROM cases LIMIT 2"
a1=$(sqlite3 "$T/amb.db" "SELECT id FROM cases WHERE id GLOB 'feedface*' ORDER BY id LIMIT 1")
a2=$(sqlite3 "$T/amb.db" "SELECT id FROM cases WHERE id GLOB 'feedface*' ORDER BY id LIMIT 1 OFFSET 1")
"$PS" label --db "$T/amb.db" --set feedface null-deref >"$T/err" 2>&1; rc=$?
cat "$T/err"
checke "ambiguous prefix -> exit 4 naming both cases" '[ $rc -eq 4 ] && grep -q "$a1" "$T/err" && grep -q "$a2" "$T/err"'
check "ambiguous prefix: nothing written" [ "$(sqlite3 "$T/amb.db" "SELECT count(*) FROM cases WHERE id GLOB 'feedface*' AND human_label IS NOT NULL")" = 0 ]
"$PS" label --db "$T/amb.db" --show "$(echo "$a1" | cut -c1-16)" >/dev/null 2>&1; rc=$?
check "a longer prefix resolves" [ $rc -eq 0 ]

# train --db: the labelled store cases on top of the fixtures
sqlite3 "$DB" "SELECT count(*) FROM cases WHERE human_label IS NOT NULL" >"$T/nlab"
check "one labelled store case" [ "$(cat "$T/nlab")" = 1 ]
"$PS" train --out "$T/base.psm" $small tests/data/cases >"$T/train.out" 2>&1 || bad "train on the fixtures: $(cat "$T/train.out")"
"$PS" train --db "$DB" --out "$T/store.psm" $small tests/data/cases >"$T/train.out" 2>&1; rc=$?
check "train --db STORE DIR exit 0" [ $rc -eq 0 ] || cat "$T/train.out"
checke "model verify accepts it" '"$PS" model verify "$T/store.psm" >"$T/verify.out" && grep -q ": ok" "$T/verify.out"'
"$PS" model inspect "$T/base.psm" >"$T/base.txt"
"$PS" model inspect "$T/store.psm" >"$T/store.txt"
nb=$(sed -n 's/^stored cases: //p' "$T/base.txt")
ns=$(sed -n 's/^stored cases: //p' "$T/store.txt")
checke "one more stored case than the fixtures alone ($nb -> $ns)" '[ -n "$nb" ] && [ "$ns" = $((nb + 1)) ]'
hb=$(sed -n 's/^ *[0-9]* hung-task  *\([0-9]*\) stored cases$/\1/p' "$T/base.txt")
hs=$(sed -n 's/^ *[0-9]* hung-task  *\([0-9]*\) stored cases$/\1/p' "$T/store.txt")
checke "stored under its human label hung-task ($hb -> $hs)" '[ -n "$hb" ] && [ "$hs" = $((hb + 1)) ]'
# one labelled case alone is too little to learn from (train's minimum:
# 2 labels x 3 cases); with five more labelled it is enough
"$PS" train --db "$DB" --out "$T/only.psm" $small >"$T/train.out" 2>&1; rc=$?
checke "train --db STORE alone with one labelled case -> exit 4, no model" \
	'[ $rc -eq 4 ] && grep -q "too few labelled cases" "$T/train.out" && [ ! -e "$T/only.psm" ]'
sqlite3 "$DB" ".backup '$T/six.db'"
n=0
for id in $(sqlite3 "$T/six.db" "SELECT id FROM cases WHERE human_label IS NULL ORDER BY id LIMIT 5"); do
	n=$((n + 1))
	"$PS" label --db "$T/six.db" --set "$id" "$([ $n -le 2 ] && echo hung-task || echo null-deref)" >/dev/null 2>&1 ||
		bad "label --set $id"
done
"$PS" train --db "$T/six.db" --out "$T/only.psm" $small >"$T/train.out" 2>&1; rc=$?
checke "train --db STORE alone with 3 + 3 labelled cases" '[ $rc -eq 0 ] && [ "$("$PS" model inspect "$T/only.psm" | sed -n "s/^stored cases: //p")" = 6 ]'
checke "train --help documents --db" '"$PS" train --help >"$T/help" && grep -q -- "--db STORE" "$T/help"'

# schema migration: a version-1 store made with the sqlite3 CLI
sqlite3 "$T/v1.db" <<EOF
CREATE TABLE cases (id TEXT PRIMARY KEY, received_us INTEGER NOT NULL, capture_us INTEGER NOT NULL,
  release TEXT NOT NULL, machine TEXT NOT NULL, label TEXT NOT NULL, confidence REAL NOT NULL,
  report TEXT NOT NULL, peer TEXT, client TEXT, summary TEXT, summary_source TEXT, summary_us INTEGER,
  human_label TEXT, labelled_us INTEGER);
CREATE INDEX cases_label ON cases(label);
CREATE INDEX cases_received ON cases(received_us);
CREATE INDEX cases_release ON cases(release);
CREATE INDEX cases_confidence ON cases(confidence);
INSERT INTO cases (id, received_us, capture_us, release, machine, label, confidence, report)
  VALUES ('$(printf 'ab%.0s' $(seq 32))', 1700000000000000, 1, '6.1.0-old', 'm1', 'null-deref', 0.9,
          readfile('$T/noranking.json'));
PRAGMA user_version = 1;
EOF
"$PS" label --db "$T/v1.db" --cases --json >"$T/v1.json"; rc=$?
checke "label on a version-1 store" '[ $rc -eq 0 ] && grep -q "\"received\":\"2023-11-14T22:13:20Z\"" "$T/v1.json"'
checke "migrated to schema 3 with labelled_by and a bucket for the old case" '[ "$(sqlite3 "$T/v1.db" "PRAGMA user_version")" = 3 ] &&
	sqlite3 "$T/v1.db" "PRAGMA table_info(cases)" | grep -q "|labelled_by|TEXT|" &&
	[ "$(sqlite3 "$T/v1.db" "SELECT count(*) FROM cases c JOIN buckets b ON b.id = c.bucket WHERE b.cases = 1")" = 1 ]'
"$PS" label --db "$T/v1.db" --set abab manual --by migrator >/dev/null 2>&1
check "migrated store takes labels" [ "$(sqlite3 "$T/v1.db" 'SELECT human_label || labelled_by || release FROM cases')" = manualmigrator6.1.0-old ]
"$PS" train --db "$T/v1.db" --out "$T/v1.psm" $small tests/data/cases >/dev/null 2>&1
check "train --db on the migrated store" "$PS" model verify "$T/v1.psm"
sqlite3 "$T/v1.db" "UPDATE cases SET human_label = NULL"
"$PS" train --db "$T/v1.db" --out "$T/none.psm" $small >"$T/err" 2>&1; rc=$?
checke "train --db with no labelled case and no dirs -> exit 4" '[ $rc -eq 4 ] && grep -q "no case has a human label" "$T/err"'
sqlite3 "$T/v1.db" "PRAGMA user_version = 9"
"$PS" label --db "$T/v1.db" >"$T/err" 2>&1; rc=$?
checke "a newer schema is refused (exit 3)" '[ $rc -eq 3 ] && grep -q newer "$T/err"'

check "the collector kept running" kill -0 "$SERVE_PID"
finish label
