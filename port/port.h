/* The operating-system layer: the only code that makes system calls.
 * One implementation, for Linux with glibc or musl.  Functions return
 * 0 on success or a positive errno value. */
#ifndef PS_PORT_H
#define PS_PORT_H

#include <stddef.h>
#include <stdint.h>

struct port_file {
	int fd;
	uint64_t size;     /* 0 for pipes and files that report no size */
};

/* "-" opens standard input. */
int port_open(struct port_file *f, const char *path);
/* Like port_open, but the open itself never waits: a FIFO nobody has
 * opened for writing yet opens at once.  Its reads would then see end
 * of file, so read it with port_read_tail and a deadline, which waits
 * for the first writer no longer than that. */
int port_open_nowait(struct port_file *f, const char *path);
void port_close(struct port_file *f);
/* Reads up to `len` bytes at `off`; *got < len only at end of file. */
int port_pread(struct port_file *f, void *buf, size_t len, uint64_t off, size_t *got);
/* One sequential read of up to `len` bytes; *got == 0 at end of file. */
int port_read(struct port_file *f, void *buf, size_t len, size_t *got);
/* Reads the end of a file into buf: at most `cap` bytes, the *last*
 * ones (a crash log's end is what matters); *dropped counts the leading
 * bytes skipped.  A regular file's tail is read directly; a stream is
 * read to its end, keeping the newest `cap` bytes.  With a nonzero
 * `deadline_us` (port_now_us clock), a stream still flowing then stops
 * with ETIMEDOUT, and buf holds the newest bytes read so far. */
int port_read_tail(struct port_file *f, unsigned char *buf, size_t cap,
		   size_t *len, uint64_t *dropped, uint64_t deadline_us);

/* Writes everything, retrying on EINTR and short writes. */
int port_write_all(int fd, const void *buf, size_t len);

/* Microseconds from a monotonic clock. */
uint64_t port_now_us(void);
/* Microseconds since the Unix epoch (wall clock). */
uint64_t port_wall_us(void);

const char *port_strerror(int err);

/* Peak resident set size of this process in KiB, or 0 if unknown. */
uint64_t port_peak_rss_kib(void);

/* Memory the kernel can give without swapping (MemAvailable of
 * /proc/meminfo) in KiB, or 0 if unknown. */
uint64_t port_mem_available_kib(void);
/* `len` bytes of zeroed anonymous memory for an arena, or NULL.  Pages
 * become resident only when touched, and the mapping is not charged to
 * the overcommit limit up front (MAP_NORESERVE): a large arena in .bss
 * is, so the kernel would refuse to start the program in a small
 * crashkernel= reservation.  Never unmapped (the process exits). */
void *port_map_arena(size_t len);

/* --- Sockets (upload client and collector).  Addresses are IPv4 or
 * IPv6 literals only: there is no DNS in a capture kernel.  Sockets are
 * non-blocking; every call takes a timeout in milliseconds and returns
 * ETIMEDOUT when it runs out. */
int port_tcp_connect(int *fd, const char *ip, uint16_t port, uint32_t timeout_ms);
/* Listens on ip:port (port 0 = any free port, returned in *bound). */
int port_tcp_listen(int *fd, const char *ip, uint16_t port, int backlog, uint16_t *bound);
/* One connection, or ETIMEDOUT; `peer` gets "ip:port". */
int port_tcp_accept(int lfd, int *fd, char *peer, size_t peerlen, uint32_t timeout_ms);
/* Sends at least one byte (*sent > 0) or fails. */
int port_send(int fd, const void *buf, size_t len, size_t *sent, uint32_t timeout_ms);
/* Receives at least one byte; *got == 0 means the peer closed. */
int port_recv(int fd, void *buf, size_t len, size_t *got, uint32_t timeout_ms);
void port_sock_close(int fd);
/* Splits "IP:PORT" or "[IPv6]:PORT" into ip (NUL-terminated) and port;
 * EINVAL if it is not an IP literal with a port from 1 to 65535. */
int port_parse_addr(const char *s, char *ip, size_t iplen, uint16_t *port);

/* Fills buf from the kernel's random generator (getrandom; falls back
 * to /dev/urandom before the pool is ready so a capture kernel never
 * blocks on entropy). */
int port_getrandom(void *buf, size_t len);

/* --- Files for the spool.  No allocation, no stdio. */
/* mkdir that succeeds when the directory already exists. */
int port_mkdir(const char *path, unsigned mode);
/* 1 when path is on a filesystem held in memory (tmpfs, ramfs: the
 * initramfs' own root), 0 otherwise or when it cannot be told. */
int port_on_memory_fs(const char *path);
/* Durably creates dir/name with `data`: writes dir/.name.tmp, fsyncs
 * it, renames it over dir/name and fsyncs the directory. */
int port_write_durable(const char *dir, const char *name, const void *data, size_t len);
/* Renames dir/from to dir/to (or unlinks dir/from if `to` is NULL) and
 * fsyncs the directory. */
int port_rename_durable(const char *dir, const char *from, const char *to);
/* Reads a whole file of at most `cap` bytes; EFBIG if it is larger. */
int port_read_file(const char *path, void *buf, size_t cap, size_t *len);
/* Calls fn(ctx, name) for every entry of dir except . and ..; stops
 * early when fn returns non-zero.  Uses getdents64, not opendir. */
int port_dir_each(const char *dir, int (*fn)(void *ctx, const char *name), void *ctx);
/* Sleeps for `us` microseconds. */
void port_sleep_us(uint64_t us);

#endif
