#!/bin/sh
# Command lines, exit codes and bad inputs of both binaries: every
# failure is a clear message and a documented exit code, never a crash.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
P=$B/panicsage
K=$B/panicsage-kdump
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0

expect() {   # expect CODE DESCRIPTION CMD...
	want=$1; what=$2; shift 2
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		echo "FAIL: $what: exit $got, want $want"; sed 's/^/    /' "$T/err" | head -5
		fail=1
	elif [ "$got" -ne 0 ] && ! grep -q "panicsage" "$T/err" && ! grep -q usage "$T/err"; then
		echo "FAIL: $what: exit $got without a message"; fail=1
	elif [ "$got" -ge 128 ]; then
		echo "FAIL: $what: killed by a signal"; fail=1
	else
		echo "ok: $what (exit $got)"
	fi
}

: > "$T/empty"
printf '\n\n   \r\n' > "$T/blank"
head -c 65536 /dev/urandom > "$T/random"
mkdir "$T/dir"

expect 0 "help" $P --help
expect 2 "no command" $P
expect 2 "unknown command" $P frobnicate
expect 2 "classify without file" $P classify
expect 2 "classify unknown option" $P classify --bogus x
expect 3 "classify missing file" $P classify "$T/nonexistent"
expect 3 "classify a directory" $P classify "$T/dir"
expect 4 "classify empty file" $P classify "$T/empty"
expect 4 "classify blank lines only" $P classify "$T/blank"
expect 0 "classify random bytes" $P classify "$T/random"
expect 0 "classify stdin" sh -c "$P classify - < tests/data/example.log"
expect 2 "templates bad --st" $P templates --st 2 tests/data/example.log
expect 2 "templates bad --depth" $P templates --depth x tests/data/example.log
expect 2 "templates bad regex" $P templates --mask '(' tests/data/example.log
expect 3 "templates missing file" $P templates "$T/nonexistent"

expect 0 "kdump help" $K --help
expect 2 "kdump unknown option" $K --bogus
expect 2 "kdump bad budget" $K --budget 0 tests/data/example.log
expect 3 "kdump missing input" $K "$T/nonexistent"
expect 4 "kdump empty input" $K "$T/empty"
expect 0 "kdump random bytes" $K "$T/random"
expect 5 "classify with a damaged model" $P classify --model "$T/random" tests/data/example.log
expect 5 "classify with a missing model" $P classify --model "$T/nonexistent" tests/data/example.log
expect 5 "kdump with a damaged model" $K --model "$T/random" tests/data/example.log
grep -q "^panicsage: crash: line 25" "$T/out" || { echo "FAIL: kdump printed no report with a damaged model"; fail=1; }
expect 5 "kdump with an empty model" $K --model "$T/empty" tests/data/example.log
expect 0 "kdump example" $K tests/data/example.log
grep -q "^panicsage: " "$T/out" || { echo "FAIL: kdump report has no panicsage: line"; fail=1; }

# --deliver with upload off (a collector configured: without one there
# is no spool): the case lands in the spool, whole
mkdir "$T/spool"
printf 'collector = 127.0.0.1:9\nspool = %s\nupload = 0\n' "$T/spool" > "$T/kdump.conf"
expect 0 "kdump deliver to a spool" $K --deliver --config "$T/kdump.conf" tests/data/example.log
n=$(ls "$T/spool" | grep -c '\.case$')
[ "$n" -eq 1 ] || { echo "FAIL: $n cases in the spool, want 1"; fail=1; }
grep -q "BUG: kernel NULL pointer dereference" "$T"/spool/*.case ||
	{ echo "FAIL: the spooled case lacks the segment"; fail=1; }
grep -q "spooled in $T/spool" "$T/out" || { echo "FAIL: no spool message on the console"; fail=1; }
printf 'collector = 127.0.0.1:9\nspool = %s/missing/dir\nupload = 0\n' "$T" > "$T/bad.conf"
expect 3 "kdump deliver to an unusable spool" $K --deliver --config "$T/bad.conf" tests/data/example.log
grep -q "^panicsage: crash: line 25" "$T/out" || { echo "FAIL: no report when the spool fails"; fail=1; }
printf 'collector = nonsense\nspool = %s\nupload = 0\n' "$T/spool" > "$T/bad.conf"
expect 0 "kdump deliver with a malformed setting" $K --deliver --config "$T/bad.conf" tests/data/example.log
grep -q "configuration" "$T/err" || { echo "FAIL: no message about the bad setting"; fail=1; }

# a log far larger than the capture-kernel binary reads: only its end is
# analysed, with a warning, and the crash at the end is still found
i=0
while [ $i -lt 2000 ]; do cat "$T/random"; i=$((i + 1)); done > "$T/huge"
cat tests/data/example.log >> "$T/huge"
expect 0 "kdump 128 MiB input" $K "$T/huge"
grep -q "only its end" "$T/err" || { echo "FAIL: no warning about the huge input"; fail=1; }
grep -q "BUG: kernel NULL pointer dereference" "$T/out" || { echo "FAIL: crash not found in huge input"; fail=1; }
exit $fail
