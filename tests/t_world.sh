#!/bin/sh
# Crash reports in the forms and architectures the world sends them in.
#
# tests/data/world/*.log are cases written here by hand from the
# kernel's message formats (no third-party report text): arm64, arm,
# powerpc, s390, mips, riscv and x86 faults of kernels 2.6 to 6.x,
# older wordings, hardware reports, driver watchdogs through WARNING,
# panic() reasons and logs without a crash, pasted as syslog, journal,
# dmesg -T/-x, <N> levels, quoted, CRLF, doubled, interleaved, wrapped
# or without timestamps.  Each says its LABEL: (none: no crash), chosen
# by model/TAXONOMY.md's precedence independently of the program.
#
# `panicsage classify --json` with the built-in model must give every
# case its label (null and "crash": false for none), except the known
# misses listed below with their reasons, which must still be misses
# (so the list stays true); at least 90% must be right; and no wrong
# answer may be given with confidence >= 0.9 unless marked uncertain.
#
#   tests/t_world.sh [-v]        (MODEL=FILE: that model, not the built-in one)
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
[ -x "$B/panicsage" ] || { echo "FAIL: $B/panicsage not built"; exit 1; }
exec /usr/bin/python3 - "$B" "$@" <<'PY'
import glob, json, os, subprocess, sys

B = sys.argv[1]
verbose = "-v" in sys.argv[2:]
# case -> why the diagnosis misses it (the label it gets instead)
KNOWN = {
    # the syzkaller corpus labels a KASAN kernel's "general protection fault, probably for
    # non-canonical address 0xdffffc..." bad-access (its title "general protection fault in f"),
    # TAXONOMY null-deref when KASAN's next line says "null-ptr-deref in range"; the catalogue
    # (null.kasan-gpf-shadow) says null-deref, the model near those corpus cases overrules it
    "f-x86-kasan-nullptr-gpf-5x-plain.log": "bad-access (0.86): corpus labels GPF+KASAN null-ptr-deref bad-access",
    "f-x86-r8169-netdev-watchdog-5x-plain.log": "kernel-bug (uncertain): NETDEV WATCHDOG via a 5.x WARNING, near the "
                                                "corpus's kernel-bug WARNINGs (the lead's known miss)",
    "c-x86-2.6-spinlock-bad-magic.log": "locking (uncertain): the catalogue's "
                                        "lock.spinlock says locking for every spin_bug message and "
                                        "nothing reads the .magic 6b6b6b6b (slab free poison)",
}
cases = sorted(glob.glob("tests/data/world/*.log"))
if len(cases) < 40:
    print("FAIL: expected at least 40 world cases, found %d" % len(cases))
    sys.exit(1)
ok = bad = 0
fail = []
for path in cases:
    name = os.path.basename(path)
    want = None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("LABEL:"):
                want = line.split(":", 1)[1].strip()
                break
    if not want:
        fail.append("%s: no LABEL: header" % name)
        continue
    model = ["--model", os.environ["MODEL"]] if os.environ.get("MODEL") else []
    r = subprocess.run([B + "/panicsage", "classify", "--json"] + model + [path], capture_output=True, text=True)
    if r.returncode != 0:
        fail.append("%s: classify exited %d: %s" % (name, r.returncode, r.stderr.strip()))
        continue
    j = json.loads(r.stdout)
    got = j["label"] if j["label"] is not None else "none"
    if (got == "none") != (j["crash"] is False):
        fail.append("%s: label %s but crash %s" % (name, got, j["crash"]))
    right = got == want
    ok += right
    conf = j["confidence"] or 0
    if verbose or not right:
        print("%-4s %-40s want %-17s got %-17s %.2f%s" % ("ok" if right else "MISS", name, want, got, conf,
              " uncertain" if j["uncertain"] else ""))
    if right and name in KNOWN:
        print("note: %s is right now; take it off the known misses" % name)
        fail.append("%s: listed as a known miss but right" % name)
    if not right and name not in KNOWN:
        fail.append("%s: want %s, got %s (%.2f)" % (name, want, got, conf))
    if not right and conf >= 0.9 and not j["uncertain"]:
        fail.append("%s: wrong with confidence %.2f and not uncertain" % (name, conf))
rate = ok / len(cases)
print("world: %d of %d right (%.1f%%), %d known misses listed" % (ok, len(cases), 100 * rate, len(KNOWN)))
if rate < 0.9:
    fail.append("pass rate %.1f%% below 90%%" % (100 * rate))
for f in fail:
    print("FAIL: " + f)
sys.exit(1 if fail else 0)
PY
