#!/bin/sh
# Runs every unit test binary and shell test; prints PASS/FAIL/SKIP per
# test and fails if any failed.  A shell test exits 77 to say "skipped"
# (with its reason on stdout), like automake.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
pass=0 fail=0 skip=0 failed=""
mkdir -p "$B/test-logs"

run() {
	name=$1; shift
	log="$B/test-logs/$name.log"
	start=$(date +%s)
	"$@" >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1)); echo "PASS  $name (${secs}s)"
	elif [ $rc -eq 77 ]; then
		skip=$((skip + 1)); echo "SKIP  $name: $(tail -n 1 "$log")"
	else
		fail=$((fail + 1)); failed="$failed $name"
		echo "FAIL  $name (exit $rc), last lines of $log:"
		tail -n 20 "$log" | sed 's/^/      /'
	fi
}

for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	run "$(basename "$t")" "$t"
done
for t in tests/t_*.sh; do
	[ -f "$t" ] || continue
	run "$(basename "$t" .sh)" sh "$t"
done

echo "tests: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ] || { echo "failed:$failed"; exit 1; }
