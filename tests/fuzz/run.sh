#!/bin/sh
# Runs libFuzzer targets, one after the other, each for FUZZ_SECONDS,
# on its committed seeds (tests/fuzz/corpus/<target>), under
# `nice -n 19`.
#
#   tests/fuzz/run.sh [-o WORKDIR] TARGET...
#
# New inputs go to WORKDIR/corpus/<target> (default build/fuzz, kept
# between runs so long runs add up), crashes to
# WORKDIR/crashes/<target>/, logs to WORKDIR/logs/<target>.log.  Prints
# one summary line per target (executions, coverage, corpus, crashes),
# appends it to WORKDIR/summary.txt, and exits 1 if any target crashed.
# FUZZ_JOBS=2 runs two targets at a time.
set -u
cd "$(dirname "$0")/../.."
B=${B:-build}
W=$B/fuzz
SECONDS_EACH=${FUZZ_SECONDS:-900}
JOBS=${FUZZ_JOBS:-1}
# One input may take this long before libFuzzer calls it a hang.  Long
# runs are niced on a shared machine, so a unit can wait for the CPU.
TIMEOUT=${FUZZ_TIMEOUT:-60}
if [ "${1:-}" = "-o" ]; then W=$2; shift 2; fi
[ $# -gt 0 ] || { echo "usage: $0 [-o WORKDIR] TARGET..."; exit 2; }
mkdir -p "$W/logs"

# Per-target input sizes: big enough for the formats, small enough to
# keep executions fast.
max_len() {
	case $1 in
	fuzz_log) echo 16384 ;;
	fuzz_model) echo 65536 ;;
	fuzz_vmcore) echo 262144 ;;
	fuzz_frame) echo 8192 ;;
	*) echo 16384 ;;
	esac
}

run_one() {
	t=$1
	bin=$B/fuzz/$t
	log=$W/logs/$t.log
	[ -x "$bin" ] || { echo "$t: $bin not built (make fuzz-build)"; return 1; }
	mkdir -p "$W/corpus/$t" "$W/crashes/$t"
	# the reproducers are not seeds: t_fuzz_regress replays them, and a
	# slow one would hold up every run
	dirs="$W/corpus/$t"
	[ -d "tests/fuzz/corpus/$t" ] && dirs="$dirs tests/fuzz/corpus/$t"
	dict=""
	[ -f "tests/fuzz/$t.dict" ] && dict="-dict=tests/fuzz/$t.dict"
	t0=$(date +%s)
	# shellcheck disable=SC2086
	nice -n 19 "$bin" -max_total_time="$SECONDS_EACH" -max_len="$(max_len "$t")" \
		-rss_limit_mb=2048 -timeout="$TIMEOUT" -print_final_stats=1 $dict \
		-artifact_prefix="$W/crashes/$t/" $dirs >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - t0 ))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -n 1)
	# libFuzzer also leaves slow-unit-* there: informational, not a crash
	crashes=$(ls "$W/crashes/$t" | grep -c -E '^(crash|leak|timeout|oom)-')
	line="$t: ${secs}s, ${execs:-?} execs (${rate:-?}/s), ${cov:-no coverage line}, crashes $crashes, exit $rc"
	echo "$line"
	echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $line" >>"$W/summary.txt"
	if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
		echo "  see $log; reproducers in $W/crashes/$t/"
		grep -m 3 -E 'ERROR: |runtime error|fuzz invariant|ALARM' "$log" | sed 's/^/  /'
		return 1
	fi
	return 0
}

fail=0
if [ "$JOBS" -le 1 ]; then
	for t in "$@"; do run_one "$t" || fail=1; done
else
	# two at a time: the machine is shared
	set -- "$@"
	while [ $# -gt 0 ]; do
		a=$1; shift
		if [ $# -gt 0 ]; then
			b=$1; shift
			run_one "$b" >"$W/logs/.$b.line" 2>&1 &
			pid=$!
			run_one "$a" || fail=1
			wait $pid || fail=1
			cat "$W/logs/.$b.line"
		else
			run_one "$a" || fail=1
		fi
	done
fi
exit $fail
