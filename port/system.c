/* The process and the running kernel: error text, peak memory,
 * release string. */
#define _GNU_SOURCE
#include "port/port.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>

const char *port_strerror(int err)
{
	return strerror(err);
}

uint64_t port_peak_rss_kib(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (uint64_t)ru.ru_maxrss;
}

int port_uname_release(char *buf, size_t cap)
{
	struct utsname u;

	if (uname(&u) != 0)
		return errno;
	if (snprintf(buf, cap, "%s", u.release) >= (int)cap)
		return ENAMETOOLONG;
	return 0;
}
