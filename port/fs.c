/* Directories and durable files for the spool: mkdir, "is this
 * memory?", write-fsync-rename, listing without opendir (musl's
 * allocates). */
#define _GNU_SOURCE
#include "port/port.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#define PORT_PATH_MAX 4096

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
