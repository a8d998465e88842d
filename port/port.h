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
void port_close(struct port_file *f);
/* Reads up to `len` bytes at `off`; *got < len only at end of file. */
int port_pread(struct port_file *f, void *buf, size_t len, uint64_t off, size_t *got);
/* One sequential read of up to `len` bytes; *got == 0 at end of file. */
int port_read(struct port_file *f, void *buf, size_t len, size_t *got);
/* Reads a whole stream sequentially into buf.  If it holds more than
 * `cap` bytes, keeps the *last* `cap` bytes (a crash log's end is what
 * matters) and sets *dropped to the number of leading bytes skipped. */
int port_read_tail(struct port_file *f, unsigned char *buf, size_t cap,
		   size_t *len, uint64_t *dropped);

/* Writes everything, retrying on EINTR and short writes. */
int port_write_all(int fd, const void *buf, size_t len);

/* Microseconds from a monotonic clock. */
uint64_t port_now_us(void);
/* Microseconds since the Unix epoch (wall clock). */
uint64_t port_wall_us(void);

const char *port_strerror(int err);

/* Peak resident set size of this process in KiB, or 0 if unknown. */
uint64_t port_peak_rss_kib(void);

#endif
