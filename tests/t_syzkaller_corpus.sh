#!/bin/sh
# The shipped syzkaller corpus is what tools/train/syzkaller-import makes
# of syzkaller's report test files:
#  - the rule table gives every shipped case its LABEL: from its TITLE:;
#  - each shipped case, turned back into a syzkaller-style test file
#    (TITLE:, CORRUPTED: Y when set, an empty line, the log) in a
#    directory named by its number, converts to the identical bytes, and
#    nothing else is written;
#  - model/corpus/syzkaller.sha256 lists exactly the shipped files.
# Reads ../shared/corpus/syzkaller (or $PANICSAGE_SHARED/corpus/syzkaller);
# skipped when that is absent.
set -u
cd "$(dirname "$0")/.."
SHARED=${PANICSAGE_SHARED:-../shared}
D=$SHARED/corpus/syzkaller
if [ ! -d "$D" ]; then
	echo "skipped: $D not found (the shipped corpus lives in ../shared)"
	exit 77
fi
. tests/lib.sh
IMP=tools/train/syzkaller-import

# headers of every shipped case: number, LABEL, TITLE, CORRUPTED (0/1);
# the inputs of a syzkaller-style test file for each, in $T/report
mkdir "$T/report"
/usr/bin/python3 - "$D" "$T/report" >"$T/cases" <<'PY' || { echo "could not read $D"; exit 1; }
import os, re, sys
src, out = sys.argv[1], sys.argv[2]
for name in sorted(os.listdir(src)):
    m = re.fullmatch(r"syz-([0-9]+)\.log", name)
    if not m:
        continue
    data = open(os.path.join(src, name), "rb").read()
    head, sep, log = data.partition(b"\n\n")
    assert sep, name
    keys = {}
    for line in head.split(b"\n"):
        k, _, v = line.partition(b": ")
        keys[k.decode()] = v
    title = keys["TITLE"]
    corrupted = keys.get("CORRUPTED") == b"Y"
    inp = b"TITLE: " + title + b"\n" + (b"CORRUPTED: Y\n" if corrupted else b"") + b"\n" + log
    open(os.path.join(out, m.group(1)), "wb").write(inp)
    sys.stdout.buffer.write(b"\t".join([m.group(1).encode(), keys["LABEL"], title]) + b"\n")
PY
n=$(wc -l <"$T/cases")
echo "shipped cases: $n"
checke "458 shipped cases" '[ "$n" -eq 458 ]'
checke "no shipped case has a number divisible by 3" \
	'! awk -F "\t" "\$1 % 3 == 0 { bad = 1 } END { exit !bad }" "$T/cases"'

# 1. labels from titles
cut -f 3 "$T/cases" | $IMP --label >"$T/labels" 2>"$T/stderr"
check "--label runs" [ $? -eq 0 ] || cat "$T/stderr"
cut -f 2 "$T/cases" >"$T/shipped_labels"
paste "$T/shipped_labels" "$T/labels" "$T/cases" |
	awk -F '\t' '$1 != $2 { printf "  syz-%s: rule table says %s, shipped %s; title: %s\n", $3, $2, $1, $5 }' >"$T/mismatch"
checke "the rule table gives all 458 shipped labels ($(wc -l <"$T/mismatch") differ)" '[ ! -s "$T/mismatch" ]' ||
	head -n 40 "$T/mismatch"

# 2. syzkaller-style test files back to the shipped bytes
$IMP "$T/report" "$T/out" 2>"$T/stderr"
check "the importer converts the reconstructed directory" [ $? -eq 0 ] || cat "$T/stderr"
cat "$T/stderr"
differ=0
for f in "$D"/syz-*.log; do
	cmp -s "$f" "$T/out/$(basename "$f")" || { differ=$((differ + 1)); [ $differ -le 10 ] && echo "  differs: $(basename "$f")"; }
done
checke "all 458 case files byte-identical to the shipped ones ($differ differ)" '[ $differ -eq 0 ]'
checke "no other file written" '[ "$(ls "$T/out" | wc -l)" -eq "$n" ]'

# 3. the checksum list that lets a clone without ../shared check its import
(cd "$D" && sha256sum --quiet -c -) <model/corpus/syzkaller.sha256 >"$T/sum" 2>&1
check "model/corpus/syzkaller.sha256 matches the shipped files" [ $? -eq 0 ] || head "$T/sum"
(cd "$D" && ls syz-*.log) | sort >"$T/files"
sed 's/^[0-9a-f]*  //' model/corpus/syzkaller.sha256 | sort >"$T/listed"
check "model/corpus/syzkaller.sha256 lists every shipped file" cmp "$T/files" "$T/listed"

finish syzkaller-corpus
