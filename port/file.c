/* Files: open, positioned and sequential reads, a log's tail, whole
 * small files, writes that finish. */
#define _GNU_SOURCE
#include "port/port.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int open_file(struct port_file *f, const char *path, int nowait)
{
	struct stat st;

	f->fd = -1;
	f->size = 0;
	if (path[0] == '-' && path[1] == '\0') {
		f->fd = STDIN_FILENO;
	} else {
		do
			f->fd = open(path, O_RDONLY | O_CLOEXEC | (nowait ? O_NONBLOCK : 0));
		while (f->fd < 0 && errno == EINTR);
		if (f->fd < 0)
			return errno;
		/* reads block again; port_read_tail bounds them with poll */
		if (nowait && fcntl(f->fd, F_SETFL, fcntl(f->fd, F_GETFL) & ~O_NONBLOCK) != 0) {
			int e = errno;

			port_close(f);
			return e;
		}
	}
	if (fstat(f->fd, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			port_close(f);
			return EISDIR;
		}
		if (S_ISREG(st.st_mode))
			f->size = (uint64_t)st.st_size;
	}
	return 0;
}

int port_open(struct port_file *f, const char *path)
{
	return open_file(f, path, 0);
}

int port_open_nowait(struct port_file *f, const char *path)
{
	return open_file(f, path, 1);
}

void port_close(struct port_file *f)
{
	if (f->fd > STDERR_FILENO)
		close(f->fd);
	f->fd = -1;
}

int port_pread(struct port_file *f, void *buf, size_t len, uint64_t off, size_t *got)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r = pread(f->fd, (char *)buf + done, len - done, (off_t)(off + done));

		if (r < 0) {
			if (errno == EINTR)
				continue;
			*got = done;
			return errno;
		}
		if (r == 0)
			break;
		done += (size_t)r;
	}
	*got = done;
	return 0;
}

int port_read(struct port_file *f, void *buf, size_t len, size_t *got)
{
	ssize_t r;

	do
		r = read(f->fd, buf, len);
	while (r < 0 && errno == EINTR);
	*got = r > 0 ? (size_t)r : 0;
	return r < 0 ? errno : 0;
}

int port_read_tail(struct port_file *f, unsigned char *buf, size_t cap,
		   size_t *len, uint64_t *dropped, uint64_t deadline_us)
{
	size_t fill = 0;      /* bytes in buf; once full, buf is a ring */
	size_t head = 0;      /* ring start once it wrapped */
	uint64_t total = 0;
	int wrapped = 0, err = 0;

	*len = 0;
	*dropped = 0;
	if (cap == 0)
		return ENOMEM;
	if (f->size) {
		/* a regular file: read just its tail */
		uint64_t off = f->size > cap ? f->size - cap : 0;
		int e = port_pread(f, buf, (size_t)(f->size - off), off, len);

		*dropped = off;
		return e;
	}
	for (;;) {
		size_t room = wrapped ? cap - head : cap - fill;
		unsigned char *dst = wrapped ? buf + head : buf + fill;
		ssize_t r;

		if (deadline_us) {
			/* wait for data no longer than the deadline allows */
			uint64_t now = port_now_us();
			struct pollfd pfd = { f->fd, POLLIN, 0 };
			int ms = now >= deadline_us ? 0 : (int)((deadline_us - now + 999) / 1000);

			if (now >= deadline_us || poll(&pfd, 1, ms) == 0) {
				err = ETIMEDOUT;
				break;
			}
		}
		r = read(f->fd, dst, room);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		if (r == 0)
			break;
		total += (uint64_t)r;
		if (wrapped) {
			head = (head + (size_t)r) % cap;
		} else {
			fill += (size_t)r;
			if (fill == cap) {
				wrapped = 1;
				head = 0;
			}
		}
	}
	if (wrapped && head) {
		/* Rotate so the oldest kept byte is first: three reversals. */
		size_t i, j;
		for (i = 0, j = head - 1; i < j; i++, j--) {
			unsigned char t = buf[i]; buf[i] = buf[j]; buf[j] = t;
		}
		for (i = head, j = cap - 1; i < j; i++, j--) {
			unsigned char t = buf[i]; buf[i] = buf[j]; buf[j] = t;
		}
		for (i = 0, j = cap - 1; i < j; i++, j--) {
			unsigned char t = buf[i]; buf[i] = buf[j]; buf[j] = t;
		}
	}
	*len = wrapped ? cap : fill;
	*dropped = total - *len;
	return err;
}

int port_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
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
