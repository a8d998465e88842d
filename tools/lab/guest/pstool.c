// SPDX-License-Identifier: GPL-2.0-only OR Apache-2.0
/*
 * pstool - userspace helper of the panicsage QEMU lab (static, musl).
 * The lab installs it under several ordinary program names (the name is
 * the process's comm in the log), so it never names a fault kind.
 *
 *   pstool hog CHUNK_KB     allocate and touch memory until killed
 *   pstool burn SECONDS     spin on the CPU
 *   pstool segv             write through a NULL pointer
 *   pstool abort            raise SIGABRT
 * Exit codes: 0 done, 2 usage.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int usage(void)
{
	fputs("usage: pstool hog KB | burn SECONDS | segv | abort\n", stderr);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "hog") == 0 && argc == 3) {
		size_t chunk = (size_t)strtoul(argv[2], NULL, 10) * 1024;
		if (chunk == 0)
			return usage();
		for (;;) {
			char *p = malloc(chunk);
			if (p)
				memset(p, 0x5a, chunk);
		}
	}
	if (strcmp(argv[1], "burn") == 0 && argc == 3) {
		time_t end = time(NULL) + strtol(argv[2], NULL, 10);
		volatile unsigned long x = 1;
		while (time(NULL) < end)
			x = x * 6364136223846793005UL + 1;
		return 0;
	}
	if (strcmp(argv[1], "segv") == 0) {
		volatile int *p = NULL;
		*p = 1;
	}
	if (strcmp(argv[1], "abort") == 0)
		abort();
	return usage();
}
