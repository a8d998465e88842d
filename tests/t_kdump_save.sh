#!/bin/sh
# panicsage-kdump --save DIR (the report beside the dump) and its start-up
# memory (the arena is mapped, not in .bss).
#   --save DIR              DIR/panicsage.txt is the console report as
#                           printed, DIR/panicsage.json the JSON report
#                           (the same analysis as --json, timing aside)
#   --json --save DIR       DIR/panicsage.json is what was printed
#   --save to a vmcore run  the same, on a synthetic vmcore
#   --save unwritable       exit 3, the report still printed first
#   --save '' / with --flush  exit 2
#   ulimit -v 60 MB         the program still starts and reports: an
#                           80 MiB .bss arena made a 128 MiB capture
#                           kernel refuse to start it (make boot-test
#                           boots that one); under 20 MB it says why, exit 6
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
K=$B/panicsage-kdump
G=$B/tests/vmcoregen
PY=/usr/bin/python3
LOG=tests/data/example.log
[ -x "$K" ] && [ -x "$G" ] || { echo "FAIL: build first (make test-build)"; exit 1; }
[ -x "$PY" ] || { echo "$PY missing"; exit 77; }
. tests/lib.sh

# the JSON without its timings (they differ from run to run)
notime() { "$PY" -c 'import json,sys
d = json.load(open(sys.argv[1])); d.pop("timing_us", None); print(json.dumps(d, sort_keys=True))' "$1"; }

mkdir "$T/a" "$T/b"
"$K" --no-deliver --save "$T/a" "$LOG" >"$T/a.out" 2>"$T/a.err"; rc=$?
check "--save: exit 0" [ $rc -eq 0 ]
check "--save: panicsage.txt is the printed report" cmp -s "$T/a.out" "$T/a/panicsage.txt"
check "--save: the report starts with the label" grep -q "^panicsage: null-deref (" "$T/a/panicsage.txt"
"$K" --no-deliver --json "$LOG" >"$T/plain.json" 2>/dev/null
checke "--save: panicsage.json is the --json report (timings aside)" \
	'[ "$(notime "$T/a/panicsage.json")" = "$(notime "$T/plain.json")" ]'
"$K" --no-deliver --json --save "$T/b" "$LOG" >"$T/b.out" 2>/dev/null; rc=$?
check "--json --save: exit 0" [ $rc -eq 0 ]
check "--json --save: panicsage.json is what was printed" cmp -s "$T/b.out" "$T/b/panicsage.json"
checke "--json --save: panicsage.txt has the same first line as a console run" \
	'[ "$(head -n 1 "$T/b/panicsage.txt")" = "$(head -n 1 "$T/a.out")" ]'
checke "--save: no temporary files left" '[ "$(ls -A "$T/a" | tr "\n" " ")" = "panicsage.json panicsage.txt " ]'

"$G" "$LOG" "$T/vmcore" >/dev/null 2>&1 || bad "vmcoregen"
mkdir "$T/v"
"$K" --no-deliver --save "$T/v" "$T/vmcore" >"$T/v.out" 2>/dev/null; rc=$?
check "--save, vmcore: exit 0" [ $rc -eq 0 ]
check "--save, vmcore: the printed report saved" cmp -s "$T/v/panicsage.txt" "$T/v.out"
checke "--save, vmcore: JSON label" '[ "$("$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))[\"label\"])" "$T/v/panicsage.json")" = null-deref ]'

"$K" --no-deliver --save "$T/missing/dir" "$LOG" >"$T/m.out" 2>"$T/m.err"; rc=$?
check "--save into a missing directory: exit 3" [ $rc -eq 3 ]
check "... the report printed all the same" grep -q "^panicsage: null-deref (" "$T/m.out"
check "... and says why" grep -q "^panicsage: $T/missing/dir: No such file or directory" "$T/m.err"
"$K" --save "" "$LOG" >/dev/null 2>&1; rc=$?
check "--save '': exit 2" [ $rc -eq 2 ]
"$K" --flush --save "$T/a" >/dev/null 2>&1; rc=$?
check "--flush --save: exit 2" [ $rc -eq 2 ]

out=$(ulimit -v 60000 && "$K" --no-deliver "$LOG" 2>&1); rc=$?
check "60 MB of address space: exit 0" [ $rc -eq 0 ]
checke "60 MB of address space: the report" 'echo "$out" | grep -q "^panicsage: null-deref ("'
out=$(ulimit -v 20000 && "$K" --no-deliver "$LOG" 2>&1); rc=$?
check "20 MB of address space: exit 6" [ $rc -eq 6 ]
checke "20 MB of address space: says why" 'echo "$out" | grep -q "^panicsage: working memory: the arena cannot be mapped"'
finish kdump_save
