#!/bin/sh
# Benchmark: panicsage dmesg against kexec-tools' vmcore-dmesg and
# makedumpfile --dump-dmesg on the same vmcore(s).
#
#   tests/bench/vmcore_dmesg.sh [-r RUNS] [VMCORE...]
#
# For each vmcore: checks that the outputs are identical to
# vmcore-dmesg's, then prints the wall time (min / median) and the peak
# RSS (GNU time's %M) of each tool over RUNS runs (default 5).  Besides
# panicsage dmesg (the host binary, whose shared libraries alone take
# ~2.5 MiB) it runs build/tests/vmcore-dmesg-static, the same reader
# linked statically with musl as panicsage-kdump links it.  Without a
# VMCORE it benchmarks synthetic ones from tests/vmcoregen.c: the three
# printk formats with a 1 MiB log, and a 16 MiB lockless ring
# (log_buf_len=16M) to show memory that does not grow with the log.
# An arm64 vmcore (e_machine AArch64) also gets two emulated rows, both
# aarch64 binaries under qemu-aarch64-static: build/arm64/panicsage-kdump
# --dmesg and Debian's arm64 vmcore-dmesg (from the arm64 lab's unpacked
# packages, ARM64_PKGS, default build/lab-arm64/pkgs); their peak RSS
# includes the emulator's own.
# Needs `make test-build` first.  Exit status 1 if any output differs.
set -u
cd "$(dirname "$0")/../.."
B=${B:-build}
P=$B/panicsage
G=$B/tests/vmcoregen
S=$B/tests/vmcore-dmesg-static
RUNS=5
if [ "${1:-}" = "-r" ]; then
	RUNS=$2
	shift 2
fi
find_tool() {
	t=$(command -v "$1" 2>/dev/null || true)
	for d in /usr/sbin /sbin /usr/bin; do
		[ -n "$t" ] || { [ -x "$d/$1" ] && t=$d/$1; }
	done
	echo "$t"
}
VD=$(find_tool vmcore-dmesg)
MD=$(find_tool makedumpfile)
QA=$(find_tool qemu-aarch64-static)
A64PKGS=${ARM64_PKGS:-$B/lab-arm64/pkgs}
A64KD=$B/arm64/panicsage-kdump
TIME=/usr/bin/time
[ -x "$P" ] || { echo "build $P first (make test-build)" >&2; exit 2; }
[ -x "$TIME" ] || { echo "GNU time (/usr/bin/time) is needed" >&2; exit 2; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

if [ $# -eq 0 ]; then
	[ -x "$G" ] || { echo "build $G first (make test-build)" >&2; exit 2; }
	/usr/bin/python3 - "$T/log" <<'PY'
import sys
base = [l.rstrip('\n') for l in open('tests/data/vmcore_sample.log')]
out, ts = [], 0
i = 0
while sum(len(l) + 1 for l in out) < 1_200_000:
    ts += 1234567
    text = base[i % len(base)].split('] ', 1)[-1]
    out.append('[%5d.%06d] %s (%d)' % (ts // 10**9, ts % 10**9 // 1000, text, i))
    i += 1
open(sys.argv[1], 'w').write('\n'.join(out) + '\n')
PY
	"$G" --format lockless --ring-bits 20 --desc-bits 15 "$T/log" "$T/lockless-1M.vmcore" 2>/dev/null
	"$G" --format structured --ring-bits 20 "$T/log" "$T/structured-1M.vmcore" 2>/dev/null
	"$G" --format plain --ring-bits 20 "$T/log" "$T/plain-1M.vmcore" 2>/dev/null
	"$G" --format lockless --ring-bits 24 --desc-bits 19 --repeat 16 --dynamic-buf \
		"$T/log" "$T/lockless-16M.vmcore" 2>/dev/null
	set -- "$T/lockless-1M.vmcore" "$T/structured-1M.vmcore" "$T/plain-1M.vmcore" \
		"$T/lockless-16M.vmcore"
fi

# run TOOL ARGS...: sets ms ("min / median" wall time) and kib (max
# peak RSS); stdout of the last run in $T/out.  Returns the tool's
# status.  One warm-up run first (page cache).
run() {
	: >"$T/times"
	"$@" >/dev/null 2>&1
	k=0 rss=0
	while [ $k -lt "$RUNS" ]; do
		t0=$(date +%s%N)
		"$TIME" -f %M -o "$T/rss" "$@" >"$T/out" 2>"$T/err"
		st=$?
		t1=$(date +%s%N)
		[ $st -eq 0 ] || return $st
		echo $(( (t1 - t0) / 1000 )) >>"$T/times"
		r=$(tail -n 1 "$T/rss")
		[ "$r" -gt "$rss" ] 2>/dev/null && rss=$r
		k=$((k + 1))
	done
	ms=$(sort -n "$T/times" | awk '{ a[NR] = $1 } END { printf "%.1f / %.1f", a[1] / 1000, a[int((NR + 1) / 2)] / 1000 }')
	kib=$rss
	return 0
}

differ=0
printf '%-34s %-26s %14s %9s  %s\n' vmcore tool "wall ms min/med" "peak KiB" output
for core in "$@"; do
	name=$(basename "$core")
	size=$(du -k "$core" | cut -f1)
	name="$name (${size} KiB)"
	if run "$P" dmesg "$core"; then
		cp "$T/out" "$T/ps.out"
		printf '%-34s %-26s %14s %9s  %s\n' "$name" "panicsage dmesg" "$ms" "$kib" \
			"$(wc -c <"$T/ps.out") bytes"
	else
		printf '%-34s %-26s failed: %s\n' "$name" "panicsage dmesg" "$(head -c 120 "$T/err")"
		: >"$T/ps.out"
	fi
	if [ -x "$S" ]; then
		if run "$S" "$core"; then
			if cmp -s "$T/out" "$T/ps.out"; then same=identical; else same=DIFFERENT; differ=1; fi
			printf '%-34s %-26s %14s %9s  %s\n' "" "reader, static musl" "$ms" "$kib" "$same"
		else
			printf '%-34s %-26s failed: %s\n' "" "reader, static musl" "$(head -c 120 "$T/err")"
		fi
	fi
	if [ -n "$VD" ]; then
		if run "$VD" "$core"; then
			if cmp -s "$T/out" "$T/ps.out"; then same=identical; else same=DIFFERENT; differ=1; fi
			printf '%-34s %-26s %14s %9s  %s\n' "" "vmcore-dmesg" "$ms" "$kib" "$same"
		else
			printf '%-34s %-26s failed: %s\n' "" "vmcore-dmesg" "$(head -c 120 "$T/err")"
		fi
	fi
	# arm64 cores: both aarch64 readers, emulated
	if [ "$(od -An -tu1 -j18 -N2 "$core" | tr -s ' ')" = " 183 0" ] && [ -n "$QA" ]; then
		if [ -x "$A64KD" ]; then
			if run "$QA" "$A64KD" --dmesg "$core"; then
				if cmp -s "$T/out" "$T/ps.out"; then same=identical; else same=DIFFERENT; differ=1; fi
				printf '%-34s %-26s %14s %9s  %s\n' "" "arm64 kdump --dmesg (qemu)" "$ms" "$kib" "$same"
			else
				printf '%-34s %-26s failed: %s\n' "" "arm64 kdump --dmesg (qemu)" "$(head -c 120 "$T/err")"
			fi
		fi
		if [ -x "$A64PKGS/sbin/vmcore-dmesg" ]; then
			if run "$QA" -L "$A64PKGS" "$A64PKGS/sbin/vmcore-dmesg" "$core"; then
				if cmp -s "$T/out" "$T/ps.out"; then same=identical; else same=DIFFERENT; differ=1; fi
				printf '%-34s %-26s %14s %9s  %s\n' "" "arm64 vmcore-dmesg (qemu)" "$ms" "$kib" "$same"
			else
				printf '%-34s %-26s failed: %s\n' "" "arm64 vmcore-dmesg (qemu)" "$(head -c 120 "$T/err")"
			fi
		fi
	fi
	if [ -n "$MD" ]; then
		# makedumpfile writes the log to a file it refuses to overwrite
		rm -f "$T/md.out"
		if run sh -c 'rm -f "$2"; exec "$0" --dump-dmesg "$1" "$2"' "$MD" "$core" "$T/md.out"; then
			if cmp -s "$T/md.out" "$T/ps.out"; then same=identical; else same=different; fi
			printf '%-34s %-26s %14s %9s  %s\n' "" "makedumpfile --dump-dmesg" "$ms" "$kib" "$same"
		else
			printf '%-34s %-26s failed: %s\n' "" "makedumpfile --dump-dmesg" \
				"$(grep -v '^$' "$T/err" "$T/out" | head -n 1 | cut -c1-100)"
		fi
	fi
done
echo "($RUNS runs each after a warm-up; wall time min / median, max peak RSS;"
echo " 'reader, static musl' is $S: the reader as panicsage-kdump links it)"
exit $differ
