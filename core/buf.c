#include "core/buf.h"
#include "core/utf8.h"

#include <string.h>

void ps_buf_init(struct ps_buf *b, char *p, size_t cap)
{
	b->p = p;
	b->cap = cap;
	b->len = 0;
	b->overflow = 0;
	if (cap)
		p[0] = '\0';
	else
		b->overflow = 1;
}

void ps_buf_put(struct ps_buf *b, const void *s, size_t n)
{
	size_t room;

	if (!b->cap)
		return;
	room = b->cap - 1 - b->len;
	if (n > room) {
		n = room;
		b->overflow = 1;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

size_t ps_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int ps_starts(const char *s, size_t n, const char *prefix)
{
	size_t i;

	for (i = 0; prefix[i]; i++)
		if (i >= n || s[i] != prefix[i])
			return 0;
	return 1;
}

int ps_streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

void ps_buf_puts(struct ps_buf *b, const char *s)
{
	ps_buf_put(b, s, ps_strlen(s));
}

void ps_buf_putc(struct ps_buf *b, char c)
{
	ps_buf_put(b, &c, 1);
}

void ps_buf_u64w(struct ps_buf *b, uint64_t v, unsigned width)
{
	char tmp[24];
	size_t i = sizeof tmp;

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (sizeof tmp - i < width && i > 0)
		tmp[--i] = '0';
	ps_buf_put(b, tmp + i, sizeof tmp - i);
}

void ps_buf_u64(struct ps_buf *b, uint64_t v)
{
	ps_buf_u64w(b, v, 1);
}

void ps_buf_i64(struct ps_buf *b, int64_t v)
{
	if (v < 0) {
		ps_buf_putc(b, '-');
		ps_buf_u64(b, (uint64_t)0 - (uint64_t)v);
	} else {
		ps_buf_u64(b, (uint64_t)v);
	}
}

void ps_buf_fixed(struct ps_buf *b, double v, unsigned decimals)
{
	static const double pow10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9 };
	double scaled;
	uint64_t units;

	if (decimals > 9)
		decimals = 9;
	if (!(v == v) || v > 1e15 || v < -1e15)
		v = 0;
	if (v < 0) {
		ps_buf_putc(b, '-');
		v = -v;
	}
	scaled = v * pow10[decimals] + 0.5;
	units = (uint64_t)scaled;
	ps_buf_u64(b, units / (uint64_t)pow10[decimals]);
	if (decimals) {
		ps_buf_putc(b, '.');
		ps_buf_u64w(b, units % (uint64_t)pow10[decimals], decimals);
	}
}

static const char hexdig[] = "0123456789abcdef";

void ps_buf_printable(struct ps_buf *b, const char *s, size_t n)
{
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[4];

		if (c >= 0x20 && c < 0x7f)
			continue;
		ps_buf_put(b, s + run, i - run);
		esc[0] = '\\';
		esc[1] = 'x';
		esc[2] = hexdig[c >> 4];
		esc[3] = hexdig[c & 15];
		ps_buf_put(b, esc, 4);
		run = i + 1;
	}
	ps_buf_put(b, s + run, n - run);
}

void ps_buf_json_str(struct ps_buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0;

	ps_buf_putc(b, '"');
	while (i < n) {
		unsigned char c = u[i];
		size_t len = ps_utf8_seq(s + i, n - i);
		char esc[6];

		if (len > 1 || (len == 1 && c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)) {
			i += len;
			continue;
		}
		ps_buf_put(b, s + run, i - run);
		if (len == 0) {
			ps_buf_puts(b, "\\ufffd");
		} else if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			ps_buf_put(b, esc, 2);
		} else {
			esc[0] = '\\';
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hexdig[c >> 4];
			esc[5] = hexdig[c & 15];
			ps_buf_put(b, esc, 6);
		}
		i++;
		run = i;
	}
	ps_buf_put(b, s + run, n - run);
	ps_buf_putc(b, '"');
}
