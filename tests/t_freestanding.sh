#!/bin/sh
# core/ never allocates and never call the OS: their object
# files may reference no symbol outside themselves except the mem*
# functions, and its sources include only freestanding headers and
# nothing from another top-level folder.
# panicsage-kdump must be a static binary.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
fail=0

allowed='^(memcpy|memset|memmove|memcmp)$'
check_dir() {
	objs=$(ls "$1"/core/*.o 2>/dev/null)
	# nm reads the aarch64 objects too (generic ELF)
	[ -n "$objs" ] || { echo "no objects under $1"; return 1; }
	defined=$(nm --defined-only $objs | awk 'NF == 3 {print $3}' | sort -u)
	undefined=$(nm -u $objs | awk 'NF >= 2 {print $2}' | sort -u)
	bad=""
	for s in $undefined; do
		echo "$defined" | grep -qx "$s" && continue
		echo "$s" | grep -Eq "$allowed" && continue
		bad="$bad $s"
	done
	if [ -n "$bad" ]; then
		echo "FAIL: $1 core objects reference outside symbols:$bad"
		return 1
	fi
	echo "ok: $1 core objects reference only:$(echo "$undefined" | grep -E "$allowed" | tr '\n' ' ')"
}

check_dir "$B/host" || fail=1
check_dir "$B/musl" || fail=1
check_dir "$B/arm64/obj" || fail=1

# headers: only the freestanding set (plus string.h for mem*)
hdrs=$(grep -h '^#include <' core/*.c core/*.h 2>/dev/null | sort -u |
	grep -Ev '<(stdint|stddef|stdbool|limits|float|stdarg|string)\.h>')
if [ -n "$hdrs" ]; then
	echo "FAIL: core/ includes non-freestanding headers: $hdrs"
	fail=1
fi
# and nothing from another top-level folder (no module cycle)
if grep -n '^#include "' core/*.c core/*.h | grep -v '#include "core/'; then
	echo "FAIL: core/ includes files from outside core/"
	fail=1
fi

# the self-check must be able to fail: a probe object calling malloc
probe=$(mktemp -d)
printf '#include <stdlib.h>\nvoid *probe(void) { return malloc(1); }\n' > "$probe/p.c"
cc -c "$probe/p.c" -o "$probe/p.o"
if ! nm -u "$probe/p.o" | grep -q malloc; then
	echo "FAIL: nm does not show a malloc reference in the probe object"
	fail=1
fi
rm -rf "$probe"

# static capture-kernel binaries, x86_64 and aarch64
for k in "$B/panicsage-kdump" "$B/arm64/panicsage-kdump"; do
	if [ ! -x "$k" ]; then
		echo "FAIL: $k missing"
		fail=1
	elif readelf -l "$k" | grep -q INTERP || readelf -d "$k" 2>/dev/null | grep -q NEEDED; then
		echo "FAIL: $k is dynamically linked"
		fail=1
	else
		echo "ok: $k is static ($(wc -c < "$k") bytes)"
	fi
done
exit $fail
