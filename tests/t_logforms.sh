#!/bin/sh
# The same crash pasted in any form gets the same diagnosis.
#
# tests/data/example.log and one lab case of every fault kind
# (model/corpus/lab, made here) are rendered by `panicsage logform` (tools/train/logform.c)
# in every form it knows and in combinations with its wrappers (mail
# quoting, CR LF, serial junk, wrapping, glued lines); for each,
# `panicsage classify --json` must give the same label, the same
# segment texts and the same culprit texts, in the same order, as for
# the plain log (line numbers differ, of course).
#
# Except where the form has less to go on: without timestamps (dmesg
# -t, journalctl -o cat, console levels alone) or with whole seconds of
# wall-clock time only (syslog fed by the journal, journalctl short,
# short-iso, short-full, dmesg -T), DBSCAN's time distance is missing
# or rounded, and which noise lines end up next to the crash in the
# segment can change.  For those the label, the first culprit (the
# report's header line) and every line the plain report scores as a
# report line (header, panic: score >= 0.6) must still be the same and
# be in the segment.  Independent checks
# that the rendering really is in the form (so that a generator bug
# cannot make the test vacuous): every rendered log differs from the
# plain one, and the lines of the forms with a syslog or journal
# prefix, a dmesg -x prefix, /dev/kmsg records etc. start the way the
# form says.
#
#   tests/t_logforms.sh [-v] [FORM...]     -v: print every comparison
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
for bin in panicsage panicsage-train; do
	[ -x "$B/$bin" ] || { echo "FAIL: $B/$bin not built"; exit 1; }
done
exec /usr/bin/python3 - "$B" "$@" <<'PY'
import glob, json, os, re, subprocess, sys, tempfile

B = sys.argv[1]
args = sys.argv[2:]
verbose = "-v" in args
only = [a for a in args if a != "-v"]

logs = ["tests/data/example.log"]
# the first case of every lab fault kind, in name order
seen = set()
for p in sorted(glob.glob("model/corpus/lab/*.log")):
    kind = re.sub(r"-\d+\.log$", "", os.path.basename(p))
    if kind not in seen:
        seen.add(kind)
        logs.append(p)
if len(logs) < 22:
    print("FAIL: expected example.log and 21 lab kinds, found %d logs" % len(logs))
    sys.exit(1)

lst = subprocess.run([B + "/panicsage", "logform", "--list"], capture_output=True, text=True, check=True).stdout
section, forms, wrappers = None, [], []
for l in lst.split("\n"):
    if l.startswith("forms:"):
        section = forms
    elif l.startswith("wrappers"):
        section = wrappers
    elif l.startswith("  ") and section is not None:
        section.append(l.split()[0])
# combinations of a form with wrappers, as people paste them
combos = ["plain+crlf", "plain+serial", "plain+quoted", "plain+quoted2", "syslog-nots+quoted+crlf",
          "plain+wrapped", "raw+wrapped", "syslog+wrapped", "journal-short+wrapped+crlf",
          "callers+glued", "plain+glued", "kmsg+crlf", "dmesg-T+quoted", "doubled+serial",
          "dmesg-H+quoted2", "syslog-mixed+crlf", "journal-json+crlf", "journal-verbose+crlf",
          "dmesg-json+quoted", "journal-pretty+crlf"]
todo = [f for f in forms + combos if not only or f in only or f.split("+")[0] in only]
if not todo:
    print("FAIL: no such form: %s" % " ".join(only))
    sys.exit(1)

# what the first kernel line of each form must look like (checked on
# the rendering, independently of the parser under test)
TS = r"\[\s*\d+\.\d{6}\]"
MON = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"
shape = {
    "plain": "^" + TS + " ", "notime": r"^(?!<\d>|" + TS + ")", "raw": r"^<\d>" + TS + " ", "level": r"^<\d>(?!" + TS + ")",
    "kmsg": r"^\d,\d+,\d+,[-c];", "kmsg-caller": r"^\d,\d+,\d+,[-c],caller=[TC]\d+;",
    "callers": "^" + TS + r"\[ *[TC]\d+\] ",
    "syslog": "^" + MON + r" [ \d]\d \d\d:\d\d:\d\d \S+ kernel: " + TS + " ",
    "syslog-nots": "^" + MON + r" [ \d]\d \d\d:\d\d:\d\d \S+ kernel: [^\[]",
    "syslog-nospace": "^" + MON + r" [ \d]\d \d\d:\d\d:\d\d \S+ kernel:" + TS + " ",
    "syslog-iso": "^" + ISO + r"\.\d{6}[+-]\d\d:\d\d \S+ kernel: [^\[]",
    "syslog-iso-ts": "^" + ISO + r"\.\d{6}[+-]\d\d:\d\d \S+ kernel: " + TS + " ",
    "syslog-mixed": "^" + MON + r" [ \d]\d \d\d:\d\d:\d\d \S+ (kernel: " + TS + r" |\S+\[\d+\]: |rsyslogd: )",
    "kernel-tag": "^kernel: " + TS + " ",
    "journal-short": "^(" + MON + r" \d\d \d\d:\d\d:\d\d \S+ kernel: |-- Boot \w+ --$)",
    "journal-precise": "^" + MON + r" \d\d \d\d:\d\d:\d\d\.\d{6} \S+ kernel: ",
    "journal-iso": "^" + ISO + r"[+-]\d{4} \S+ kernel: ",
    "journal-iso-precise": "^" + ISO + r"\.\d{6}[+-]\d\d:\d\d \S+ kernel: ",
    "journal-full": r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+ \S+ kernel: ",
    "journal-monotonic": "^" + TS + r" \S+ kernel: ", "journal-delta": r"^\[\s*\d+\.\d{6} <\s*\d+\.\d{6}>\] \S+ kernel: ",
    "journal-unix": r"^\d{10}\.\d{6} \S+ kernel: ", "journal-cat": r"^(?!<\d>|" + TS + ")",
    "dmesg-T": r"^\[(Mon|Tue|Wed|Thu|Fri|Sat|Sun) " + MON + r" [ \d]\d \d\d:\d\d:\d\d \d{4}\] ",
    "dmesg-H": r"^\[(" + MON + r"[ \d]\d \d\d:\d\d|\s*\+\d+\.\d{6})\] ",
    "dmesg-x": r"^kern  :(emerg |alert |crit  |err   |warn  |notice|info  |debug ): " + TS + " ",
    "dmesg-d": r"^\[\s*\d+\.\d{6} <\s*\d+\.\d{6}>\] [^\S]?", "dmesg-iso": "^" + ISO + r",\d{6}[+-]\d\d:\d\d ",
    "doubled": "^(" + TS + " |" + MON + r" [ \d]\d \d\d:\d\d:\d\d \S+ kernel: )",
    "journal-json": r'^\{"__CURSOR":"s=[0-9a-f]+;i=[0-9a-f]+;b=[0-9a-f]+;m=[0-9a-f]+;t=[0-9a-f]+;x=[0-9a-f]+",'
                    r'"__REALTIME_TIMESTAMP":"\d+","__MONOTONIC_TIMESTAMP":"\d+",.*"MESSAGE":("|\[\d).*\}$',
    "journal-pretty": r'^(\{|\}|\t"[A-Z_]+" : ("[^"\\]*(\\.[^"\\]*)*"|\[),?|\t\t\d+,?|\t\],?)$',
    "journal-verbose": r"^((Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} \S+ "
                       r"\[s=[0-9a-f]+;i=[0-9a-f]+;b=[0-9a-f]+;m=[0-9a-f]+;t=[0-9a-f]+;x=[0-9a-f]+\]|    [A-Z_]+=.*)$",
    "dmesg-json": r'^(\{|   "dmesg": \[|      \{("pri": \d+, |"fac": "kern", "pri": "[a-z]+", )?"time": +\d+\.\d{6}, '
                  r'("caller": "[TC]\d+", )?"msg": ".*"\},?|   \]|\})$',
}
wrap_shape = {"quoted": r"^>( |$)", "quoted2": r"^>>( |$)"}


def body(text):
    """The log after a case-file header."""
    m = re.match(r"((?:[A-Z][A-Z0-9_-]*:.*\n)+)\n", text)
    return text[m.end():] if m and re.search(r"^(LABEL|SOURCE):", m.group(1), re.M) else text


JSON_KEY = {"journal-json": "MESSAGE", "journal-pretty": "MESSAGE", "dmesg-json": "msg", "journal-verbose": None}
PLAIN_TEXTS = {}


def json_messages(form, lines):
    """The kernel messages a JSON or verbose rendering carries (read with
    python's json, not the parser under test) must be the plain log's."""
    got, objs = [], []
    if form == "journal-verbose":
        got = [l[len("    MESSAGE="):] for l in lines if l.startswith("    MESSAGE=")]
    elif form == "dmesg-json":
        got = [json.loads(l.strip().rstrip(","))["msg"] for l in lines if l.strip().startswith("{\"")]
    else:
        objs, dec, text, at = [], json.JSONDecoder(), "\n".join(lines), 0
        while at < len(text):
            o, at = dec.raw_decode(text, at)
            objs.append(o)
            while at < len(text) and text[at] in " \t\n":
                at += 1
        for o in objs:
            if o.get("_TRANSPORT") == "kernel":
                m = o["MESSAGE"]
                got.append(bytes(m).decode("utf-8", "replace") if isinstance(m, list) else m)
    want = PLAIN_TEXTS["current"]
    if got != want:
        i = next((i for i in range(min(len(got), len(want))) if got[i] != want[i]), min(len(got), len(want)))
        return "messages differ from the plain log's at %d: %r, plain %r" % (
            i, got[i][:60] if i < len(got) else None, want[i][:60] if i < len(want) else None)
    if form.startswith("journal-") and len(objs) == len(got):
        return "no other program's records"
    return None


def plain_texts(text):
    """The messages of a plain log: each non-empty line after its "[ts] "
    and "[ T42] " prefixes."""
    out = []
    for l in body(text).split("\n"):
        if l:
            m = re.match(r"\[\s*\d+\.\d+\](\[ *[TC]\d+\])? ?", l)
            out.append(l[m.end():] if m else l)
    return out


def check_shape(form, text):
    parts = form.split("+")
    lines = [l for l in body(text).split("\n") if l]
    if "crlf" in parts or "serial" in parts:
        n = sum(1 for l in lines if l.endswith("\r"))
        if n < len(lines) * 0.9:
            return "only %d of %d lines end in CR" % (n, len(lines))
        lines = [l.rstrip("\r").split("\r")[-1] for l in lines]
        lines = [l for l in lines if l]
    for w in ("quoted2", "quoted"):
        if w in parts:
            bad = [l for l in lines if not re.match(wrap_shape[w], l)]
            if bad and bad != [""]:
                return "not quoted: %r" % bad[0][:80]
            lines = [re.sub(r"^>+ ?", "", l) for l in lines]
            break
    if "wrapped" in parts:
        if max(len(l) for l in lines) > 80:
            return "a line longer than 80 columns"
        return None                   # continuations have no prefix
    if "glued" in parts:
        return None if any(re.search(r"\S\[\s*\d+\.\d{6}\]", l) for l in lines) else "nothing glued"
    pat = shape.get(parts[0])
    if pat is None:
        return "no shape known for form %s" % parts[0]
    bad = [l for l in lines if not re.match(pat, l)]
    if parts[0] in ("kmsg", "kmsg-caller"):
        bad = [l for l in bad if not re.match(r"^ [A-Z_]+=", l)]
        if not any(re.match(r"^ [A-Z_]+=", l) for l in lines):
            return "no KEY=value continuation lines"
    # the plain logs have a few lines without a timestamp (a message
    # with a newline in it), rendered as they are
    if len(bad) > len(lines) // 20:
        return "%d lines not in the form, first %r" % (len(bad), bad[0][:100])
    if parts[0] in JSON_KEY:
        bad = json_messages(parts[0], lines)
        if bad:
            return bad
    if parts[0] == "syslog-mixed" and not any(" kernel: " not in l for l in lines):
        return "no other program's lines"
    if parts[0] == "doubled" and sum(1 for l in lines if " kernel: " in l) < len(lines) / 4:
        return "too few syslog copies"
    return None


def classify(path):
    r = subprocess.run([B + "/panicsage", "classify", "--json", path], capture_output=True, text=True)
    if r.returncode != 0:
        return None, "exit %d: %s" % (r.returncode, r.stderr.strip()[:200])
    j = json.loads(r.stdout)
    return (j["label"], [s["text"] for s in j["segment"]], [c["text"] for c in j["culprits"]],
            [c["text"] for c in j["culprits"] if c["score"] >= 0.6]), None


def all_diffs(a, b):
    return ",".join(n for k, n in enumerate(("label", "segment", "culprits")) if a[k] != b[k])


# forms whose timestamps are whole seconds of wall-clock time, or none
LOSSY = {"notime", "level", "journal-cat", "syslog-nots", "journal-short", "journal-iso",
         "journal-full", "dmesg-T"}


def lossy_diff(a, b, core):
    """What a form without (precise) times must still get right."""
    if a[0] != b[0]:
        return "label %r, plain %r" % (b[0], a[0])
    if a[2][:1] != b[2][:1]:
        return "first culprit %r, plain %r" % (b[2][:1], a[2][:1])
    missing = [t for t in core if t not in b[1]]
    if missing:
        return "%d report lines missing from the segment, first %r" % (len(missing), missing[0][:70])
    return None


def first_diff(a, b):
    for k, name in enumerate(("label", "segment", "culprits")):  # a[3] is part of a[2]
        if a[k] != b[k]:
            if k == 0:
                return "label %r, plain %r" % (b[0], a[0])
            x, y = a[k], b[k]
            i = next((i for i in range(min(len(x), len(y))) if x[i] != y[i]), min(len(x), len(y)))
            return "%s: %d lines vs plain %d; first difference at %d: %r, plain %r" % (
                name, len(y), len(x), i, y[i][:70] if i < len(y) else None, x[i][:70] if i < len(x) else None)
    return None


fails, checked = [], 0
tmp = tempfile.mkdtemp()
try:
    for log in logs:
        plain, err = classify(log)
        if err:
            fails.append("%s plain: %s" % (log, err))
            continue
        if not plain[1] or not plain[2]:
            fails.append("%s plain: empty segment or culprits" % log)
            continue
        original = open(log, "rb").read()
        PLAIN_TEXTS["current"] = plain_texts(original.decode("utf-8", "replace"))
        for form in todo:
            out = os.path.join(tmp, "f.log")
            seed = str(1 + checked % 7)
            r = subprocess.run([B + "/panicsage", "logform", "--seed", seed, form, log], capture_output=True)
            if r.returncode != 0:
                fails.append("%s %s: panicsage logform exit %d: %s" % (log, form, r.returncode, r.stderr[:200]))
                continue
            open(out, "wb").write(r.stdout)
            text = r.stdout.decode("utf-8", "replace")
            bad = check_shape(form, text) if form != "plain" else None
            if form != "plain" and r.stdout == original:
                bad = "rendered log is the plain log"
            if bad:
                fails.append("%s %s: rendering: %s" % (log, form, bad))
                continue
            got, err = classify(out)
            checked += 1
            if err:
                d = err
            elif form.split("+")[0] in LOSSY:
                d = lossy_diff(plain, got, plain[3])
            else:
                d = first_diff(plain, got)
            if d:
                fails.append("%s %s (seed %s): [%s] %s" % (log, form, seed, all_diffs(plain, got) if got else "", d))
            elif verbose:
                print("ok: %s %s: %s, %d segment lines, %d culprits" % (log, form, got[0], len(got[1]), len(got[2])))
finally:
    for f in glob.glob(os.path.join(tmp, "*")):
        os.unlink(f)
    os.rmdir(tmp)

for f in fails:
    print("FAIL:", f)
print("%d logs x %d forms: %d renderings classified, %d differ from the plain log" % (
    len(logs), len(todo), checked, len(fails)))
sys.exit(1 if fails else 0)
PY
