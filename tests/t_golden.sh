#!/bin/sh
# Outputs that speed work must not change: for every log of tests/data,
# a generated 1 MiB log (tests/bench/kdump_scale.py's, 12.8k lines of
# repeated boot noise and a crash) and 4000 generated lines made of the
# pieces masking and Drain treat specially (numbers, hex words,
# symbol+offset, units, instance numbers, <*>, odd whitespace and bytes,
# repeats and near-repeats), the templates `panicsage
# templates` assigns (built-in masking + Drain) and the report of
# `panicsage-kdump --json` without a model (masking, Drain, FILE
# extraction, culprits; timings left out).  Neither depends on the
# model, so retraining it does not touch them.  Their SHA-256 sums are
# in tests/data/golden.sha256; a difference is a change of behaviour.
# When one is meant, say why in the commit and rewrite the file with
#   tests/t_golden.sh --update
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
SUMS=tests/data/golden.sha256
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
[ -x "$B/panicsage" ] && [ -x "$B/panicsage-kdump" ] || { echo "FAIL: build first"; exit 1; }

/usr/bin/python3 -c '
import sys
sys.path.insert(0, "tests/bench")
import kdump_scale
kdump_scale.make_log(1 << 20, sys.argv[1])

import random
rnd = random.Random(7)
pieces = ["0x", "0X1f", "+0x1f/0x80", "+0x", "/0x", "ff", "dead", "beef", "deadbeef", "cafebabe12",
          "12", "1", "0", "007", "22s", "512kB", "4K", "a", "Z", "_", ".", "$", "+", "/", ":", "=",
          "<*>", "<", "*", ">", "[", "]", "(", ")", "#", "-", ",", "sda", "eth", "ext4_", "CPU#",
          "kworker/", "foo.isra.0", "func", ".cold", ".constprop.76", "x", "g", "9999999", "abcdef",
          "ffff8801daf06c10", "[<ffffffff810a376f>]", "? ", "RIP: 0010:", " ", " ", " ", " ", "  ",
          "\t", "\r", "\x0b", "\x1c", "\x00", "\x80", "\xff"]
lines = []
for n in range(4000):
    if lines and rnd.random() < 0.3:
        line = rnd.choice(lines)
        if rnd.random() < 0.5:   # a near-repeat: one piece changed
            k = rnd.randrange(len(line) + 1)
            line = line[:k] + rnd.choice(pieces) + line[k:]
    else:
        line = "".join(rnd.choice(pieces) for _ in range(rnd.randrange(1, 14)))
    lines.append(line)
with open(sys.argv[2], "wb") as f:
    for n, line in enumerate(lines):
        prefix = "[%5d.%06d] " % (n // 100, n % 100 * 7919 % 1000000) if n % 3 else ""
        f.write((prefix + line + "\n").encode("latin-1"))
' "$T/generated-1mib.log" "$T/generated-pieces.log" || { echo "FAIL: generating the logs"; exit 1; }

for f in tests/data/*.log tests/data/cases/*.log "$T/generated-1mib.log" "$T/generated-pieces.log"; do
	name=$(echo "$f" | sed "s|^$T/||")
	"$B/panicsage" templates "$f" > "$T/out" 2>&1
	echo "rc=$?" >> "$T/out"
	echo "$(sha256sum < "$T/out" | cut -d' ' -f1)  templates $name"
	# no model: exit 5 and an unlabelled report
	"$B/panicsage-kdump" --json --no-deliver --model /nonexistent "$f" >"$T/json" 2>/dev/null
	rc=$?
	[ $rc -eq 5 ] || echo "$name: panicsage-kdump exited $rc, want 5 (no model)" >>"$T/rcs"
	sed -E 's/"timing_us":\{[^}]*\}//' "$T/json" > "$T/out"
	echo "$(sha256sum < "$T/out" | cut -d' ' -f1)  report $name"
done > "$T/sums"
if [ -s "$T/rcs" ]; then
	echo "FAIL: exit codes:"
	cat "$T/rcs"
	exit 1
fi

if [ "${1:-}" = "--update" ]; then
	cp "$T/sums" "$SUMS"
	echo "wrote $SUMS ($(wc -l < "$SUMS") sums)"
	exit 0
fi
if ! diff "$SUMS" "$T/sums" > "$T/diff"; then
	echo "FAIL: outputs changed (- expected, + now):"
	cat "$T/diff"
	exit 1
fi
echo "ok: $(wc -l < "$SUMS") outputs as recorded"
