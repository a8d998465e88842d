#!/bin/sh
# Crash buckets and known problems, end to end on 127.0.0.1: every QEMU
# lab case (model/corpus/lab, 21 kinds, two Debian kernel builds) is
# classified and uploaded to `panicsage serve` as if from its own
# machine, with the release of the kernel that crashed, then:
#   - no bucket mixes two lab kinds (purity), and the cases of one bug
#     land in one bucket.  "One bug" is known here without the code under
#     test: the lab's own generator (tools/lab/kinds.sh, rerun for each
#     seed) says which fault the module was asked for (op and variant),
#     and the raw log says which psdev function faulted (its first
#     reliable "[psdev]" frame); sysrq and mce inject one fault each.
#     Two groups are known to split, for reasons written below;
#   - a label set on a bucket reaches every case, and the cases that
#     join it later;
#   - a resolution attached to a bucket is printed by panicsage-kdump
#     on the console after its report, escaped, and reaches every case's
#     --show; other buckets' cases get none;
#   - compatibility: an old client (version 1 CASE) gets the version 1
#     ACK it knows, the new client gets its answer from a version 2 ACK
#     and uploads to a collector that speaks version 1 only (a fake one,
#     tests/upload_frames.py serve-v1); a collector that sends escape
#     sequences gets its ACK refused and nothing raw on the console;
#   - the labelling queue's order per bucket, computed here from the
#     stored reports; buckets --json counts against SQL; a store of
#     schema 2 gets buckets for its old cases.
set -u
cd "$(dirname "$0")/.."
LAB=model/corpus/lab

. tests/lib.sh
need_store_tools

"$PS" pki init "$T/pki" >/dev/null || { echo "pki failed"; exit 1; }
DB=$T/cases.db
start_collector "$T/pki" "$DB" --timeout 5
kdump_conf "$T/k.conf" "$T/pki/client" "$T/pki/server.pin"
q() { sqlite3 "$DB" "$1"; }

# the lab's generator: kind, op and variant of each seed
(
	. tools/lab/kinds.sh
	for f in "$LAB"/*.log; do
		b=$(basename "$f" .log); kind=${b%-*}; seed=${b##*-}
		rnd_init "$kind" "$seed"
		FAULT_SH=""
		kind_setup "$kind" >/dev/null 2>&1
		set -- $(printf '%s\n' "$FAULT_SH" | grep -oE '[0-9]+ [0-9]+ [0-9]+ [0-9]+' | head -n 1)
		echo "$b $kind ${1:--} ${2:--}"
	done
) >"$T/variants"
check "the generator gave every seed a kind" [ "$(wc -l <"$T/variants")" = "$(ls "$LAB"/*.log | wc -l)" ]
# a null-deref that faults in psdev_process (variants 0 and 1): the first
# such seed's bucket is the one labelled and resolved below, the last one
# is held back to arrive after that
nd=$(grep -E ' null-deref 41 [01]$' "$T/variants" | head -n 1 | cut -d' ' -f1)
nd_late=$(grep -E ' null-deref 41 [01]$' "$T/variants" | tail -n 1 | cut -d' ' -f1)

# ---- 1. every lab case, from its own machine, with its kernel's release
# (three are held back for part 5)
held="$nd_late warn-20 sysrq-20"
mkdir -p "$T/rep"
n=0
for f in "$LAB"/*.log; do
	b=$(basename "$f" .log)
	case " $held " in *" $b "*) continue ;; esac
	"$PS" classify --json "$f" >"$T/rep/$b.json" 2>/dev/null || { bad "classify $b"; continue; }
	rel=$(sed -n 's/.*Linux version \([^ ]*\) .*/\1/p' "$f" | head -n 1)
	label=$(sed -n 's/^{"label":"\([a-z-]*\)".*/\1/p' "$T/rep/$b.json")
	"$UP" --config "$T/k.conf" --cmdline "panicsage.machine_id=lab-$b" --report "$T/rep/$b.json" \
		--label "$label" --confidence 0.9 --release "${rel:-unknown}" >"$T/up.out" 2>&1 ||
		{ bad "upload $b"; cat "$T/up.out"; }
	n=$((n + 1))
done
check "$n lab cases stored" [ "$(q 'SELECT count(*) FROM cases')" = $n ]
check "every case has a bucket" [ "$(q 'SELECT count(*) FROM cases WHERE bucket IS NULL')" = 0 ]
check "bucket counters match their cases" [ "$(q 'SELECT count(*) FROM buckets b WHERE cases != (SELECT count(*) FROM cases WHERE bucket = b.id)')" = 0 ]
check "two kernel builds among them" [ "$(q 'SELECT count(DISTINCT release) FROM cases')" = 2 ]

sqlite3 -separator ' ' "$DB" "SELECT substr(machine, 5), bucket FROM cases" >"$T/buckets"

cat >"$T/groups.py" <<'PY'
import collections, re, sys
lab, variants, buckets = sys.argv[1:4]
bucket = dict(l.split() for l in open(buckets))
frame = re.compile(r"^\[[ 0-9.]+\]\s+(\? )?(?:RIP: \w+:)?([A-Za-z_][\w.]*)\+0x[0-9a-f]+/0x[0-9a-f]+ \[psdev\]")
kinds = collections.defaultdict(collections.Counter)   # bucket -> lab kinds
per_kind = collections.defaultdict(set)
groups = collections.defaultdict(collections.Counter)  # bug -> buckets
for line in open(variants):
    b, kind, op, variant = line.split()
    if b not in bucket:
        continue
    kinds[bucket[b]][kind] += 1
    per_kind[kind].add(bucket[b])
    if kind in ("sysrq", "mce"):
        bug = (kind,)
    elif op != "-":
        fn = None
        for l in open("%s/%s.log" % (lab, b), errors="replace"):
            m = frame.search(l)
            if m and not m.group(1):
                fn = m.group(2).split(".")[0]
                break
        bug = (kind, op, variant, fn)
    else:
        continue
    groups[bug][bucket[b]] += 1
impure = [b for b, k in kinds.items() if len(k) > 1]
print("buckets %d, impure %d" % (len(kinds), len(impure)))
for k in sorted(per_kind):
    print("kind %-16s %2d bucket(s)" % (k, len(per_kind[k])))
for bug, bs in sorted(groups.items(), key=str):
    if len(bs) > 1:
        print("split %s %s" % ("/".join(str(x) for x in bug), " ".join("%s:%d" % i for i in sorted(bs.items()))))
print("bugs %d, cases %d, split %d" % (len(groups), sum(sum(c.values()) for c in groups.values()),
                                       sum(len(c) > 1 for c in groups.values())))
PY
"$PY" "$T/groups.py" "$LAB" "$T/variants" "$T/buckets" >"$T/groups"
cat "$T/groups"
check "no bucket mixes two lab kinds" grep -q "^buckets [0-9]*, impure 0$" "$T/groups"
checke "the cases of one bug from different machines and kernels share a bucket ($(sed -n 's/^bugs //p' "$T/groups"))" \
	'[ "$(grep "^bugs" "$T/groups" | sed "s/.*split //")" -le 2 ]'
# The two known splits: psnic's TX stall ends either in the NETDEV
# WATCHDOG warning (panic_on_warn, with its trace) or in the driver's
# own panic after a failed reset (no trace): two crash paths, two
# buckets.  And refcount's segment often lacks the WARNING's trace (the
# extraction stops at the second header), so those cases are bucketed
# by kind and header alone, apart from the one whose segment has it.
# (refcount's variant 1 from a timer, whose only psdev frame is marked
# unreliable, is one bucket: the interrupt entry ends the trace read, so
# the interrupted context's frames stay out of the signature.)
check "only the two known splits" sh -c "! grep '^split' '$T/groups' | grep -v '^split driver-timeout/44/0/psdev_tx_timeout \|^split refcount/12/2/psdev_ctl_write '"

ND=$(sed -n "s/^$nd //p" "$T/buckets")
check "a null-deref bucket ($ND) holds cases from many machines" [ "$(q "SELECT count(DISTINCT machine) > 5 FROM cases WHERE bucket = '$ND'")" = 1 ]

# ---- 2. the buckets command against SQL
"$PS" buckets --db "$DB" --json --limit 0 >"$T/b.json"; rc=$?
check "buckets --json exit 0" [ $rc -eq 0 ]
sqlite3 -separator ' ' "$DB" "SELECT bucket, count(*), count(DISTINCT machine), count(DISTINCT release), min(received_us), max(received_us) FROM cases GROUP BY bucket ORDER BY bucket" >"$T/b.want"
"$PY" -c '
import json, sys
for b in sorted(json.load(sys.stdin), key=lambda b: b["id"]):
    assert sum(k["cases"] for k in b["labels"]) == b["cases"] == sum(k["cases"] for k in b["kernels"]), b
    print(b["id"], b["cases"], b["machines"], b["releases"], b["first_us"], b["last_us"])' <"$T/b.json" >"$T/b.got"
check "buckets --json: cases, machines, kernels, first and last seen as SQL counts them" cmp -s "$T/b.want" "$T/b.got"
check "most cases first" "$PY" -c '
import json, sys
c = [b["cases"] for b in json.load(sys.stdin)]
sys.exit(0 if c == sorted(c, reverse=True) and len(c) > 20 else 1)' <"$T/b.json"
"$PS" buckets --db "$DB" --show "$(echo "$ND" | cut -c1-8)" >"$T/show.txt"; rc=$?
checke "buckets --show by prefix lists its cases" '[ $rc -eq 0 ] && [ "$(grep -c "machine lab-" "$T/show.txt")" = "$(q "SELECT count(*) FROM cases WHERE bucket = '"'$ND'"'")" ]'
"$PS" buckets --db "$DB" --show "$ND" --json >"$T/show.json"
check "buckets --show --json" "$PY" -c "
import json; d = json.load(open('$T/show.json'))
assert d['bucket']['id'] == '$ND' and len(d['cases']) == d['bucket']['cases']"
"$PS" buckets --signature --json "$LAB/$nd.log" >"$T/sig.json"
check "buckets --signature names the bucket the collector chose" "$PY" -c "
import json; d = json.load(open('$T/sig.json'))
assert d[0]['id'] == '$ND', d"
"$PS" buckets --db "$DB" --show ffffffffffff >"$T/err" 2>&1; rc=$?
check "unknown bucket -> exit 4" [ $rc -eq 4 ]
"$PS" buckets --db "$DB" --show 'x!' >/dev/null 2>&1; rc=$?
check "malformed bucket id -> exit 2" [ $rc -eq 2 ]
"$PS" buckets --db "$T/none.db" >/dev/null 2>&1; rc=$?
checke "missing store -> exit 3, not created" '[ $rc -eq 3 ] && [ ! -e "$T/none.db" ]'
"$PS" buckets >/dev/null 2>&1; rc=$?
check "no --db -> exit 2" [ $rc -eq 2 ]
"$PS" buckets --signature "$T/missing.log" >/dev/null 2>&1; rc=$?
check "--signature of a missing file -> exit 3" [ $rc -eq 3 ]

# ---- 3. the labelling queue per bucket: expected order from the stored
# reports (entropy of each unlabelled case's ranking, ln 14 without one)
cat >"$T/queue.py" <<'PY'
import json, math, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT c.bucket, c.report, c.received_us FROM cases c JOIN buckets b ON b.id = c.bucket"
                  " WHERE COALESCE(c.human_label, '') = '' AND COALESCE(b.human_label, '') = ''").fetchall()
agg = {}
for b, rep, rec in rows:
    ps = [e["p"] for e in json.loads(rep).get("ranking") or [] if isinstance(e, dict)]
    h = -sum(p * math.log(p) for p in ps if p > 0) if ps else math.log(14)
    u, last = agg.get(b, (0.0, 0))
    agg[b] = (u + h, max(last, rec))
cases = dict(db.execute("SELECT id, cases FROM buckets").fetchall())
for b, (u, last) in sorted(agg.items(), key=lambda i: (-round(i[1][0], 9), -cases[i[0]], -i[1][1], i[0])):
    print(b, "%.6f" % u)
PY
"$PY" "$T/queue.py" "$DB" >"$T/queue.want"
"$PS" label --db "$DB" --json --limit 0 >"$T/queue.json"; rc=$?
"$PY" -c '
import json, sys
for b in json.load(sys.stdin):
    print(b["id"], "%.6f" % b["uncertainty"])' <"$T/queue.json" >"$T/queue.got"
checke "label: the queue per bucket, by total uncertainty, then cases, then last seen (rc $rc)" \
	'[ $rc -eq 0 ] && [ -s "$T/queue.got" ] && cmp -s "$T/queue.want" "$T/queue.got"'
"$PS" label --db "$DB" --limit 3 >"$T/queue.txt"
check "label's text queue names the bucket command" grep -q -- "--set --bucket BUCKET LABEL" "$T/queue.txt"

# ---- 4. a bucket's label reaches its cases, and the later ones
"$PS" label --db "$DB" --set --bucket "$ND" bad-access --by tester >"$T/set.out" 2>&1; rc=$?
cat "$T/set.out"
nnd=$(q "SELECT count(*) FROM cases WHERE bucket = '$ND'")
checke "label --set --bucket (rc $rc)" '[ $rc -eq 0 ] && grep -q "labelled bad-access, $nnd cases by tester" "$T/set.out"'
check "every case of the bucket has the label" [ "$(q "SELECT count(*) FROM cases WHERE bucket = '$ND' AND human_label = 'bad-access' AND labelled_by = 'tester'")" = "$nnd" ]
check "no other case got it" [ "$(q "SELECT count(*) FROM cases WHERE bucket != '$ND' AND human_label IS NOT NULL")" = 0 ]
"$PS" label --db "$DB" --set --bucket "$ND" null-deref --by tester2 >"$T/set.out" 2>&1
check "relabelling a bucket says old -> new" grep -q "relabelled bad-access -> null-deref" "$T/set.out"
check "relabelled cases" [ "$(q "SELECT count(*) FROM cases WHERE bucket = '$ND' AND human_label = 'null-deref' AND labelled_by = 'tester2'")" = "$nnd" ]
"$PS" label --db "$DB" --json --limit 0 >"$T/queue2.json"
checke "a labelled bucket leaves the queue" '! grep -q "\"$ND\"" "$T/queue2.json"'
"$PS" label --db "$DB" --set --bucket "$ND" no-such-label >/dev/null 2>&1; rc=$?
check "bad label for a bucket -> exit 2" [ $rc -eq 2 ]
"$PS" label --db "$DB" --set --bucket ffffffffffffffff null-deref >/dev/null 2>&1; rc=$?
check "unknown bucket -> exit 4" [ $rc -eq 4 ]

# ---- 5. a known problem: resolved, then printed by the capture kernel
cause="psdev 1.1 dereferences a NULL queue on reset (caf$(printf '\303\251'))"
"$PS" label --db "$DB" --resolve "$(echo "$ND" | cut -c1-6)" --cause "$cause" \
	--advice "update psdev to 1.2, or boot with psdev.reset=0" --url https://kb.example.org/psdev-reset >"$T/res.out" 2>&1; rc=$?
checke "label --resolve (rc $rc)" '[ $rc -eq 0 ] && grep -q "known problem" "$T/res.out"'
"$PS" label --db "$DB" --resolve "$ND" --cause "red $(printf '\033[31m')x" >"$T/err" 2>&1; rc=$?
check "a cause with an escape sequence is refused (exit 2)" [ $rc -eq 2 ]
"$PS" label --db "$DB" --resolve "$ND" --cause "half $(printf '\355\240\200') a surrogate" >"$T/err" 2>&1; rc=$?
checke "a cause that is not UTF-8 (a surrogate) is refused (exit 2)" '[ $rc -eq 2 ] && grep -q "not UTF-8" "$T/err"'
"$PS" label --db "$DB" --resolve "$ND" --cause x --url "javascript:alert(1)" >/dev/null 2>&1; rc=$?
check "a URL that is not http(s) is refused" [ $rc -eq 2 ]
"$PS" label --db "$DB" --resolve "$ND" --cause "$(head -c 300 /dev/zero | tr '\0' a)" >/dev/null 2>&1; rc=$?
check "a cause over 256 bytes is refused" [ $rc -eq 2 ]
"$PS" label --db "$DB" --resolve "$ND" --advice x >/dev/null 2>&1; rc=$?
check "--resolve without --cause is refused" [ $rc -eq 2 ]
check "the stored resolution is the first one" [ "$(q "SELECT cause FROM buckets WHERE id = '$ND'")" = "$cause" ]

# the held-back null-deref seed, from a new machine, by the capture-kernel binary
sed 's/^machine_id = .*//' "$T/k.conf" >"$T/k2.conf"
echo "machine_id = a-new-machine" >>"$T/k2.conf"
"$KD" --deliver --config "$T/k2.conf" "$LAB/$nd_late.log" >"$T/kd.out" 2>"$T/kd.err"; rc=$?
tail -n 6 "$T/kd.out"
check "panicsage-kdump --deliver exit 0" [ $rc -eq 0 ]
ND20=$(q "SELECT bucket FROM cases WHERE machine = 'a-new-machine'")
if [ "$ND20" = "$ND" ]; then
	check "the console says it is a known problem, escaped" \
		grep -qxF 'panicsage: known problem: psdev 1.1 dereferences a NULL queue on reset (caf\xc3\xa9)' "$T/kd.out"
	check "the advice line" grep -qx "panicsage: advice: update psdev to 1.2, or boot with psdev.reset=0" "$T/kd.out"
	check "the URL line" grep -qx "panicsage: see: https://kb.example.org/psdev-reset" "$T/kd.out"
	check "how often it was seen" grep -q "^panicsage: seen before: $((nnd + 1)) cases from $((nnd + 1)) machines (bucket $ND)$" "$T/kd.out"
	check "the report comes first" [ "$(grep -n 'panicsage: known problem' "$T/kd.out" | cut -d: -f1)" -gt "$(grep -n 'fault-indicating segment' "$T/kd.out" | cut -d: -f1)" ]
	check "the new case inherited the bucket's label" [ "$(q "SELECT human_label FROM cases WHERE machine = 'a-new-machine'")" = null-deref ]
else
	bad "$nd_late went to bucket $ND20, not $ND"
fi
"$KD" --deliver --config "$T/k2.conf" "$LAB/warn-20.log" >"$T/kd2.out" 2>&1; rc=$?
checke "a case of another bucket: stored, no known problem (rc $rc)" '[ $rc -eq 0 ] && grep -q "stored by" "$T/kd2.out" && ! grep -q "known problem" "$T/kd2.out"'
# every case of the bucket shows the resolution
ok_all=1
for id in $(q "SELECT substr(id, 1, 12) FROM cases WHERE bucket = '$ND'"); do
	"$PS" label --db "$DB" --show "$id" >"$T/s.out" 2>&1 && grep -q "^  known problem: psdev 1.1" "$T/s.out" &&
		grep -q "^  bucket     $ND" "$T/s.out" || { ok_all=0; echo "case $id:"; cat "$T/s.out"; }
done
check "every case of the bucket shows its resolution (label --show)" [ $ok_all -eq 1 ]
"$PS" label --db "$DB" --show "$(q "SELECT id FROM cases WHERE machine = 'a-new-machine' AND bucket = '$ND'")" --json >"$T/s.json"
check "--show --json carries the bucket and the resolution" "$PY" -c "
import json; d = json.load(open('$T/s.json'))
assert d['bucket'] == '$ND' and d['resolution']['url'] == 'https://kb.example.org/psdev-reset', d['resolution']"

# the old client (version 1 CASE) gets a version 1 ACK, even for a known
# problem; a version 2 CASE gets the resolution
"$PY" tests/upload_frames.py "$PORT" "$T/pki" v1-case "$T/rep/$nd.json" old-client >"$T/py.out" 2>&1; rc=$?
cat "$T/py.out"
check "an old client's version 1 CASE gets the version 1 ACK" [ $rc -eq 0 ]
"$PY" tests/upload_frames.py "$PORT" "$T/pki" v2-case "$T/rep/$nd.json" raw-v2 >"$T/py.out" 2>&1; rc=$?
cat "$T/py.out"
checke "a version 2 CASE gets a version 2 ACK with bucket and resolution (rc $rc)" \
	'[ $rc -eq 0 ] && grep -q "bucket=$ND cases=$((nnd + 3)) machines=$((nnd + 3)) cause=.psdev 1.1" "$T/py.out" && ! grep -q TRAILING "$T/py.out"'
"$UP" --config "$T/k.conf" --cmdline "panicsage.machine_id=driver" --report "$T/rep/$nd.json" --release x >"$T/up.out" 2>&1
check "the upload driver reads the resolution too" grep -q "^answer: url=https://kb.example.org/psdev-reset$" "$T/up.out"

# --clear: no resolution any more
"$PS" label --db "$DB" --resolve "$ND" --clear >/dev/null 2>&1
"$KD" --deliver --config "$T/k2.conf" "$LAB/$nd_late.log" >"$T/kd3.out" 2>&1
checke "after --clear: no known problem on the console" 'grep -q "stored by" "$T/kd3.out" && ! grep -q "known problem" "$T/kd3.out"'

# ---- 6. the new client and a collector that speaks version 1 only
stop_collector TERM
rm -f "$T/port1" "$T/v1.log"
"$PY" tests/upload_frames.py 0 "$T/pki" serve-v1 "$T/port1" "$T/v1.log" >"$T/v1.out" 2>&1 &
v1=$!
bg_pid $v1
wait_file "$T/port1" 10 || bad "fake version 1 collector did not start"
sed "s/^collector = .*/collector = 127.0.0.1:$(cat "$T/port1")/; s|^spool = .*|spool = $T/spool-v1|; s/^retries = .*//" "$T/k2.conf" >"$T/kv1.conf"
# one attempt allowed: going back to version 1 must not use it up
echo "retries = 1" >>"$T/kv1.conf"
"$KD" --deliver --config "$T/kv1.conf" "$LAB/sysrq-20.log" >"$T/kd4.out" 2>&1; rc=$?
tail -n 2 "$T/kd4.out"
cat "$T/v1.log"
check "new client -> version 1 collector: stored (rc $rc)" [ $rc -eq 0 ]
check "it asked with a version 2 CASE first, then sent version 1" \
	[ "$(cut -d' ' -f2 "$T/v1.log" | tr '\n' ' ')" = "version=2 version=1 " ]
check "the same case id both times" [ "$(cut -d' ' -f4 "$T/v1.log" | sort -u | wc -l)" = 1 ]
check "nothing left in the spool, nothing set aside" [ -z "$(ls -A "$T/spool-v1")" ]
checke "no known-problem line from a version 1 collector" '! grep -q "known problem\|seen before" "$T/kd4.out"'
"$UP" --config "$T/kv1.conf" --report "$T/rep/$nd.json" >"$T/up.out" 2>&1; rc=$?
checke "the upload driver too (rc $rc)" '[ $rc -eq 0 ] && grep -q "sent=1 " "$T/up.out" && ! grep -q "^answer:" "$T/up.out"'
kill $v1; wait $v1 2>/dev/null; forget_pid $v1

# a collector that answers with terminal escape sequences: the client
# refuses the ACK, and no escape byte reaches the console
rm -f "$T/port2"
"$PY" tests/upload_frames.py 0 "$T/pki" serve-evil "$T/port2" "$T/evil.log" >/dev/null 2>&1 &
ev=$!
bg_pid $ev
wait_file "$T/port2" 10 || bad "fake collector did not start"
sed "s/^collector = .*/collector = 127.0.0.1:$(cat "$T/port2")/; s|^spool = .*|spool = $T/spool-evil|" "$T/k2.conf" >"$T/kev.conf"
printf 'retries = 1\n' >>"$T/kev.conf"
"$KD" --deliver --config "$T/kev.conf" "$LAB/sysrq-20.log" >"$T/kd5.out" 2>&1; rc=$?
check "an ACK with escape sequences is refused: the case stays (rc $rc = 8)" [ $rc -eq 8 ]
check "no escape byte on the console" sh -c "! grep -q \"\$(printf '\\033')\" '$T/kd5.out' && ! grep -q \"\$(printf '\\233')\" '$T/kd5.out'"
kill $ev; wait $ev 2>/dev/null; forget_pid $ev

# ---- 7. an existing store of schema 2 gets buckets for its old cases
sqlite3 "$T/v2.db" <<EOF
CREATE TABLE cases (id TEXT PRIMARY KEY, received_us INTEGER NOT NULL, capture_us INTEGER NOT NULL,
  release TEXT NOT NULL, machine TEXT NOT NULL, label TEXT NOT NULL, confidence REAL NOT NULL,
  report TEXT NOT NULL, peer TEXT, client TEXT, summary TEXT, summary_source TEXT, summary_us INTEGER,
  human_label TEXT, labelled_us INTEGER, labelled_by TEXT);
INSERT INTO cases (id, received_us, capture_us, release, machine, label, confidence, report)
  VALUES ('$(printf 'a%.0s' $(seq 64))', 1700000000000000, 1, '6.1.0-old', 'm1', 'null-deref', 0.9, readfile('$T/rep/$nd.json')),
         ('$(printf 'b%.0s' $(seq 64))', 1700000001000000, 1, '6.1.0-old', 'm2', 'null-deref', 0.9, readfile('$T/rep/$nd.json')),
         ('$(printf 'c%.0s' $(seq 64))', 1700000002000000, 1, '6.1.0-new', 'm3', 'manual', 0.9, readfile('$T/rep/sysrq-1.json')),
         ('$(printf 'd%.0s' $(seq 64))', 1700000003000000, 1, '6.1.0-new', 'm4', '', 0, '{"label":null,"segment":[]}');
PRAGMA user_version = 2;
EOF
"$PS" buckets --db "$T/v2.db" --json >"$T/v2.json"; rc=$?
check "buckets on a schema 2 store (rc $rc)" [ $rc -eq 0 ]
check "migrated to schema 3" [ "$(sqlite3 "$T/v2.db" 'PRAGMA user_version')" = 3 ]
check "old cases put into buckets: the two of one bug together, first seen kept" "$PY" -c "
import json; d = {b['id']: b for b in json.load(open('$T/v2.json'))}
c = sorted((b['cases'], b['machines'], b['first_us']) for b in d.values())
assert c == [(1, 1, 1700000002000000), (1, 1, 1700000003000000), (2, 2, 1700000000000000)], c
assert '$ND' in d, d.keys()"

finish buckets
