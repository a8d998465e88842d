#!/bin/sh
# panicsage dmesg from the command line: output, warnings and exit codes
# on synthetic vmcores (tests/vmcoregen.c).  Expected output comes from
# the generator, which derives it from the log it stored.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
P=$B/panicsage
G=$B/tests/vmcoregen
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
no() { echo "FAIL: $*"; fail=1; }

for f in lockless structured plain; do
	"$G" --format "$f" --ring-bits 12 tests/data/vmcore_sample.log "$T/$f.core" "$T/$f.exp" 2>/dev/null ||
		{ no "vmcoregen $f"; continue; }
	"$P" dmesg "$T/$f.core" >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc -eq 0 ] || no "$f: exit $rc: $(cat "$T/err")"
	cmp -s "$T/out" "$T/$f.exp" || no "$f: output differs from the stored log"
	[ -s "$T/err" ] && no "$f: unexpected stderr: $(cat "$T/err")"
	grep -q 'Kernel panic - not syncing: Fatal exception' "$T/out" || no "$f: panic line missing"
done

# the log really is the one given: spot-check two lines literally
"$P" dmesg "$T/lockless.core" >"$T/out"
grep -qx '\[   15.870456\] BUG: kernel NULL pointer dereference, address: 0000000000000008' \
	"$T/out" || no "BUG line not found verbatim"
"$P" dmesg "$T/plain.core" >"$T/out"
grep -qx '<[0-7]>\[   15.870456\] BUG: kernel NULL pointer dereference, address: 0000000000000008' \
	"$T/out" || no "plain: BUG line not found verbatim"

# --stats and --vmcoreinfo
"$P" dmesg --stats "$T/lockless.core" >/dev/null 2>"$T/err" || no "--stats failed"
grep -q 'lockless printk_ringbuffer' "$T/err" || no "--stats: $(cat "$T/err")"
"$P" dmesg --vmcoreinfo "$T/structured.core" >"$T/out" || no "--vmcoreinfo failed"
grep -q '^OSRELEASE=6.1.0-vmcoregen$' "$T/out" || no "--vmcoreinfo: no OSRELEASE"
grep -q '^SYMBOL(log_first_idx)=' "$T/out" || no "--vmcoreinfo: no SYMBOL(log_first_idx)"
# text from the crashed kernel reaches the terminal escaped: a release
# carrying a screen clear (same length, patched into the note)
/usr/bin/python3 -c '
import sys
d = open(sys.argv[1], "rb").read()
assert d.count(b"OSRELEASE=6.1.0-vmcoregen\n") == 1
open(sys.argv[2], "wb").write(d.replace(b"OSRELEASE=6.1.0-vmcoregen\n", b"OSRELEASE=6.1\x1b[2Jmcoregen\n"))
' "$T/structured.core" "$T/esc.core" || no "patching OSRELEASE"
raw_esc() { LC_ALL=C grep -q "$(printf '\033')" "$1"; }
"$P" dmesg --vmcoreinfo "$T/esc.core" >"$T/out" 2>&1 || no "--vmcoreinfo with an escape failed"
grep -qxF 'OSRELEASE=6.1\x1b[2Jmcoregen' "$T/out" && ! raw_esc "$T/out" ||
	no "--vmcoreinfo printed the release unescaped: $(cat -v "$T/out" | grep OSRELEASE)"
"$P" dmesg --stats "$T/esc.core" >/dev/null 2>"$T/err" || no "--stats with an escape failed"
grep -qF 'kernel 6.1\x1b[2Jmcoregen' "$T/err" && ! raw_esc "$T/err" ||
	no "--stats printed the release unescaped: $(cat -v "$T/err")"

# a corrupted ring: partial output, a warning, exit 0
"$G" --format lockless --ring-bits 12 --corrupt lk-state tests/data/vmcore_sample.log \
	"$T/c.core" "$T/c.exp" 2>/dev/null
"$P" dmesg "$T/c.core" >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] || no "corrupted: exit $rc"
cmp -s "$T/out" "$T/c.exp" || no "corrupted: output differs"
grep -q 'warning: .*descriptor' "$T/err" || no "corrupted: no warning: $(cat "$T/err")"

# exit codes: 2 usage, 3 unreadable, 4 not a usable vmcore
"$P" dmesg >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || no "no argument: exit $rc, want 2"
"$P" dmesg --bogus x >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || no "bad option: exit $rc, want 2"
"$P" dmesg "$T/does-not-exist" >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 3 ] || no "missing file: exit $rc, want 3"
grep -q 'No such file' "$T/err" || no "missing file: $(cat "$T/err")"
"$P" dmesg "$T" >/dev/null 2>&1; rc=$?
[ $rc -eq 3 ] || no "directory: exit $rc, want 3"
"$P" dmesg tests/data/vmcore_sample.log >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 4 ] || no "text file: exit $rc, want 4"
grep -q 'not an ELF file' "$T/err" || no "text file: $(cat "$T/err")"
"$G" --format plain --corrupt no-vmcoreinfo tests/data/vmcore_sample.log "$T/n.core" 2>/dev/null
"$P" dmesg "$T/n.core" >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 4 ] || no "no VMCOREINFO: exit $rc, want 4"
grep -q 'VMCOREINFO' "$T/err" || no "no VMCOREINFO: $(cat "$T/err")"
head -c 3000 "$T/lockless.core" >"$T/short.core"
"$P" dmesg "$T/short.core" >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 4 ] || no "truncated headers: exit $rc, want 4 ($(cat "$T/err"))"

# a closed stdout is an I/O error, not a crash
if [ -w /dev/full ]; then
	"$P" dmesg "$T/plain.core" >/dev/full 2>"$T/err"; rc=$?
	[ $rc -eq 3 ] || no "/dev/full: exit $rc, want 3"
fi

[ $fail -eq 0 ] && echo "t_vmcore_dmesg: ok"
exit $fail
