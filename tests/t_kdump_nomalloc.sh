#!/bin/sh
# The kdump upload path must not allocate: neither our objects nor the
# mbedTLS build for musl may reference malloc and friends, and the
# static binaries that contain the upload path must not link them.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
command -v nm >/dev/null || { echo "nm missing (binutils)"; exit 77; }
alloc='^(malloc|calloc|realloc|free|posix_memalign|aligned_alloc|memalign|valloc|reallocarray|strdup|strndup)$'
fails=0

for o in "$B"/musl/kdump/upload.o "$B"/musl/kdump/spool.o "$B"/musl/kdump/tls.o "$B"/musl/kdump/tls_io.o \
	 "$B"/musl/kdump/config.o "$B"/musl/port/net.o "$B"/musl/port/fs.o "$B"/musl/port/random.o "$B"/musl/port/file.o "$B"/musl/core/frame.o; do
	[ -f "$o" ] || { echo "missing $o (build first)"; exit 1; }
	refs=$(nm -u "$o" | awk '{print $2}' | grep -E "$alloc")
	if [ -n "$refs" ]; then
		echo "FAIL $o references: $refs"
		fails=$((fails + 1))
	else
		echo "ok   $o: no allocator references"
	fi
done

refs=$(nm -u "$B/mbedtls-musl/libmbedtls.a" 2>/dev/null | awk '{print $2}' | grep -E "$alloc" | sort -u)
if [ -n "$refs" ]; then
	echo "FAIL mbedTLS for musl references: $refs"
	fails=$((fails + 1))
else
	echo "ok   mbedTLS for musl: no allocator references (static buffer only)"
fi

for bin in "$B/tests/kdump-upload" "$B/panicsage-kdump"; do
	[ -f "$bin" ] || { echo "missing $bin"; exit 1; }
	defs=$(nm "$bin" | awk '$2 ~ /^[TtWw]$/ {print $3}' | grep -E "$alloc")
	if [ -n "$defs" ]; then
		echo "FAIL $bin links an allocator: $defs"
		fails=$((fails + 1))
	else
		echo "ok   $bin: no malloc linked"
	fi
done

# The check itself must be able to fail: an object that calls malloc.
printf 'void *malloc(unsigned long);\nvoid *f(void){return malloc(1);}\n' >"$B/nomalloc_probe.c"
${MUSL_CC:-musl-gcc} -c "$B/nomalloc_probe.c" -o "$B/nomalloc_probe.o"
if nm -u "$B/nomalloc_probe.o" | awk '{print $2}' | grep -qE "$alloc"; then
	echo "ok   the check detects a malloc call"
else
	echo "FAIL the check missed a malloc call"
	fails=$((fails + 1))
fi
rm -f "$B/nomalloc_probe.c" "$B/nomalloc_probe.o"

[ $fails -eq 0 ]
