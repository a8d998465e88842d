#!/bin/sh
# Fault tests of the capture-kernel path: build/panicsage-kdump as the
# kdump initramfs runs it, against what goes wrong in a capture kernel.
#
#   fault                          want
#   no network (refused)           exit 8, case spooled
#   collector unreachable          exit 8 within the budget, case spooled
#   collector accepts and stalls   exit 8 within the budget, case spooled
#   read-only spool, no network    exit 3 ("case lost"), report printed
#   read-only spool, collector up  exit 0, the case sent from memory
#   full spool (64 KiB tmpfs)      exit 3 ("No space left"), report printed
#   corrupted printk ring          exit 0, warning, report, case spooled
#   truncated vmcore               exit 0 with a warning (log still there),
#                                  exit 4 when cut inside the headers
#   model of the wrong version     exit 5, report printed unlabelled
#   ... and no network             exit 8 (the case wins), both said
#   FIFO that nobody writes to     exit 7 within the budget
#   70,000-line log                exit 0, classify's 65,536-line warning
#   arena too small                exit 6 (--arena-size, a hidden test option)
#   1 GiB log (pipe; sparse file)  exit 0, tail-only warning, crash found
#
#   no collector configured        exit 0, nothing spooled
#   unreachable collector, bound   exit 8; over spool_max_cases/_bytes the
#                                  set-aside entries, then the oldest
#                                  cases are dropped, each said
#
# Every case must print a "panicsage: " message saying what happened,
# exit with its documented code (core/exitcode.h, README), finish within
# its --budget (plus 2 s for process start-up), and leave the case that
# an earlier run had already spooled byte for byte in place.  The
# read-only and full spool cases mount a tmpfs and need root; without it
# they say "skip" and the rest still runs.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
K=$B/panicsage-kdump
P=$B/panicsage
G=$B/tests/vmcoregen
PY=/usr/bin/python3
LOG=tests/data/example.log
[ -x "$K" ] && [ -x "$P" ] && [ -x "$G" ] || { echo "FAIL: build first (make test-build)"; exit 1; }
[ -x "$PY" ] || { echo "$PY missing"; exit 77; }

. tests/lib.sh
PS=$P    # for start_collector
MNT=""
on_cleanup() { [ -n "$MNT" ] && umount "$MNT" 2>/dev/null; }

"$P" pki init "$T/pki" >/dev/null || { echo "FAIL: pki init"; exit 1; }

# conf NAME SPOOL COLLECTOR [UPLOAD]: writes $T/NAME.conf
conf() {
	{
		echo "collector = $3"
		echo "cert = $T/pki/client.crt"
		echo "key = $T/pki/client.key"
		echo "server_pin = $(cat "$T/pki/server.pin")"
		echo "spool = $2"
		echo "retries = 20"
		echo "backoff_ms = 100"
		echo "timeout_ms = 20000"
		echo "upload = ${4:-1}"
	} >"$T/$1.conf"
}

# An already-captured case: a first run spools it without uploading.
# spool_with_case DIR: DIR holds a copy of that case.
mkdir "$T/seed"
conf seed "$T/seed" 127.0.0.1:9 0
"$K" --deliver --config "$T/seed.conf" "$LOG" >/dev/null 2>&1
OLD=$(ls "$T/seed" | grep '\.case$' | head -n 1)
[ -n "$OLD" ] || { echo "FAIL: could not spool the first case"; ls -la "$T/seed"; exit 1; }
OLDSUM=$(cksum <"$T/seed/$OLD")
spool_with_case() { mkdir -p "$1" && cp "$T/seed/$OLD" "$1/"; }
spooled() { ls "$1" 2>/dev/null | grep -c '\.case$'; }

# run NAME WANT BUDGET SPOOL PATTERN -- ARGS...: runs panicsage-kdump
# with --budget BUDGET, checks exit code, time, message and the old case
# (one ok, or a FAIL for each that is wrong; returns 0 when all held).
run() {
	name=$1 want=$2 budget=$3 spool=$4 pat=$5
	shift 6
	t0=$(date +%s%N)
	# a hang is a failure, not a stuck test
	timeout $((budget + 20)) "$K" --budget "$budget" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	good=1
	if [ "$rc" -ne "$want" ]; then
		bad "$name: exit $rc, want $want"; good=0
	fi
	if [ "$ms" -gt $((budget * 1000 + 2000)) ]; then
		bad "$name: took $ms ms, budget $budget s"; good=0
	fi
	if ! cat "$T/out" "$T/err" | grep -q -E "^panicsage: .*($pat)"; then
		bad "$name: no 'panicsage: ' message matching /$pat/"; good=0
	fi
	if [ -n "$spool" ] && [ "$(cksum <"$spool/$OLD" 2>/dev/null)" != "$OLDSUM" ]; then
		bad "$name: the already spooled case was lost or changed"; good=0
	fi
	[ $good -eq 1 ] || return 1
	ok "$name: exit $rc in $ms ms: $(grep -h -E "^panicsage: .*($pat)" "$T/err" "$T/out" | head -n 1 | cut -c1-110)"
}

# --- network faults ---------------------------------------------------
# a port nobody listens on
FREE=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
spool_with_case "$T/s1"
conf refused "$T/s1" "127.0.0.1:$FREE"
run "no network (connection refused)" 8 3 "$T/s1" "spool|kept" -- --deliver --config "$T/refused.conf" "$LOG"
check "no network: new case spooled" [ "$(spooled "$T/s1")" -eq 2 ]
# --flush sends only the spool: still no network, nothing lost ...
run "flush, no network" 8 3 "$T/s1" "still spooled" -- --flush --config "$T/refused.conf"
check "flush, no network: both cases kept" [ "$(spooled "$T/s1")" -eq 2 ]
"$K" --flush --config "$T/refused.conf" "$LOG" >/dev/null 2>&1; rc=$?
check "--flush with an input is a usage error (exit 2)" [ $rc -eq 2 ]
# ... then, with a collector (--spool over the configured spool), both go
start_collector "$T/pki" "$T/flush.db"
conf flush "$T/elsewhere" "127.0.0.1:$PORT"
"$K" --flush --budget 5 --config "$T/flush.conf" --spool "$T/s1" >"$T/out" 2>&1; rc=$?
check "flush with the collector up: exit 0" [ $rc -eq 0 ] || cat "$T/out"
check "flush: the spool is empty" [ "$(spooled "$T/s1")" -eq 0 ]
check "flush: the configured spool was not used" [ ! -e "$T/elsewhere" ]
check "flush: both cases stored" [ "$(sqlite3 "$T/flush.db" 'SELECT count(*) FROM cases')" = 2 ]
stop_collector TERM

# an address with no route or no answer: bounded by the budget
spool_with_case "$T/s2"
conf unreach "$T/s2" "192.0.2.1:9"
run "collector unreachable (TEST-NET)" 8 3 "$T/s2" "spool|kept" -- --deliver --config "$T/unreach.conf" "$LOG"
check "unreachable: new case spooled" [ "$(spooled "$T/s2")" -eq 2 ]

# a collector that accepts connections and never answers
"$PY" - "$T/stall.port" <<'PY' &
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(64)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
held = []
while True:
    c, _ = s.accept()
    held.append(c)          # never read, never answer, never close
PY
bg_pid $!
wait_file "$T/stall.port" 5 || { echo "FAIL: stalling collector did not start"; exit 1; }
spool_with_case "$T/s3"
conf stall "$T/s3" "127.0.0.1:$(cat "$T/stall.port")"
run "collector accepts and stalls" 8 3 "$T/s3" "spool|kept" -- --deliver --config "$T/stall.conf" "$LOG"
check "stall: new case spooled" [ "$(spooled "$T/s3")" -eq 2 ]

# --- the spool: only with a collector, and bounded --------------------
# no collector configured (the default install): the report is printed,
# nothing is spooled, exit 0 -- for a log and for a vmcore, which is
# delivered by default
printf 'spool = %s\n' "$T/nocoll" >"$T/nocoll.conf"
"$G" "$LOG" "$T/example.vmcore" 2>/dev/null
run "no collector configured" 0 5 "" "no collector configured.*not spooled" -- --deliver --config "$T/nocoll.conf" "$LOG"
run "no collector configured (vmcore)" 0 5 "" "no collector configured.*not spooled" -- --config "$T/nocoll.conf" "$T/example.vmcore"
check "no collector: the report printed" grep -q "^panicsage: null-deref" "$T/out"
check "no collector: nothing spooled" [ "$(spooled "$T/nocoll")" -eq 0 ]

# a collector that cannot be reached and a bound of 3 cases: every run
# exits 8 (its case pending); from the fourth on, each drops the case
# captured longest ago and says so.  The expected order comes from the
# runs' own "case ID kept" lines, the survivors from the directory.
spool_bound_conf() { # NAME SPOOL SETTING...: unreachable collector, one attempt
	conf "$1" "$2" "127.0.0.1:$FREE"
	n=$1
	shift 2
	printf 'retries = 1\n' >>"$T/$n.conf"
	for kv in "$@"; do echo "$kv" >>"$T/$n.conf"; done
}
spool_bound_conf cap3 "$T/b3" "spool_max_cases = 3"
: >"$T/b3.ids"
for i in 1 2 3 4 5; do
	run "bound 3 cases, run $i" 8 5 "" "kept in" -- --deliver --config "$T/cap3.conf" "$LOG" || cat "$T/err"
	sed -n 's/^panicsage: case \([0-9a-f]*\) kept in.*/\1/p' "$T/err" >>"$T/b3.ids"
	grep '^panicsage: spool over its bound' "$T/err" >>"$T/b3.drops"
	check "bound 3 cases, run $i: $(spooled "$T/b3") in the spool" [ "$(spooled "$T/b3")" -eq $((i < 3 ? i : 3)) ]
done
checke "bound 3 cases: five distinct cases captured" '[ "$(sort -u "$T/b3.ids" | wc -l)" -eq 5 ]'
checke "bound 3 cases: runs 4 and 5 dropped the cases of runs 1 and 2, in that order, saying so" \
	'[ "$(sed -n "s/.*dropped the oldest case \([0-9a-f]*\) captured .*/\1/p" "$T/b3.drops" | tr "\n" " ")" = "$(sed -n "1,2p" "$T/b3.ids" | tr "\n" " ")" ]'
ls "$T/b3" | grep '\.case$' | cut -c1-16 | sort >"$T/b3.left"
checke "bound 3 cases: the cases of runs 3 to 5 are the ones kept" '[ "$(sed -n "3,5p" "$T/b3.ids" | sort)" = "$(cat "$T/b3.left")" ]'
checke "bound 3 cases: the drop line gives the bound and the spool" \
	'head -n 1 "$T/b3.drops" | grep -q "(4 cases, [0-9]* bytes; at most 3 cases, 8388608 bytes): dropped the oldest case .* captured 20[0-9-]*T[0-9:]*Z, from $T/b3"'

# a bound in bytes: 2.5 cases' worth keeps two
size=$(wc -c <"$T/b3/$(ls "$T/b3" | head -n 1)")
spool_bound_conf bytes "$T/bb" "spool_max_bytes = $((size * 5 / 2))"
for i in 1 2 3 4; do
	"$K" --budget 5 --deliver --config "$T/bytes.conf" "$LOG" >/dev/null 2>"$T/err"
done
check "bound in bytes ($((size * 5 / 2))): two cases kept" [ "$(spooled "$T/bb")" -eq 2 ]
check "bound in bytes: the drop said" grep -q "^panicsage: spool over its bound (3 cases" "$T/err"

# entries set aside (rejected, unreadable) go before any case, even a
# newer one; --flush applies a lowered bound
spool_bound_conf cap2 "$T/b3" "spool_max_cases = 2"
newest=$(ls -t "$T/b3" | grep '\.case$' | head -n 1)
cp "$T/b3/$newest" "$T/b3/$(echo "${newest%.case}" | tr '0-9a-f' 'f0-9a-e').case.rejected"
run "flush with a lowered bound" 8 5 "" "2 case\(s\) still spooled" -- --flush --config "$T/cap2.conf"
check "flush, lowered bound: two cases left" [ "$(spooled "$T/b3")" -eq 2 ]
check "flush, lowered bound: the rejected entry dropped" grep -q "dropped the rejected case" "$T/err"
check "flush, lowered bound: no rejected entry left" [ "$(ls "$T/b3" | grep -c 'rejected$')" -eq 0 ]
checke "flush, lowered bound: the newest case kept" '[ -e "$T/b3/$newest" ]'
checke "spool_max_cases 0 is refused" '"$K" --no-deliver --config /dev/null "$LOG" >/dev/null 2>&1 &&
	printf "spool_max_cases = 0\n" >"$T/zero.conf" && "$K" --deliver --config "$T/zero.conf" "$LOG" 2>&1 | grep -q "spool_max_cases: expected an integer from 1"'

# --- spool faults (tmpfs; root only) ----------------------------------
MNT=$T/mnt
mkdir "$MNT"
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=64k,mode=0700 panicsage-test "$MNT" 2>/dev/null; then
	# read-only spool holding the old case
	cp "$T/seed/$OLD" "$MNT/"
	mount -o remount,ro "$MNT"
	conf ro "$MNT" "127.0.0.1:$FREE"
	run "read-only spool, no network" 3 3 "$MNT" "case lost|[Rr]ead-only" -- --deliver --config "$T/ro.conf" "$LOG"
	check "read-only spool: report on the console" grep -q "^panicsage: " "$T/out"

	# read-only spool, collector up: the new case still goes out
	PORT=0
	start_collector "$T/pki" "$T/cases.db" --quiet
	conf roup "$MNT" "127.0.0.1:$PORT"
	run "read-only spool, collector up" 0 10 "$MNT" "sent|stored|acknowledged|case" -- --deliver --config "$T/roup.conf" "$LOG"
	stop_collector TERM

	# full spool: the old case and a filler take the whole tmpfs
	umount "$MNT"
	mount -t tmpfs -o size=64k,mode=0700 panicsage-test "$MNT"
	cp "$T/seed/$OLD" "$MNT/"
	dd if=/dev/zero of="$MNT/filler" bs=1k count=256 2>/dev/null
	conf full "$MNT" "127.0.0.1:$FREE"
	run "full spool, no network" 3 3 "$MNT" "case lost|[Nn]o space" -- --deliver --config "$T/full.conf" "$LOG"
	check "full spool: report on the console" grep -q "^panicsage: " "$T/out"
	check "full spool: the spool still holds exactly the old case" [ "$(spooled "$MNT")" -eq 1 ]
	checke "full spool: no partial temp file left behind" '! ls -a "$MNT" | grep -q "\.tmp$"'
	umount "$MNT"
else
	echo "skip read-only and full spool: mounting a tmpfs needs root"
fi
MNT=""

# --- input faults -----------------------------------------------------
spool_with_case "$T/s4"
conf local "$T/s4" "127.0.0.1:$FREE" 0

"$G" --corrupt lk-lpos "$LOG" "$T/lpos.vmcore" 2>/dev/null
run "corrupted ring (lockless, bad data block)" 0 10 "$T/s4" "warning" -- --config "$T/local.conf" "$T/lpos.vmcore"
check "corrupted ring: report printed" grep -q "^panicsage: .*lines" "$T/out"
"$G" --format structured --corrupt st-loop "$LOG" "$T/loop.vmcore" 2>/dev/null
run "corrupted ring (structured, endless walk)" 0 10 "$T/s4" "warning" -- --config "$T/local.conf" "$T/loop.vmcore"
check "corrupted rings: both cases spooled ($(spooled "$T/s4") in the spool, want 3)" [ "$(spooled "$T/s4")" -eq 3 ]

"$G" --corrupt truncate "$LOG" "$T/trunc.vmcore" 2>/dev/null
run "truncated vmcore (inside the log data)" 0 10 "$T/s4" "truncated|shorter" -- --config "$T/local.conf" "$T/trunc.vmcore"
head -c 300 "$T/lpos.vmcore" >"$T/head.vmcore"
run "truncated vmcore (inside the headers)" 4 10 "$T/s4" "vmcore|ELF|truncated|header" -- --config "$T/local.conf" "$T/head.vmcore"

# a model file whose format version is not this binary's
cp tests/fuzz/corpus/fuzz_model/f32-1layer.psm "$T/v99.psm"
printf '\143' | dd of="$T/v99.psm" bs=1 seek=8 conv=notrunc 2>/dev/null
run "model of the wrong version" 5 10 "$T/s4" "version" -- --no-deliver --model "$T/v99.psm" "$LOG"
check "wrong model version: report printed unlabelled" grep -q "^panicsage: unlabelled" "$T/out"
# ... and no network either: the case is pending, so 8 wins over 5;
# stderr says both
spool_with_case "$T/s5"
conf refused5 "$T/s5" "127.0.0.1:$FREE"
run "wrong model and no network" 8 3 "$T/s5" "two failures: the case \(exit 8\) and the model \(exit 5\)" -- \
	--deliver --model "$T/v99.psm" --config "$T/refused5.conf" "$LOG"
check "wrong model and no network: the model's failure said" grep -q "^panicsage: .*version" "$T/err"
check "wrong model and no network: the pending case said" grep -q "^panicsage: case .* kept in" "$T/err"
check "wrong model and no network: the case spooled" [ "$(spooled "$T/s5")" -eq 2 ]
checke "--help states the precedence" '"$K" --help | tr "\n" " " | grep -q "the case.s code wins (8 pending"'

# an arena too small for the log, then too small for the analysis
checke "--arena-size checks its range (exit 2)" '"$K" --arena-size 100000000000 "$LOG" >/dev/null 2>&1; [ $? -eq 2 ]'
run "arena too small for the log" 6 10 "$T/s4" "memory" -- --arena-size 1048576 --no-deliver "$LOG"
run "arena too small for the analysis" 6 10 "$T/s4" "memory" -- --arena-size 8400000 --no-deliver "$LOG"

# a FIFO nobody ever opens for writing: the budget covers the open too
mkfifo "$T/nowriter"
run "FIFO with no writer" 7 2 "$T/s4" "nothing to read within half the time budget" -- --no-deliver "$T/nowriter"

# more lines than the pipeline keeps (65,536), well under 8 MiB: the
# same warning as panicsage classify, and the crash at the end found
"$PY" -c '
import sys
for i in range(70000):
    print("[%5d.%06d] usb 1-1: reset high-speed USB device number %d using xhci_hcd" % (i // 1000, i % 1000, i % 128))
' >"$T/lines.log"
cat "$LOG" >>"$T/lines.log"
run "70,000-line log" 0 10 "$T/s4" "only the last 65536 lines were analysed" -- --no-deliver "$T/lines.log"
check "70,000-line log: the crash at the end found" grep -q "NULL pointer dereference" "$T/out"
"$P" classify "$T/lines.log" 2>&1 >/dev/null | grep "only the last" >"$T/classify.warn"
checke "70,000-line log: kdump warns as classify does" '[ -s "$T/classify.warn" ] && grep -qF "$(cat "$T/classify.warn")" "$T/err"'

# 1 GiB of log through a pipe, the crash at its end
mkfifo "$T/fifo"
( yes '[ 1000.000000] ata1.00: exception Emask 0x0 SAct 0x0 SErr 0x0 action 0x6 frozen' |
	head -c 1073741824; sed -n '20,65p' "$LOG" ) >"$T/fifo" &
bg_pid $!
run "1 GiB log through a pipe" 0 30 "$T/s4" "only its end" -- --no-deliver "$T/fifo"
check "1 GiB pipe: the crash at the end found" grep -q "NULL pointer dereference" "$T/out"
# and as a (sparse) 1 GiB file
truncate -s 1000M "$T/big.log"
{ yes '[ 1000.000000] nfs: server fileserver01 not responding, still trying' | head -c 9000000; cat "$LOG"; } >>"$T/big.log"
run "1 GiB log file (sparse)" 0 30 "$T/s4" "only its end" -- --no-deliver "$T/big.log"
check "1 GiB file: the crash at the end found" grep -q "NULL pointer dereference" "$T/out"

finish fault
