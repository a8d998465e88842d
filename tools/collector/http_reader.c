/* An HTTP/1.1 response read as it arrives: no I/O and no TLS here, so
 * tests/fuzz/fuzz_http.c feeds it arbitrary bytes in arbitrary pieces. */
#include "tools/collector/http.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Case-insensitive search for a header line's value in the head (a C
 * string: the status line and the header lines, each ending "\r\n"). */
static const char *header(const char *head, const char *name)
{
	size_t n = strlen(name);
	const char *p = strstr(head, "\r\n");

	while (p && p[2]) {
		p += 2;
		if (!strncasecmp(p, name, n) && p[n] == ':') {
			p += n + 1;
			while (*p == ' ' || *p == '\t')
				p++;
			return p;
		}
		p = strstr(p, "\r\n");
	}
	return NULL;
}

/* The offset just past the first "\r\n\r\n" that starts in b[from..to),
 * or 0. */
static size_t head_end(const char *b, size_t from, size_t to)
{
	size_t i;

	for (i = from; i + 4 <= to; i++)
		if (b[i] == '\r' && !memcmp(b + i, "\r\n\r\n", 4))
			return i + 4;
	return 0;
}

/* Decodes a chunked body b[0..len) in place (b[len] is a NUL); -1 if
 * malformed. */
static int dechunk(char *b, size_t len, size_t *out)
{
	size_t r = 0, w = 0;

	for (;;) {
		char *end;
		unsigned long n;

		if (r >= len)
			return -1;
		errno = 0;
		n = strtoul(b + r, &end, 16);
		if (errno || end == b + r)
			return -1;
		end = strstr(end, "\r\n");
		if (!end)
			return -1;
		r = (size_t)(end - b) + 2;
		if (n == 0)
			break;
		if (n > len - r || len - r - n < 2)
			return -1;
		memmove(b + w, b + r, n);
		w += n;
		r += n + 2;
	}
	b[w] = '\0';
	*out = w;
	return 0;
}

int http_reader_feed(struct http_reader *r, char *buf, size_t used)
{
	const char *v;

	if (!r->body_at) {
		/* only the new bytes (and the 3 before them) can complete the
		 * blank line after the header */
		r->body_at = head_end(buf, r->scanned >= 3 ? r->scanned - 3 : 0, used);
		r->scanned = used;
		if (r->body_at) {
			char c = buf[r->body_at - 2];

			buf[r->body_at - 2] = '\0';   /* the header alone */
			r->chunked = (v = header(buf, "Transfer-Encoding")) && !strncasecmp(v, "chunked", 7);
			r->have_length = !r->chunked && (v = header(buf, "Content-Length"));
			r->length = r->have_length ? strtoul(v, NULL, 10) : 0;
			buf[r->body_at - 2] = c;
		}
	}
	return r->have_length && used - r->body_at >= r->length;
}

const char *http_reader_finish(const struct http_reader *r, char *buf, size_t used, int *status,
			       size_t *body_len)
{
	size_t blen;

	buf[used] = '\0';
	if (used < 8 || strncmp(buf, "HTTP/1.", 7) || !r->body_at || sscanf(buf + 8, " %d", status) != 1)
		return "no HTTP response";
	blen = used - r->body_at;
	if (r->chunked) {
		if (dechunk(buf + r->body_at, blen, &blen))
			return "malformed chunked response";
	} else if (r->have_length) {
		if (r->length > blen)
			return "truncated response";
		blen = r->length;
	}
	memmove(buf, buf + r->body_at, blen);
	buf[blen] = '\0';
	*body_len = blen;
	return NULL;
}
