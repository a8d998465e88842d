#!/bin/sh
# The unit tests and the host command line again, built with gcc
# -fsanitize=address,undefined -fno-sanitize-recover=all and the arena's
# ASan poisoning (PS_ARENA_POISON): any out-of-bounds access, use of
# released arena memory or undefined behaviour fails the test (and a
# leak, for the command line).  `make test` builds them into build/asan
# (tests/fuzz/fuzz.mk).
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
AB=$B/asan
ls "$AB"/tests/test_* >/dev/null 2>&1 || { echo "sanitizer unit tests not built (make asan-build)"; exit 1; }

# Leak checking is off here: core/ and model/ never allocate, and the
# unit tests' own fixtures (tests/unit/randmodel.h) are left to exit.
# The fuzz targets free everything and run with leak checking on.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:strict_string_checks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
fail=0 n=0
for t in "$AB"/tests/test_*; do
	case $t in *.d) continue ;; esac
	[ -x "$t" ] || continue
	n=$((n + 1))
	out=$("$t" 2>&1)
	rc=$?
	if [ $rc -eq 77 ]; then
		echo "skip $(basename "$t"): $(echo "$out" | tail -n 1)"
	elif [ $rc -ne 0 ] || echo "$out" | grep -q -E 'runtime error|AddressSanitizer|LeakSanitizer'; then
		echo "FAIL $(basename "$t") (exit $rc):"
		echo "$out" | tail -n 30 | sed 's/^/    /'
		fail=1
	else
		echo "ok   $(basename "$t") under ASan+UBSan"
	fi
done
[ $n -gt 0 ] || { echo "no sanitizer unit tests ran"; exit 1; }

# The host command line under the same sanitizers, leak checking on:
# every subcommand that parses input, on the test data and fuzz seeds.
P=$AB/panicsage
if [ -x "$P" ]; then
	W=$(mktemp -d)
	san() {   # san DESCRIPTION CMD...: fails on a sanitizer report
		_d=$1
		shift
		ASAN_OPTIONS=detect_leaks=1:exitcode=86 "$@" >"$W/out" 2>"$W/err"
		r=$?
		# 126/127: the command did not run at all
		if [ $r -eq 86 ] || [ $r -ge 126 ] || grep -q -E 'runtime error|Sanitizer' "$W/err"; then
			echo "FAIL panicsage $_d (exit $r):"
			grep -v '^    #[2-9][0-9]' "$W/err" | tail -n 20 | sed 's/^/    /'
			fail=1
		fi
	}
	san_exit() {   # san_exit CODE DESCRIPTION CMD...: san, and the exit must be CODE
		_want=$1
		shift
		san "$@"
		if [ $r -ne "$_want" ]; then
			echo "FAIL panicsage $1: exit $r, want $_want (the path under test was not taken)"
			fail=1
		fi
	}
	san "classify" "$P" classify tests/data/example.log
	san "classify --json" "$P" classify --json tests/data/example.log
	for f in tests/fuzz/corpus/fuzz_log/*; do san "classify $f" "$P" classify --json "$f"; done
	for f in tests/fuzz/corpus/fuzz_vmcore/* tests/fuzz/regress/fuzz_vmcore/*; do
		[ -f "$f" ] && san "dmesg $f" "$P" dmesg "$f"
	done
	san "classify a vmcore" "$P" classify tests/fuzz/corpus/fuzz_vmcore/lockless.vmcore
	san "templates" "$P" templates tests/data/example.log
	small="--dim 16 --hidden 16 --buckets 1024 --epochs 20 --k 5 --quiet"
	# shellcheck disable=SC2086
	san "train" "$P" train --out "$W/m.psm" $small tests/data/cases
	# shellcheck disable=SC2086
	san "eval --cv 3" "$P" eval --cv 3 $small tests/data/cases
	# early exits free what they took (LeakSanitizer): a fold with no
	# labelled case to train on (the logs have no LABEL:), a model file
	# that cannot be opened
	# shellcheck disable=SC2086
	san_exit 4 "eval --cv 2, no labelled case" "$P" eval --cv 2 $small tests/data/example.log \
		tests/data/vmcore_sample.log
	san_exit 5 "eval --model missing" "$P" eval --model "$W/none.psm" tests/data/example.log
	# shellcheck disable=SC2086
	san_exit 4 "train, no labelled case" "$P" train --out "$W/none.psm" $small tests/data/example.log \
		tests/data/vmcore_sample.log
	san "model inspect" "$P" model inspect "$W/m.psm"
	san "model verify" "$P" model verify "$W/m.psm"
	san "classify --model" "$P" classify --model "$W/m.psm" --json tests/data/example.log
	for f in tests/fuzz/corpus/fuzz_model/*; do san "model inspect $f" "$P" model inspect "$f"; done
	rm -rf "$W"
	[ $fail -eq 0 ] && echo "ok   panicsage classify, dmesg, templates, train, eval, model under ASan+UBSan"
else
	echo "FAIL: $P not built (make asan-build)"
	fail=1
fi

# The check must be able to fail: a probe with an out-of-bounds write
# built with the same flags must be caught.
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
cat >"$probe/p.c" <<'C'
#include <stdlib.h>
#include "core/arena.h"
int main(void)
{
	unsigned char *mem = malloc(256);
	struct ps_arena a;
	char *p;
	ps_arena_init(&a, mem, 256);
	p = ps_arena_alloc(&a, 16, 1);
	p[16] = 1;              /* one past the allocation, inside the arena */
	free(mem);
	return 0;
}
C
if ${CC:-cc} -std=c11 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-DPS_ARENA_POISON -I. -o "$probe/p" "$probe/p.c" core/arena.c 2>"$probe/cc.log"; then
	if "$probe/p" >"$probe/out" 2>&1 || ! grep -q "use-after-poison" "$probe/out"; then
		echo "FAIL: an arena overrun went unnoticed by the sanitizer build"
		fail=1
	else
		echo "ok   an arena overrun is caught (use-after-poison)"
	fi
else
	echo "FAIL: cannot build the sanitizer probe:"; cat "$probe/cc.log"; fail=1
fi
exit $fail
