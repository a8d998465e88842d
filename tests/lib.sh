# Helpers for the shell tests (POSIX sh).  A test does
#
#	cd "$(dirname "$0")/.."
#	. tests/lib.sh
#
# and gets:
#
#   $T                    a fresh temporary directory, removed at exit
#   bg_pid PID            kill PID (and wait for it) at exit; for the
#                         background processes the test starts
#   forget_pid PID        PID was stopped by the test itself
#   on_cleanup            called at exit before $T goes; a test may
#                         redefine it (after sourcing) to undo its own
#                         changes (mounts)
#   ok DESC / bad DESC    report a passed / failed assertion
#   check DESC CMD ARGS...   passes when the single command CMD ARGS...
#                         succeeds.  Only CMD ARGS... is the condition:
#                         `check D [ a ] && grep x f` checks [ a ] only.
#   checke DESC 'COND'    passes when the shell condition COND
#                         (evaluated with eval, in this shell, so it
#                         sees the test's variables) succeeds; for
#                         anything with &&, ||, !, pipes or redirections
#   finish NAME           prints the summary and exits 1 if any check
#                         failed, else 0
#   wait_for SECS 'COND'  polls COND every 0.05 s until it succeeds (0)
#                         or SECS seconds have passed (1)
#   wait_file FILE SECS   wait_for a non-empty FILE
#   start_collector PKI DB [OPTION...]
#                         `$PS serve` on 127.0.0.1:$PORT (a free port when
#                         PORT is unset or 0) with the certificates of
#                         `panicsage pki init PKI` and the store DB, more
#                         serve OPTIONs, log appended to $T/serve.log;
#                         waits until it listens; sets PORT and SERVE_PID
#   stop_collector SIGNAL stops it and waits for it
#   kdump_conf FILE CERT PIN  a kdump.conf for that collector: client
#                         certificate CERT.crt/CERT.key, the server pin
#                         in file PIN, spool $T/spool
#
# For the tests that fill a collector's store (t_label, t_web,
# t_web_browser, t_buckets):
#   need_store_tools      sets PS, KD, UP (panicsage, panicsage-kdump, the
#                         upload driver, in $B) and PY (python3); exits 1
#                         when they are not built, 77 (skip) without the
#                         sqlite3 CLI or python3
#   deliver_cases PKI MACHINES FILE...
#                         each log FILE classified and delivered by
#                         `panicsage-kdump --deliver` to the running
#                         collector (start_collector) with PKI's client
#                         certificate, the i-th from machine
#                         host-(i % MACHINES), or with MACHINES 0 from the
#                         configuration's own id; sets NCASES to the count
#   upload_report PKI JSON RELEASE
#                         the report in file JSON (made by the test)
#                         uploaded by the upload driver as kernel RELEASE
#
# Do not redirect the output of check or checke themselves (their
# "ok"/"FAIL" line would go with it): put redirections inside checke's
# condition.  Input redirections (<file, <<here-documents) are fine.
#
# check and checke return 0 when the condition held and 1 when not, so a
# failure can print diagnostics: `check D cmd || cat "$T/log"`.  Never
# chain a further condition onto them: put it inside the check.

T=$(mktemp -d) || { echo "mktemp failed"; exit 1; }
_lib_pids=""
_lib_fails=0
_lib_passes=0

on_cleanup() { :; }

_lib_cleanup() {
	on_cleanup
	for _p in $_lib_pids; do kill "$_p" 2>/dev/null; done
	for _p in $_lib_pids; do wait "$_p" 2>/dev/null; done
	rm -rf "$T"
}
trap _lib_cleanup EXIT
# a signal runs the EXIT trap too (dash does not on its own)
trap 'exit 130' INT
trap 'exit 143' TERM

bg_pid() { _lib_pids="$_lib_pids $1"; }

forget_pid() {
	_f=""
	for _p in $_lib_pids; do [ "$_p" = "$1" ] || _f="$_f $_p"; done
	_lib_pids=$_f
}

ok() { echo "ok   $*"; _lib_passes=$((_lib_passes + 1)); }
bad() { echo "FAIL $*"; _lib_fails=$((_lib_fails + 1)); }

check() {
	_desc=$1
	shift
	if "$@"; then ok "$_desc"; return 0; fi
	bad "$_desc"
	return 1
}

checke() {
	[ $# -eq 2 ] || { bad "$1 (checke takes DESC and one condition, got $# arguments)"; return 1; }
	if eval "$2"; then ok "$1"; return 0; fi
	bad "$1"
	return 1
}

finish() {
	if [ $_lib_fails -ne 0 ]; then
		echo "$_lib_fails of $((_lib_fails + _lib_passes)) $1 checks failed"
		exit 1
	fi
	echo "all $_lib_passes $1 checks passed"
	exit 0
}

wait_for() {
	_n=$(($1 * 20))
	while ! eval "$2"; do
		[ $_n -gt 0 ] || return 1
		sleep 0.05
		_n=$((_n - 1))
	done
	return 0
}

wait_file() {
	_wf=$1
	wait_for "$2" '[ -s "$_wf" ]'
}

start_collector() {
	_pki=$1 _db=$2
	shift 2
	rm -f "$T/port"
	"$PS" serve --listen "127.0.0.1:${PORT:-0}" --port-file "$T/port" --db "$_db" \
		--ca "$_pki/ca.crt" --cert "$_pki/server.crt" --key "$_pki/server.key" \
		"$@" 2>>"$T/serve.log" &
	SERVE_PID=$!
	bg_pid "$SERVE_PID"
	wait_file "$T/port" 5 || { echo "collector did not start:"; cat "$T/serve.log"; exit 1; }
	PORT=$(cat "$T/port")
}

stop_collector() {
	kill "-$1" "$SERVE_PID" 2>/dev/null
	wait "$SERVE_PID" 2>/dev/null
	forget_pid "$SERVE_PID"
	SERVE_PID=""
}

need_store_tools() {
	B=${B:-build}
	PS=$B/panicsage
	KD=$B/panicsage-kdump
	UP=$B/tests/kdump-upload
	PY=/usr/bin/python3
	[ -x "$PS" ] && [ -x "$KD" ] && [ -x "$UP" ] || { echo "build first"; exit 1; }
	command -v sqlite3 >/dev/null || { echo "sqlite3 CLI missing"; exit 77; }
	[ -x "$PY" ] || { echo "$PY missing"; exit 77; }
}

deliver_cases() {
	_pki=$1 _machines=$2
	shift 2
	NCASES=0
	for _f in "$@"; do
		kdump_conf "$T/k.conf" "$_pki/client" "$_pki/server.pin"
		[ "$_machines" -eq 0 ] || echo "machine_id = host-$((NCASES % _machines))" >>"$T/k.conf"
		"$KD" --deliver --config "$T/k.conf" "$_f" >/dev/null 2>"$T/kd.err" || { bad "deliver $_f"; cat "$T/kd.err"; }
		NCASES=$((NCASES + 1))
	done
}

upload_report() {
	kdump_conf "$T/k.conf" "$1/client" "$1/server.pin"
	"$UP" --config "$T/k.conf" --report "$2" --release "$3" >"$T/up.out" 2>&1 || { bad "upload $2"; cat "$T/up.out"; }
}

kdump_conf() {
	cat >"$1" <<-EOF
	collector = 127.0.0.1:$PORT
	cert = $2.crt
	key = $2.key
	server_pin = $(cat "$3")
	spool = $T/spool
	EOF
}
