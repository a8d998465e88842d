#!/bin/sh
# The aarch64 capture-kernel binary (build/arm64/panicsage-kdump, `make
# arm64`): a static aarch64 ELF that, run under qemu-aarch64-static, prints
# the same reports as the x86_64 binary for the same logs (text without
# the "analysed in" timing line, --json without timing_us) and the same
# --dmesg output for the same vmcores, with the built-in model (labels
# present), and that the freestanding core objects stay freestanding
# (t_freestanding covers build/arm64/obj).
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
B=${B:-build}
A=$B/arm64/panicsage-kdump
X=$B/panicsage-kdump
G=$B/tests/vmcoregen
QEMU=${QEMU_AARCH64:-qemu-aarch64-static}

[ -x "$A" ] || { echo "FAIL: $A not built (make arm64; ci/deps.sh installs the cross compiler)"; exit 1; }
command -v "$QEMU" >/dev/null || { echo "SKIP: $QEMU missing (ci/deps.sh test installs qemu-user-static)"; exit 77; }

desc=$(file -b "$A")
echo "file: $desc"
checke "file says ELF 64-bit ARM aarch64" 'case $desc in "ELF 64-bit LSB executable, ARM aarch64"*) true ;; *) false ;; esac'
checke "file says statically linked" 'case $desc in *"statically linked"*) true ;; *) false ;; esac'
checke "no program interpreter, no NEEDED" '! readelf -lW "$A" | grep -q INTERP && ! readelf -d "$A" 2>/dev/null | grep -q NEEDED'
checke "the ELF header says machine AArch64" 'readelf -h "$A" | grep -q "Machine: *AArch64"'
# the built-in model and mbedTLS are linked in
checke "the built-in model is linked in (not an empty section)" \
	'[ "$(nm "$A" 2>/dev/null | awk "/ ps_default_model_(begin|end)\$/ {print \$1}" | sort | uniq | wc -l)" = 2 ]'
checke "the mbedTLS client is linked in" 'nm "$A" | grep -q " mbedtls_ssl_handshake$"'

# logs: the bundled example, the fixtures, a few lab and model-corpus cases
logs="tests/data/example.log $(ls tests/data/cases/*.log | awk 'NR % 4 == 1')"
for k in null-deref soft-lockup oom ext4-error mce; do
	f=$(ls model/corpus/lab/$k-*.log 2>/dev/null | head -n 1)
	[ -n "$f" ] && logs="$logs $f"
done
n=0
for f in $logs; do
	n=$((n + 1))
	"$QEMU" "$A" --no-deliver "$f" > "$T/a.txt" 2> "$T/a.err"; arc=$?
	"$X" --no-deliver "$f" > "$T/x.txt" 2> "$T/x.err"; xrc=$?
	checke "$f: same exit code ($arc)" '[ $arc = $xrc ]'
	grep -v '^panicsage: analysed in ' "$T/a.txt" > "$T/a.cmp"
	grep -v '^panicsage: analysed in ' "$T/x.txt" > "$T/x.cmp"
	checke "$f: text report identical" 'cmp -s "$T/a.cmp" "$T/x.cmp"' || diff "$T/a.cmp" "$T/x.cmp" | head -n 6
	checke "$f: text report labelled" 'head -n 1 "$T/a.cmp" | grep -Eq "^panicsage: [a-z-]+ \([01]\.[0-9]{2}\)"'
	"$QEMU" "$A" --json --no-deliver "$f" | sed 's/"timing_us".*//' > "$T/a.json"
	"$X" --json --no-deliver "$f" | sed 's/"timing_us".*//' > "$T/x.json"
	checke "$f: JSON report identical" 'cmp -s "$T/a.json" "$T/x.json" && [ -s "$T/a.json" ]'
done
echo "compared $n logs"

# vmcores from the generator: --dmesg and the report agree across the two binaries
if [ -x "$G" ]; then
	for m in x86_64 arm64; do
		"$G" --format lockless --machine $m tests/data/example.log "$T/$m.vmcore" "$T/$m.expected" 2>/dev/null ||
			{ bad "generator $m"; continue; }
		"$QEMU" "$A" --dmesg "$T/$m.vmcore" > "$T/a.dmesg"
		checke "$m vmcore: arm64 --dmesg is the generator's expected log" 'cmp -s "$T/a.dmesg" "$T/$m.expected"'
		"$QEMU" "$A" --json --no-deliver "$T/$m.vmcore" | sed 's/"timing_us".*//' > "$T/a.json"
		"$X" --json --no-deliver "$T/$m.vmcore" | sed 's/"timing_us".*//' > "$T/x.json"
		checke "$m vmcore: JSON report identical" 'cmp -s "$T/a.json" "$T/x.json" && [ -s "$T/a.json" ]'
	done
else
	bad "$G not built"
fi

# a bad input behaves the same: exit 4 with a message
printf '\n\n' > "$T/empty.log"
"$QEMU" "$A" --no-deliver "$T/empty.log" > /dev/null 2> "$T/a.err"; arc=$?
checke "an empty log exits 4 with a message" '[ $arc = 4 ] && grep -q "panicsage" "$T/a.err"'
finish arm64
