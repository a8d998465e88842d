/* TCP sockets for the upload client and the collector: IP literals
 * only (no getaddrinfo: it allocates, and a capture kernel has no DNS),
 * non-blocking, every call with a timeout. */
#define _GNU_SOURCE
#include "port/port.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>


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
