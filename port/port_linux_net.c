/* Linux sockets, entropy and spool files for the upload path.  No
 * allocation anywhere (musl's opendir and getaddrinfo allocate, so
 * neither is used). */
#define _GNU_SOURCE
#include "port/port.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#ifndef GRND_NONBLOCK
#define GRND_NONBLOCK 0x0001
#endif

#define PORT_PATH_MAX 4096

union port_sockaddr {
	struct sockaddr sa;
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
	struct sockaddr_storage ss;
};

static int make_addr(const char *ip, uint16_t port, union port_sockaddr *a, socklen_t *len)
{
	memset(a, 0, sizeof *a);
	if (inet_pton(AF_INET, ip, &a->in4.sin_addr) == 1) {
		a->in4.sin_family = AF_INET;
		a->in4.sin_port = htons(port);
		*len = sizeof a->in4;
		return 0;
	}
	if (inet_pton(AF_INET6, ip, &a->in6.sin6_addr) == 1) {
		a->in6.sin6_family = AF_INET6;
		a->in6.sin6_port = htons(port);
		*len = sizeof a->in6;
		return 0;
	}
	return EINVAL;
}

int port_parse_addr(const char *s, char *ip, size_t iplen, uint16_t *port)
{
	const char *colon, *start = s, *end;
	unsigned long v = 0;
	union port_sockaddr a;
	socklen_t alen;
	size_t n;

	if (s[0] == '[') {
		end = strchr(s, ']');
		if (!end || end[1] != ':')
			return EINVAL;
		start = s + 1;
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return EINVAL;
		end = colon;
	}
	n = (size_t)(end - start);
	if (n == 0 || n >= iplen)
		return EINVAL;
	if (!colon[1] || strlen(colon + 1) > 5)
		return EINVAL;
	for (const char *p = colon + 1; *p; p++) {
		if (*p < '0' || *p > '9')
			return EINVAL;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v < 1 || v > 65535)
		return EINVAL;
	{
		/* Checked in a copy: the outputs change only on success. */
		char tmp[INET6_ADDRSTRLEN + 8];
		if (n >= sizeof tmp)
			return EINVAL;
		memcpy(tmp, start, n);
		tmp[n] = '\0';
		if (make_addr(tmp, 1, &a, &alen))
			return EINVAL;
		memcpy(ip, tmp, n + 1);
	}
	*port = (uint16_t)v;
	return 0;
}

static int wait_fd(int fd, short events, uint32_t timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	uint64_t end = port_now_us() + (uint64_t)timeout_ms * 1000u;

	for (;;) {
		uint64_t now = port_now_us();
		int left = now >= end ? 0 : (int)((end - now + 999) / 1000);
		int r = poll(&p, 1, left);

		if (r > 0)
			return 0;
		if (r == 0)
			return ETIMEDOUT;
		if (errno != EINTR)
			return errno;
	}
}

static int new_socket(int family)
{
	return socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

int port_tcp_connect(int *fd, const char *ip, uint16_t port, uint32_t timeout_ms)
{
	union port_sockaddr a;
	socklen_t alen;
	int s, err = 0, one = 1;
	socklen_t elen = sizeof err;

	*fd = -1;
	if (make_addr(ip, port, &a, &alen))
		return EINVAL;
	s = new_socket(a.sa.sa_family);
	if (s < 0)
		return errno;
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(s, &a.sa, alen) != 0) {
		if (errno != EINPROGRESS && errno != EINTR) {
			err = errno;
			close(s);
			return err;
		}
		err = wait_fd(s, POLLOUT, timeout_ms);
		if (!err && getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &elen) != 0)
			err = errno;
		if (err) {
			close(s);
			return err;
		}
	}
	*fd = s;
	return 0;
}

int port_tcp_listen(int *fd, const char *ip, uint16_t port, int backlog, uint16_t *bound)
{
	union port_sockaddr a;
	socklen_t alen;
	int s, err, one = 1;

	*fd = -1;
	if (make_addr(ip, port, &a, &alen))
		return EINVAL;
	s = new_socket(a.sa.sa_family);
	if (s < 0)
		return errno;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(s, &a.sa, alen) != 0 || listen(s, backlog) != 0) {
		err = errno;
		close(s);
		return err;
	}
	if (bound) {
		alen = sizeof a;
		if (getsockname(s, &a.sa, &alen) != 0) {
			err = errno;
			close(s);
			return err;
		}
		*bound = ntohs(a.sa.sa_family == AF_INET ? a.in4.sin_port : a.in6.sin6_port);
	}
	*fd = s;
	return 0;
}

int port_tcp_accept(int lfd, int *fd, char *peer, size_t peerlen, uint32_t timeout_ms)
{
	union port_sockaddr a;
	socklen_t alen = sizeof a;
	char ip[INET6_ADDRSTRLEN] = "?";
	int s, err, one = 1;

	*fd = -1;
	err = wait_fd(lfd, POLLIN, timeout_ms);
	if (err)
		return err;
	s = accept4(lfd, &a.sa, &alen, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (s < 0)
		return errno == EAGAIN ? ETIMEDOUT : errno;
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (peer && peerlen) {
		if (a.sa.sa_family == AF_INET) {
			inet_ntop(AF_INET, &a.in4.sin_addr, ip, sizeof ip);
			snprintf(peer, peerlen, "%s:%u", ip, ntohs(a.in4.sin_port));
		} else if (a.sa.sa_family == AF_INET6) {
			inet_ntop(AF_INET6, &a.in6.sin6_addr, ip, sizeof ip);
			snprintf(peer, peerlen, "[%s]:%u", ip, ntohs(a.in6.sin6_port));
		} else {
			snprintf(peer, peerlen, "?");
		}
	}
	*fd = s;
	return 0;
}

int port_send(int fd, const void *buf, size_t len, size_t *sent, uint32_t timeout_ms)
{
	*sent = 0;
	for (;;) {
		ssize_t w = send(fd, buf, len, MSG_NOSIGNAL);
		int err;

		if (w >= 0) {
			*sent = (size_t)w;
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return errno;
		err = wait_fd(fd, POLLOUT, timeout_ms);
		if (err)
			return err;
	}
}

int port_recv(int fd, void *buf, size_t len, size_t *got, uint32_t timeout_ms)
{
	*got = 0;
	for (;;) {
		ssize_t r = recv(fd, buf, len, 0);
		int err;

		if (r >= 0) {
			*got = (size_t)r;
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return errno;
		err = wait_fd(fd, POLLIN, timeout_ms);
		if (err)
			return err;
	}
}

void port_sock_close(int fd)
{
	if (fd >= 0)
		close(fd);
}

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

int port_mkdir(const char *path, unsigned mode)
{
	struct stat st;

	if (mkdir(path, (mode_t)mode) == 0)
		return 0;
	if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	return errno == EEXIST ? ENOTDIR : errno;
}

int port_on_memory_fs(const char *path)
{
	struct statfs st;

	if (statfs(path, &st) != 0)
		return 0;
	/* TMPFS_MAGIC, RAMFS_MAGIC (linux/magic.h) */
	return st.f_type == 0x01021994 || st.f_type == (long)0x858458f6;
}

static int join(char *out, const char *dir, const char *name)
{
	int n = snprintf(out, PORT_PATH_MAX, "%s/%s", dir, name);

	return n < 0 || n >= PORT_PATH_MAX ? ENAMETOOLONG : 0;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return errno;
	/* Some file systems (tmpfs on old kernels) refuse fsync on a
	 * directory; that is not an error for them. */
	if (fsync(fd) != 0 && errno != EINVAL && errno != EROFS)
		err = errno;
	close(fd);
	return err;
}

int port_write_durable(const char *dir, const char *name, const void *data, size_t len)
{
	char tmp[PORT_PATH_MAX], dst[PORT_PATH_MAX], tname[256];
	int fd, err;

	if (snprintf(tname, sizeof tname, ".%s.tmp", name) >= (int)sizeof tname)
		return ENAMETOOLONG;
	if ((err = join(tmp, dir, tname)) || (err = join(dst, dir, name)))
		return err;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno;
	err = port_write_all(fd, data, len);
	if (!err && fsync(fd) != 0)
		err = errno;
	if (close(fd) != 0 && !err)
		err = errno;
	if (!err && rename(tmp, dst) != 0)
		err = errno;
	if (err) {
		unlink(tmp);
		return err;
	}
	return fsync_dir(dir);
}

int port_rename_durable(const char *dir, const char *from, const char *to)
{
	char a[PORT_PATH_MAX], b[PORT_PATH_MAX];
	int err;

	if ((err = join(a, dir, from)))
		return err;
	if (to) {
		if ((err = join(b, dir, to)))
			return err;
		if (rename(a, b) != 0)
			return errno;
	} else if (unlink(a) != 0) {
		return errno;
	}
	return fsync_dir(dir);
}

int port_read_file(const char *path, void *buf, size_t cap, size_t *len)
{
	struct port_file f;
	size_t got = 0, n;
	char extra;
	int err = port_open(&f, path);

	*len = 0;
	if (err)
		return err;
	while (got < cap) {
		err = port_read(&f, (char *)buf + got, cap - got, &n);
		if (err || n == 0)
			break;
		got += n;
	}
	if (!err && got == cap) {
		err = port_read(&f, &extra, 1, &n);
		if (!err && n)
			err = EFBIG;
	}
	port_close(&f);
	*len = got;
	return err;
}

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

int port_dir_each(const char *dir, int (*fn)(void *ctx, const char *name), void *ctx)
{
	/* long-aligned as the kernel requires */
	long buf[1024];
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), err = 0, stop = 0;

	if (fd < 0)
		return errno;
	while (!stop) {
		long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
		long off = 0;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			break;
		}
		if (n == 0)
			break;
		while (off < n && !stop) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)((char *)buf + off);

			if (d->d_reclen == 0)
				break;
			off += d->d_reclen;
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
				continue;
			stop = fn(ctx, d->d_name);
		}
	}
	close(fd);
	return err;
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

void port_sleep_us(uint64_t us)
{
	struct timespec ts = { (time_t)(us / 1000000u), (long)(us % 1000000u) * 1000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}
