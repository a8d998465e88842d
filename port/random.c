/* Entropy for TLS: getrandom without blocking, /dev/urandom before the
 * pool is ready (a capture kernel must never wait for entropy). */
#define _GNU_SOURCE
#include "port/port.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef GRND_NONBLOCK
#define GRND_NONBLOCK 0x0001
#endif

static int read_fully(int fd, unsigned char *p, size_t len)
{
	while (len) {
		ssize_t r = read(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? errno : EIO;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int port_getrandom(void *buf, size_t len)
{
	unsigned char *p = buf;
	size_t left = len;
	int fd, err;

	while (left) {
		long r = syscall(SYS_getrandom, p, left, GRND_NONBLOCK);

		if (r > 0) {
			p += r;
			left -= (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		break;   /* EAGAIN (pool not ready yet) or ENOSYS: use urandom */
	}
	if (!left)
		return 0;
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	err = read_fully(fd, p, left);
	close(fd);
	return err;
}
