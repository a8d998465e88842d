#!/bin/sh
# panicsage-kdump and classify on vmcores: the same report as for the
# log the vmcore holds, in every printk format; --dmesg prints what
# vmcore-dmesg would (the generator's expectation); damaged rings still
# give a report with a warning, unusable files exit 4; a vmcore input is
# spooled by default, with the crashed kernel's release.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
K=$B/panicsage-kdump
G=$B/tests/vmcoregen
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
[ -x "$G" ] || { echo "FAIL: $G not built"; exit 1; }

# the report for the log as text: the reference for every vmcore below
$K --json --no-deliver tests/data/example.log | sed 's/"timing_us".*//' > "$T/text.json"

for fmt in lockless structured plain; do
	for m in x86_64 ppc64 arm64; do
		v="$T/$fmt-$m.vmcore"
		$G --format $fmt --machine $m --ring-bits 16 tests/data/example.log "$v" "$T/expected" 2>/dev/null ||
			{ echo "FAIL: generator $fmt $m"; fail=1; continue; }
		$K --dmesg "$v" > "$T/dmesg" || { echo "FAIL: --dmesg $fmt $m"; fail=1; }
		cmp -s "$T/dmesg" "$T/expected" || { echo "FAIL: --dmesg output differs ($fmt $m)"; fail=1; }
		$K --json --no-deliver "$v" > "$T/v.raw" ||
			{ echo "FAIL: kdump on $fmt $m vmcore"; fail=1; }
		sed 's/"timing_us".*//' "$T/v.raw" > "$T/v.json"
		# same lines and texts; the line numbers refer to the extracted log,
		# which has the same lines as the text file
		cmp -s "$T/v.json" "$T/text.json" || { echo "FAIL: report differs for $fmt $m"; fail=1; }
		$B/panicsage classify --json "$v" | sed 's/"timing_us".*//' > "$T/c.json"
		cmp -s "$T/c.json" "$T/text.json" || { echo "FAIL: classify report differs for $fmt $m"; fail=1; }
		echo "ok: $fmt $m"
	done
done

# a damaged ring: a report and a warning
$G --corrupt lk-textlen tests/data/example.log "$T/bad.vmcore" 2>/dev/null
$K --no-deliver "$T/bad.vmcore" > "$T/out" 2> "$T/err"
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 4 ]; then echo "FAIL: damaged ring exit $rc"; fail=1; fi
[ $rc -eq 0 ] && ! grep -q "^panicsage: " "$T/out" && { echo "FAIL: damaged ring, no report"; fail=1; }
echo "ok: damaged ring (exit $rc): $(head -c 120 "$T/err")"

# unusable: truncated inside the headers, no VMCOREINFO
head -c 100 "$T/lockless-x86_64.vmcore" > "$T/trunc.vmcore"
$K --no-deliver "$T/trunc.vmcore" > "$T/out" 2> "$T/err"
[ $? -eq 4 ] && grep -q "panicsage:" "$T/err" || { echo "FAIL: truncated vmcore not exit 4 with a message"; fail=1; }
$G --corrupt no-vmcoreinfo tests/data/example.log "$T/noinfo.vmcore" 2>/dev/null
$K --no-deliver "$T/noinfo.vmcore" > "$T/out" 2> "$T/err"
[ $? -eq 4 ] || { echo "FAIL: vmcore without VMCOREINFO not exit 4"; fail=1; }
echo "ok: unusable vmcores exit 4"

# a vmcore is spooled without being asked; a text file is not (a
# collector is configured, uploads held back: only then is there a spool)
mkdir "$T/spool"
printf 'collector = 127.0.0.1:9\nspool = %s\nupload = 0\n' "$T/spool" > "$T/k.conf"
$K --config "$T/k.conf" "$T/lockless-x86_64.vmcore" > "$T/out" 2>&1 || { echo "FAIL: deliver vmcore"; fail=1; }
$K --config "$T/k.conf" tests/data/example.log > /dev/null 2>&1
n=$(ls "$T/spool" | grep -c '\.case$')
[ "$n" -eq 1 ] || { echo "FAIL: $n spooled cases, want 1 (vmcore only)"; fail=1; }
echo "ok: vmcore input spooled by default"

# the kernel release of a case is the crashed kernel's: VMCOREINFO's
# OSRELEASE, else the log's own "CPU: ... Tainted: ... <release>" line
# (example.log: 6.1.0-13-amd64), else "unknown"; never the release of
# the kernel running panicsage-kdump.  Read back from the spooled CASE
# frame (16-byte header, id, capture time, confidence, then the release
# as u16 length + bytes: kdump/UPLOAD.md).
release_case() { # release_case INPUT: the release field of the case INPUT gives
	rm -rf "$T/rel"
	mkdir "$T/rel"
	sed "s|^spool = .*|spool = $T/rel|" "$T/k.conf" > "$T/rel.conf"
	$K --deliver --config "$T/rel.conf" "$1" > /dev/null 2>&1
	/usr/bin/python3 - "$T/rel" <<'PY'
import os, struct, sys
d = sys.argv[1]
names = [n for n in os.listdir(d) if n.endswith(".case")]
assert len(names) == 1, names
b = open(os.path.join(d, names[0]), "rb").read()
assert b[:4] == b"PSGF" and b[5] == 1
at = 16 + 32 + 8 + 4
n = struct.unpack_from("<H", b, at)[0]
print(b[at + 2:at + 2 + n].decode("ascii"))
PY
}
grep -v 'CPU: ' tests/data/example.log > "$T/nocpu.log"
$G --osrelease "" tests/data/example.log "$T/norel.vmcore" 2>/dev/null
$G --osrelease 6.5.0-osrelease tests/data/example.log "$T/rel.vmcore" 2>/dev/null
$G --osrelease "" "$T/nocpu.log" "$T/none.vmcore" 2>/dev/null
for c in "$T/lockless-x86_64.vmcore:6.1.0-vmcoregen" "$T/rel.vmcore:6.5.0-osrelease" \
	"$T/norel.vmcore:6.1.0-13-amd64" "tests/data/example.log:6.1.0-13-amd64" \
	"$T/nocpu.log:unknown" "$T/none.vmcore:unknown"; do
	got=$(release_case "${c%%:*}")
	if [ "$got" = "${c##*:}" ]; then
		echo "ok: release of $(basename "${c%%:*}"): $got"
	else
		echo "FAIL: release of ${c%%:*}: '$got', want '${c##*:}'"; fail=1
	fi
done
exit $fail
