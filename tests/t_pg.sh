#!/bin/sh
# PostgreSQL as the shared store (--db postgresql://...): a throw-away
# server (tests/pg.sh: initdb in a private folder, a unix socket only),
# two `panicsage serve` collectors on the one store, and 8 capture-kernel
# clients uploading the same 20 cases at once, half to each collector.
# Checked with psql, not with the code under test:
#   - every upload is acknowledged, each case is stored exactly once:
#     20 rows, their ids the ones the clients computed, and the two
#     collectors logged 20 "stored" and 140 "duplicate" between them;
#   - the buckets are consistent: each bucket's count is the number of
#     its cases, each case is in the bucket its signature went to, and
#     the cases are grouped into buckets as a SQLite collector groups
#     them when it gets the same cases one at a time;
#   - buckets, label (--set --bucket, --set, --resolve, the queue),
#     summarize and train --db work against the PostgreSQL store, and a
#     resolution reaches the client of a later case of its bucket.
# t_upload_pg runs t_upload's faults against PostgreSQL.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
PS=$B/panicsage
UP=$B/tests/kdump-upload
PY=/usr/bin/python3
LAB=model/corpus/lab
[ -x "$PS" ] && [ -x "$UP" ] || { echo "build first"; exit 1; }
command -v sqlite3 >/dev/null || { echo "sqlite3 CLI missing"; exit 77; }

. tests/lib.sh
. tests/pg.sh
pg_test_server
ok "throw-away PostgreSQL server on $PG_DIR"
q() { pg_psql "$1"; }

"$PS" pki init "$T/pki" >/dev/null || { echo "pki failed"; exit 1; }

# two collectors on the one store
PORT=0; start_collector "$T/pki" "$PG_URL" --timeout 10 --max-clients 32
PORT_A=$PORT PID_A=$SERVE_PID
PORT=0; start_collector "$T/pki" "$PG_URL" --timeout 10 --max-clients 32
PORT_B=$PORT PID_B=$SERVE_PID
check "two collectors listen on the one store" [ "$PORT_A" != "$PORT_B" ]
check "the store has schema 3" [ "$(q 'SELECT version FROM panicsage_schema')" = 3 ]

# 20 cases: two seeds of ten lab kinds, each from its own machine, with
# a fixed capture time (the same case from every client)
mkdir -p "$T/rep"
: >"$T/cases"
for k in null-deref oom divide-error use-after-free hung-task bug double-free ext4-error stack-overflow refcount; do
	for s in 1 2; do
		f=$LAB/$k-$s.log
		[ -f "$f" ] || continue
		"$PS" classify --json "$f" >"$T/rep/$k-$s.json" 2>/dev/null || { bad "classify $k-$s"; continue; }
		label=$(sed -n 's/^{"label":"\([a-z-]*\)".*/\1/p' "$T/rep/$k-$s.json")
		echo "$k-$s ${label:-none}" >>"$T/cases"
	done
done
ncases=$(wc -l <"$T/cases")
check "20 cases to upload" [ "$ncases" = 20 ]

upload() { # CONF NAME LABEL [options]: one case, its output appended to $T/NAME.out
	_c=$1 _n=$2 _l=$3
	shift 3
	"$UP" --config "$_c" --cmdline "panicsage.machine_id=pg-$_n" --report "$T/rep/$_n.json" \
		--label "$_l" --confidence 0.9 --release 6.1.0-pg --capture-us 1700000000000000 "$@"
}

client() { # N PORT: every case, in order
	mkdir -p "$T/spool$1"
	sed "s|^spool = .*|spool = $T/spool$1|; s|^collector = .*|collector = 127.0.0.1:$2|" "$T/k.conf" >"$T/c$1.conf"
	cat >>"$T/c$1.conf" <<-EOF
	retries = 8
	backoff_ms = 100
	EOF
	while read -r name label; do
		upload "$T/c$1.conf" "$name" "$label" >>"$T/c$1.out" 2>&1 || echo "$name: exit $?" >>"$T/c$1.err"
	done <"$T/cases"
}

PORT=$PORT_A; kdump_conf "$T/k.conf" "$T/pki/client" "$T/pki/server.pin"
pids=""
for c in 1 2 3 4 5 6 7 8; do
	if [ $((c % 2)) = 1 ]; then p=$PORT_A; else p=$PORT_B; fi
	client "$c" "$p" &
	pids="$pids $!"
done
# shellcheck disable=SC2086
wait $pids
if [ -n "${PG_DEBUG:-}" ]; then cat "$T"/c*.err; kill -0 "$PID_A" && echo A alive; kill -0 "$PID_B" && echo B alive; tail -3 "$T/c2.out"; fi
checke "all 160 uploads acknowledged" '! cat "$T"/c*.err 2>/dev/null | grep -q . && [ "$(cat "$T"/c*.out | grep -c "^rc=0 ")" = 160 ]' ||
	cat "$T"/c*.err "$T/serve.log" 2>/dev/null | tail -n 20
cat "$T"/c*.out | sed -n 's/.* id=\([0-9a-f]*\)$/\1/p' | sort -u >"$T/ids.client"
q "SELECT id FROM cases ORDER BY id" >"$T/ids.store"
check "20 distinct case ids from the clients" [ "$(wc -l <"$T/ids.client")" = 20 ]
check "each case stored exactly once: the store holds those 20 ids" cmp -s "$T/ids.client" "$T/ids.store"
check "20 rows, 20 distinct ids" [ "$(q 'SELECT count(*), count(DISTINCT id) FROM cases')" = "20|20" ]
nstored=$(grep -c ": stored case " "$T/serve.log")
ndup=$(grep -c ": duplicate case " "$T/serve.log")
checke "the collectors stored 20 and acknowledged 140 duplicates between them ($nstored, $ndup)" \
	'[ "$nstored" = 20 ] && [ "$ndup" = 140 ]'
checke "both collectors took part" '[ "$(cat "$T"/c1.out "$T"/c3.out "$T"/c5.out "$T"/c7.out | grep -c "^rc=0 ")" = 80 ] &&
	[ "$(cat "$T"/c2.out "$T"/c4.out "$T"/c6.out "$T"/c8.out | grep -c "^rc=0 ")" = 80 ]'
check "each bucket counts its cases" [ "$(q 'SELECT count(*) FROM buckets b WHERE cases <> (SELECT count(*) FROM cases WHERE bucket = b.id)')" = 0 ]
check "the bucket counts add up to 20" [ "$(q 'SELECT sum(cases) FROM buckets')" = 20 ]
check "every case is in its signature's bucket" [ "$(q 'SELECT count(*) FROM cases c LEFT JOIN signatures s ON s.id = c.signature WHERE s.bucket IS DISTINCT FROM c.bucket')" = 0 ]

# the same cases, one at a time, to a SQLite collector: the same groups
stop_collector TERM
SERVE_PID=$PID_A
stop_collector TERM
PORT=0; start_collector "$T/pki" "$T/ref.db" --timeout 10
PORT_R=$PORT
sed "s|^collector = .*|collector = 127.0.0.1:$PORT_R|; s|^spool = .*|spool = $T/spoolr|" "$T/k.conf" >"$T/r.conf"
while read -r name label; do upload "$T/r.conf" "$name" "$label" >/dev/null 2>&1 || bad "reference upload $name"; done <"$T/cases"
stop_collector TERM
# a bucket as the sorted ids of its cases, one line per bucket
groups() { sort | awk '{ if ($1 != b) { if (NR > 1) print line; b = $1; line = "" } line = line " " $2 } END { print line }' | sort; }
q "SELECT bucket, id FROM cases ORDER BY bucket, id" | tr '|' ' ' | groups >"$T/groups.pg"
sqlite3 -separator ' ' "$T/ref.db" "SELECT bucket, id FROM cases ORDER BY bucket, id" | groups >"$T/groups.ref"
checke "the cases form the same buckets as with SQLite, one at a time ($(wc -l <"$T/groups.pg") buckets)" \
	'cmp -s "$T/groups.pg" "$T/groups.ref"' || diff "$T/groups.pg" "$T/groups.ref"
check "and the same predicted labels" [ "$(q "SELECT id || ' ' || label FROM cases ORDER BY id")" = "$(sqlite3 "$T/ref.db" "SELECT id || ' ' || label FROM cases ORDER BY id")" ]

# ---- the commands against the PostgreSQL store
PORT=0; start_collector "$T/pki" "$PG_URL" --timeout 10
sed -i "s|^collector = .*|collector = 127.0.0.1:$PORT|" "$T/k.conf"
"$PS" buckets --db "$PG_URL" --json >"$T/b.json"; rc=$?
checke "buckets --json (rc $rc) counts as psql does" \
	'[ $rc -eq 0 ] && "$PY" -c "import json,sys; [print(\"%s|%d\" % (b[\"id\"], b[\"cases\"])) for b in sorted(json.load(open(sys.argv[1])), key=lambda b: b[\"id\"])]" "$T/b.json" >"$T/b.got" && q "SELECT id, cases FROM buckets ORDER BY id" >"$T/b.want" && cmp -s "$T/b.got" "$T/b.want"'
nd=$(q "SELECT bucket FROM cases WHERE machine = 'pg-null-deref-1'")
nnd=$(q "SELECT count(*) FROM cases WHERE bucket = '$nd'")
"$PS" label --db "$PG_URL" --set --bucket "$(echo "$nd" | cut -c1-10)" null-deref --by tester >"$T/out" 2>&1; rc=$?
cat "$T/out"
check "label --set --bucket (rc $rc)" [ $rc -eq 0 ]
check "every case of the bucket labelled" [ "$(q "SELECT count(*) FROM cases WHERE bucket = '$nd' AND human_label = 'null-deref' AND labelled_by = 'tester'")" = "$nnd" ]
one=$(q "SELECT id FROM cases WHERE bucket <> '$nd' ORDER BY id LIMIT 1")
"$PS" label --db "$PG_URL" --set "$(echo "$one" | cut -c1-8)" kernel-bug --by tester >/dev/null 2>&1; rc=$?
check "label --set one case (rc $rc)" [ "$(q "SELECT human_label FROM cases WHERE id = '$one'")" = kernel-bug ]
"$PS" label --db "$PG_URL" --json >"$T/queue.json"; rc=$?
checke "the queue leaves the labelled bucket out (rc $rc)" '[ $rc -eq 0 ] && ! grep -q "$nd" "$T/queue.json" && grep -q "\"id\"" "$T/queue.json"'
"$PS" label --db "$PG_URL" --resolve "$(echo "$nd" | cut -c1-10)" --cause "fixed in 6.2 (pg test)" --advice "upgrade" >/dev/null 2>&1; rc=$?
check "label --resolve (rc $rc)" [ "$(q "SELECT cause FROM buckets WHERE id = '$nd'")" = "fixed in 6.2 (pg test)" ]
# a later case of that bucket, from another machine, hears of it
upload "$T/k.conf" null-deref-1 null-deref --cmdline "panicsage.machine_id=pg-later" >"$T/out" 2>&1; rc=$?
cat "$T/out"
checke "a later case of the bucket gets the resolution (rc $rc)" \
	'[ $rc -eq 0 ] && grep -q "^answer: bucket=$nd " "$T/out" && grep -q "^answer: cause=fixed in 6.2 (pg test)" "$T/out"'
check "and the bucket's label" [ "$(q "SELECT human_label FROM cases WHERE machine = 'pg-later'")" = null-deref ]
"$PS" label --db "$PG_URL" --show "$(echo "$one" | cut -c1-8)" >"$T/show" 2>&1; rc=$?
checke "label --show (rc $rc)" '[ $rc -eq 0 ] && grep -q "^  human      kernel-bug" "$T/show" && grep -q "^segment" "$T/show"'
"$PS" summarize --db "$PG_URL" --config /dev/null --no-llm --limit 5 >/dev/null 2>&1; rc=$?
check "summarize (rc $rc): 5 summaries stored" [ "$(q "SELECT count(*) FROM cases WHERE summary_source = 'extractive'")" = 5 ]
"$PS" train --db "$PG_URL" --out "$T/pg.psm" --dim 16 --hidden 16 --buckets 1024 --epochs 50 --k 5 --quiet \
	tests/data/cases >"$T/train.out" 2>&1; rc=$?
checke "train --db learns the store's labelled cases (rc $rc)" \
	'[ $rc -eq 0 ] && [ -s "$T/pg.psm" ]' || cat "$T/train.out"
"$PS" label --db "postgresql:///nosuchdb?host=$PG_DIR&port=5432&user=panicsage" >"$T/out" 2>&1; rc=$?
checke "a database that does not exist: exit 3 and a message (rc $rc)" \
	'[ $rc -eq 3 ] && grep -q "nosuchdb" "$T/out"'
stop_collector TERM

finish pg
