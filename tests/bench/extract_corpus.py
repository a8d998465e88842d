#!/usr/bin/python3
"""Extraction benchmark on the labelled syzkaller corpus.

Reads ../shared/corpus/syzkaller (or the directory given as argument).
For every case it finds the crash's first oops header line on its own,
from the case's TITLE header (syzkaller's crash title, which the
classifier never reads), runs `panicsage classify --json` on the case
and reports how often
  - the extracted segment contains that header line,
  - the top-1 / top-3 culprit line is that header line,
and the throughput of the whole extraction in lines per second.
"""
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, "build", "panicsage")

# Title prefix -> regular expression for the line an engineer would quote.
SPECIAL = [
    (r"^INFO: task hung", r"blocked .*for more than"),
    (r"^(BUG|WARNING): bad usercopy", r"usercopy: |usercopy whitelist"),
    (r"^BUG: corrupted list", r"list_(add|del) corruption|kernel BUG at lib/list_debug"),
    (r"^WARNING: kernel stack regs", r"WARNING: kernel stack regs"),
    (r"^WARNING: kernel stack frame pointer", r"WARNING: kernel stack frame pointer"),
    (r"^WARNING: still has locks held", r"WARNING: .*still has locks held"),
    (r"^WARNING: nested lock was not taken", r"(?i)WARNING: nested lock was not taken"),
    (r"^KASAN: invalid-free", r"KASAN: (double-free or )?invalid-free"),
    (r"^kernel panic: stack is corrupted", r"Kernel panic - not syncing: stack-protector"),
    (r"^BUG: Dentry still in use", r"BUG: Dentry .*still in use"),
    (r"^BUG: Object already free", r"Object already free"),
    (r"^VFS: Close: file count is zero", r"VFS: Close: file count is"),
    (r"^BUG: unable to handle kernel access to user memory", r"(?i)unable to handle kernel access to user memory"),
    (r"^INFO: task can't die", r"INFO: task .* can't die|blocked for more than"),
    (r"^INFO: rcu detected stall", r"detected (expedited )?stall"),
    (r"^possible deadlock", r"possible (circular|recursive) locking|possible deadlock|lock inversion|lock order detected"),
    (r"^WARNING: refcount bug", r"refcount_t: |WARNING: .*refcount"),
    (r"^WARNING: ODEBUG bug", r"ODEBUG: |WARNING: .*debugobjects"),
    (r"^WARNING: locking bug", r"DEBUG_LOCKS_WARN_ON|WARNING: "),
    (r"^WARNING: (kmalloc bug|zero-size vmalloc|proc registration bug|kobject bug)", r"WARNING: "),
    (r"^WARNING in ", r"WARNING: "),
    (r"^WARNING$", r"WARNING: "),
    (r"^kernel BUG", r"kernel BUG at|BUG: failure at"),
    (r"^kernel panic: (.*)", None),
    (r"^BUG: unable to handle kernel paging request", r"(?i)unable to handle (kernel paging request|page fault|kernel)"),
    (r"^BUG: unable to handle kernel NULL pointer", r"NULL pointer dereference"),
    (r"^BUG: unable to handle kernel", r"unable to handle kernel|BUG: unable to handle"),
    (r"^UBSAN: ", r"UBSAN: "),
    (r"^PANIC: double fault", r"double fault"),
    (r"^stack segment fault", r"stack segment"),
    (r"^BUG: stack guard page was hit", r"stack guard page was hit"),
    (r"^memory leak", r"memory leak"),
    (r"^INFO: Allocated", r"INFO: Allocated"),
    (r"^Internal error", r"Internal error: "),
]


def truth_regex(title):
    for pat, rx in SPECIAL:
        m = re.match(pat, title)
        if m:
            if rx is None:   # kernel panic: MSG -> the panic line itself
                msg = re.sub(r"\(NUM,NUM\)", "", m.group(1)).split(" in ")[0]
                return re.escape("Kernel panic - not syncing: " + msg.split(" NUM")[0][:40])
            return rx
    phrase = re.split(r" in |\bat addr\b", title)[0]
    phrase = re.sub(r" (Read|Write)( of size.*)?$", "", phrase).strip()
    return re.escape(phrase)


def read_case(path):
    with open(path, "rb") as f:
        data = f.read()
    head, _, _ = data.partition(b"\n\n")
    hdr = {}
    for line in head.decode("utf-8", "replace").splitlines():
        k, _, v = line.partition(": ")
        hdr[k] = v
    lines = data.decode("utf-8", "replace").split("\n")
    return hdr, lines


def main():
    corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "corpus", "syzkaller")
    if not os.path.isdir(corpus):
        print("extract_corpus: no corpus at %s (it lives in ../shared, beside the repository)" % corpus)
        return 77
    files = sorted(f for f in os.listdir(corpus) if f.endswith(".log"))
    n = known = in_seg = top1 = top3 = 0
    total_lines = 0
    total_us = 0
    wall = 0.0
    misses = []
    for name in files:
        path = os.path.join(corpus, name)
        hdr, lines = read_case(path)
        rx = re.compile(truth_regex(hdr.get("TITLE", "")))
        truth = None
        # line numbers are 1-based over the whole file, header included
        body_start = lines.index("") + 1 if "" in lines else 0
        for i in range(body_start, len(lines)):
            if rx.search(lines[i]):
                truth = i + 1
                break
        t0 = time.perf_counter()
        out = subprocess.run([BIN, "classify", "--json", path], capture_output=True)
        wall += time.perf_counter() - t0
        n += 1
        if out.returncode != 0:
            misses.append((name, "exit %d: %s" % (out.returncode, out.stderr.decode()[:100])))
            continue
        rep = json.loads(out.stdout)
        total_lines += sum(1 for l in lines[body_start:] if l.strip())
        total_us += rep["timing_us"]["total"]
        if truth is None:
            misses.append((name, "no header line found for title %r" % hdr.get("TITLE")))
            continue
        known += 1
        seg = {s["line"] for s in rep["segment"]}
        cul = [c["line"] for c in rep["culprits"]]
        if truth in seg:
            in_seg += 1
        else:
            misses.append((name, "segment misses line %d: %s" % (truth, lines[truth - 1][:100])))
        top1 += cul[:1] == [truth]
        if cul[:1] != [truth] and os.environ.get("VERBOSE"):
            first = cul[0] if cul else 0
            misses.append((name, "top-1 is line %d: %s | truth %d: %s" % (
                first, lines[first - 1][:80] if first else "-", truth, lines[truth - 1][:80])))
        top3 += truth in cul[:3]
    print("corpus: %s (%d cases; header line found from the title in %d)" % (corpus, n, known))
    for name, why in misses:
        print("  miss %s: %s" % (name, why))
    k = max(known, 1)
    print("segment contains the oops header: %d/%d = %.1f%%" % (in_seg, known, 100.0 * in_seg / k))
    print("culprit top-1 is the oops header: %d/%d = %.1f%%" % (top1, known, 100.0 * top1 / k))
    print("culprit top-3 has the oops header: %d/%d = %.1f%%" % (top3, known, 100.0 * top3 / k))
    print("extraction throughput: %d lines in %.1f ms (in-process timing) = %.0f lines/s"
          % (total_lines, total_us / 1000.0, total_lines / max(total_us / 1e6, 1e-9)))
    print("wall time incl. process start: %.2f s for %d runs" % (wall, n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
