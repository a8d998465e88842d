/* The process: error text, peak memory. */
#define _GNU_SOURCE
#include "port/port.h"

#include <string.h>
#include <sys/resource.h>

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
