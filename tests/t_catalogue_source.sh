#!/bin/sh
# The catalogue's provenance (tools/catalogue/extract.py --check): every
# entry of era 6.1 names files of Debian's linux-source-6.1 tree that
# print its wording, at the line or in the function it says; the
# entries the checker cannot see are listed with a reason in
# tools/catalogue/unverified.tsv, and none is missing unexplained.  Then
# the check is shown to fail: a wrong file, a wrong line, a changed
# wording, a missing file, a listed entry that is in fact found.
# Skipped without the tarball (ci/deps.sh installs linux-source-6.1).
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
SRC=${LINUX_SOURCE:-/usr/src/linux-source-6.1.tar.xz}
X=tools/catalogue/extract.py
CAT=model/catalogue.tsv

[ -r "$SRC" ] || { echo "no $SRC (apt-get install linux-source-6.1)"; exit 77; }

# one pass over the tarball: the files the catalogue names
/usr/bin/python3 $X --unpack $CAT "$SRC" "$T/src" || { bad "unpack $SRC"; finish t_catalogue_source; }
/usr/bin/python3 $X --check $CAT "$T/src" >"$T/check.out" 2>"$T/check.err"
rc=$?
cat "$T/check.err"
head -20 "$T/check.out"
checke "every 6.1 entry is printed where its source says, or explained (exit $rc)" \
	'[ $rc -eq 0 ] && grep -q " 0 unexplained$" "$T/check.err" && [ ! -s "$T/check.out" ]'
checke "most entries are checked and found" \
	'[ "$(sed -n "s/.*checked: \([0-9]*\) printed.*/\1/p" "$T/check.err")" -ge 900 ]'

# A small catalogue of real rows, then each one broken on purpose.
row() { awk -F'\t' -v id="$1" '$1 == id' $CAT; }
{
	echo "# panicsage catalogue v1"
	row null.arm64; row kb.x86-invalid-opcode; row mem.kasan-uaf; row hw.mce.header
} >"$T/good.tsv"
checke "the sample rows are there" '[ "$(grep -vc "^#" "$T/good.tsv")" -eq 4 ]'
: >"$T/none.tsv"
check "the sample rows pass" /usr/bin/python3 $X --check "$T/good.tsv" "$T/src" "$T/none.tsv"

broken() {   # DESC SED-EXPRESSION ID EXPECTED-TEXT
	sed "$2" "$T/good.tsv" >"$T/bad.tsv"
	/usr/bin/python3 $X --check "$T/bad.tsv" "$T/src" "$T/none.tsv" >"$T/bad.out" 2>&1
	rc=$? id=$3 want=$4
	checke "$1" '[ $rc -eq 1 ] && grep -q "$id" "$T/bad.out" && grep -q "$want" "$T/bad.out"'
}
broken "a wording in a file that does not print it fails" \
	's#arch/arm64/mm/fault.c:305#kernel/panic.c:305#' null.arm64 "not printed by kernel/panic.c"
broken "a line far from where the file prints it fails" \
	's#arch/x86/kernel/traps.c:297#arch/x86/kernel/traps.c:900#' kb.x86-invalid-opcode "not 900"
broken "a wording the source does not have fails" \
	's#invalid opcode: %x#invalid opcodes: %x#' kb.x86-invalid-opcode "not printed by arch/x86/kernel/traps.c"
broken "a two-file source with a file that is not there fails" \
	's#mm/kasan/report.c:210#mm/kasan/nosuch.c:210#' mem.kasan-uaf "no file mm/kasan/nosuch.c"
broken "a function the file does not define fails" \
	's#core.c:print_mce#core.c:no_such_function#' hw.mce.header "no function no_such_function"
printf 'kb.x86-invalid-opcode\tsaid to be unverifiable\n' >"$T/unv.tsv"
/usr/bin/python3 $X --check "$T/good.tsv" "$T/src" "$T/unv.tsv" >"$T/unv.out" 2>&1
rc=$?
checke "an entry listed as unverifiable that is found fails" '[ $rc -eq 1 ] && grep -q "found, but listed" "$T/unv.out"'
printf 'no.such.entry\tgone\n' >"$T/unv.tsv"
/usr/bin/python3 $X --check "$T/good.tsv" "$T/src" "$T/unv.tsv" >"$T/unv.out" 2>&1
rc=$?
checke "an unverifiable list naming no entry fails" '[ $rc -eq 1 ] && grep -q "names no catalogue entry" "$T/unv.out"'
finish t_catalogue_source
