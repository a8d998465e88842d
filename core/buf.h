/* Append-only text output into a caller-provided buffer.  Writes past
 * the end are dropped and flagged; the text stays NUL-terminated. */
#ifndef PS_BUF_H
#define PS_BUF_H

#include <stddef.h>
#include <stdint.h>

struct ps_buf {
	char *p;
	size_t cap;       /* bytes available, including the NUL */
	size_t len;
	int overflow;     /* set once anything was dropped */
};

void ps_buf_init(struct ps_buf *b, char *p, size_t cap);
void ps_buf_put(struct ps_buf *b, const void *s, size_t n);
void ps_buf_puts(struct ps_buf *b, const char *s);
void ps_buf_putc(struct ps_buf *b, char c);
void ps_buf_u64(struct ps_buf *b, uint64_t v);
void ps_buf_i64(struct ps_buf *b, int64_t v);
/* Zero-padded decimal of at least `width` digits. */
void ps_buf_u64w(struct ps_buf *b, uint64_t v, unsigned width);
/* Fixed-point decimal with `decimals` digits after the point (0-9),
 * correctly rounded to that many digits; NaN and infinities print as 0. */
void ps_buf_fixed(struct ps_buf *b, double v, unsigned decimals);
/* Text for a console: printable ASCII as is, other bytes as \xNN. */
void ps_buf_printable(struct ps_buf *b, const char *s, size_t n);
/* A JSON string literal, quotes included.  Valid UTF-8 passes through,
 * control characters are escaped and invalid bytes become U+FFFD. */
void ps_buf_json_str(struct ps_buf *b, const char *s, size_t n);

/* Length of a NUL-terminated string (core has no libc string.h users
 * beyond the mem* functions). */
size_t ps_strlen(const char *s);
int ps_streq(const char *a, const char *b);
/* 1 when s[0..n) begins with the NUL-terminated prefix, else 0. */
int ps_starts(const char *s, size_t n, const char *prefix);

#endif
