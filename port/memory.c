/* Memory: the arena of a program that must not allocate, and how much
 * the machine can still give. */
#define _GNU_SOURCE
#include "port/port.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

uint64_t port_mem_available_kib(void)
{
	char buf[4096];
	const char *p;
	uint64_t kib = 0;
	ssize_t n;
	int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strstr(buf, "MemAvailable:");
	if (!p)
		return 0;
	for (p += 13; *p == ' '; p++)
		;
	for (; *p >= '0' && *p <= '9' && kib < (UINT64_MAX - 9) / 10; p++)
		kib = kib * 10 + (uint64_t)(*p - '0');
	return kib;
}

void *port_map_arena(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}
