#!/bin/sh
# Every fuzz reproducer (tests/fuzz/regress/<target>/) and every seed
# (tests/fuzz/corpus/<target>/) replayed once through its target under
# gcc's AddressSanitizer and UBSan (build/asan/replay_<target>, no
# libFuzzer needed).  A crash the fuzzers once found must stay fixed.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
fail=0 n=0
for src in tests/fuzz/fuzz_*.c; do
	t=$(basename "$src" .c)
	bin=$B/asan/replay_$t
	if [ ! -x "$bin" ]; then
		[ "$t" = fuzz_vmcore ] && [ ! -f kdump/vmcore/vmcore.h ] && continue
		echo "FAIL $t: $bin not built (make asan-build)"; fail=1; continue
	fi
	for d in tests/fuzz/corpus/$t tests/fuzz/regress/$t; do
		[ -d "$d" ] || continue
		out=$("$bin" "$d" 2>&1)
		rc=$?
		if [ $rc -ne 0 ] || echo "$out" | grep -q -E 'runtime error|Sanitizer|fuzz invariant'; then
			echo "FAIL $t on $d (exit $rc):"
			echo "$out" | grep -v '^    #[2-9][0-9]' | tail -n 25 | sed 's/^/    /'
			fail=1
		else
			echo "ok   $out"
			n=$((n + 1))
		fi
	done
done
[ $n -gt 0 ] || [ $fail -ne 0 ] || { echo "no fuzz inputs replayed"; exit 1; }
exit $fail
