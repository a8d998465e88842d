#!/bin/sh
# The collector against anyone who can reach its port: 200 TCP
# connections that never start TLS, each opened again as soon as the
# collector closes it, must not keep real capture kernels' uploads out
# (connections without a finished handshake have their own cap and a
# short handshake budget, and the oldest silent one goes first), and the
# collector's log stays bounded (one line per kind of refusal per 10 s).
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

"$PS" pki init "$T/pki" >/dev/null || { echo "pki init failed"; exit 1; }
DB=$T/cases.db
# --timeout far beyond the test: idle connections used to hold a client
# slot that long (and 64 of them, --max-clients, kept everyone out)
start_collector "$T/pki" "$DB" --timeout 60
kdump_conf "$T/k.conf" "$T/pki/client" "$T/pki/server.pin"
cat >>"$T/k.conf" <<-EOF
retries = 3
backoff_ms = 200
timeout_ms = 2000
EOF
printf '{"label":"null-deref","confidence":0.9,"ranking":[],"segment":[{"line":1,"ts":1.5,"text":"BUG: flood"}],"culprits":[],"neighbors":[],"timing_us":{}}' >"$T/r.json"
rows() { sqlite3 "$DB" "SELECT count(*) FROM cases"; }
upload() { # N: one real upload through the kdump client
	"$UP" --config "$T/k.conf" --report "$T/r.json" --label "flood-$1" --deadline-ms 10000 \
		>"$T/up$1.out" 2>&1
}

log0=$(wc -l <"$T/serve.log")
"$PY" tests/upload_frames.py "$PORT" "$T/pki" flood200 "$T/ready1" "$T/stop" >"$T/flood1.out" 2>&1 &
bg_pid $!
f1=$!
check "200 idle connections from 127.0.0.1 open" wait_file "$T/ready1" 30
upload 1; rc=$?
cat "$T/up1.out"
check "an upload from the same address gets through (rc $rc)" [ $rc -eq 0 ]

# and from another address, while both floods go on
if "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.2", 0))' 2>/dev/null; then
	"$PY" tests/upload_frames.py "$PORT" "$T/pki" flood200 "$T/ready2" "$T/stop" 127.0.0.2 \
		>"$T/flood2.out" 2>&1 &
	bg_pid $!
	f2=$!
	check "200 more from 127.0.0.2 open" wait_file "$T/ready2" 30
else
	echo "(127.0.0.2 is not usable here: one flood only)"
	f2=""
fi
upload 2; rc2=$?
cat "$T/up2.out"
upload 3; rc3=$?
cat "$T/up3.out"
checke "two more uploads get through the floods (rc $rc2, $rc3)" '[ $rc2 -eq 0 ] && [ $rc3 -eq 0 ]'
# let the floods run past one logging period
sleep 11
upload 4; rc=$?
check "and one more after 11 s of flooding (rc $rc)" [ $rc -eq 0 ]
: >"$T/stop"
for p in $f1 $f2; do wait "$p"; forget_pid "$p"; done
cat "$T"/flood*.out
check "the four cases are stored" [ "$(rows)" = 4 ]
closed=$(sed -n 's/.*the collector closed \([0-9]*\).*/\1/p' "$T/flood1.out")
checke "the collector closed flood connections (${closed:-?})" '[ "${closed:-0}" -gt 100 ]'

stop_collector TERM
lines=$(( $(wc -l <"$T/serve.log") - log0 ))
echo "--- collector log ($lines lines)"
tail -n +"$((log0 + 1))" "$T/serve.log"
# 4 stored, the final count and one line per kind of refusal per 10 s
# started (about 15 s: 2 periods, 3 kinds), with room to spare
checke "log bounded: $lines lines for thousands of refused connections" '[ "$lines" -le 20 ]'
check "the log says how many lines it left out" grep -q "more like this not logged" "$T/serve.log"
check "the final count names the dropped connections" grep -q "stopping: 4 stored.* dropped" "$T/serve.log"

finish "collector flood"
