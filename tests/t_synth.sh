#!/bin/sh
# tools/train/synth.py: synthetic cases from the catalogue.  Same seed,
# same bytes; another seed, other bytes; the development split holds
# other catalogue entries than the training split; every case says
# SOURCE: synthetic with ARCH/ERA/FORM and carries a label of
# model/TAXONOMY.md; its TITLE: (the filled header) is a line of its
# log; an entry that is a NULL dereference by its address prints an
# address below the first page, and an address-aware entry's label
# follows the address it printed (checked here from the catalogue's
# addr column, independently of the generator); a train run with
# --calibrate on such cases stores a temperature; then eval prints the
# per-architecture table.
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
B=${B:-build}
PS=$B/panicsage
S=tools/train/synth.py

/usr/bin/python3 $S --split train --seed 5 --per-entry 1 --limit 60 "$T/a" >/dev/null
/usr/bin/python3 $S --split train --seed 5 --per-entry 1 --limit 60 "$T/b" >/dev/null
/usr/bin/python3 $S --split train --seed 6 --per-entry 1 --limit 60 "$T/c" >/dev/null
/usr/bin/python3 $S --split dev --seed 5 --per-entry 1 "$T/dev" >/dev/null
checke "60 training cases written" '[ "$(ls "$T/a" | wc -l)" -eq 60 ]'
checke "same seed, same bytes" 'diff -r "$T/a" "$T/b" >/dev/null'
checke "another seed, other bytes" '! diff -r "$T/a" "$T/c" >/dev/null'

/usr/bin/python3 - "$T/a" "$T/dev" model/catalogue.tsv model/TAXONOMY.md >"$T/py.out" 2>&1 <<'PY'
import os, re, sys
a, dev, cat, tax = sys.argv[1:]
labels = set(re.findall(r"^\| `([a-z-]+)` \|", open(tax).read(), re.M))
assert len(labels) == 14, labels
ents = {}
for l in open(cat):
    if l.startswith("#") or not l.strip():
        continue
    c = l.rstrip("\n").split("\t")
    ents[c[0]] = c
def cases(d):
    for n in sorted(os.listdir(d)):
        t = open(os.path.join(d, n)).read()
        head, _, log = t.partition("\n\n")
        h = dict(x.split(": ", 1) for x in head.splitlines())
        yield n, h, log
seen = {}
for d in (a, dev):
    seen[d] = set()
    for n, h, log in cases(d):
        assert h["SOURCE"] == "synthetic", n
        assert h["ARCH"] in ("x86", "arm64", "arm", "powerpc", "s390", "mips", "riscv"), n
        assert re.match(r"^(2\.6|\d\.x)$", h["ERA"]), n
        assert h["FORM"] == "plain", n
        assert h["LABEL"] in labels, n
        e = ents[h["CATALOGUE"]]
        assert e[2] == "header" and e[3] == "no", n
        if e[5] != "any":
            assert h["ARCH"] == e[5], n
        assert ("] " + h["TITLE"] + "\n") in log, n
        # the address the title printed, where the entry has one
        m = re.match(r"(\d+)(?:<(\w+):([\w-]+))?$", e[7])
        if m:
            k = int(m.group(1))
            # the k-th conversion's text: split the pattern at conversions
            parts = re.split(r"%[-+ #0]*\d*(?:\.\d+)?(?:hh|h|ll|l|z|t|j)?(?:p[SBFsfxK]?|[diuxXsc])", e[9])
            rx = "".join(re.escape(p) + ("(.*?)" if i < len(parts) - 1 else "") for i, p in enumerate(parts))
            mm = re.search(rx + "$", h["TITLE"])
            assert mm, (n, rx)
            addr = int(mm.group(k).strip() or "0", 16)
            if m.group(2):
                low = addr < int(m.group(2), 0)
                assert h["LABEL"] == (m.group(3) if low else e[1]), (n, hex(addr), h["LABEL"])
            elif e[1] == "null-deref":
                assert addr < 4096, (n, hex(addr))
        seen[d].add(h["CATALOGUE"])
assert seen[a] and seen[dev] and not (seen[a] & seen[dev]), seen[a] & seen[dev]
print("checked", sum(len(v) for v in seen.values()), "entries")
PY
pyrc=$?
checke "headers, labels, titles, addresses, disjoint splits ($(tail -n 1 "$T/py.out"))" '[ $pyrc -eq 0 ]'
[ $pyrc -eq 0 ] || cat "$T/py.out"

small="--dim 16 --hidden 16 --buckets 1024 --epochs 100 --k 5 --quiet"
checke "train --calibrate 3 on synthetic cases" '$PS train --out "$T/m.psm" $small --calibrate 3 "$T/a" >"$T/train.out" 2>&1'
checke "the model stores a temperature and the default threshold 0.7" '$PS model inspect "$T/m.psm" | grep -q "^calibration: temperature [0-9.]*, uncertain below 0.70$"'
checke "--calibrate 1 refused" '! $PS train --out "$T/x.psm" $small --calibrate 1 "$T/a" 2>/dev/null'
$PS eval --model "$T/m.psm" --no-baselines "$T/dev" >"$T/eval.out" 2>&1
checke "eval: ECE and confident-wrong" 'grep -q "^calibration (the model.s probabilities): ECE [0-9.]* (15 bins), confident-wrong" "$T/eval.out"'
checke "eval: per-architecture table" 'grep -q "^| ARCH | cases | accuracy | macro-F1 | ECE | confident-wrong |" "$T/eval.out" && grep -q "^| s390 | " "$T/eval.out"'
checke "eval: per-era table" 'grep -q "^| ERA | cases" "$T/eval.out"'
checke "eval: per-source table by SOURCE's first word" 'grep -q "^| synthetic | $(ls "$T/dev" | wc -l) | " "$T/eval.out"'

# with panicsage logform, each case is rendered in a form of --forms (a
# wrapper on the plain log counts as one) and says so in FORM:; the
# FORM: is that of its text (checked for a few forms by their look)
/usr/bin/python3 $S --split dev --seed 5 --per-entry 1 --limit 40 --panicsage $PS \
	--forms plain,kmsg,journal-short,plain+quoted "$T/forms" >/dev/null
for f in "$T"/forms/*.log; do
	form=$(sed -n 's/^FORM: //p' "$f")
	last=$(grep -v "^ " "$f" | tail -n 1)   # not a /dev/kmsg record's dictionary line
	case $form in
	plain) pat='^\[ *[0-9]*\.[0-9]*\] ' ;;
	kmsg) pat='^[0-7],[0-9]*,[0-9]*,[-c];' ;;
	journal-short) pat='^[A-Z][a-z][a-z] [0-9][0-9] [0-9:]* node7 kernel: ' ;;
	plain+quoted) pat='^> \[' ;;
	*) pat=NONE ;;
	esac
	printf '%s\n' "$last" | grep -q "$pat" || echo "$form: $last" >>"$T/forms.bad"
done
checke "every case of --forms is in its FORM: ($(sed -n 's/^FORM: //p' "$T"/forms/*.log | sort -u | tr '\n' ' '))" \
	'[ ! -e "$T/forms.bad" ] && [ "$(sed -n "s/^FORM: //p" "$T"/forms/*.log | sort -u | wc -l)" -eq 4 ]'
[ -e "$T/forms.bad" ] && head -3 "$T/forms.bad"
$PS eval --model "$T/m.psm" --no-baselines "$T/forms" >"$T/eval2.out" 2>&1
checke "eval: per-form table" 'grep -q "^| FORM | cases" "$T/eval2.out" && grep -q "^| plain+quoted | " "$T/eval2.out"'
checke "synth: an unknown form is refused" '! /usr/bin/python3 $S --limit 1 --panicsage $PS --forms plain+nosuch "$T/x" 2>/dev/null'
finish t_synth
