#!/bin/sh
# Training at fleet scale (issue 14 item 5): `panicsage train` on corpora
# grown to 1k, 10k and 100k cases; prints wall and CPU time, peak RSS
# (GNU time), the model's size and its stored cases, and the load of the
# machine before and after each run (the machine is shared).
#
#   tests/bench/train_scale.sh [SHARED [SIZES [FORMAT]]]
#       SHARED  ../shared by default; its corpus/syzkaller is used when present
#       SIZES   "1000 10000 100000" by default
#       FORMAT  --format of train, int8 (the shipped model's) by default
#
# The corpora are grown by tools/train/grow.py (seed 1) from the real
# case files (SHARED/corpus/syzkaller when present, and model/corpus/lab):
# case i is base i mod bases with addresses, timestamps, frame offsets,
# pids and CPU numbers changed.  They are written under build/bench-train
# (kept for the next run, never committed).
set -u
cd "$(dirname "$0")/../.."
B=${B:-build}
SHARED=${1:-../shared}
SIZES=${2:-"1000 10000 100000"}
FORMAT=${3:-int8}
W=$B/bench-train
mkdir -p "$W"
BASES=model/corpus/lab
if [ -d "$SHARED/corpus/syzkaller" ]; then
	BASES="$SHARED/corpus/syzkaller $BASES"
	echo "bases: $SHARED/corpus/syzkaller (present) and model/corpus/lab"
else
	echo "bases: model/corpus/lab only ($SHARED/corpus/syzkaller not present)"
fi
[ -x /usr/bin/time ] || { echo "not measured: /usr/bin/time (GNU time) is missing"; exit 0; }
echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo) MiB; format $FORMAT, seed 1, other options default"
printf '%-8s %8s %8s %8s %10s %10s %8s  %s\n' cases wall_s user_s sys_s peak_MiB model_B stored "load before -> after"
for n in $SIZES; do
	d=$W/c$n
	if [ "$(ls "$d" 2>/dev/null | wc -l)" != "$n" ]; then
		rm -rf "$d"
		/usr/bin/python3 tools/train/grow.py --seed 1 -n "$n" "$d" $BASES >/dev/null || {
			echo "$n: grow.py failed"; continue; }
	fi
	l0=$(cut -d' ' -f1-3 /proc/loadavg)
	/usr/bin/time -v "$B/panicsage" train --format "$FORMAT" --seed 1 --out "$W/m$n.psm" "$d" \
		>"$W/train$n.out" 2>"$W/train$n.err"
	rc=$?
	l1=$(cut -d' ' -f1-3 /proc/loadavg)
	if [ $rc -ne 0 ]; then
		echo "$n: train failed (exit $rc), see $W/train$n.err"
		continue
	fi
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$W/train$n.err" |
		awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.1f", s }')
	user=$(sed -n 's/.*User time (seconds): //p' "$W/train$n.err")
	sys=$(sed -n 's/.*System time (seconds): //p' "$W/train$n.err")
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$W/train$n.err")
	stored=$("$B/panicsage" model inspect "$W/m$n.psm" 2>/dev/null | sed -n 's/^ *stored cases *:* *\([0-9]*\).*/\1/p' | head -n 1)
	[ -n "$stored" ] || stored=$(sed -n 's/^train: \([0-9]*\) of [0-9]* cases stored.*/\1/p' "$W/train$n.err")
	[ -n "$stored" ] || stored=$n
	printf '%-8s %8s %8s %8s %10s %10s %8s  %s -> %s\n' "$n" "$wall" "$user" "$sys" \
		$((rss / 1024)) "$(wc -c <"$W/m$n.psm")" "$stored" "$l0" "$l1"
	grep -v "^\s" "$W/train$n.err" | grep "^train: \|^templates: " | sed 's/^/    /'
done
