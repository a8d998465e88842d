/* fuzz_vmcore: the vmcore reader (kdump/vmcore/vmcore.h) on arbitrary bytes
 * as the file /proc/vmcore would be.
 *
 * The bytes go into a memfd (the reader takes a port_file and reads it
 * with pread); then vmcore_probe, vmcore_vmcoreinfo and
 * vmcore_dmesg_buf run with the full scratch arena, and
 * vmcore_dmesg_buf again with the smallest one the reader supports and
 * a small output buffer.  Invariants: no crash or hang (libFuzzer's
 * -timeout), outputs within their buffers and NUL-terminated, a status
 * the header documents, and an error message whenever it fails. */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"

#include "core/arena.h"
#include "core/status.h"
#include "kdump/vmcore/vmcore.h"
#include "port/port.h"

#define OUT_CAP (1u << 20)
#define SMALL_OUT 512u

static unsigned char *scratch;
static char *out;

static void check(int rc, const struct vmcore_stats *st, const char *buf, size_t len, size_t cap)
{
	FUZZ_ASSERT(rc == PS_OK || rc == PS_EFORMAT || rc == PS_ENOMEM);
	FUZZ_ASSERT(memchr(st->warning, '\0', sizeof st->warning) != NULL);
	FUZZ_ASSERT(memchr(st->error, '\0', sizeof st->error) != NULL);
	FUZZ_ASSERT(memchr(st->release, '\0', sizeof st->release) != NULL);
	if (rc == PS_EFORMAT)
		FUZZ_ASSERT(st->error[0] != '\0');
	FUZZ_ASSERT(len < cap && buf[len] == '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmcore_stats st;
	struct port_file f;
	struct ps_arena a;
	size_t len;
	int fd, rc;

	if (!scratch) {
		scratch = malloc(VMCORE_SCRATCH_SIZE);
		out = malloc(OUT_CAP);
		FUZZ_ASSERT(scratch && out);
	}
	(void)vmcore_probe(data, size);
	fd = fuzz_memfd(data, size);
	f.fd = fd;
	f.size = size;

	memset(&st, 0, sizeof st);
	ps_arena_init(&a, scratch, VMCORE_SCRATCH_SIZE);
	rc = vmcore_vmcoreinfo(&f, &a, out, OUT_CAP, &len, &st);
	check(rc, &st, out, len, OUT_CAP);
	FUZZ_ASSERT(a.used == 0);   /* scratch is given back */

	memset(&st, 0, sizeof st);
	ps_arena_init(&a, scratch, VMCORE_SCRATCH_SIZE);
	rc = vmcore_dmesg_buf(&f, &a, out, OUT_CAP, &len, &st);
	check(rc, &st, out, len, OUT_CAP);
	FUZZ_ASSERT(a.used == 0);

	/* the smallest scratch and a small output: the newest text kept */
	memset(&st, 0, sizeof st);
	ps_arena_init(&a, scratch, VMCORE_SCRATCH_MIN);
	rc = vmcore_dmesg_buf(&f, &a, out, SMALL_OUT, &len, &st);
	check(rc, &st, out, len, SMALL_OUT);

	close(fd);
	return 0;
}
