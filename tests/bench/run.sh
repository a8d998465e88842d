#!/bin/sh
# Every benchmark, once, in one run: writes tests/bench/REPORT.md and
# tests/bench/results.json (`make bench` builds first, then runs this).
#
#   tests/bench/run.sh [-q]      -q: fewer repeats (a quick look, same rows)
#
# Benchmarks print numbers and never fail because a machine is slow; a
# row whose tool or data is missing says "not measured" and why.  Rows:
#   1 vmcore -> log        tests/bench/vmcore_dmesg.sh (real QEMU vmcores from
#                          $PANICSAGE_VMCORES, else made by the QEMU lab into
#                          build/bench-vmcores, and synthetic ones from
#                          tests/vmcoregen.c; an arm64 lab vmcore from
#                          $PANICSAGE_VMCORES_ARM64 or build/bench-vmcores-arm64,
#                          with the aarch64 readers under qemu-user)
#   2 capture-kernel cost  tests/bench/kdump_scale.py (10 KiB .. 16 MiB logs)
#   3 Drain throughput     tests/bench/drain_speed.py (needs ../shared)
#   4 DBSCAN               tests/bench/dbscan_vs_sklearn.py
#   5 GraphSAGE            build/tests/sage-bench + tests/bench/sage_vs_torch.py
#                          (needs ../shared/corpus)
#   6 sizes                tests/bench/kdump_size.sh, model files float/int8
#   7 extraction accuracy  tests/bench/extract_corpus.py (needs ../shared)
#   8 upload load          tests/bench/upload_load.sh
#   8a uploads by store    tests/bench/upload_stores.sh (SQLite, PostgreSQL;
#                          8 and 32 clients)
#   8b crash buckets       tests/bench/buckets.sh (syzkaller part needs ../shared)
#   8c training at scale   tests/bench/train_scale.sh (corpora grown from
#                          ../shared/corpus/syzkaller when present + model/corpus/lab)
#   + the model benchmark  tests/bench/model_bench.py (default model, training)
#   9 fuzzing              the long runs recorded in tests/fuzz/longruns.txt
set -u
cd "$(dirname "$0")/../.."
B=${B:-build}
PY=/usr/bin/python3
SHARED=${PANICSAGE_SHARED:-../shared}
OUT=tests/bench
QUICK=0
[ "${1:-}" = "-q" ] && QUICK=1
R=5
[ $QUICK -eq 1 ] && R=2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# the raw outputs stay in $B/bench-results: tests/bench/report.py can
# rewrite the report from them (e.g. after more fuzzing is recorded)
RES=$B/bench-results
rm -rf "$RES"
mkdir -p "$RES"
ln -s "$(cd "$RES" && pwd)" "$T/r"
start=$(date +%s)

note() { echo "== $*" >&2; }
# timed NAME CMD...: runs CMD, its output to $T/r/NAME.txt, seconds to NAME.secs
timed() {
	n=$1; shift
	note "$n: $*"
	t0=$(date +%s)
	"$@" >"$T/r/$n.txt" 2>"$T/r/$n.err"
	echo $? >"$T/r/$n.rc"
	echo $(( $(date +%s) - t0 )) >"$T/r/$n.secs"
	cat "$T/r/$n.txt" >&2
}

# machine
{
	echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	# the report and its numbers are this run's output, not a change to the code measured
	echo "commit=$(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet -- . ':!tests/bench/REPORT.md' ':!tests/bench/results.json' 2>/dev/null || echo '+changes')"
	echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	echo "nproc=$(nproc)"
	echo "mem_mib=$(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo)"
	echo "kernel=$(uname -r)"
	echo "os=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")"
	echo "load=$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "cc=$(${CC:-cc} --version | head -n 1)"
	echo "vmcore_dmesg=$(dpkg-query -W -f='kexec-tools ${Version}' kexec-tools 2>/dev/null)"
	echo "makedumpfile=$(dpkg-query -W -f='${Version}' makedumpfile 2>/dev/null)"
} >"$T/r/machine.txt"

# 1. vmcore -> log.  Real vmcores: $PANICSAGE_VMCORES, else two QEMU lab
# captures (a sysrq crash saved by makedumpfile -E -d 31, and another as
# the raw /proc/vmcore) made on first use into $B/bench-vmcores and kept.
VDIR=$B/bench-vmcores
if [ -z "${PANICSAGE_VMCORES:-}" ] && [ ! -f "$VDIR/sysrq-2.vmcore" ] && [ ! -f "$VDIR/sysrq-3.raw-vmcore" ]; then
	note "real vmcores: two QEMU lab captures into $VDIR (once, a few minutes)"
	if ci/deps.sh build lab >"$T/lab.log" 2>&1 && tools/lab/build.sh >>"$T/lab.log" 2>&1; then
		tools/lab/run-case.sh --out "$T/labcases" --keep-vmcore "$VDIR" sysrq 2 >>"$T/lab.log" 2>&1
		LAB_VMCORE_RAW=1 tools/lab/run-case.sh --out "$T/labcases" --keep-vmcore "$VDIR" sysrq 3 >>"$T/lab.log" 2>&1
	fi
	tail -n 3 "$T/lab.log" >&2
fi
REAL=""
for v in ${PANICSAGE_VMCORES:-$VDIR/*.vmcore $VDIR/*.raw-vmcore}; do
	[ -f "$v" ] && REAL="$REAL $v"
done
if [ -n "$REAL" ]; then
	# shellcheck disable=SC2086
	timed vmcore_real sh tests/bench/vmcore_dmesg.sh -r "$R" $REAL
else
	echo "no real vmcore: the QEMU lab could not make one here (see tools/lab/README.md); set PANICSAGE_VMCORES" >"$T/r/vmcore_real.txt"
	echo 77 >"$T/r/vmcore_real.rc"
fi
# 1b. arm64 vmcores: $PANICSAGE_VMCORES_ARM64, else one arm64 lab capture
# (sysrq, the raw /proc/vmcore) made on first use into $B/bench-vmcores-arm64.
VDIR64=$B/bench-vmcores-arm64
if [ -z "${PANICSAGE_VMCORES_ARM64:-}" ] && [ ! -f "$VDIR64/sysrq-2.raw-vmcore" ]; then
	note "arm64 vmcore: one arm64 QEMU lab capture into $VDIR64 (once, a few minutes)"
	if ci/deps.sh build arm64 lab-arm64 >"$T/lab64.log" 2>&1 && make -s "$B/arm64/panicsage-kdump" >>"$T/lab64.log" 2>&1 &&
	   LAB_ARCH=arm64 tools/lab/build.sh >>"$T/lab64.log" 2>&1; then
		LAB_ARCH=arm64 tools/lab/run-case.sh --out "$T/labcases64" --keep-vmcore "$VDIR64" sysrq 2 >>"$T/lab64.log" 2>&1
	fi
	tail -n 3 "$T/lab64.log" >&2
fi
REAL64=""
for v in ${PANICSAGE_VMCORES_ARM64:-$VDIR64/*.raw-vmcore}; do
	[ -f "$v" ] && REAL64="$REAL64 $v"
done
if [ -n "$REAL64" ]; then
	# shellcheck disable=SC2086
	timed vmcore_arm64 sh tests/bench/vmcore_dmesg.sh -r "$R" $REAL64
else
	echo "no arm64 vmcore: the arm64 QEMU lab could not make one here (see tools/lab/README.md); set PANICSAGE_VMCORES_ARM64" >"$T/r/vmcore_arm64.txt"
	echo 77 >"$T/r/vmcore_arm64.rc"
fi
timed vmcore_synth sh tests/bench/vmcore_dmesg.sh -r "$R"

# 5 first: its model is the one the capture-kernel rows classify with
# when the build has no default model built in.
MODEL=""
KMODEL="none (extraction only)"
[ -f model/default.psm ] && KMODEL="the built-in default model (model/default.psm, $(wc -c <model/default.psm) bytes)"
if [ -d "$SHARED/corpus/syzkaller" ]; then
	mkdir -p "$T/sage"
	timed sage_c "$B/tests/sage-bench" "$T/sage" 400 "$SHARED/corpus/syzkaller"
	timed sage_torch "$PY" tests/bench/sage_vs_torch.py "$T/sage" --json "$T/r/sage.json"
	if [ ! -f model/default.psm ] && [ -f "$T/sage/model.psm" ]; then
		MODEL=$T/sage/model.psm
		KMODEL="the model sage-bench trained (--model, $(wc -c <"$MODEL") bytes)"
	fi
else
	echo "$SHARED/corpus/syzkaller not found" >"$T/r/sage_c.txt"
	echo 77 >"$T/r/sage_c.rc"
fi

# 2. capture-kernel cost by log size
if [ -n "$MODEL" ]; then
	timed kdump_scale "$PY" tests/bench/kdump_scale.py --model "$MODEL" --repeats $((2 * R - 1)) --json "$T/r/kdump_scale.json"
else
	timed kdump_scale "$PY" tests/bench/kdump_scale.py --repeats $((2 * R - 1)) --json "$T/r/kdump_scale.json"
fi
echo "$KMODEL" >"$T/r/kdump_model.txt"

# the model engineer's benchmark: 1 MiB latency with the default model,
# classifier stages, training and cross-validation time
[ -f tests/bench/model_bench.py ] && timed model_bench "$PY" tests/bench/model_bench.py

# 3. Drain
timed drain "$PY" tests/bench/drain_speed.py

# 4. DBSCAN
timed dbscan "$PY" tests/bench/dbscan_vs_sklearn.py --json "$T/r/dbscan.json"

# 6. sizes
timed kdump_size sh tests/bench/kdump_size.sh
if [ -d "$SHARED/corpus/syzkaller" ]; then
	for fmt in float int8 both; do
		"$B/panicsage" train --quiet --epochs 5 --format $fmt --out "$T/model-$fmt.psm" \
			"$SHARED/corpus/syzkaller" >/dev/null 2>&1 &&
			echo "$fmt $(wc -c <"$T/model-$fmt.psm")"
	done >"$T/r/model_size.txt"
fi
strip -o "$T/kdump.stripped" "$B/panicsage-kdump" 2>/dev/null &&
	echo "panicsage-kdump $(wc -c <"$T/kdump.stripped") $(wc -c <"$B/panicsage-kdump") $(wc -c <model/default.psm 2>/dev/null || echo 0)" >"$T/r/bin_size.txt"

# 7. extraction accuracy on the corpus
timed extract "$PY" tests/bench/extract_corpus.py

# 8. upload load (loopback)
if [ $QUICK -eq 1 ]; then
	timed upload sh tests/bench/upload_load.sh 4 10
else
	timed upload sh tests/bench/upload_load.sh
fi

# 8a. uploads per second and latency by store
if [ $QUICK -eq 1 ]; then
	timed upload_stores sh tests/bench/upload_stores.sh 3
else
	timed upload_stores sh tests/bench/upload_stores.sh
fi

# 8b. crash buckets
timed buckets sh tests/bench/buckets.sh "$SHARED"

# 8c. training at fleet scale: 1k, 10k, 100k grown cases (-q: 1k, 10k);
# its output is also kept as tests/bench/train_scale.txt
if [ $QUICK -eq 1 ]; then
	timed train_scale sh tests/bench/train_scale.sh "$SHARED" "1000 10000"
else
	timed train_scale sh tests/bench/train_scale.sh "$SHARED"
fi
cp "$T/r/train_scale.txt" "$OUT/train_scale.txt"

echo $(( $(date +%s) - start )) >"$T/r/total.secs"
"$PY" tests/bench/report.py "$T/r" "$OUT/REPORT.md" "$OUT/results.json" tests/fuzz/longruns.txt
note "wrote $OUT/REPORT.md and $OUT/results.json in $(cat "$T/r/total.secs") s"
