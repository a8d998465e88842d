#!/bin/sh
# tools/train/syzkaller-import on hand-written fixtures in syzkaller's
# report test-file layout (no ../shared needed): selection by number
# (multiples of 3 never opened), headers kept or dropped, the log copied
# byte for byte, labels by the rule table's first matching row, the rule
# table's own checks, bad input and exit codes.  Every expected output is
# written out below by hand.
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
IMP=tools/train/syzkaller-import
S=$T/report
mkdir -p "$S"

# 1: every kind of header syzkaller uses besides TITLE is dropped
cat >"$S/1" <<'EOF'
# a comment line
TITLE: KASAN: use-after-free Read in widget_put
ALT: bad-access Read in widget_put
TYPE: KASAN-USE-AFTER-FREE
FRAME: widget_put
SUSPECTED: drivers/widget/core.c
EXECUTOR: proc=1, id=42

[   10.000001] first line of the log
[   10.000002] BUG: KASAN: use-after-free in widget_put+0x1/0x2
EOF
# 2: CORRUPTED before TITLE in the input; TITLE comes first in the output
printf 'CORRUPTED: Y\nTITLE: INFO: task hung in widget_wait\n\n[ 5.1] INFO: task a:1 blocked for more than 143 seconds.\n' >"$S/2"
# multiples of 3: never read.  3 is malformed, 6 a FIFO nobody writes (an
# open() would block), 9 a directory, 12 unreadable by mode.
printf 'this is not a report test file\nno header, no empty line\n' >"$S/3"
mkfifo "$S/6"
mkdir "$S/9"
printf 'TITLE: WARNING in x\n\nlog\n' >"$S/12"
chmod 000 "$S/12"
# 4: no TITLE: not a crash report, skipped without complaint
printf 'TYPE: none\n\n[ 1.0] nothing went wrong\n' >"$S/4"
# 5: an empty header (first line empty): no TITLE either
printf '\n[ 1.0] just a log\n' >"$S/5"
# 7: no rule for this title: reported and skipped
printf 'TITLE: lost connection to test machine\n\nlog\n' >"$S/7"
# 8: the log byte for byte: leading empty lines, CR, bytes that are not
# UTF-8, a NUL, two empty lines and a tail section, no final newline
printf 'TITLE: BUG: soft lockup in spin_forever\nCORRUPTED: Y\n\n\n\n[ 1.0] a\r\n\377\376 b\000c\n\n\n<<< tail >>>\nend' >"$S/8"
# 10: two titles: the first one counts
printf 'TITLE: possible deadlock in a_lock\nTITLE: KASAN: slab-out-of-bounds Read in b\n\nlog\n' >"$S/10"
# 11: only the title's start counts: the text of an earlier row (locking
# precedes bad-access) further on does not
printf 'TITLE: general protection fault in f after possible deadlock\n\nlog\n' >"$S/11"
# names that are not syzkaller's numbers: ignored
printf 'TITLE: WARNING in x\n\nlog\n' >"$S/README"
printf 'TITLE: WARNING in x\n\nlog\n' >"$S/013"

timeout 30 $IMP "$S" "$T/out" >"$T/stdout" 2>"$T/stderr"
rc=$?
[ $rc -ne 124 ] || echo "the importer hangs (opened the FIFO named 6?)"
check "fixtures: exit 0" [ $rc -eq 0 ] || cat "$T/stderr"
checke "fixtures: nothing on stdout" '[ ! -s "$T/stdout" ]'
checke "fixtures: exactly the expected files written" \
	'[ "$(cd "$T/out" && ls | tr "\n" " ")" = "syz-1.log syz-10.log syz-11.log syz-2.log syz-8.log " ]' ||
	ls -la "$T/out"

printf 'LABEL: memory-corruption\nSOURCE: syzkaller pkg/report/testdata/linux/report/1\nTITLE: KASAN: use-after-free Read in widget_put\n\n[   10.000001] first line of the log\n[   10.000002] BUG: KASAN: use-after-free in widget_put+0x1/0x2\n' >"$T/want1"
check "1: headers dropped, log kept" cmp "$T/want1" "$T/out/syz-1.log"
printf 'LABEL: hung-task\nSOURCE: syzkaller pkg/report/testdata/linux/report/2\nTITLE: INFO: task hung in widget_wait\nCORRUPTED: Y\n\n[ 5.1] INFO: task a:1 blocked for more than 143 seconds.\n' >"$T/want2"
check "2: CORRUPTED: Y kept after TITLE" cmp "$T/want2" "$T/out/syz-2.log"
printf 'LABEL: cpu-lockup\nSOURCE: syzkaller pkg/report/testdata/linux/report/8\nTITLE: BUG: soft lockup in spin_forever\nCORRUPTED: Y\n\n\n\n[ 1.0] a\r\n\377\376 b\000c\n\n\n<<< tail >>>\nend' >"$T/want8"
check "8: the log byte for byte" cmp "$T/want8" "$T/out/syz-8.log"
printf 'LABEL: locking\nSOURCE: syzkaller pkg/report/testdata/linux/report/10\nTITLE: possible deadlock in a_lock\n\nlog\n' >"$T/want10"
check "10: the first TITLE counts" cmp "$T/want10" "$T/out/syz-10.log"
checke "11: label from the title's start, not a row's text further on" \
	'head -n 1 "$T/out/syz-11.log" | grep -qx "LABEL: bad-access"'
checke "7: the title without a rule is named on stderr" \
	'grep -q "report/7: no rule for the title .lost connection to test machine." "$T/stderr"'
checke "summary: 5 written, 4 held out, 2 without TITLE, 1 without rule" \
	'grep -q "^syzkaller-import: 5 case files written to .*; 4 held out (number divisible by 3, not read), 2 without TITLE: (no crash report), 1 without a matching rule, 0 unreadable or malformed$" "$T/stderr"'
checke "nothing said about the held-out files" '! grep -q -e "report/3" -e "report/6" -e "report/9" -e "report/12" "$T/stderr"'
checke "no temporary files left" '[ -z "$(find "$T/out" -name "*.tmp")" ]'

# running again replaces the files with the same bytes
cp "$T/out/syz-8.log" "$T/prev8"
printf 'stale' >"$T/out/syz-1.log"
timeout 30 $IMP "$S" "$T/out" 2>/dev/null
check "rerun: exit 0" [ $? -eq 0 ]
check "rerun: stale output replaced" cmp "$T/want1" "$T/out/syz-1.log"
check "rerun: same bytes" cmp "$T/prev8" "$T/out/syz-8.log"
rm -f "$S/6"

# the rule table: first matching row, in TAXONOMY order
cat >"$T/titles" <<'EOF'
kernel panic: sysrq triggered crash
KASAN: null-ptr-deref Read in f
BUG: unable to handle kernel NULL pointer dereference in f
kernel panic: corrupted stack end in f
KASAN: stack-out-of-bounds Read in f
WARNING: kernel stack regs has bad 'bp' value
WARNING: refcount bug in f
BUG: bad unlock balance in f
WARNING: bad unlock balance in f
memory leak in f
BUG: spinlock lockup suspected in f
BUG: spinlock recursion in f
BUG: workqueue lockup
BUG: workqueue leaked lock or atomic in f
INFO: task can't die in f
kernel panic: hung_task: blocked tasks
kernel panic: Attempted to kill init! exitcode=0x00000009
BUG: unable to handle kernel paging request in f
BUG: unable to handle kernel
general protection fault in f
WARNING in f
WARNING in f after memory leak
KCSAN: data-race in f / g
lost connection to test machine
kasan: something lower case
EOF
cat >"$T/want_labels" <<'EOF'
manual
null-deref
null-deref
stack-corruption
memory-corruption
kernel-bug
memory-corruption
memory-corruption
locking
out-of-memory
cpu-lockup
locking
cpu-lockup
locking
hung-task
kernel-bug
boot-failure
bad-access
kernel-bug
bad-access
kernel-bug
kernel-bug
kernel-bug
-
-
EOF
$IMP --label <"$T/titles" >"$T/labels" 2>"$T/stderr"
check "--label: exit 0" [ $? -eq 0 ] || cat "$T/stderr"
check "--label: each title's label" cmp "$T/want_labels" "$T/labels" ||
	paste "$T/titles" "$T/labels" "$T/want_labels"

# the importer's label order is core/taxonomy.c's: one row per label in
# that order is accepted and gives each label back
sed -n 's/^	{ "\([a-z-]*\)", ".*/\1/p' core/taxonomy.c >"$T/taxonomy"
checke "core/taxonomy.c lists 14 labels" '[ $(wc -l <"$T/taxonomy") -eq 14 ]'
awk '{ printf "%s\tT%02d\n", $1, NR }' "$T/taxonomy" >"$T/order.tsv"
awk '{ printf "T%02d\n", NR }' "$T/taxonomy" | $IMP --rules "$T/order.tsv" --label >"$T/order.out" 2>"$T/stderr"
check "rules in core/taxonomy.c's order accepted" cmp "$T/taxonomy" "$T/order.out" || cat "$T/stderr"
# and model/TAXONOMY.md's table has the same labels in the same order
sed -n 's/^| `\([a-z-]*\)` |.*/\1/p' model/TAXONOMY.md >"$T/taxonomy.md"
check "model/TAXONOMY.md's rows are core/taxonomy.c's labels" cmp "$T/taxonomy" "$T/taxonomy.md"

# rule table errors: exit 4 and the line named; a missing table exit 3
bad_rules() { # DESC EXPECTED-MESSAGE TABLE-TEXT
	_want=$2
	printf '%b' "$3" >"$T/bad.tsv"
	echo x | $IMP --rules "$T/bad.tsv" --label >/dev/null 2>"$T/stderr"
	_rc=$?
	checke "rules: $1 (exit 4)" '[ $_rc -eq 4 ] && grep -qF "$_want" "$T/stderr"' || cat "$T/stderr"
}
bad_rules "unknown label" "bad.tsv:2: 'oops' is not a label" '# c\noops\tBUG:\n'
bad_rules "out of TAXONOMY order" "bad.tsv:2: null-deref after locking" 'locking\tA\nnull-deref\tB\n'
bad_rules "unreachable row" "bad.tsv:3: unreachable, line 1's prefix 'BUG:'" 'null-deref\tBUG:\n\nkernel-bug\tBUG: x\n'
bad_rules "no prefix" "bad.tsv:1: expected 'label prefix'" 'kernel-bug\n'
bad_rules "trailing blank" "bad.tsv:1: trailing white space" 'kernel-bug\tBUG: \n'
bad_rules "empty table" "no rules" '# nothing\n'
echo x | $IMP --rules "$T/none.tsv" --label >/dev/null 2>"$T/stderr"
check "rules: missing table: exit 3" [ $? -eq 3 ]

# bad command lines and inputs
$IMP >/dev/null 2>&1
check "no arguments: exit 2" [ $? -eq 2 ]
$IMP --frobnicate "$S" "$T/o" >/dev/null 2>&1
check "unknown option: exit 2" [ $? -eq 2 ]
$IMP --rules >/dev/null 2>&1
check "--rules without FILE: exit 2" [ $? -eq 2 ]
$IMP --help | grep -q '^usage: syzkaller-import'
check "--help: usage on stdout" [ $? -eq 0 ]
$IMP "$T/nonexistent" "$T/o" >/dev/null 2>"$T/stderr"
check "missing SRC_DIR: exit 3" [ $? -eq 3 ]
mkdir "$T/empty"
$IMP "$T/empty" "$T/o" >/dev/null 2>"$T/stderr"
rc=$?
checke "SRC_DIR without numbered files: exit 4, says what was expected" \
	'[ $rc -eq 4 ] && grep -q "no numbered files (expected syzkaller.s pkg/report/testdata/linux/report)" "$T/stderr"'
: >"$T/file"
$IMP "$S" "$T/file/out" >/dev/null 2>"$T/stderr"
check "OUT_DIR cannot be made: exit 3" [ $? -eq 3 ]

# malformed selected files: named, exit 4, the good ones still converted
M=$T/mal
mkdir "$M"
printf 'TITLE: WARNING in good\n\nlog\n' >"$M/1"
printf 'TITLE: WARNING in x\nno empty line after this header\n' >"$M/2"
printf 'TITLE: WARNING in x\n[ 1.0] a log line where a header belongs\n\nlog\n' >"$M/4"
printf 'TITLE:\n\nlog\n' >"$M/5"
printf 'TITLE:WARNING\n\nlog\n' >"$M/7"
$IMP "$M" "$T/mo" >/dev/null 2>"$T/stderr"
check "malformed: exit 4" [ $? -eq 4 ]
checke "malformed: each file named with the reason" \
	'grep -q "mal/2: not a syzkaller report test file: no empty line after the header" "$T/stderr" &&
	 grep -q "mal/4: not a syzkaller report test file: header line 2 is not .KEY: value.: .\[ 1.0\] a log line" "$T/stderr" &&
	 grep -q "mal/5: not a syzkaller report test file: empty TITLE:" "$T/stderr" &&
	 grep -q "mal/7: not a syzkaller report test file: header line 1 is not" "$T/stderr"'
checke "malformed: the good file still converted, no others" \
	'[ "$(ls "$T/mo")" = "syz-1.log" ]'
checke "malformed: escape bytes are not printed raw" \
	'printf "TITLE: WARNING\n\033]0;pwned\007\n\nlog\n" >"$M/1"; $IMP "$M" "$T/mo" 2>"$T/stderr" >/dev/null; ! grep -q "$(printf "\033")" "$T/stderr"'

# a selected name that is not a regular file: exit 3, named, no hang
F=$T/fifo
mkdir "$F"
mkfifo "$F/4"
mkdir "$F/5"
printf 'TITLE: WARNING in good\n\nlog\n' >"$F/7"
timeout 30 $IMP "$F" "$T/fo" >/dev/null 2>"$T/stderr"
rc=$?
check "not a regular file: exit 3" [ $rc -eq 3 ]
checke "not a regular file: both named, the good file converted" \
	'grep -q "fifo/4: not a regular file" "$T/stderr" && grep -q "fifo/5: not a regular file" "$T/stderr" &&
	 [ "$(ls "$T/fo")" = "syz-7.log" ]'

# --label: the last title without a final newline still counts
checke "--label: last line without newline" \
	'[ "$(printf "memory leak in f\nBUG: soft lockup in g" | $IMP --label | tr "\n" " ")" = "out-of-memory cpu-lockup " ]'

# random bytes in report files: exit 0 or 4, never a Python traceback
R=$T/rand
mkdir "$R"
/usr/bin/python3 - "$R" <<'PY'
import os, random, sys
rnd = random.Random(11)
parts = [b"TITLE: ", b"WARNING in f", b"KASAN: x", b"CORRUPTED: Y", b"\n", b"\n\n",
         b"#", b":", b" ", b"\r", b"\xff", b"\x00", b"TYPE: t", b"log line"]
for n in range(1, 400):
    if n % 3:
        data = b"".join(rnd.choice(parts) for _ in range(rnd.randrange(0, 12)))
        open(os.path.join(sys.argv[1], str(n)), "wb").write(data)
PY
$IMP "$R" "$T/ro" >/dev/null 2>"$T/stderr"
rc=$?
checke "random files: exit 0 or 4" '[ $rc -eq 0 ] || [ $rc -eq 4 ]'
checke "random files: no traceback" '! grep -q Traceback "$T/stderr"' || tail -n 5 "$T/stderr"

# the shipped corpus's checksum list: 458 files, none held out
checke "model/corpus/syzkaller.sha256: 458 lines" \
	'[ $(grep -c "^[0-9a-f]\{64\}  syz-[1-9][0-9]*\.log$" model/corpus/syzkaller.sha256) -eq 458 ] &&
	 [ $(wc -l <model/corpus/syzkaller.sha256) -eq 458 ]'
checke "model/corpus/syzkaller.sha256: no number divisible by 3" \
	'! sed "s/.*syz-\([0-9]*\)\.log/\1/" model/corpus/syzkaller.sha256 | awk "\$1 % 3 == 0 { bad = 1 } END { exit !bad }"'

finish syzkaller-import
