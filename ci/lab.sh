#!/bin/sh
# The QEMU fault lab for CI and people.
#
#   ci/lab.sh [smoke]   boot the lab for a representative subset of fault
#                       kinds and assert on the capture kernel's console
#                       (what tests/t_lab_e2e.sh runs; a few minutes).
#                       One of them is an upload case: its capture kernel
#                       sends the case to `panicsage serve` on 127.0.0.1,
#                       and the stored case is checked, summarised, put
#                       through the labelling queue and retrained on
#                       (ci/lab_upload.sh)
#   ci/lab.sh all       every kind, LAB_PER_KIND (20) cases each, into
#                       model/corpus/lab (what `make lab` runs; hours on TCG)
#
# Both install the lab's Debian packages (ci/deps.sh build lab) and build
# build/panicsage-kdump when they can, so the capture kernel runs it.
# Environment: LAB_KINDS (smoke kinds), LAB_SEED (first seed, 1),
# LAB_UPLOAD_KIND (the smoke kind that is an upload case, null-deref;
# empty: none), LAB_OUT (build directory, build/lab),
# LAB_JOBS (guests at once, 1), LAB_PER_KIND (20),
# LAB_REQUIRE_PANICSAGE (1, the default: fail unless panicsage-kdump is in
# the capture initramfs and both its --dmesg and its report run worked;
# 0 only notes what failed, for lab work without a built binary).
# A --dmesg output that differs from vmcore-dmesg fails, unless the file
# tools/lab/KNOWN-DMESG-DIFF exists (a documented known issue; then it is
# a loud warning; LAB_DMESG_STRICT=1 forces the check anyway).
#
# LAB_ARCH=arm64: the same on the arm64 lab (tools/lab/README.md "arm64":
# qemu-system-aarch64 -M virt, Debian's arm64 kernel, build/arm64/
# panicsage-kdump in the capture kernel) into build/lab-arm64 and, for
# `all`, model/corpus/lab-arm64; its smoke kinds are fewer (TCG emulating
# another architecture is about twice as slow).
# Exit codes: 0 ok, 1 failure, 77 this machine cannot run QEMU (skip).
set -eu
cd "$(dirname "$0")/.."
MODE=${1:-smoke}
case $MODE in smoke|all) ;; *) sed -n '2,/^# Exit codes/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 1 ;; esac
LAB_ARCH=${LAB_ARCH:-x86_64}
case $LAB_ARCH in
x86_64) LAB_OUT=${LAB_OUT:-$PWD/build/lab} QEMU=qemu-system-x86_64 PROBE_MACHINE=q35
	KD=build/panicsage-kdump CORPUS=model/corpus/lab DEPS=lab
	SMOKE_KINDS="null-deref double-free warn sysrq ext4-error mce" ;;
arm64)	LAB_OUT=${LAB_OUT:-$PWD/build/lab-arm64} QEMU=qemu-system-aarch64 PROBE_MACHINE=virt
	KD=build/arm64/panicsage-kdump CORPUS=model/corpus/lab-arm64 DEPS="arm64 lab-arm64"
	SMOKE_KINDS="null-deref double-free warn undefined-insn" ;;
*) echo "lab: LAB_ARCH must be x86_64 or arm64, got '$LAB_ARCH'"; exit 1 ;;
esac
export LAB_OUT LAB_ARCH

# shellcheck disable=SC2086
if [ "$MODE" = smoke ]; then ci/deps.sh build test $DEPS; else ci/deps.sh build $DEPS; fi
command -v $QEMU >/dev/null || { echo "lab: $QEMU missing after ci/deps.sh"; exit 1; }
# Can this machine run a TCG guest at all?  (A container without /dev/shm
# or with a seccomp policy that forbids it cannot; that is a skip.)
if ! timeout 60 $QEMU -nodefaults -machine $PROBE_MACHINE -accel tcg -display none \
	-m 32M -no-reboot -S -monitor none -serial none -daemonize -pidfile /tmp/lab-probe.$$ \
	>/tmp/lab-probe.$$.log 2>&1; then
	echo "lab: $QEMU cannot start a TCG guest here: $(tail -n 1 /tmp/lab-probe.$$.log)"
	rm -f /tmp/lab-probe.$$*
	exit 77
fi
kill "$(cat /tmp/lab-probe.$$)" 2>/dev/null || true
rm -f /tmp/lab-probe.$$*

if ! make -s $KD >/dev/null 2>&1; then
	echo "lab: note: $KD did not build; the capture kernel runs vmcore-dmesg only"
fi
[ "$MODE" = all ] || make -s build/panicsage build/panicsage-collector build/panicsage-train >/dev/null 2>&1 ||
	echo "lab: note: build/panicsage did not build; the upload case will fail"
tools/lab/build.sh

if [ "$MODE" = all ]; then
	exec tools/lab/gen.sh --out $CORPUS --per-kind "${LAB_PER_KIND:-20}" \
		--jobs "${LAB_JOBS:-1}" --first-seed "${LAB_SEED:-1}"
fi

KINDS=${LAB_KINDS:-$SMOKE_KINDS}
SEED=${LAB_SEED:-1}
UPLOAD_KIND=${LAB_UPLOAD_KIND-null-deref}
OUT=$LAB_OUT/ci
rm -rf "$OUT"; mkdir -p "$OUT"
. ci/lab_upload.sh
trap upload_stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
fails=0 n=0 diffs=0
STRICT=${LAB_DMESG_STRICT:-1}
[ -f tools/lab/KNOWN-DMESG-DIFF ] && [ -z "${LAB_DMESG_STRICT:-}" ] && STRICT=0
check() {	# check KIND: assertions on one run's console summary
	k=$1 res=$2
	v() { sed -n "s/^$1=//p" "$res" | head -n 1; }
	ok=1
	[ "$(v CAPTURE)" = 1 ] || { echo "  $k: the capture kernel did not finish"; ok=0; }
	[ "$(v VMCORE_DMESG_RC)" = 0 ] || { echo "  $k: vmcore-dmesg failed in the capture kernel"; ok=0; }
	head -n 5 "$OUT/$k-$3.log" | grep -q "^LABEL: $(v LABEL)\$" || { echo "  $k: case file has no LABEL header"; ok=0; }
	if [ "$(v PANICSAGE)" = present ]; then
		drc=$(v PANICSAGE_DMESG_RC) rrc=$(v REPORT_RC)
		if [ "$drc" = 0 ]; then
			if [ "$(v DMESG)" != match ]; then
				echo "  $k: LAB-DMESG-DIFF: panicsage-kdump --dmesg differs from vmcore-dmesg (console: $LAB_OUT/runs/$k-$3/console.txt)"
				if [ "$STRICT" = 1 ]; then ok=0; else echo "  $k: WARNING: not failing, tools/lab/KNOWN-DMESG-DIFF exists"; diffs=$((diffs + 1)); fi
			fi
		elif [ "${LAB_REQUIRE_PANICSAGE:-1}" = 1 ]; then
			echo "  $k: panicsage-kdump --dmesg exited $drc"; ok=0
		else
			echo "  $k: note: panicsage-kdump --dmesg exited $drc (LAB_REQUIRE_PANICSAGE=0)"
		fi
		# an upload case's report run exits 8 when only its upload failed
		# (upload_check says why)
		if [ "$rrc" = 0 ] || { [ "$rrc" = 8 ] && [ "$k" = "$UPLOAD_KIND" ]; }; then
			case $(v REPORT_FIRST) in "panicsage: "*) ;; *) echo "  $k: report does not start with 'panicsage: '"; ok=0 ;; esac
		elif [ "${LAB_REQUIRE_PANICSAGE:-1}" = 1 ]; then
			echo "  $k: panicsage-kdump report exited $rrc"; ok=0
		else
			echo "  $k: note: panicsage-kdump report exited $rrc (LAB_REQUIRE_PANICSAGE=0)"
		fi
	elif [ "${LAB_REQUIRE_PANICSAGE:-1}" = 1 ]; then
		echo "  $k: panicsage-kdump absent from the capture initramfs"; ok=0
	fi
	if [ "$k" = "$UPLOAD_KIND" ]; then
		upload_check "$k" "$3" "$res" "$OUT/$k-$3.log" || ok=0
	fi
	[ $ok = 1 ]
}
if [ -n "$UPLOAD_KIND" ]; then
	case " $(echo $KINDS) " in *" $UPLOAD_KIND "*) ;; *) echo "lab: LAB_UPLOAD_KIND=$UPLOAD_KIND is not one of LAB_KINDS"; exit 1 ;; esac
	upload_setup || exit 1
fi
for k in $KINDS; do
	n=$((n + 1))
	# One retry with the next seed: a loaded TCG host can time a case out.
	for s in $SEED $((SEED + 1)); do
		# An upload case gets a collector with an empty store per attempt.
		args=""
		if [ "$k" = "$UPLOAD_KIND" ]; then
			upload_start "$s" || exit 1
			args=$UPLOAD_ARGS
		fi
		set +e
		# shellcheck disable=SC2086
		tools/lab/run-case.sh --out "$OUT" $args "$k" "$s"
		rc=$?
		set -e
		[ $rc -eq 0 ] && break
		echo "lab: $k seed $s: run-case exit $rc$([ $s = $SEED ] && echo ', retrying')"
	done
	if [ $rc -ne 0 ]; then
		fails=$((fails + 1))
		echo "FAIL $k: no valid case; console: $LAB_OUT/runs/$k-$s/console.log"
		tail -n 15 "$LAB_OUT/runs/$k-$s/console.txt" 2>/dev/null | sed 's/^/      /'
		upload_stop
		continue
	fi
	if check "$k" "$OUT/$k-$s.result" "$s"; then
		echo "ok   $k (seed $s): $(grep -E '^(SECONDS|DMESG|REPORT_FIRST)=' "$OUT/$k-$s.result" | tr '\n' ' ')"
	else
		fails=$((fails + 1)); echo "FAIL $k"
	fi
done
echo "lab: $((n - fails)) of $n fault kinds captured and checked"
[ $diffs -eq 0 ] || echo "lab: WARNING: panicsage-kdump --dmesg differed from vmcore-dmesg in $diffs captures (known issue, see tools/lab/KNOWN-DMESG-DIFF)"
[ $fails -eq 0 ]
