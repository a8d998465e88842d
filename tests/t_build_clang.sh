#!/bin/sh
# `make CC=clang`: the engine, the OS layer, the vmcore reader and the
# three host programs build with clang, warnings as errors, into their
# own build directory ($B/clang, kept between runs so that only what
# changed is rebuilt), and the clang-built `panicsage classify` prints
# the same report as the default build.  GCC-only flags must stay GCC's
# (the Makefile's is_gcc).
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
CB=$B/clang
command -v clang >/dev/null 2>&1 || { echo "skipped: clang is not installed (ci/deps.sh installs it)"; exit 77; }
[ -x "$B/panicsage" ] || { echo "FAIL: build first (make test-build)"; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0

if ! make -s -j2 CC=clang B="$CB" WERROR=1 \
	"$CB/panicsage" "$CB/panicsage-train" "$CB/panicsage-collector" >"$T/make.log" 2>&1; then
	echo "FAIL: make CC=clang:"
	tail -n 30 "$T/make.log"
	exit 1
fi
for p in panicsage panicsage-train panicsage-collector; do
	if readelf -p .comment "$CB/$p" 2>/dev/null | grep -q 'clang version'; then
		echo "ok   $CB/$p built by clang"
	else
		echo "FAIL: $CB/$p has no clang-compiled object"; fail=1
	fi
done

# the clang build gives the default build's report (timings left out)
for f in tests/data/example.log tests/data/vmcore_sample.log; do
	"$B/panicsage" classify --json "$f" | sed -E 's/"timing_us":\{[^}]*\}//' >"$T/gcc.json"
	"$CB/panicsage" classify --json "$f" | sed -E 's/"timing_us":\{[^}]*\}//' >"$T/clang.json"
	if [ -s "$T/gcc.json" ] && cmp -s "$T/gcc.json" "$T/clang.json"; then
		echo "ok   classify --json $f: the same report from both builds"
	else
		echo "FAIL: classify --json $f differs between the gcc and the clang build"; fail=1
	fi
done
"$CB/panicsage" train --help >/dev/null 2>&1 || { echo "FAIL: clang-built panicsage train --help"; fail=1; }
exit $fail
