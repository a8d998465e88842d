#!/bin/sh
# Generates a labelled synthetic corpus with the QEMU fault lab.
#
#   tools/lab/gen.sh [--out DIR] [--per-kind N] [--jobs J] [--kinds "K1 K2"]
#                    [--first-seed S] [--keep-vmcore DIR]
#
# For every kind, runs seeds S, S+1, ... until N cases were accepted (a
# rejected or failed seed is skipped and the next one tried, at most 3N
# seeds per kind); existing DIR/KIND-SEED.log files count and are not redone,
# so an interrupted run resumes, and a seed another gen.sh on the same DIR
# has run since (its SEEDS line) is skipped.  J guests run at once
# (default 1; this is TCG, each guest keeps one host core busy).
# Appends "KIND SEED STATUS SECONDS" lines to DIR/SEEDS.
# Defaults: --out model/corpus/lab (LAB_ARCH=arm64: model/corpus/lab-arm64)
# --per-kind 20 --jobs 1 --first-seed 1, all kinds of LAB_ARCH.
# Exit codes: 0 every kind reached N, 1 usage/setup error, 2 some kind fell short.
set -eu
. "$(dirname "$0")/lib.sh"
. "$LAB_ROOT/tools/lab/kinds.sh"

# one KIND SEED: run one case (xargs calls `gen.sh --one KIND SEED`).
one() {
	k=$1 s=$2
	# A file "pause" in the output directory holds new cases back (to free
	# the CPU for something else) until it is removed.
	while [ -e "$OUT/pause" ]; do sleep 5; done
	# Done meanwhile by another gen.sh on the same directory (e.g. one per
	# half of the kinds): not again.
	if [ -f "$OUT/$k-$s.log" ] || grep -q "^$k $s " "$OUT/SEEDS" 2>/dev/null; then
		return 0
	fi
	t0=$(date +%s)
	set +e
	if [ -n "$KEEP" ]; then
		sh "$RUN" --out "$OUT" --keep-vmcore "$KEEP" "$k" "$s"
	else
		sh "$RUN" --out "$OUT" "$k" "$s"
	fi
	rc=$?
	set -e
	case $rc in 0) st=ok ;; 2) st=rejected ;; 3) st=no-capture ;; *) st=error ;; esac
	echo "$k $s $st $(( $(date +%s) - t0 ))" >> "$OUT/SEEDS"
	rm -f "$OUT/$k-$s.result"
	[ $st = ok ] || rm -f "$OUT/$k-$s.log"
}
if [ "${1:-}" = --one ]; then
	one "$2" "$3"
	exit 0
fi

OUT=$LAB_ROOT/model/corpus/lab
[ "$LAB_ARCH" = arm64 ] && OUT=$LAB_ROOT/model/corpus/lab-arm64
PER=20 JOBS=1 FIRST=1 KINDS=$LAB_KINDS KEEP=""
while [ $# -gt 0 ]; do
	case $1 in
	--out) OUT=$2; shift 2 ;;
	--per-kind) PER=$2; shift 2 ;;
	--jobs) JOBS=$2; shift 2 ;;
	--kinds) KINDS=$2; shift 2 ;;
	--first-seed) FIRST=$2; shift 2 ;;
	--keep-vmcore) KEEP=$2; shift 2 ;;
	*) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 1 ;;
	esac
done
mkdir -p "$OUT"
RUN=$LAB_ROOT/tools/lab/run-case.sh
count() { ls "$OUT/$1"-[0-9]*.log 2>/dev/null | wc -l | tr -d ' '; }

# One task line per (kind, seed) still needed, kinds interleaved so a
# partial run covers every kind.
tasks() {
	for k in $KINDS; do
		have=$(count "$k")
		need=$((PER - have))
		[ $need -gt 0 ] || continue
		s=$FIRST
		last=$((FIRST + 3 * PER))
		while [ $need -gt 0 ] && [ $s -lt $last ]; do
			if [ ! -f "$OUT/$k-$s.log" ] && ! grep -q "^$k $s " "$OUT/SEEDS" 2>/dev/null; then
				echo "$k $s"; need=$((need - 1))
			fi
			s=$((s + 1))
		done
	done | awk '{n[$1]++; print n[$1], $0}' | sort -n -s -k1,1 | cut -d' ' -f2-
}


[ -f "$LAB_OUT/first.cpio" ] || sh "$LAB_ROOT/tools/lab/build.sh"
for pass in 1 2 3; do
	tasks > "$LAB_OUT/gen-tasks"
	[ -s "$LAB_OUT/gen-tasks" ] || break
	echo "gen: pass $pass, $(wc -l < "$LAB_OUT/gen-tasks") cases to run, $JOBS at a time"
	export OUT KEEP RUN
	# xargs runs `sh gen.sh --one KIND SEED` J at a time.
	xargs -P "$JOBS" -L 1 sh "$0" --one < "$LAB_OUT/gen-tasks" || true
done
short=0
for k in $KINDS; do
	n=$(count "$k")
	echo "gen: $k $n"
	[ "$n" -ge "$PER" ] || short=1
done
exit $short
