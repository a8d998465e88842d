/* Output in kexec-tools vmcore-dmesg's format: "[%5lu.%06lu] " before
 * each record's text, bytes that are neither printable nor whitespace
 * (C locale isprint/isspace) as "\xNN", a newline after it. */
#include "kdump/vmcore/vmcore_int.h"

#include <string.h>

void out_flush(struct vm_out *o)
{
	if (o->len && !o->status)
		o->status = o->sink(o->ctx, o->buf, o->len);
	o->len = 0;
}

void out_raw(struct vm_out *o, const void *p, size_t n)
{
	const char *s = p;

	while (n && !o->status) {
		size_t room = o->cap - o->len, take = n < room ? n : room;

		memcpy(o->buf + o->len, s, take);
		o->len += take;
		s += take;
		n -= take;
		if (o->len == o->cap)
			out_flush(o);
	}
}

void out_ts(struct vm_out *o, uint64_t ts_nsec)
{
	char tmp[40];
	size_t i = sizeof tmp;
	uint64_t sec = ts_nsec / 1000000000u, usec = ts_nsec % 1000000000u / 1000u;
	int d;

	tmp[--i] = ' ';
	tmp[--i] = ']';
	for (d = 0; d < 6; d++) {
		tmp[--i] = (char)('0' + usec % 10);
		usec /= 10;
	}
	tmp[--i] = '.';
	d = 0;
	do {
		tmp[--i] = (char)('0' + sec % 10);
		sec /= 10;
		d++;
	} while (sec);
	for (; d < 5; d++)
		tmp[--i] = ' ';
	tmp[--i] = '[';
	out_raw(o, tmp + i, sizeof tmp - i);
}

static int shown_as_is(unsigned c)
{
	return (c >= 0x20 && c < 0x7f) || (c >= '\t' && c <= '\r');
}

void out_text(struct vm_out *o, const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0;

	while (i < n && !o->status) {
		size_t run = i;

		/* copy a run of bytes shown as they are in one go */
		while (run < n && shown_as_is(p[run]))
			run++;
		if (run > i) {
			out_raw(o, p + i, run - i);
			i = run;
			continue;
		}
		if (o->cap - o->len < 4)
			out_flush(o);
		if (o->status)
			break;
		o->buf[o->len++] = '\\';
		o->buf[o->len++] = 'x';
		o->buf[o->len++] = hex[p[i] >> 4];
		o->buf[o->len++] = hex[p[i] & 15];
		i++;
	}
}

int out_record_from(struct vmcore *vm, struct vm_out *o, int w, uint64_t ts_nsec,
		    uint64_t va, size_t text_len)
{
	unsigned char chunk[512];
	int rc = VM_OK;

	/* both ends readable first, so a record in a hole prints nothing */
	if (text_len && ((rc = vm_read(vm, w, va + text_len - 1, chunk, 1)) ||
			 (rc = vm_read(vm, w, va, chunk, 1))))
		return rc;
	out_ts(o, ts_nsec);
	while (text_len && !o->status) {
		size_t take = text_len < sizeof chunk ? text_len : sizeof chunk;

		rc = vm_read(vm, w, va, chunk, take);
		if (rc)
			break;
		out_text(o, chunk, take);
		va += take;
		text_len -= take;
	}
	out_raw(o, "\n", 1);
	return rc;
}
