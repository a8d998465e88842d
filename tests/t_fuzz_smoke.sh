#!/bin/sh
# A short, bounded libFuzzer run of every fuzz target (clang,
# -fsanitize=fuzzer,address,undefined): FUZZ_SMOKE_SECONDS each
# (default 15), from the committed seeds, new inputs thrown away.  Any
# crash fails the test; its reproducer is copied to
# build/test-logs/fuzz-crashes/ so it can be committed under
# tests/fuzz/regress/<target>/.  `make fuzz` is the long run.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
SECS=${FUZZ_SMOKE_SECONDS:-15}
command -v "${FUZZ_CC:-clang}" >/dev/null 2>&1 || { echo "clang not installed (ci/deps.sh test installs it)"; exit 77; }
targets=""
for src in tests/fuzz/fuzz_*.c; do
	t=$(basename "$src" .c)
	[ "$t" = fuzz_vmcore ] && [ ! -f kdump/vmcore/vmcore.h ] && continue
	[ -x "$B/fuzz/$t" ] || { echo "FAIL: $B/fuzz/$t not built (make fuzz-build)"; exit 1; }
	targets="$targets $t"
done
[ -n "$targets" ] || { echo "no fuzz targets"; exit 1; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
# shellcheck disable=SC2086
FUZZ_SECONDS=$SECS FUZZ_JOBS=1 tests/fuzz/run.sh -o "$W" $targets
rc=$?
if [ $rc -ne 0 ]; then
	mkdir -p "$B/test-logs/fuzz-crashes"
	cp -r "$W/crashes/." "$B/test-logs/fuzz-crashes/" 2>/dev/null
	cp -r "$W/logs/." "$B/test-logs/fuzz-crashes/" 2>/dev/null
	echo "reproducers and logs copied to $B/test-logs/fuzz-crashes/"
fi
exit $rc
