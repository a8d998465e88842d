#!/bin/sh
# Upload path end to end on 127.0.0.1: the musl kdump upload client
# (build/tests/kdump-upload: the same objects as panicsage-kdump) against
# `panicsage serve`, with certificates from `panicsage pki`.
# STORE=pg (tests/t_upload_pg.sh): the same against a PostgreSQL store on
# a throw-away server (tests/pg.sh); the checks of SQLite's files (modes,
# WAL, integrity_check) are SQLite's alone.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
PS=$B/panicsage
UP=$B/tests/kdump-upload
PY=/usr/bin/python3
[ -x "$PS" ] && [ -x "$UP" ] || { echo "build first"; exit 1; }
command -v sqlite3 >/dev/null || { echo "sqlite3 CLI missing"; exit 77; }
[ -x "$PY" ] || { echo "$PY missing"; exit 77; }

. tests/lib.sh
SERVE_PID=""
umask 022
STORE=${STORE:-sqlite}
if [ "$STORE" = pg ]; then
	. tests/pg.sh
	pg_test_server
fi

"$PS" pki init "$T/pki" >/dev/null || { echo "pki init failed"; exit 1; }
"$PS" pki init "$T/other" >/dev/null || { echo "pki init (other CA) failed"; exit 1; }
"$PS" pki client "$T/pki" second >/dev/null || { echo "pki client failed"; exit 1; }

# a key that is not the certificate's: refused at start-up, not at
# every handshake
timeout 10 "$PS" serve --listen 127.0.0.1:0 --db "$T/mismatch.db" --ca "$T/pki/ca.crt" \
	--cert "$T/pki/server.crt" --key "$T/other/server.key" >"$T/out" 2>&1; rc=$?
cat "$T/out"
checke "serve with a mismatched key and certificate -> exit 2 (rc $rc)" \
	'[ $rc -eq 2 ] && grep -q "server.key does not match the certificate" "$T/out" && [ ! -e "$T/mismatch.db" ]'

DB=$T/cases.db
# sql QUERY: one value from the store; jlabel: SQL of the report's label
if [ "$STORE" = pg ]; then
	DB=$PG_URL
	sql() { pg_psql "$1"; }
	jlabel="report::json->>'label'"
else
	sql() { sqlite3 "$DB" "$1"; }
	jlabel="json_extract(report,'\$.label')"
fi
start_serve() { start_collector "$T/pki" "$DB" --timeout "${1:-2}" --max-clients 16; }
stop_serve() { stop_collector "$1"; }
rows() { sql "SELECT count(*) FROM cases${1:+ WHERE $1}"; }
spooled() { ls "$T/spool" 2>/dev/null | grep -c '\.case$'; }

# conf NAME CERTNAME PINFILE: a kdump.conf in $T/NAME.conf
conf() {
	kdump_conf "$T/$1.conf" "$2" "$3"
	cat >>"$T/$1.conf" <<-EOF
	retries = 2
	backoff_ms = 50
	timeout_ms = 2000
	EOF
}

report() { # $1: label -> a report JSON file
	printf '{"label":"%s","confidence":0.9,"ranking":[{"label":"%s","p":0.9}],"segment":[{"line":1,"ts":12.5,"text":"BUG: caf\\u00e9 \303\251"}],"culprits":[],"neighbors":[],"timing_us":{}}' \
		"$1" "$1" >"$T/$1.json"
	echo "$T/$1.json"
}

upload() { # CONF LABEL [driver options...]
	c=$1; l=$2; shift 2
	"$UP" --config "$T/$c.conf" --report "$(report "$l")" --label "$l" --confidence 0.9 \
		--release 6.1.0-test "$@" >"$T/out" 2>&1
	rc=$?
	cat "$T/out"
	return $rc
}

start_serve
conf good "$T/pki/client" "$T/pki/server.pin"

# 1. a case goes in, the spool is empty afterwards
upload good null-deref; rc=$?
check "upload stored (rc $rc)" [ $rc -eq 0 ]
check "row stored with its label" [ "$(rows "label='null-deref' AND release='6.1.0-test'")" = 1 ]
check "report stored as JSON" [ "$(sql "SELECT $jlabel FROM cases WHERE label='null-deref'")" = null-deref ]
check "spool empty after ACK" [ "$(spooled)" = 0 ]
if [ "$STORE" = sqlite ]; then
	# the store holds crash logs, machine ids and certificate subjects: it
	# and its WAL files are the collector's alone, whatever the umask
	modes=$(stat -c %a "$DB" "$DB-wal" "$DB-shm" | sort -u | tr '\n' ' ')
	check "store, -wal and -shm created mode 0600 under umask 022 ($modes)" [ "$modes" = "600 " ]
fi
checke "no warning about the store's mode" '! grep -q "other users can read" "$T/serve.log"'

# 2. duplicate upload stored once (same capture time -> same case id)
upload good dup --capture-us 1700000000000000 >/dev/null
upload good dup --capture-us 1700000000000000; rc=$?
checke "duplicate acknowledged (rc $rc)" '[ $rc -eq 0 ] && grep -q "duplicates=1" "$T/out"'
check "duplicate stored once" [ "$(rows "label='dup'")" = 1 ]

# 3. a client certificate from another CA is refused; the case stays
conf wrongcert "$T/other/client" "$T/pki/server.pin"
upload wrongcert wrong-cert; rc=$?
check "wrong client certificate rejected (rc $rc = 8)" [ $rc -eq 8 ]
check "collector logged the refused certificate" grep -q "handshake failed" "$T/serve.log"
check "case kept in the spool" [ "$(spooled)" = 1 ]
check "nothing stored from the wrong client" [ "$(rows "label='wrong-cert'")" = 0 ]

# 4. the client refuses a server whose key is not the pinned one
conf wrongpin "$T/pki/client" "$T/other/server.pin"
upload wrongpin wrong-pin; rc=$?
checke "wrong server key rejected by the client (rc $rc = 8)" '[ $rc -eq 8 ] && grep -q "does not match server_pin" "$T/out"'
check "both cases in the spool" [ "$(spooled)" = 2 ]
check "nothing stored for the wrong pin" [ "$(rows "label='wrong-pin'")" = 0 ]

# 5. collector down: the case stays; the next run sends everything
stop_serve TERM
upload good while-down; rc=$?
check "collector down -> exit 8" [ $rc -eq 8 ]
check "three cases spooled" [ "$(spooled)" = 3 ]
start_serve
"$UP" --config "$T/good.conf" >"$T/out" 2>&1; rc=$?
cat "$T/out"
check "next run sends the spool (rc $rc)" [ $rc -eq 0 ]
check "spool empty" [ "$(spooled)" = 0 ]
check "all spooled cases stored" [ "$(rows "label IN ('wrong-cert','wrong-pin','while-down')")" = 3 ]

# 5b. a collector that completes the handshake, reads each case whole and
# hangs up without an ACK (as one that dies before its commit): no spool
# file may go -- a case leaves the spool only after its ACK
stop_serve TERM
upload good noack-old-1 >/dev/null
upload good noack-old-2 >/dev/null
check "two cases spooled for the no-ACK collector" [ "$(spooled)" = 2 ]
for f in "$T"/spool/*.case; do cksum <"$f"; done | sort >"$T/noack.before"
"$PY" tests/upload_frames.py 0 "$T/pki" noack-server "$T/noack.port" "$T/noack.log" 2>"$T/noack.err" &
NOACK_PID=$!
bg_pid $NOACK_PID
wait_file "$T/noack.port" 10 || { bad "no-ACK collector did not start"; cat "$T/noack.err"; }
sed "s/^collector = .*/collector = 127.0.0.1:$(cat "$T/noack.port")/" "$T/good.conf" >"$T/noack.conf"
"$UP" --config "$T/noack.conf" >"$T/out" 2>&1; rc=$?
cat "$T/out"
check "no ACK: the run exits 8 (rc $rc)" [ $rc -eq 8 ]
checke "no ACK: the collector read whole cases from the spool" \
	'grep -q "^read case " "$T/noack.log" && ! grep -q -v "^read case " "$T/noack.log"'
for f in "$T"/spool/*.case; do cksum <"$f"; done | sort >"$T/noack.after"
check "no ACK: both spooled cases still there, byte for byte" cmp -s "$T/noack.before" "$T/noack.after"
upload noack noack-new; rc=$?
check "no ACK, a new case: exit 8 (rc $rc)" [ $rc -eq 8 ]
check "no ACK, a new case: three cases in the spool" [ "$(spooled)" = 3 ]
checke "no ACK: every case the collector read is still spooled" \
	'( for id in $(sed -n "s/^read case \([0-9a-f]*\) .*/\1/p" "$T/noack.log" | sort -u); do [ -f "$T/spool/$id.case" ] || exit 1; done )'
kill "$NOACK_PID" 2>/dev/null
wait "$NOACK_PID" 2>/dev/null
forget_pid "$NOACK_PID"
start_serve
"$UP" --config "$T/good.conf" >"$T/out" 2>&1; rc=$?
check "then the real collector takes them (rc $rc)" [ $rc -eq 0 ]
check "spool empty again" [ "$(spooled)" = 0 ]
check "the three no-ACK cases stored" [ "$(rows "label IN ('noack-old-1','noack-old-2','noack-new')")" = 3 ]

# 6. a second client certificate of the same CA works
conf second "$T/pki/second" "$T/pki/server.pin"
upload second second-client; rc=$?
n=$(rows "client LIKE '%CN=second%'")
checke "second client accepted (rc $rc, $n rows)" '[ $rc -eq 0 ] && [ "$n" = 1 ]'

# 7. hostile frames: rejected, nothing stored, the collector lives on
before=$(rows)
for s in garbage oversized bad-crc bad-version wrong-type truncated bad-json bad-field slow half-open tcp-garbage; do
	"$PY" tests/upload_frames.py "$PORT" "$T/pki" $s >"$T/py.out" 2>&1; rc=$?
	cat "$T/py.out"
	check "hostile client '$s' handled" [ $rc -eq 0 ]
done
check "nothing stored from hostile frames" [ "$(rows)" = "$before" ]
"$PY" tests/upload_frames.py "$PORT" "$T/pki" bad-id-then-good; rc=$?
check "bad case id rejected, session continues" [ $rc -eq 0 ]
"$PY" tests/upload_frames.py "$PORT" "$T/pki" many; rc=$?
n=$(rows "label='many'")
checke "20 cases on one connection (rc $rc, $n rows)" '[ $rc -eq 0 ] && [ "$n" = 20 ]'
upload good after-hostile; rc=$?
check "collector still serves after hostile clients" [ $rc -eq 0 ]

# 7b. concurrent clients, all stored
n1=$(rows)
cpids=""
for i in 1 2 3 4 5 6; do
	mkdir -p "$T/cspool$i"
	sed "s|^spool = .*|spool = $T/cspool$i|" "$T/good.conf" >"$T/c$i.conf"
	( "$UP" --config "$T/c$i.conf" --report "$(report conc$i)" --label conc >/dev/null 2>&1; echo $? >"$T/c$i.rc" ) &
	cpids="$cpids $!"
done
# shellcheck disable=SC2086
wait $cpids
check "6 concurrent clients all acknowledged" [ "$(cat "$T"/c?.rc | sort -u)" = 0 ]
check "6 concurrent cases stored" [ "$(rows)" = $((n1 + 6)) ]

# 7c. every slot taken by idle sessions (--max-clients 16): the
# collector refuses more, and a real client gets through by retrying
# once a slot is free.  A fresh collector whose --timeout outlasts the
# test holds the sessions until the test lets them go: 16 finished TLS
# handshakes (the collector accepted and counts each), then the client,
# which must be refused (its refusal in the log) before they are
# released.
stop_serve TERM
start_serve 30
log0=$(wc -l <"$T/serve.log")
refused() { tail -n +"$((log0 + 1))" "$T/serve.log" | grep -q "refused: 16 clients already connected"; }
rm -f "$T/held" "$T/release"
"$PY" tests/upload_frames.py "$PORT" "$T/pki" hold16 "$T/held" "$T/release" >"$T/hold.out" 2>&1 &
holder=$!
bg_pid $holder
check "16 idle sessions hold every slot" wait_file "$T/held" 30 || cat "$T/hold.out"
sed 's/^retries = .*/retries = 8/; s/^backoff_ms = .*/backoff_ms = 200/' "$T/good.conf" >"$T/patient.conf"
upload patient while-full --deadline-ms 15000 >/dev/null &
client=$!
bg_pid $client
check "collector refused the client over --max-clients" wait_for 15 refused
: >"$T/release"
wait $holder; hrc=$?
forget_pid $holder
cat "$T/hold.out"
check "the idle sessions stayed open until released (rc $hrc)" [ $hrc -eq 0 ]
wait $client; rc=$?
forget_pid $client
cat "$T/out"
checke "client got through a full collector by retrying (rc $rc)" \
	'[ $rc -eq 0 ] && grep -q "sent=1 " "$T/out" && ! grep -q "attempts=1 " "$T/out"'
check "the case sent after the refusal is stored" [ "$(rows "label='while-full'")" = 1 ]
stop_serve TERM
start_serve
# and slots taken by connections that never start TLS come free when
# the collector times them out (--timeout 2)
"$PY" tests/upload_frames.py "$PORT" "$T/pki" idle16; rc=$?
check "collector hung up on 16 idle connections" [ $rc -eq 0 ]
upload patient after-idle --deadline-ms 15000 >/dev/null; rc=$?
check "a client gets in after the idle ones timed out (rc $rc)" [ $rc -eq 0 ]
check "its case is stored" [ "$(rows "label='after-idle'")" = 1 ]

# 7d. configuration: the kernel command line wins over the file; a bad
# setting is reported and skipped, and the case is still spooled
"$UP" --config "$T/good.conf" --cmdline "quiet panicsage.collector=[::1]:9 panicsage.machine_id=cmd-id panicsage.retries=1" \
	--report "$(report cmdline)" --deadline-ms 3000 >"$T/out" 2>&1; rc=$?
cat "$T/out"
check "cmdline overrides the file (IPv6 literal)" grep -q "config: collector=::1:9 machine=cmd-id" "$T/out"
check "unreachable cmdline collector -> exit 8" [ $rc -eq 8 ]
"$UP" --config "$T/good.conf" --cmdline "panicsage.collector=collector.example:7443 panicsage.server_pin=xyz" \
	--report "$(report badconf)" >"$T/out" 2>&1; rc=$?
cat "$T/out"
check "host name refused (no DNS in a capture kernel)" grep -q "IP literal, no host names" "$T/out"
# (no --label: the case is found by its report)
n=$(rows "$jlabel='badconf'")
checke "bad settings skipped, case still uploaded with the rest (rc $rc, $n rows)" '[ $rc -eq 0 ] && [ "$n" = 1 ]'
"$UP" --config "$T/good.conf" >/dev/null 2>&1   # send what 7d left behind

# 8. oversized report: refused before anything is sent
head -c 300000 /dev/zero | tr '\0' 'a' >"$T/big.json"
"$UP" --config "$T/good.conf" --report "$T/big.json" --label big >"$T/out" 2>&1; rc=$?
cat "$T/out"
check "oversized report refused (rc $rc = 4)" [ $rc -eq 4 ]

# 9. corrupt spool file: set aside, never sent, never deleted
mkdir -p "$T/spool"
printf 'garbage' >"$T/spool/$(printf '%064d' 0).case"
"$UP" --config "$T/good.conf" >"$T/out" 2>&1; rc=$?
check "corrupt spool file set aside as .bad" [ -f "$T/spool/$(printf '%064d' 0).case.bad" ]

# 10. SIGKILL after ACKs loses nothing (SQLite: WAL, synchronous=FULL;
# PostgreSQL: the commit comes before the ACK)
n0=$(rows)
for i in 1 2 3 4 5 6 7 8; do upload good killed-$i >/dev/null || bad "upload killed-$i"; done
stop_serve KILL
if [ "$STORE" = sqlite ]; then
	check "WAL file present after SIGKILL" [ -f "$DB-wal" ]
	chmod 644 "$DB"
fi
start_serve
[ "$STORE" = sqlite ] && check "a store readable by others is warned about" grep -q "cases.db is mode 0644: other users can read" "$T/serve.log"
check "all 8 acknowledged cases survive SIGKILL" [ "$(rows)" = $((n0 + 8)) ]
if [ "$STORE" = sqlite ]; then
	check "store integrity after SIGKILL" [ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ]
else
	check "every bucket counts its cases after SIGKILL" [ "$(sql 'SELECT count(*) FROM buckets b WHERE cases <> (SELECT count(*) FROM cases WHERE bucket = b.id)')" = 0 ]
fi
upload good after-restart >/dev/null; rc=$?
check "collector works after restart" [ $rc -eq 0 ]
stop_serve TERM

echo "--- collector log (tail)"
tail -n 15 "$T/serve.log"
finish "upload ($STORE)"
