#!/bin/sh
# Uploads per second and latency by store: `panicsage serve` with a SQLite
# file and with a PostgreSQL database (a throw-away server, tests/pg.sh,
# fsync on: an ACK means the case is on disk with either store), at 8
# and 32 concurrent capture-kernel clients; and two collectors sharing
# the PostgreSQL store (the fleet setup, kdump/UPLOAD.md) at 32.
#
# Each client is the musl upload driver run once per case (one process,
# one TLS handshake, one case and its ACK: a capture kernel's run), so
# the latency is a whole run's; each case is new (its own capture time)
# and is stored and bucketed.  The report is a real one (a lab case
# classified by panicsage).  Prints numbers; never fails because a
# machine is slow.  Without PostgreSQL's binaries its rows say so.
#
#   tests/bench/upload_stores.sh [CASES_PER_CLIENT]   (default 10)
set -u
cd "$(dirname "$0")/../.."
B=${B:-build}
M=${1:-10}
PS=$B/panicsage
UP=$B/tests/kdump-upload
make -s "$PS" "$UP" >/dev/null || exit 1

T=$(mktemp -d)
. tests/pg.sh
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	pg_stop
	rm -rf "$T"
}
trap cleanup EXIT
"$PS" pki init "$T/pki" >/dev/null
"$PS" classify --json model/corpus/lab/null-deref-1.log >"$T/report.json" 2>/dev/null ||
	{ echo "cannot classify the lab case"; exit 1; }

serve() { # DB PORTFILE: a collector in the background
	"$PS" serve --listen 127.0.0.1:0 --port-file "$2" --db "$1" --quiet --max-clients 64 --max-handshakes 128 \
		--ca "$T/pki/ca.crt" --cert "$T/pki/server.crt" --key "$T/pki/server.key" 2>>"$T/serve.log" &
	PIDS="$PIDS $!"
	i=0
	while [ ! -s "$2" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	[ -s "$2" ]
}

stop_all() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	PIDS=""
}

client() { # RUN N PORT
	mkdir -p "$T/$1/spool$2"
	cat >"$T/$1/c$2.conf" <<-EOF
	collector = 127.0.0.1:$3
	cert = $T/pki/client.crt
	key = $T/pki/client.key
	server_pin = $(cat "$T/pki/server.pin")
	spool = $T/$1/spool$2
	machine_id = bench-$2
	retries = 20
	backoff_ms = 50
	EOF
	for k in $(seq 1 "$M"); do
		t0=$(date +%s%N)
		"$UP" --config "$T/$1/c$2.conf" --report "$T/report.json" --label null-deref --confidence 0.9 \
			--capture-us $(($2 * 1000000 + k)) >/dev/null 2>&1 || echo "client $2 case $k: exit $?" >>"$T/$1/errors"
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000)) >>"$T/$1/lat"
	done
}

# run NAME CLIENTS PORT [PORT2]: clients alternate between the ports
run() {
	name=$1 n=$2 pa=$3 pb=${4:-$3}
	mkdir -p "$T/$name"
	start=$(date +%s%N)
	pids=""
	for c in $(seq 1 "$n"); do
		if [ $((c % 2)) = 1 ]; then p=$pa; else p=$pb; fi
		client "$name" "$c" "$p" &
		pids="$pids $!"
	done
	# shellcheck disable=SC2086
	wait $pids
	end=$(date +%s%N)
	sort -n "$T/$name/lat" >"$T/$name/lat.sorted"
	pct() { awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100+0.999); if(i<1)i=1; printf "%.1f", a[i]/1000}' "$T/$name/lat.sorted"; }
	secs=$(awk "BEGIN {print ($end - $start) / 1e9}")
	errors=$(cat "$T/$name/errors" 2>/dev/null | wc -l)
	printf '%-28s %3d clients  %6.1f uploads/s  p50 %7s ms  p99 %7s ms  max %7s ms  %d failed\n' \
		"$name" "$n" "$(awk "BEGIN {print $n * $M / $secs}")" "$(pct 50)" "$(pct 99)" "$(pct 100)" "$errors"
}

echo "uploads by store: $M new cases per client, report $(wc -c <"$T/report.json") bytes, $(nproc) CPUs" \
	"(load average $(cut -d' ' -f1-3 /proc/loadavg) at the start), one TLS handshake per case;" \
	"latency = a capture kernel's whole run"

# SQLite
for n in 8 32; do
	rm -f "$T/cases$n.db" "$T/port"
	serve "$T/cases$n.db" "$T/port" || { echo "sqlite: collector did not start"; cat "$T/serve.log"; exit 1; }
	run "sqlite" "$n" "$(cat "$T/port")"
	stored=$(sqlite3 "$T/cases$n.db" 'SELECT count(*) FROM cases' 2>/dev/null)
	stop_all
	[ "$stored" = $((n * M)) ] || echo "  sqlite, $n clients: $stored of $((n * M)) stored"
done

# PostgreSQL
if ! pg_find; then
	echo "postgresql: not measured (no PostgreSQL server binaries: ci/deps.sh test installs postgresql)"
	exit 0
fi
for n in 8 32; do
	pg_start || { echo "postgresql: the server did not start"; exit 0; }
	rm -f "$T/port"
	serve "$PG_URL" "$T/port" || { echo "postgresql: collector did not start"; cat "$T/serve.log"; exit 0; }
	run "postgresql" "$n" "$(cat "$T/port")"
	stored=$(pg_psql 'SELECT count(*) FROM cases')
	stop_all
	pg_stop
	[ "$stored" = $((n * M)) ] || echo "  postgresql, $n clients: $stored of $((n * M)) stored"
done
pg_start || exit 0
rm -f "$T/port" "$T/port2"
serve "$PG_URL" "$T/port" && serve "$PG_URL" "$T/port2" || { echo "collectors did not start"; exit 0; }
run "postgresql, 2 collectors" 32 "$(cat "$T/port")" "$(cat "$T/port2")"
stored=$(pg_psql 'SELECT count(*) FROM cases')
stop_all
[ "$stored" = $((32 * M)) ] || echo "  postgresql, 2 collectors: $stored of $((32 * M)) stored"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "server: PostgreSQL $("$PG_BIN/postgres" --version | sed 's/.* //; s/)$//'), fsync on, unix socket; SQLite $(sqlite3 --version | cut -d' ' -f1), WAL, synchronous=FULL"
