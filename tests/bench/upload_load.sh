#!/bin/sh
# Load benchmark of the upload path on loopback: N concurrent kdump
# clients (the musl upload driver, one process = one capture kernel run:
# spool, handshake, upload, ACK) each sending M cases to one
# `panicsage serve`.  Prints cases/second, latency percentiles and
# checks that nothing was lost; never fails because a machine is slow.
#
#   tests/bench/upload_load.sh [CLIENTS] [CASES_PER_CLIENT] [BATCH]
set -u
cd "$(dirname "$0")/../.."
B=${B:-build}
N=${1:-8}
M=${2:-25}
BATCH=${3:-200}
PS=$B/panicsage
UP=$B/tests/kdump-upload
make -s "$PS" "$UP" >/dev/null || exit 1
command -v sqlite3 >/dev/null || { echo "sqlite3 CLI missing"; exit 1; }

T=$(mktemp -d)
trap 'kill $SERVE_PID 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
"$PS" pki init "$T/pki" >/dev/null
"$PS" serve --listen 127.0.0.1:0 --port-file "$T/port" --db "$T/cases.db" --quiet \
	--ca "$T/pki/ca.crt" --cert "$T/pki/server.crt" --key "$T/pki/server.key" \
	--max-clients $((N + 8)) 2>"$T/serve.log" &
SERVE_PID=$!
i=0
while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
PORT=$(cat "$T/port")

# A realistic report: ~6 KiB of JSON (a 40-line segment).
{
	printf '{"label":"soft-lockup","confidence":0.93,"segment":['
	for l in $(seq 1 40); do
		[ "$l" -gt 1 ] && printf ','
		printf '{"line":%d,"ts":%d.123456,"text":"watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [kworker/1:2:123] frame %d"}' "$l" "$l" "$l"
	done
	printf '],"culprits":[],"neighbors":[],"timing_us":{}}'
} >"$T/report.json"

client() { # $1: client number
	c=$1
	mkdir -p "$T/spool$c"
	cat >"$T/c$c.conf" <<-EOF
	collector = 127.0.0.1:$PORT
	cert = $T/pki/client.crt
	key = $T/pki/client.key
	server_pin = $(cat "$T/pki/server.pin")
	spool = $T/spool$c
	machine_id = bench-$c
	EOF
	for k in $(seq 1 "$M"); do
		t0=$(date +%s%N)
		"$UP" --config "$T/c$c.conf" --report "$T/report.json" --label soft-lockup \
			--confidence 0.93 --capture-us $((c * 1000000 + k)) >/dev/null 2>&1 ||
			echo "client $c case $k: exit $?" >>"$T/errors"
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000)) >>"$T/lat"
	done
}

echo "upload load: $N concurrent clients x $M cases, report $(wc -c <"$T/report.json") bytes, $(nproc) CPUs"
start=$(date +%s%N)
pids=""
for c in $(seq 1 "$N"); do client "$c" & pids="$pids $!"; done
# shellcheck disable=SC2086
wait $pids
end=$(date +%s%N)
total=$((N * M))
stored=$(sqlite3 "$T/cases.db" 'SELECT count(*) FROM cases')
left=$(cat "$T"/spool*/*.case 2>/dev/null | wc -c)
secs=$(awk "BEGIN {print ($end - $start) / 1e9}")
sort -n "$T/lat" >"$T/lat.sorted"
pct() { awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100+0.999); if(i<1)i=1; printf "%.1f", a[i]/1000}' "$T/lat.sorted"; }
echo "  wall time        ${secs}s"
echo "  throughput       $(awk "BEGIN {printf \"%.1f\", $total / $secs}") cases/s (one TLS handshake per case)"
echo "  latency per run  p50 $(pct 50) ms, p90 $(pct 90) ms, p99 $(pct 99) ms, max $(pct 100) ms"
echo "  stored           $stored of $total; spool bytes left: $left"
[ -f "$T/errors" ] && { echo "  client errors:"; sed 's/^/    /' "$T/errors"; }
[ "$stored" = "$total" ] && [ "$left" = 0 ] && echo "  nothing lost" || echo "  LOST CASES"

# Batch: BATCH cases spooled while the collector was unreachable, then
# one run sends them all over one connection.
mkdir -p "$T/spoolb"
cat >"$T/down.conf" <<-EOF
collector = 127.0.0.1:1
cert = $T/pki/client.crt
key = $T/pki/client.key
server_pin = $(cat "$T/pki/server.pin")
spool = $T/spoolb
retries = 1
EOF
for k in $(seq 1 "$BATCH"); do
	"$UP" --config "$T/down.conf" --report "$T/report.json" --label batch --capture-us "$k" >/dev/null 2>&1
done
sed "s/^collector = .*/collector = 127.0.0.1:$PORT/" "$T/down.conf" >"$T/up.conf"
t0=$(date +%s%N)
"$UP" --config "$T/up.conf" --deadline-ms 120000 >"$T/batch.out" 2>&1
t1=$(date +%s%N)
bs=$(awk "BEGIN {print ($t1 - $t0) / 1e9}")
nb=$(sqlite3 "$T/cases.db" "SELECT count(*) FROM cases WHERE label='batch'")
echo "batch: $BATCH spooled cases over one connection in ${bs}s = $(awk "BEGIN {printf \"%.1f\", $nb / $bs}") cases/s; stored $nb of $BATCH (at most 64 per run by design)"
