#!/bin/sh
# Cross-check with the real tool: kexec-tools' vmcore-dmesg and
# panicsage dmesg must print byte-identical output on the same vmcores.
# Synthetic cores in every printk format, byte order, ELF class, wrap
# and layout that vmcore-dmesg accepts, arm64 ones included (not those
# without a kernel-image PT_LOAD: vmcore-dmesg stops at "No program header
# covering vaddr", test_vmcore checks them); those are
# also read by Debian's arm64 vmcore-dmesg itself under qemu-aarch64-static
# when the arm64 lab has unpacked it (build/lab-arm64/pkgs).
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
P=$B/panicsage
G=$B/tests/vmcoregen
VD=$(command -v vmcore-dmesg 2>/dev/null || true)
for d in /usr/sbin /sbin; do
	[ -n "$VD" ] || { [ -x "$d/vmcore-dmesg" ] && VD=$d/vmcore-dmesg; }
done
if [ -z "$VD" ]; then
	echo "vmcore-dmesg (kexec-tools) is not installed"
	exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# a bigger log with awkward bytes: \n inside records, control and high bytes
/usr/bin/python3 - "$T/big.log" <<'PY'
import sys
out = []
ts = 0
words = ['foo', 'bar', 'BUG:', '0xffff8881', '\\x07', '\\xff', '\\t', 'call',
         'trace', '\\n', 'rcu', '\\x1b[0m']
for i in range(2500):
    ts += (i * 7919) % 3000000 + 1
    w = ' '.join(words[(i * k + 3) % len(words)] for k in range(i % 31))
    out.append('[%5d.%06d] rec %d %s' % (ts // 10**9, (ts % 10**9) // 1000, i, w))
open(sys.argv[1], 'w').write('\n'.join(out) + '\n')
PY

# Debian's arm64 vmcore-dmesg (unpacked by tools/lab/arm64-pkgs.sh)
A64=$B/lab-arm64/pkgs VD64="" n64=0
if [ -x "$A64/sbin/vmcore-dmesg" ] && command -v qemu-aarch64-static >/dev/null; then
	VD64="qemu-aarch64-static -L $A64 $A64/sbin/vmcore-dmesg"
else
	echo "note: no arm64 vmcore-dmesg here (the arm64 lab unpacks it into $A64): arm64 cores checked against $VD only"
fi

n=0 fail=0
for fmt in lockless structured plain; do
	for mach in "x86_64" "i386 --elf32" "i386" "ppc64" "ppc --elf32" "arm64" \
		"arm64 --page-size 65536 --va-bits 52" "arm64 --page-size 16384 --va-bits 47 --kaslr" \
		"arm64 --arm64-old --va-bits 39"; do
		for extra in "" "--ring-bits 12" "--ring-bits 10 --desc-bits 4" "--ring-bits 9 --desc-bits 2" \
			     "--dynamic-buf --ring-bits 13" "--alt-layout --ring-bits 12" "--makedumpfile --ring-bits 12" \
			     "--kaslr --ring-bits 12" "--kaslr --l5 --makedumpfile" "--old-names --caller-id --dict" \
			     "--last-committed --inflight --ring-bits 11" "--clear-logged --seed 3 --ring-bits 11"; do
			case "$mach $extra" in
			*l5*) [ "$mach" = x86_64 ] || continue ;;
			*kaslr*) [ "$mach" = x86_64 ] || [ "${mach%% *}" = arm64 ] || continue ;;
			esac
			"$G" --escapes --format $fmt --machine $mach $extra "$T/big.log" "$T/c" 2>/dev/null || {
				echo "FAIL: vmcoregen --format $fmt --machine $mach $extra"; fail=$((fail + 1)); continue; }
			n=$((n + 1))
			"$VD" "$T/c" >"$T/want" 2>"$T/vd.err" || {
				echo "FAIL: vmcore-dmesg rejected $fmt $mach $extra: $(head -c 200 "$T/vd.err")"
				fail=$((fail + 1)); continue; }
			"$P" dmesg "$T/c" >"$T/got" 2>"$T/ps.err" || {
				echo "FAIL: panicsage dmesg $fmt $mach $extra: $(cat "$T/ps.err")"
				fail=$((fail + 1)); continue; }
			if ! cmp -s "$T/want" "$T/got"; then
				echo "FAIL: output differs: $fmt $mach $extra"
				diff "$T/want" "$T/got" | head -5
				fail=$((fail + 1))
			fi
			case $mach in arm64*) [ -n "$VD64" ] || continue ;; *) continue ;; esac
			n64=$((n64 + 1))
			# shellcheck disable=SC2086
			$VD64 "$T/c" >"$T/want64" 2>"$T/vd.err" && cmp -s "$T/want64" "$T/got" || {
				echo "FAIL: arm64 vmcore-dmesg differs or failed: $fmt $mach $extra: $(head -c 200 "$T/vd.err")"
				fail=$((fail + 1)); }
		done
	done
done
echo "t_vmcore_anchor: $n vmcores ($n64 arm64 ones also read by the arm64 vmcore-dmesg), $fail differ from $VD${VD64:+ or the arm64 one}"
[ $fail -eq 0 ]
