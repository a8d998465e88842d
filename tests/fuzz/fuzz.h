/* Shared helpers of the fuzz targets (tests/fuzz/fuzz_*.c).
 *
 * Each target is one LLVMFuzzerTestOneInput over arbitrary bytes that
 * calls the real parser.  A broken invariant calls FUZZ_ASSERT, which
 * aborts with a message, so libFuzzer (or the replay runner) records
 * the input as a crash.  Inputs are copied into a heap block of
 * exactly their size, so AddressSanitizer sees any read past the end. */
#ifndef PS_FUZZ_H
#define PS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: fuzz invariant broken: %s\n", __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

/* A private copy of the input, exactly `size` bytes (1 for empty). */
static inline unsigned char *fuzz_copy(const uint8_t *data, size_t size)
{
	unsigned char *p = malloc(size ? size : 1);

	FUZZ_ASSERT(p != NULL);
	if (size)
		memcpy(p, data, size);
	return p;
}

/* A memfd holding `n` bytes, for parsers that read a file descriptor
 * (needs _GNU_SOURCE and <sys/mman.h>, <unistd.h> before this header). */
#ifdef MFD_CLOEXEC
static inline int fuzz_memfd(const void *p, size_t n)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	FUZZ_ASSERT(fd >= 0);
	FUZZ_ASSERT(n == 0 || write(fd, p, n) == (ssize_t)n);
	return fd;
}
#endif

#endif
