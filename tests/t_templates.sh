#!/bin/sh
# panicsage templates --mask applies masks exactly as Python's re.sub
# does before Drain splits the line (checked with Python itself on
# patterns with empty matches, anchors and growth), and a line whose
# masks make it much longer than the input still parses in full.
set -uf
cd "$(dirname "$0")/.."
B=${B:-build}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
printf 'aaa bbb\nblk_123 to 10.0.0.1:50010\n  x1 y22 z333  \nabc\n' > "$T/in.txt"
fail=0
for masks in 'x*|b*' '^a|[0-9]+' 'blk_-?[0-9]+|([0-9]+\.){3}[0-9]+(:[0-9]+)?' '[0-9]*'; do
	set --
	old_ifs=$IFS; IFS='|'
	for m in $masks; do set -- "$@" --mask "$m"; done
	IFS=$old_ifs
	# one line per file: every line is its own cluster, so the template
	# is the masked line itself
	n=0
	while IFS= read -r line; do
		n=$((n + 1))
		printf '%s\n' "$line" > "$T/l$n"
		got=$($B/panicsage templates "$@" "$T/l$n") || { echo "FAIL: exit $?"; fail=1; }
		want=$(/usr/bin/python3 -c '
import re, sys
s = sys.argv[1].strip()
for m in sys.argv[2].split("|"):
    s = re.sub(m, "<*>", s)
print(" ".join(s.split()))' "$line" "$masks")
		if [ "$got" != "$want" ]; then
			echo "FAIL: masks $masks on '$line': got '$got', Python gives '$want'"
			fail=1
		fi
	done < "$T/in.txt"
done
[ $fail -eq 0 ] && echo "ok: masks agree with Python's re.sub"

# log text reaches the terminal escaped (an OSC title, a screen clear,
# a C1 CSI); UTF-8 text passes
printf 'BUG: \033]0;owned\007 here\nBUG: \033[2J caf\303\251 \302\23331m\n' >"$T/esc.log"
$B/panicsage templates "$T/esc.log" >"$T/out" || { echo "FAIL: templates on escapes: exit $?"; fail=1; }
if LC_ALL=C grep -q "$(printf '\033\\|\007\\|\302\233')" "$T/out" ||
   ! grep -qF 'BUG: \x1b]' "$T/out" || ! grep -qF "caf$(printf '\303\251')" "$T/out"; then
	echo "FAIL: templates printed control characters raw: $(cat -v "$T/out")"; fail=1
else
	echo "ok: templates escapes control characters"
fi
exit $fail
