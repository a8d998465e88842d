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

# like expect, and stderr must also match the extended regex PATTERN
expect_msg() {   # expect_msg CODE DESCRIPTION PATTERN CMD...
	want=$1; what=$2; pat=$3; shift 3
	expect "$want" "$what" "$@"
	grep -Eq -- "$pat" "$T/err" || { echo "FAIL: $what: stderr lacks /$pat/"; sed 's/^/    /' "$T/err" | head -3; fail=1; }
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
printf 'Mar  4 10:11:12 node7 systemd[1]: Started foo.\n-- Boot 1a2b --\n' > "$T/syslog-other"
expect 4 "classify a syslog file without kernel lines" $P classify "$T/syslog-other"
expect 0 "logform help" $P logform --help
expect 0 "logform list" $P logform --list
expect 2 "logform without form" $P logform
expect 2 "logform unknown form" $P logform frob tests/data/example.log
expect 2 "logform unknown wrapper" $P logform plain+frob tests/data/example.log
expect 2 "logform bad --tz" $P logform --tz 01:00 plain tests/data/example.log
expect 3 "logform missing file" $P logform plain "$T/nonexistent"
expect 0 "logform random bytes" $P logform syslog+quoted+wrapped "$T/random"
expect 0 "logform empty file" $P logform doubled "$T/empty"

# every command's options through one parser: an unknown option, an
# option without its value and a bad number are exit 2, each with a
# message naming the option
for c in classify dmesg templates "model inspect" train eval serve "pki init $T/x" summarize label; do
	# shellcheck disable=SC2086
	expect_msg 2 "$c: unknown option" "unknown option '--bogus'" $P $c --bogus
done
expect_msg 2 "classify --model without a value" "--model needs" $P classify tests/data/example.log --model
expect_msg 2 "templates --mask without a value" "--mask needs" $P templates tests/data/example.log --mask
expect_msg 2 "templates bad --max-children" "--max-children: expected an integer" $P templates --max-children 0 tests/data/example.log
expect_msg 2 "train --out without a value" "--out needs" $P train tests/data/cases --out
expect_msg 2 "train bad --epochs" "--epochs: expected an integer" $P train --out "$T/m.psm" --epochs x tests/data/cases
expect_msg 2 "train bad --tau" "--tau: expected a number" $P train --out "$T/m.psm" --tau 2 tests/data/cases
expect_msg 2 "train bad --projection" "--projection" $P train --out "$T/m.psm" --projection pca tests/data/cases
expect_msg 2 "eval --cv without a value" "--cv needs" $P eval tests/data/cases --cv
expect_msg 2 "eval bad --cv" "--cv: expected an integer" $P eval --cv 1 tests/data/cases
expect_msg 2 "serve --db without a value" "--db needs" $P serve --listen 127.0.0.1:0 --db
expect_msg 2 "serve bad --max-clients" "--max-clients: expected an integer" $P serve --max-clients 0
expect_msg 2 "serve bad --timeout" "--timeout: expected an integer" $P serve --timeout -1
expect_msg 2 "serve bad --max-handshakes" "--max-handshakes: expected an integer" $P serve --max-handshakes 5000
expect_msg 2 "pki --days without a value" "--days needs" $P pki init "$T/x" --days
expect_msg 2 "pki bad --days" "--days: expected an integer" $P pki init "$T/x" --days 0
expect_msg 2 "summarize --endpoint without a value" "--endpoint needs" $P summarize --db "$T/x.db" --endpoint
expect_msg 2 "summarize bad --limit" "--limit: expected an integer" $P summarize --db "$T/x.db" --limit 0
expect_msg 2 "summarize bad --retries" "--retries: expected an integer" $P summarize --db "$T/x.db" --retries 11
expect_msg 2 "label --set without its label" "--set needs" $P label --db "$T/x.db" --set abcd
expect_msg 2 "label bad --limit" "--limit: expected an integer" $P label --db "$T/x.db" --limit x
[ ! -e "$T/x" ] && [ ! -e "$T/x.db" ] || { echo "FAIL: a rejected command line created files"; fail=1; }

# pki: usage errors 2, files 3, unusable input 4
expect 2 "pki without a subcommand" $P pki
expect 2 "pki unknown subcommand" $P pki frobnicate "$T/x"
expect 2 "pki init without DIR" $P pki init
expect 2 "pki init unknown option" $P pki init "$T/pki" --bogus
expect 2 "pki init bad --port" $P pki init "$T/pki" --port 0
expect 2 "pki init bad --ip" $P pki init "$T/pki" --ip example.org
expect 0 "pki init" $P pki init "$T/pki"
# the collector command it prints is complete: it starts as printed
# (listen address and store moved to a free port and $T)
cmd=$(sed -n 's/^collector: *panicsage /'"$(echo "$P" | sed 's|/|\\/|g')"' /p' "$T/out" |
	sed "s|--listen [^ ]*|--listen 127.0.0.1:0 --port-file $T/pki.port|; s|--db [^ ]*|--db $T/pki.db|")
echo "    printed collector command: $cmd"
# shellcheck disable=SC2086
timeout 3 $cmd 2>"$T/err"
if [ -s "$T/pki.port" ] && [ -s "$T/pki.db" ]; then
	echo "ok: pki init's collector command starts the collector"
else
	echo "FAIL: pki init's collector command did not start the collector"; sed 's/^/    /' "$T/err" | head -3
	fail=1
fi
expect 3 "pki init into existing files" $P pki init "$T/pki"
expect 2 "pki client with a bad name" $P pki client "$T/pki" "bad/name"
expect 3 "pki client without a CA" $P pki client "$T/nonexistent" c2
cp -r "$T/pki" "$T/badca"
head -c 300 /dev/urandom >"$T/badca/ca.key"
expect 4 "pki client with a damaged CA key" $P pki client "$T/badca" c3
expect 0 "pki client" $P pki client "$T/pki" c4
expect 0 "pki pin" $P pki pin "$T/pki/server.crt"
expect 3 "pki pin of a missing file" $P pki pin "$T/nonexistent"
expect 4 "pki pin of a file that is no certificate" $P pki pin "$T/random"
expect 2 "pki pin without CERT" $P pki pin

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
