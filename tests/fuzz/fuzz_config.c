/* fuzz_config: the capture kernel's upload settings parser
 * (kdump/config.c): the kdump.conf file and the kernel command line,
 * both read in the capture kernel from places an operator (or a broken
 * initramfs) may have filled with anything.
 *
 * The bytes before the first NUL are the file (through a memfd), the
 * rest the command line.  Invariants: kdump_config_load returns 0 or a
 * documented exit code with a message; every string in the result is
 * NUL-terminated inside its field; a collector port is set only with an
 * address; the numeric settings stay in their documented ranges. */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"

#include "core/exitcode.h"
#include "kdump/upload.h"

#define TERMINATED(field) (memchr((field), '\0', sizeof (field)) != NULL)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kdump_config cfg;
	const uint8_t *nul = memchr(data, '\0', size);
	size_t flen = nul ? (size_t)(nul - data) : size;
	char path[64], msg[512], *cmdline;
	int fd, rc;

	fd = fuzz_memfd(data, flen);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	/* the command line: what follows the NUL, as a C string */
	cmdline = malloc(nul ? size - flen : 1);
	FUZZ_ASSERT(cmdline != NULL);
	if (nul)
		memcpy(cmdline, nul + 1, size - flen - 1);
	cmdline[nul ? size - flen - 1 : 0] = '\0';

	memset(&cfg, 0xa5, sizeof cfg);
	msg[0] = '\0';
	rc = kdump_config_load(&cfg, path, cmdline, msg, sizeof msg);
	FUZZ_ASSERT(rc == PS_EXIT_OK || rc == PS_EXIT_USAGE || rc == PS_EXIT_IO);
	FUZZ_ASSERT(TERMINATED(msg));
	if (rc != PS_EXIT_OK)
		FUZZ_ASSERT(msg[0] != '\0');
	FUZZ_ASSERT(TERMINATED(cfg.collector_ip) && TERMINATED(cfg.cert) && TERMINATED(cfg.key) &&
		    TERMINATED(cfg.spool) && TERMINATED(cfg.machine_id));
	FUZZ_ASSERT(cfg.collector_port == 0 || cfg.collector_ip[0] != '\0');
	FUZZ_ASSERT(cfg.retries >= 1 && cfg.retries <= 20);
	FUZZ_ASSERT(cfg.spool_max_cases >= 1 && cfg.spool_max_cases <= 100000);
	FUZZ_ASSERT(cfg.spool_max_bytes >= 1);
	free(cmdline);
	close(fd);
	return 0;
}
