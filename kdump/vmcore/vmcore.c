/* The vmcore reader's entry points: format detection, streaming, and
 * the keep-the-newest-text buffer. */
#include "kdump/vmcore/vmcore_int.h"

#include <string.h>

#include "core/status.h"

#define OUT_BUF 4096

int vmcore_probe(const void *head, size_t n)
{
	const unsigned char *p = head;
	unsigned type;

	if (!p || n < 18 || memcmp(p, "\177ELF", 4) || (p[4] != 1 && p[4] != 2))
		return 0;
	if (p[5] == 1)
		type = p[16] | (unsigned)p[17] << 8;
	else if (p[5] == 2)
		type = (unsigned)p[16] << 8 | p[17];
	else
		return 0;
	return type == 4;   /* ET_CORE */
}

static int nomem(struct vmcore_stats *st, const struct ps_arena *a)
{
	vm_fmt(st->error, sizeof st->error,
	       "scratch memory too small (%u bytes; the vmcore reader needs about %u)",
	       (unsigned long long)a->size, (unsigned long long)VMCORE_SCRATCH_MIN);
	return PS_ENOMEM;
}

int vmcore_dmesg_stream(struct port_file *f, struct ps_arena *scratch,
			int (*sink)(void *ctx, const char *s, size_t n), void *ctx,
			struct vmcore_stats *st)
{
	size_t mark = ps_arena_mark(scratch);
	struct vmcore vm;
	struct vm_out o;
	uint64_t sym;
	int rc;

	memset(st, 0, sizeof *st);
	memset(&o, 0, sizeof o);
	rc = vm_open(&vm, f, scratch, st);
	if (rc == PS_ENOMEM)
		rc = nomem(st, scratch);
	if (rc)
		goto out;
	o.buf = ps_arena_alloc(scratch, OUT_BUF, 16);
	if (!o.buf) {
		rc = nomem(st, scratch);
		goto out;
	}
	o.cap = OUT_BUF;
	o.sink = sink;
	o.ctx = ctx;

	/* the same order as vmcore-dmesg: prb, then log_first_idx, then log_end */
	if (vm_info_hex(&vm, "SYMBOL(prb)", &sym)) {
		st->format = VMCORE_FMT_LOCKLESS;
		rc = printk_lockless(&vm, &o);
	} else if (vm_info_hex(&vm, "SYMBOL(log_first_idx)", &sym)) {
		st->format = VMCORE_FMT_STRUCTURED;
		rc = printk_structured(&vm, &o);
	} else if (vm_info_hex(&vm, "SYMBOL(log_buf)", &sym)) {
		st->format = VMCORE_FMT_PLAIN;
		rc = printk_plain(&vm, &o);
	} else {
		rc = vm_fail(&vm, "VMCOREINFO names no kernel log (no SYMBOL(prb) or "
			     "SYMBOL(log_buf))");
	}
	out_flush(&o);
	if (o.status)
		rc = o.status;
	if (rc == PS_OK && vm.truncated)
		vm_warn(&vm, "the file is shorter than its PT_LOAD headers say (truncated "
			"dump?), though the log was readable");
out:
	ps_arena_release(scratch, mark);
	return rc;
}

/* A ring over the caller's buffer: once full, new text overwrites the
 * oldest.  last_evicted is the byte just before the kept text, to tell
 * whether the kept text starts at a line start. */
struct tail_ring {
	char *p;
	size_t cap;       /* usable bytes (caller's cap - 1 for the NUL) */
	size_t fill, head;
	uint64_t total;
	char last_evicted;
};

static int tail_put(void *ctx, const char *s, size_t n)
{
	struct tail_ring *r = ctx;

	r->total += n;
	if (!r->cap) {
		if (n)
			r->last_evicted = s[n - 1];
		return 0;
	}
	while (n) {
		size_t take;

		if (r->fill < r->cap) {
			take = r->cap - r->fill < n ? r->cap - r->fill : n;
			memcpy(r->p + r->fill, s, take);
			r->fill += take;
		} else {
			take = r->cap - r->head < n ? r->cap - r->head : n;
			r->last_evicted = r->p[r->head + take - 1];
			memcpy(r->p + r->head, s, take);
			r->head = (r->head + take) % r->cap;
		}
		s += take;
		n -= take;
	}
	return 0;
}

static void reverse(char *p, size_t i, size_t j)
{
	while (i + 1 < j) {
		char t = p[i];

		p[i++] = p[--j];
		p[j] = t;
	}
}

/* Puts the ring in order and cuts the partial oldest line. */
static size_t tail_finish(struct tail_ring *r, struct vmcore_stats *st)
{
	size_t len = r->fill;

	if (r->head) {
		/* rotate left by head: three reversals */
		reverse(r->p, 0, r->head);
		reverse(r->p, r->head, r->cap);
		reverse(r->p, 0, r->cap);
	}
	if (r->total > len && len && r->last_evicted != '\n') {
		const char *nl = memchr(r->p, '\n', len);

		if (nl) {
			size_t cut = (size_t)(nl - r->p) + 1;

			memmove(r->p, r->p + cut, len - cut);
			len -= cut;
		} else if (!st->warning[0]) {
			vm_fmt(st->warning, sizeof st->warning,
			       "the newest line alone exceeds the output buffer; keeping its end");
		}
	}
	st->dropped_bytes = r->total - len;
	return len;
}

int vmcore_dmesg_buf(struct port_file *f, struct ps_arena *scratch,
		     char *out, size_t cap, size_t *len, struct vmcore_stats *st)
{
	struct tail_ring r;
	int rc;

	memset(&r, 0, sizeof r);
	r.p = out;
	r.cap = cap ? cap - 1 : 0;
	*len = 0;
	rc = vmcore_dmesg_stream(f, scratch, tail_put, &r, st);
	if (rc == PS_OK || r.total) {
		*len = tail_finish(&r, st);
		if (cap)
			out[*len] = '\0';
	} else if (cap) {
		out[0] = '\0';
	}
	return rc;
}

int vmcore_vmcoreinfo(struct port_file *f, struct ps_arena *scratch,
		      char *out, size_t cap, size_t *len, struct vmcore_stats *st)
{
	size_t mark = ps_arena_mark(scratch);
	struct vmcore vm;
	int rc;

	memset(st, 0, sizeof *st);
	*len = 0;
	if (cap)
		out[0] = '\0';
	rc = vm_open(&vm, f, scratch, st);
	if (rc == PS_ENOMEM)
		rc = nomem(st, scratch);
	if (rc == PS_OK && cap) {
		size_t n = vm.info_len < cap - 1 ? vm.info_len : cap - 1;

		/* the note may be padded with NULs */
		while (n && vm.info[n - 1] == '\0')
			n--;
		memcpy(out, vm.info, n);
		out[n] = '\0';
		*len = n;
	}
	ps_arena_release(scratch, mark);
	return rc;
}
