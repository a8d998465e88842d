# A throw-away PostgreSQL server for the tests and benchmarks (POSIX sh,
# sourced after tests/lib.sh or on its own).  Debian's `postgresql`
# package (ci/deps.sh test) provides the binaries; nothing else is used.
#
#   pg_find               sets PG_BIN to the server binaries' folder; 1 when
#                         there are none (the caller prints SKIP)
#   pg_start [OPTION...]  initdb in a fresh private folder, the server
#                         listening on a unix socket in it only (no TCP),
#                         trust authentication, database "cases"; sets
#                         PG_DIR and PG_URL (postgresql://...); more
#                         server OPTIONs (e.g. -c fsync=off).  As root
#                         (CI), the server runs as the user `postgres`
#                         of the package, or `nobody`: PostgreSQL refuses
#                         to run as root.  1 when it did not start.
#   pg_psql SQL           runs SQL in database "cases" with psql, prints
#                         the rows unaligned without headers
#   pg_stop               stops the server and removes PG_DIR
#   pg_test_server        for a test (after tests/lib.sh): pg_find, else
#                         SKIP (exit 77); pg_start -c fsync=off, else exit
#                         1; pg_stop at exit (on_cleanup)

PG_DIR=""
PG_URL=""
PG_RUN=""

pg_test_server() {
	pg_find || { echo "SKIP: no PostgreSQL server binaries (initdb, pg_ctl, psql): ci/deps.sh test installs postgresql"; exit 77; }
	on_cleanup() { pg_stop; }
	pg_start -c fsync=off || { echo "the PostgreSQL server did not start"; exit 1; }
}

pg_find() {
	PG_BIN=""
	for _d in "$(pg_config --bindir 2>/dev/null)" $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
		[ -x "$_d/initdb" ] && [ -x "$_d/pg_ctl" ] && [ -x "$_d/psql" ] && { PG_BIN=$_d; return 0; }
	done
	return 1
}

pg_start() {
	[ -n "${PG_BIN:-}" ] || pg_find || return 1
	PG_DIR=$(mktemp -d /tmp/panicsage-pg.XXXXXX) || return 1
	PG_RUN=""
	if [ "$(id -u)" -eq 0 ]; then
		_u=nobody
		id postgres >/dev/null 2>&1 && _u=postgres
		chown "$_u" "$PG_DIR" || return 1
		PG_RUN="runuser -u $_u --"
	fi
	chmod 700 "$PG_DIR"
	# shellcheck disable=SC2086
	$PG_RUN "$PG_BIN/initdb" -D "$PG_DIR/data" -U panicsage --auth=trust --no-locale -E UTF8 --no-sync \
		>"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log"; return 1; }
	# shellcheck disable=SC2086
	$PG_RUN "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
		-o "-k $PG_DIR -c listen_addresses= -p 5432 -c max_connections=100 $*" start \
		>"$PG_DIR/pg_ctl.log" 2>&1 || { cat "$PG_DIR/pg_ctl.log" "$PG_DIR/server.log"; return 1; }
	"$PG_BIN/psql" -X -q -h "$PG_DIR" -p 5432 -U panicsage -d postgres -c "CREATE DATABASE cases" \
		>/dev/null || return 1
	PG_URL="postgresql:///cases?host=$PG_DIR&port=5432&user=panicsage"
}

pg_psql() {
	"$PG_BIN/psql" -X -q -A -t -h "$PG_DIR" -p 5432 -U panicsage -d cases -v ON_ERROR_STOP=1 -c "$1"
}

pg_stop() {
	[ -n "$PG_DIR" ] || return 0
	# shellcheck disable=SC2086
	$PG_RUN "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1
	rm -rf "$PG_DIR"
	PG_DIR=""
}
