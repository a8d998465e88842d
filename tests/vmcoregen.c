/* vmcoregen: synthetic ELF vmcores for the vmcore reader's tests.
 * See tests/vmcoregen.h.  Build with -DVMCOREGEN_NO_MAIN to use it as a
 * library (the unit tests #include this file). */
#include "tests/vmcoregen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- little helpers ------------------------------------------------ */

struct bytes {
	unsigned char *p;
	size_t len, cap;
};

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q) {
		fputs("vmcoregen: out of memory\n", stderr);
		exit(1);
	}
	return q;
}

static void b_reserve(struct bytes *b, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = xrealloc(b->p, b->cap);
	}
}

static void b_put(struct bytes *b, const void *s, size_t n)
{
	b_reserve(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void b_zero(struct bytes *b, size_t n)
{
	b_reserve(b, n);
	memset(b->p + b->len, 0, n);
	b->len += n;
}

static void b_printf(struct bytes *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#include <stdarg.h>
static void b_printf(struct bytes *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	b_reserve(b, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static uint32_t rng_state;

static uint32_t rnd(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

/* ---- the target machine -------------------------------------------- */

struct machine {
	int em;              /* ELF e_machine */
	int be;              /* big endian */
	unsigned L;          /* sizeof(long) and of pointers */
	unsigned log_align;  /* __alignof__(struct printk_log) */
	uint64_t page_offset;
	uint64_t kphys;      /* physical address of the kernel image */
	uint64_t kvirt;      /* its virtual address */
	uint64_t dynphys;    /* physical address of a memblock-allocated buffer */
	int ktext_map;       /* x86_64: kernel text mapped at __START_KERNEL_map */
	int64_t phys_base;
	uint64_t kaslr_off;
	uint64_t ram_base;   /* where the extra RAM region goes */
	/* arm64 */
	unsigned page_size;
	uint64_t a64_page_offset, a64_phys_offset, a64_kimage_voffset;
};

#define START_KERNEL_MAP 0xffffffff80000000ull

static unsigned char *g_core;   /* the byte order helpers write here */
static int g_be;

static void put(unsigned char *p, uint64_t v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		p[g_be ? n - 1 - i : i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get(const unsigned char *p, unsigned n)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[g_be ? n - 1 - i : i] << (8 * i);
	return v;
}

/* ---- physical memory: a few regions of bytes ----------------------- */

struct region {
	uint64_t paddr;
	size_t size;
	unsigned char *mem;
};

#define MAX_REGIONS 4
static struct region regions[MAX_REGIONS];
static int nregions;

static struct region *add_region(uint64_t paddr, size_t size, int fill)
{
	struct region *r = &regions[nregions++];
	size_t i;

	r->paddr = paddr;
	r->size = size;
	r->mem = calloc(1, size);
	if (!r->mem) {
		fputs("vmcoregen: out of memory\n", stderr);
		exit(1);
	}
	if (fill)
		for (i = 0; i < size; i++)
			r->mem[i] = (unsigned char)(rnd() | 1);
	return r;
}

static unsigned char *phys(uint64_t paddr, size_t n)
{
	int i;

	for (i = 0; i < nregions; i++)
		if (paddr >= regions[i].paddr && paddr + n <= regions[i].paddr + regions[i].size)
			return regions[i].mem + (paddr - regions[i].paddr);
	fprintf(stderr, "vmcoregen: internal error: phys 0x%llx+%zu unmapped\n",
		(unsigned long long)paddr, n);
	exit(1);
}

/* ---- structure layouts ---------------------------------------------- */

struct lk_layout {
	unsigned rb_size, rb_desc_ring, rb_text_ring, rb_fail;
	unsigned dr_size, dr_count_bits, dr_descs, dr_infos, dr_head_id, dr_tail_id;
	unsigned tr_size, tr_size_bits, tr_data, tr_head_lpos, tr_tail_lpos;
	unsigned desc_size, desc_state_var, desc_lpos;
	unsigned lpos_size, lpos_begin, lpos_next;
	unsigned info_size, info_seq, info_ts, info_text_len, info_caller, info_dev;
};

static void lk_layout(struct lk_layout *l, unsigned L, int alt)
{
	l->dr_count_bits = 0;
	l->dr_descs = L;
	l->dr_infos = 2 * L;
	l->dr_head_id = 3 * L;
	l->dr_tail_id = 4 * L;
	l->dr_size = alt ? 6 * L : 5 * L;   /* alt: + last_finalized_seq */
	l->tr_size_bits = 0;
	l->tr_data = L;
	l->tr_head_lpos = 2 * L;
	l->tr_tail_lpos = 3 * L;
	l->tr_size = 4 * L;
	l->rb_desc_ring = 0;
	l->rb_text_ring = l->dr_size;
	l->rb_fail = l->rb_text_ring + l->tr_size;
	l->rb_size = l->rb_fail + L;
	l->lpos_begin = 0;
	l->lpos_next = L;
	l->lpos_size = 2 * L;
	if (alt) {
		l->desc_lpos = 0;
		l->desc_state_var = 2 * L;
	} else {
		l->desc_state_var = 0;
		l->desc_lpos = L;
	}
	l->desc_size = 3 * L;
	l->info_seq = 0;
	l->info_ts = 8;
	l->info_text_len = alt ? 24 : 16;
	l->info_caller = l->info_text_len + 4;
	l->info_dev = l->info_text_len + 8;
	l->info_size = l->info_dev + 64;
}

struct st_layout {
	unsigned size, ts, len, text_len, dict_len, caller;
};

static void st_layout(struct st_layout *l, const struct machine *m, int alt, int caller)
{
	unsigned raw;

	if (alt) {
		l->len = 0;
		l->text_len = 2;
		l->dict_len = 4;
		l->ts = 8;
	} else {
		l->ts = 0;
		l->len = 8;
		l->text_len = 10;
		l->dict_len = 12;
	}
	l->caller = 16;
	raw = caller ? 20 : 16;
	l->size = (raw + m->log_align - 1) / m->log_align * m->log_align;
}

/* ---- expected output ------------------------------------------------ */

void gen_expect_line(char **buf, size_t *len, size_t *cap, uint64_t ts_nsec,
		     const unsigned char *text, size_t n)
{
	size_t i;

	if (*len + 64 + 4 * n > *cap) {
		*cap = (*len + 64 + 4 * n) * 2;
		*buf = xrealloc(*buf, *cap);
	}
	*len += (size_t)sprintf(*buf + *len, "[%5llu.%06llu] ",
				(unsigned long long)(ts_nsec / 1000000000u),
				(unsigned long long)(ts_nsec % 1000000000u / 1000u));
	for (i = 0; i < n; i++) {
		unsigned c = text[i];

		if ((c >= 0x20 && c < 0x7f) || (c >= '\t' && c <= '\r'))
			(*buf)[(*len)++] = (char)c;
		else
			*len += (size_t)sprintf(*buf + *len, "\\x%02x", c);
	}
	(*buf)[(*len)++] = '\n';
	(*buf)[*len] = '\0';
}

struct expect {
	char *buf;
	size_t len, cap;
};

static void expect_rec(struct expect *e, uint64_t ts, const unsigned char *t, size_t n)
{
	gen_expect_line(&e->buf, &e->len, &e->cap, ts, t, n);
}

/* ---- lockless printk_ringbuffer (5.10+) ----------------------------- */

enum { DS_RESERVED = 0, DS_COMMITTED = 1, DS_FINALIZED = 2, DS_REUSABLE = 3 };

struct lk_slot {
	uint64_t id;
	int state;
	uint64_t begin, next;
	long rec;            /* record index, -1 if none */
};

struct lk_block {        /* a data block in the text ring, oldest first */
	uint64_t begin, next, id;
};

struct lk_sim {
	const struct machine *m;
	uint64_t um;             /* unsigned long mask */
	uint64_t id_mask;
	unsigned count_bits, size_bits;
	uint64_t count, size;
	uint64_t head_id, tail_id, head_lpos, tail_lpos;
	struct lk_slot *slot;
	struct lk_block *blk;    /* FIFO of live data blocks */
	size_t nblk, blk0;
	unsigned char *text;     /* the text data ring */
	unsigned char *descs, *infos;   /* the arrays in memory */
	const struct lk_layout *lay;
	uint64_t *seq;
	uint64_t fail;
};

#define FAILED_LPOS 0x1
#define NO_LPOS 0x3

static uint64_t lk_sv(const struct lk_sim *s, uint64_t id, int state)
{
	return ((uint64_t)state << (s->m->L * 8 - 2) | id) & s->um;
}

static void lk_write_desc(struct lk_sim *s, uint64_t idx)
{
	const struct lk_layout *l = s->lay;
	unsigned L = s->m->L;
	unsigned char *d = s->descs + idx * l->desc_size;

	put(d + l->desc_state_var, lk_sv(s, s->slot[idx].id, s->slot[idx].state), L);
	put(d + l->desc_lpos + l->lpos_begin, s->slot[idx].begin & s->um, L);
	put(d + l->desc_lpos + l->lpos_next, s->slot[idx].next & s->um, L);
}

/* Makes data blocks before `lpos` reusable, advancing the data tail. */
static void lk_data_push_tail(struct lk_sim *s, uint64_t lpos)
{
	while (s->blk0 < s->nblk) {
		struct lk_block *b = &s->blk[s->blk0];
		struct lk_slot *sl = &s->slot[b->id % s->count];

		/* (lpos - begin) as a signed long: is the block before lpos? */
		uint64_t d = (lpos - b->begin) & s->um;
		if (d == 0 || d > (s->um >> 1))
			break;
		if (sl->id == b->id && sl->state == DS_FINALIZED) {
			sl->state = DS_REUSABLE;
			lk_write_desc(s, b->id % s->count);
		}
		s->tail_lpos = b->next;
		s->blk0++;
	}
}

static void lk_init(struct lk_sim *s, const struct machine *m, const struct lk_layout *lay,
		    unsigned count_bits, unsigned size_bits, unsigned char *descs,
		    unsigned char *infos, unsigned char *text, size_t nrec)
{
	uint64_t id0, i;

	memset(s, 0, sizeof *s);
	s->m = m;
	s->lay = lay;
	s->um = m->L == 8 ? ~0ull : 0xffffffffull;
	s->id_mask = (1ull << (m->L * 8 - 2)) - 1;
	s->count_bits = count_bits;
	s->size_bits = size_bits;
	s->count = 1ull << count_bits;
	s->size = 1ull << size_bits;
	s->descs = descs;
	s->infos = infos;
	s->text = text;
	s->slot = calloc(s->count, sizeof *s->slot);
	s->seq = calloc(s->count, sizeof *s->seq);
	s->blk = calloc(nrec + 2, sizeof *s->blk);
	if (!s->slot || !s->blk || !s->seq) {
		fputs("vmcoregen: out of memory\n", stderr);
		exit(1);
	}
	id0 = (0 - (s->count + 1)) & s->id_mask;
	s->head_id = s->tail_id = id0;
	for (i = 0; i < s->count; i++) {
		s->slot[i].rec = -1;
		s->slot[i].id = 0;
		s->slot[i].state = DS_RESERVED;
	}
	s->slot[s->count - 1].id = id0;
	s->slot[s->count - 1].state = DS_REUSABLE;
	s->slot[s->count - 1].begin = FAILED_LPOS;
	s->slot[s->count - 1].next = FAILED_LPOS;
	lk_write_desc(s, s->count - 1);
	s->seq[0] = 0 - s->count;
	put(infos + lay->info_seq, s->seq[0], 8);
	s->head_lpos = s->tail_lpos = (0 - s->size) & s->um;
}

/* Finalizes the newest record if it is only committed. */
static void lk_finalize_head(struct lk_sim *s)
{
	struct lk_slot *sl = &s->slot[s->head_id % s->count];

	if (sl->id == s->head_id && sl->state == DS_COMMITTED) {
		sl->state = DS_FINALIZED;
		lk_write_desc(s, s->head_id % s->count);
	}
}

/* Stores one record as prb_reserve + prb_final_commit do.  state is the
 * state the record is left in.  Returns 0, or -1 if the kernel would
 * have failed the reservation (then the record is lost). */
static int lk_store(struct lk_sim *s, long rec, uint64_t ts, const unsigned char *t,
		    size_t n, int state, uint32_t caller)
{
	const struct lk_layout *l = s->lay;
	unsigned L = s->m->L;
	uint64_t id = (s->head_id + 1) & s->id_mask;
	uint64_t idx = id % s->count, begin, next;
	unsigned char *info;

	lk_finalize_head(s);
	if (((id - s->count) & s->id_mask) == s->tail_id) {
		/* desc_push_tail */
		struct lk_slot *ts_ = &s->slot[s->tail_id % s->count];

		if (ts_->state == DS_RESERVED || ts_->state == DS_COMMITTED)
			return -1;
		if (ts_->state == DS_FINALIZED) {
			ts_->state = DS_REUSABLE;
			lk_write_desc(s, s->tail_id % s->count);
		}
		if (!(ts_->next & 1))
			lk_data_push_tail(s, ts_->next);
		s->tail_id = (s->tail_id + 1) & s->id_mask;
	}
	s->head_id = id;
	s->slot[idx].id = id;
	s->slot[idx].state = DS_RESERVED;
	s->slot[idx].rec = rec;
	if (s->seq[idx] == 0 && idx != 0)
		s->seq[idx] = idx;
	else
		s->seq[idx] += s->count;

	if (n == 0) {
		begin = next = NO_LPOS;
	} else {
		uint64_t size = (n + L + L - 1) / L * L;

		if (size > s->size - L) {
			begin = next = FAILED_LPOS;
		} else {
			uint64_t tail_need;

			begin = s->head_lpos;
			next = (begin + size) & s->um;
			if ((begin >> s->size_bits) != (next >> s->size_bits))
				next = ((next & ~(s->size - 1)) + size) & s->um;
			tail_need = (next - s->size) & s->um;
			lk_data_push_tail(s, tail_need);
			s->head_lpos = next;
			s->blk[s->nblk].begin = begin;
			s->blk[s->nblk].next = next;
			s->blk[s->nblk].id = id;
			s->nblk++;
			put(s->text + (begin & (s->size - 1)), id, L);
			if ((begin >> s->size_bits) != (next >> s->size_bits)) {
				put(s->text, id, L);
				memcpy(s->text + L, t, n);
			} else {
				memcpy(s->text + (begin & (s->size - 1)) + L, t, n);
			}
		}
	}
	s->slot[idx].begin = begin;
	s->slot[idx].next = next;
	info = s->infos + idx * l->info_size;
	memset(info, 0, l->info_size);
	put(info + l->info_seq, s->seq[idx], 8);
	put(info + l->info_ts, ts, 8);
	put(info + l->info_text_len, n, 2);
	put(info + l->info_caller, caller, 4);
	if (rec % 7 == 3)   /* some records carry dev_printk_info */
		memcpy(info + l->info_dev, "pci", 3), memcpy(info + l->info_dev + 16, "+pci:0000:00:1f.2", 17);
	s->slot[idx].state = state;
	lk_write_desc(s, idx);
	return 0;
}

static void lk_write_rb(struct lk_sim *s, unsigned char *rb, uint64_t descs_va,
			uint64_t infos_va, uint64_t text_va)
{
	const struct lk_layout *l = s->lay;
	unsigned L = s->m->L;
	unsigned char *dr = rb + l->rb_desc_ring, *tr = rb + l->rb_text_ring;

	put(dr + l->dr_count_bits, s->count_bits, 4);
	put(dr + l->dr_descs, descs_va, L);
	put(dr + l->dr_infos, infos_va, L);
	put(dr + l->dr_head_id, s->head_id, L);
	put(dr + l->dr_tail_id, s->tail_id, L);
	put(tr + l->tr_size_bits, s->size_bits, 4);
	put(tr + l->tr_data, text_va, L);
	put(tr + l->tr_head_lpos, s->head_lpos, L);
	put(tr + l->tr_tail_lpos, s->tail_lpos, L);
	put(rb + l->rb_fail, s->fail, L);
}

/* ---- structured log_buf (3.5 - 5.9) --------------------------------- */

struct st_sim {
	const struct st_layout *lay;
	unsigned char *buf;
	uint32_t len;
	uint32_t first_idx, next_idx;
	uint64_t first_seq, next_seq;
	uint32_t *fifo_idx;      /* index of every record stored, by seq */
	long *fifo_rec;
};

static uint32_t st_rec_len(const struct st_sim *s, uint32_t idx)
{
	return (uint32_t)get(s->buf + idx + s->lay->len, 2);
}

/* log_next(): the index after the record at idx (len == 0 wraps). */
static uint32_t st_next(const struct st_sim *s, uint32_t idx)
{
	uint32_t n = st_rec_len(s, idx);

	if (n == 0)
		return st_rec_len(s, 0);
	return idx + n;
}

static int st_has_space(const struct st_sim *s, uint32_t size, int empty)
{
	uint32_t free_;

	if (s->next_idx > s->first_idx || empty)
		free_ = s->len - s->next_idx > s->first_idx ? s->len - s->next_idx : s->first_idx;
	else
		free_ = s->first_idx - s->next_idx;
	return free_ >= size + s->lay->size;
}

static int st_store(struct st_sim *s, const struct machine *m, long rec, uint64_t ts,
		    const unsigned char *t, size_t n, const unsigned char *dict, size_t dn,
		    int with_caller)
{
	const struct st_layout *l = s->lay;
	uint32_t size = (uint32_t)(l->size + n + dn);
	uint32_t pad = (m->log_align - size % m->log_align) % m->log_align;
	unsigned char *msg;

	size += pad;
	while (s->first_seq < s->next_seq && !st_has_space(s, size, 0)) {
		s->first_idx = st_next(s, s->first_idx);
		s->first_seq++;
	}
	if (!st_has_space(s, size, s->first_seq == s->next_seq))
		return -1;
	if (s->next_idx + size + l->size > s->len) {
		memset(s->buf + s->next_idx, 0, l->size);
		s->next_idx = 0;
	}
	msg = s->buf + s->next_idx;
	memset(msg, 0, l->size);
	memcpy(msg + l->size, t, n);
	if (dn)
		memcpy(msg + l->size + n, dict, dn);
	memset(msg + l->size + n + dn, 0, pad);
	put(msg + l->ts, ts, 8);
	put(msg + l->len, size, 2);
	put(msg + l->text_len, n, 2);
	put(msg + l->dict_len, dn, 2);
	msg[l->dict_len + 2] = 0;   /* facility */
	msg[l->dict_len + 3] = 6 << 5 | 0x2;   /* level 6, LOG_NEWLINE */
	if (with_caller)
		put(msg + l->caller, (uint32_t)(100 + rec % 50), 4);
	s->fifo_idx[s->next_seq] = s->next_idx;
	s->fifo_rec[s->next_seq] = rec;
	s->next_idx += size;
	s->next_seq++;
	return 0;
}

/* ---- the vmcore file -------------------------------------------------- */

struct seg {
	uint64_t vaddr, paddr, memsz, filesz, offset;
};

#define MAX_SEGS 512

static int machine_setup(struct machine *m, const struct gen_opts *o, const char **err)
{
	memset(m, 0, sizeof *m);
	switch (o->machine) {
	case GEN_X86_64:
		m->em = 62; m->be = 0; m->L = 8; m->log_align = 8;
		m->page_offset = o->l5 ? 0xff11000000000000ull : 0xffff888000000000ull;
		m->kphys = 0x1000000;
		m->kvirt = 0xffffffff81000000ull;
		m->dynphys = 0x3f000000;
		m->ktext_map = 1;
		if (o->kaslr) {
			m->kaslr_off = (uint64_t)(1 + rnd() % 400) << 21;
			m->kvirt += m->kaslr_off;
			m->kphys += (uint64_t)(1 + rnd() % 300) << 21;
			m->page_offset = o->l5 ? 0xff31000000000000ull + ((uint64_t)(rnd() % 4096) << 39)
					       : 0xffff900000000000ull + ((uint64_t)(rnd() % 4096) << 30);
		}
		m->phys_base = (int64_t)(m->kphys - (m->kvirt - START_KERNEL_MAP));
		break;
	case GEN_I386:
		m->em = 3; m->be = 0; m->L = 4; m->log_align = 4;
		m->page_offset = 0xc0000000u;
		m->kphys = 0x1000000;
		m->dynphys = 0x30000000;
		m->kvirt = m->page_offset + m->kphys;
		break;
	case GEN_PPC64:
		m->em = 21; m->be = 1; m->L = 8; m->log_align = 8;
		m->page_offset = 0xc000000000000000ull;
		m->kphys = 0;
		m->dynphys = 0x3f000000;
		m->kvirt = m->page_offset;
		break;
	case GEN_PPC:
		m->em = 20; m->be = 1; m->L = 4; m->log_align = 8;
		m->page_offset = 0xc0000000u;
		m->kphys = 0;
		m->dynphys = 0x30000000;
		m->kvirt = m->page_offset;
		break;
	case GEN_ARM64: {
		/* arch/arm64/include/asm/memory.h: since 5.4 the linear map is
		 * PAGE_OFFSET = -(1 << VA_BITS) up to PAGE_END = -(1 << (VA_BITS_MIN
		 * - 1)) and the kernel image sits 128M (the modules) above
		 * PAGE_END; before 5.4 the image was 128M above VA_START =
		 * -(1 << VA_BITS), at TEXT_OFFSET 0x80000, and the linear map
		 * was the upper half, from -(1 << (VA_BITS - 1)).  QEMU's virt
		 * board has its RAM at 1 GiB, the kernel loaded 2 MiB in. */
		unsigned va = o->va_bits ? o->va_bits : 48, vmin = va > 48 ? 48 : va;
		uint64_t kimage_vaddr;

		m->em = 183; m->be = 0; m->L = 8; m->log_align = 8;
		m->page_size = o->page_size ? o->page_size : 4096;
		if (m->page_size != 4096 && m->page_size != 16384 && m->page_size != 65536) {
			*err = "--page-size must be 4096, 16384 or 65536";
			return -1;
		}
		if (va < 36 || va > 52 || (o->arm64_old && va > 48)) {
			*err = "--va-bits must be 36..52 (48 at most with --arm64-old)";
			return -1;
		}
		m->a64_phys_offset = 0x40000000;
		if (o->arm64_old) {
			m->a64_page_offset = 0 - (1ull << (va - 1));
			kimage_vaddr = (0 - (1ull << va)) + 0x8000000 + 0x80000;
		} else {
			m->a64_page_offset = 0 - (1ull << va);
			kimage_vaddr = (0 - (1ull << (vmin - 1))) + 0x8000000;
		}
		m->ram_base = m->a64_phys_offset;
		m->kphys = m->a64_phys_offset + 0x200000;
		m->kvirt = kimage_vaddr;
		m->dynphys = m->a64_phys_offset + 0x3f000000;
		if (o->kaslr) {
			m->kaslr_off = (uint64_t)(1 + rnd() % 4000) << 21;
			m->kvirt += m->kaslr_off;
			m->kphys += (uint64_t)(1 + rnd() % 200) << 21;
		}
		m->ktext_map = 1;   /* the image has its own mapping, as on x86_64 */
		m->a64_kimage_voffset = m->kvirt - m->kphys;
		/* the linear map: va = pa - PHYS_OFFSET + PAGE_OFFSET */
		m->page_offset = m->a64_page_offset - m->a64_phys_offset;
		break;
	}
	default:
		*err = "unknown machine";
		return -1;
	}
	if (o->elf32 && m->L == 8) {
		*err = "ELF32 headers need a 32-bit machine (i386, ppc)";
		return -1;
	}
	if ((o->kaslr || o->no_ktext || o->phys_only) && o->machine != GEN_X86_64 &&
	    o->machine != GEN_ARM64) {
		*err = "--kaslr, --no-ktext and --phys-only are x86_64 and arm64 only";
		return -1;
	}
	if (o->l5 && o->machine != GEN_X86_64) {
		*err = "--l5 is x86_64 only";
		return -1;
	}
	if ((o->page_size || o->va_bits || o->arm64_old) && o->machine != GEN_ARM64) {
		*err = "--page-size, --va-bits and --arm64-old are arm64 only";
		return -1;
	}
	return 0;
}

/* Splits [paddr, paddr+size) into PT_LOADs as makedumpfile -E does:
 * runs of two or more all-zero pages are left out, a zero tail is kept
 * in p_memsz only. */
static void split_segment(struct seg *segs, int *nseg, uint64_t vaddr, uint64_t paddr,
			  uint64_t size, int makedumpfile)
{
	const uint64_t pg = 4096;
	uint64_t p = 0;

	if (!makedumpfile) {
		segs[*nseg].vaddr = vaddr;
		segs[*nseg].paddr = paddr;
		segs[*nseg].memsz = segs[*nseg].filesz = size;
		(*nseg)++;
		return;
	}
	while (p < size) {
		uint64_t start, end, zstart;
		int nz = 0;

		/* skip zero pages */
		while (p < size) {
			const unsigned char *m = phys(paddr + p, pg);
			uint64_t i;

			for (i = 0; i < pg && !m[i]; i++)
				;
			if (i < pg)
				break;
			p += pg;
		}
		if (p >= size)
			break;
		start = p;
		zstart = 0;
		/* take pages until two zero pages in a row */
		while (p < size) {
			const unsigned char *m = phys(paddr + p, pg);
			uint64_t i;

			for (i = 0; i < pg && !m[i]; i++)
				;
			if (i == pg) {
				if (nz == 0)
					zstart = p;
				if (++nz == 2)
					break;
			} else {
				nz = 0;
			}
			p += pg;
		}
		end = nz ? zstart : p;
		if (*nseg >= MAX_SEGS) {
			fputs("vmcoregen: too many segments\n", stderr);
			exit(1);
		}
		segs[*nseg].vaddr = vaddr + start;
		segs[*nseg].paddr = paddr + start;
		segs[*nseg].filesz = end - start;
		/* the last run of the range keeps the zero tail in memsz */
		segs[*nseg].memsz = end - start;
		(*nseg)++;
		p = nz ? zstart + 2 * pg : p;
		if (nz) {
			/* is everything to the end zero? then extend memsz */
			uint64_t q = p;
			int allzero = 1;

			while (q < size && allzero) {
				const unsigned char *m = phys(paddr + q, pg);
				uint64_t i;

				for (i = 0; i < pg && !m[i]; i++)
					;
				allzero = i == pg;
				q += pg;
			}
			if (allzero) {
				segs[*nseg - 1].memsz = size - start;
				break;
			}
		}
	}
}

static void note(struct bytes *b, const char *name, uint32_t type, const void *desc,
		 size_t dn)
{
	unsigned char h[12];
	size_t nn = strlen(name) + 1;

	put(h, nn, 4);
	put(h + 4, dn, 4);
	put(h + 8, type, 4);
	b_put(b, h, 12);
	b_put(b, name, nn);
	b_zero(b, (4 - nn % 4) % 4);
	b_put(b, desc, dn);
	b_zero(b, (4 - dn % 4) % 4);
}

const char *gen_corrupt_name(int c)
{
	static const char *const names[GEN_C_COUNT] = {
		"none", "truncate", "no-vmcoreinfo", "garbage-note", "garbage-after",
		"bad-symbol", "missing-key", "bad-phdrs",
		"lk-ids", "lk-lpos", "lk-textlen", "lk-state", "lk-bits",
		"st-first", "st-len", "st-loop", "st-textlen", "st-buflen",
		"pl-buflen",
	};
	return c >= 0 && c < GEN_C_COUNT ? names[c] : "?";
}

int gen_corrupt_by_name(const char *s)
{
	int c;

	for (c = 0; c < GEN_C_COUNT; c++)
		if (!strcmp(s, gen_corrupt_name(c)))
			return c;
	return -1;
}

/* Where things live in the kernel image (offsets from its start). */
enum {
	OFF_PRB = 0x1000,
	OFF_LOG_BUF = 0x1010,
	OFF_LOG_BUF_LEN = 0x1020,
	OFF_FIRST_IDX = 0x1024,
	OFF_NEXT_IDX = 0x1028,
	OFF_CLEAR_IDX = 0x102c,
	OFF_LOG_END = 0x1030,
	OFF_LOGGED = 0x1034,
	OFF_CLEAR_SEQ = 0x1040,
	OFF_RB_STATIC = 0x1100,
	OFF_ARRAYS = 0x2000,
};

int gen_vmcore(const struct gen_opts *o, const struct gen_rec *recs, size_t n,
	       struct gen_out *out, const char **err)
{
	struct machine m;
	struct lk_layout lk;
	struct st_layout st;
	struct expect ex = { 0, 0, 0 };
	struct bytes info = { 0, 0, 0 }, notes = { 0, 0, 0 }, file = { 0, 0, 0 };
	struct seg segs[MAX_SEGS];
	int nseg = 0, i;
	unsigned ring_bits = o->ring_bits ? o->ring_bits : 14;
	unsigned desc_bits = o->desc_bits ? o->desc_bits : (ring_bits > 9 ? ring_bits - 5 : 4);
	uint64_t ring = 1ull << ring_bits, count = 1ull << desc_bits;
	uint64_t kimg_size, arrays_size = 0, data_phys;
	uint64_t descs_off = 0, infos_off = 0, text_off = 0;
	struct region *kimg, *dyn = NULL;
	uint64_t ring_va = 0;            /* where the log text lives (virtual) */
	uint64_t trunc_va = 0;           /* a virtual address inside the ring data */
	size_t phoff, phsz, ehsz, note_off, data_off;
	int elf64 = !o->elf32;
	int corrupt = o->corrupt;
	uint32_t survivors = 0, first_survivor = 0;
	int k;

	memset(out, 0, sizeof *out);
	rng_state = o->seed ? o->seed : 12345;
	nregions = 0;
	if (machine_setup(&m, o, err))
		return -1;
	g_be = m.be;
	if (ring_bits < 8 || ring_bits > 24 || desc_bits < 2 || desc_bits > 20) {
		*err = "ring_bits must be 8..24 and desc_bits 2..20";
		return -1;
	}
	lk_layout(&lk, m.L, o->alt_layout);
	st_layout(&st, &m, o->alt_layout, o->caller_id);

	/* kernel image: variables, then (static buffers) the rings */
	if (o->format == GEN_LOCKLESS)
		arrays_size = count * lk.desc_size + count * lk.info_size + ring + 3 * 4096;
	else
		arrays_size = ring + 4096;
	if (o->dynamic_buf)
		arrays_size = 4096;
	kimg_size = (OFF_ARRAYS + arrays_size + 4096 + 4095) / 4096 * 4096;
	kimg = add_region(m.kphys, kimg_size, 0);
	/* some non-zero "kernel text" before the variables */
	for (i = 0; i < OFF_PRB; i++)
		kimg->mem[i] = (unsigned char)(0x90 + i % 7);
	/* init_uts_ns.name (struct new_utsname, 6 x 65 bytes) at offset 4:
	 * makedumpfile checks the release against OSRELEASE */
	{
		const char *uts[6] = { "Linux", "vmcoregen", "6.1.0-vmcoregen",
				       "#1 SMP PREEMPT_DYNAMIC", o->machine == GEN_ARM64 ? "aarch64" : "x86_64", "(none)" };
		unsigned char *u = kimg->mem + 0x800 + 4;

		if (o->osrelease && o->osrelease[0])
			uts[2] = o->osrelease;
		for (i = 0; i < 6; i++) {
			memset(u + 65 * i, 0, 65);
			memcpy(u + 65 * i, uts[i], strlen(uts[i]) < 64 ? strlen(uts[i]) : 64);
		}
	}
	/* a separate RAM range with junk, so there are several PT_LOADs */
	add_region(m.ram_base + 0x100000, 0x4000, 1);
	data_phys = m.kphys + OFF_ARRAYS;
	if (o->dynamic_buf) {
		uint64_t dsz = (o->format == GEN_LOCKLESS
				? count * lk.desc_size + count * lk.info_size + ring + 3 * 4096
				: ring + 4096);
		dsz = (dsz + 8191) / 4096 * 4096;
		dyn = add_region(m.dynphys, dsz, 0);
		data_phys = m.dynphys + 4096;
	}
	/* virtual address of physical data: kernel text map for the static
	 * buffers on x86_64, the direct map otherwise */
#define VA(pa) ((m.ktext_map && (pa) >= m.kphys && (pa) < m.kphys + kimg_size) \
		? (pa) - m.kphys + m.kvirt : (pa) + m.page_offset)
#define KSYM(off) (m.kvirt + (off))
	(void)dyn;

	if (o->format == GEN_LOCKLESS) {
		struct lk_sim s;
		unsigned char *rb;
		uint64_t id;
		size_t r;

		descs_off = 0;
		infos_off = (count * lk.desc_size + 63) / 64 * 64;
		text_off = (infos_off + count * lk.info_size + 4095) / 4096 * 4096;
		lk_init(&s, &m, &lk, desc_bits, ring_bits,
			phys(data_phys + descs_off, count * lk.desc_size),
			phys(data_phys + infos_off, count * lk.info_size),
			phys(data_phys + text_off, ring), n);
		for (r = 0; r < n; r++) {
			int state = DS_FINALIZED;

			if (r + 1 == n && o->last_committed)
				state = DS_COMMITTED;
			if (lk_store(&s, (long)r, recs[r].ts_nsec, recs[r].text, recs[r].len, state,
				     (uint32_t)(r % 3 ? 0x80000000u | (r % 4) : 1000 + r)))
				s.fail++;
		}
		if (o->inflight) {
			static const unsigned char partial[] = "this record was being writ";
			lk_store(&s, -1, 999999999999ull, partial, sizeof partial - 1, DS_RESERVED, 1);
		}
		/* corruptions of single records pick a survivor in the middle */
		{
			uint64_t live = (s.head_id - s.tail_id) & s.id_mask;
			uint64_t victim = (s.tail_id + live / 2) & s.id_mask, tries;
			struct lk_slot *vs;
			unsigned char *vinfo;

			/* the victim is a readable record with text */
			for (tries = 0; tries < s.count; tries++) {
				vs = &s.slot[victim % s.count];
				if (vs->id == victim && vs->rec >= 0 && !(vs->begin & 1) &&
				    (vs->state == DS_FINALIZED || vs->state == DS_COMMITTED))
					break;
				victim = (victim + 1) & s.id_mask;
			}
			vs = &s.slot[victim % s.count];
			vinfo = s.infos + (victim % s.count) * lk.info_size;

			switch (corrupt) {
			case GEN_C_LK_LPOS:
				vs->next = vs->begin + 3 * s.size;
				lk_write_desc(&s, victim % s.count);
				vs->rec = -2;   /* expected: skipped */
				break;
			case GEN_C_LK_TEXTLEN:
				put(vinfo + lk.info_text_len, 60000, 2);
				vs->rec = -3;   /* expected: whole data block */
				break;
			case GEN_C_LK_STATE:
				put(s.descs + (victim % s.count) * lk.desc_size + lk.desc_state_var,
				    lk_sv(&s, (victim ^ 0x40) & s.id_mask, DS_FINALIZED), m.L);
				vs->rec = -2;
				break;
			}
			/* expected output: committed and finalized records, tail to head */
			for (id = s.tail_id;; id = (id + 1) & s.id_mask) {
				struct lk_slot *sl = &s.slot[id % s.count];

				if (sl->id == id && (sl->state == DS_COMMITTED || sl->state == DS_FINALIZED)) {
					if (sl->rec >= 0) {
						if (!survivors)
							first_survivor = (uint32_t)sl->rec;
						survivors++;
						/* data-less records (allocation failed) print empty */
						expect_rec(&ex, recs[sl->rec].ts_nsec, recs[sl->rec].text,
							   sl->begin & 1 ? 0 : recs[sl->rec].len);
					} else if (sl->rec == -3) {
						uint64_t b = sl->begin & (s.size - 1), e = sl->next & (s.size - 1);
						unsigned char *vi = s.infos + (id % s.count) * lk.info_size;

						if (b > e)
							b = 0;
						survivors++;
						expect_rec(&ex, get(vi + lk.info_ts, 8), s.text + b + m.L,
							   (size_t)(e - b - m.L));
					}
				}
				if (id == s.head_id)
					break;
			}
			trunc_va = VA(data_phys + text_off + ((s.tail_lpos + s.size / 2) & (s.size - 1)));
		}
		if (corrupt == GEN_C_LK_IDS)
			s.tail_id = (s.head_id + 5) & s.id_mask;
		rb = phys(m.kphys + OFF_RB_STATIC, lk.rb_size);
		lk_write_rb(&s, rb, VA(data_phys + descs_off), VA(data_phys + infos_off),
			    VA(data_phys + text_off));
		if (corrupt == GEN_C_LK_BITS) {
			put(rb + lk.rb_desc_ring + lk.dr_count_bits, 60, 4);
			put(rb + lk.rb_text_ring + lk.tr_size_bits, 70, 4);
		}
		put(phys(m.kphys + OFF_PRB, m.L), KSYM(OFF_RB_STATIC), m.L);
		ring_va = VA(data_phys + text_off);
		free(s.slot);
		free(s.blk);
		free(s.seq);
	} else if (o->format == GEN_STRUCTURED) {
		struct st_sim s;
		size_t r;
		uint64_t q;
		uint32_t stored_len;

		memset(&s, 0, sizeof s);
		s.lay = &st;
		s.buf = phys(data_phys, ring);
		s.len = (uint32_t)ring;
		s.fifo_idx = calloc(n + 1, sizeof *s.fifo_idx);
		s.fifo_rec = calloc(n + 1, sizeof *s.fifo_rec);
		for (r = 0; r < n; r++)
			st_store(&s, &m, (long)r, recs[r].ts_nsec, recs[r].text, recs[r].len,
				 recs[r].dict, recs[r].dict_len, o->caller_id);
		stored_len = s.len;
		{
			uint64_t live = s.next_seq - s.first_seq;
			uint64_t vseq = s.first_seq + live / 2;
			uint32_t vidx = live ? s.fifo_idx[vseq] : 0;

			switch (corrupt) {
			case GEN_C_ST_FIRST:
				s.first_idx = s.len + 104;
				break;
			case GEN_C_ST_LEN:
				if (live) {
					put(s.buf + vidx + st.len, s.len - vidx + 64, 2);
					/* expected: the records before it */
					for (q = vseq; q < s.next_seq; q++)
						s.fifo_rec[q] = -4;
				}
				break;
			case GEN_C_ST_LOOP:
				s.next_idx += 4;
				break;
			case GEN_C_ST_TEXTLEN:
				if (live) {
					put(s.buf + vidx + st.text_len, st_rec_len(&s, vidx) + 50, 2);
					s.fifo_rec[vseq] = -2;
				}
				break;
			case GEN_C_ST_BUFLEN:
				stored_len = 0x7ffffff0u;
				break;
			}
			/* vmcore-dmesg prints the zeroed wrap marker (len == 0)
			 * it passes as an empty record with timestamp 0 */
			uint32_t prev = s.first_idx;

			for (q = s.first_seq; q < s.next_seq; q++) {
				long rr = s.fifo_rec[q];
				int wrap_before = s.fifo_idx[q] < prev;

				prev = s.fifo_idx[q];
				if (rr == -4)
					break;
				if (wrap_before && corrupt != GEN_C_ST_FIRST)
					expect_rec(&ex, 0, NULL, 0);
				if (rr < 0)
					continue;
				if (!survivors)
					first_survivor = (uint32_t)rr;
				survivors++;
				expect_rec(&ex, recs[rr].ts_nsec, recs[rr].text, recs[rr].len);
			}
		}
		put(phys(m.kphys + OFF_LOG_BUF, m.L), VA(data_phys), m.L);
		put(phys(m.kphys + OFF_LOG_BUF_LEN, 4), stored_len, 4);
		put(phys(m.kphys + OFF_FIRST_IDX, 4), s.first_idx, 4);
		put(phys(m.kphys + OFF_NEXT_IDX, 4), s.next_idx, 4);
		put(phys(m.kphys + OFF_CLEAR_IDX, 4), s.first_idx, 4);
		ring_va = VA(data_phys);
		trunc_va = ring_va + (s.first_idx < s.len ? s.first_idx : 0) + 40;
		free(s.fifo_idx);
		free(s.fifo_rec);
	} else {
		unsigned char *buf = phys(data_phys, ring);
		uint32_t log_end = 0, logged = 0;
		struct bytes all = { 0, 0, 0 };
		size_t r, j;
		uint64_t keep;

		for (r = 0; r < n; r++) {
			b_printf(&all, "<%d>[%5llu.%06llu] ", (int)(r % 8),
				 (unsigned long long)(recs[r].ts_nsec / 1000000000u),
				 (unsigned long long)(recs[r].ts_nsec % 1000000000u / 1000u));
			b_put(&all, recs[r].text, recs[r].len);
			b_put(&all, "\n", 1);
		}
		/* start log_end near 2^32 sometimes so the counter wraps */
		log_end = o->seed & 1 ? 0xffffffffu - (uint32_t)(all.len / 2) : 0;
		if (log_end)
			for (j = 0; j < ring; j++)
				buf[j] = (unsigned char)('a' + j % 26);
		for (j = 0; j < all.len; j++) {
			buf[log_end & (ring - 1)] = all.p[j];
			log_end++;
			if (logged < ring)
				logged++;
		}
		if (o->clear_logged)
			logged = 0;
		/* vmcore-dmesg prints the last min(log_end, log_buf_len) bytes */
		keep = log_end < ring ? log_end : ring;
		if (log_end >= ring && all.len < ring) {
			/* the counter started high: the older part is the filler */
			ex.cap = ring + 1;
			ex.buf = xrealloc(ex.buf, ex.cap);
			for (j = 0; j < ring; j++)
				ex.buf[j] = (char)buf[(log_end + j) & (ring - 1)];
			ex.len = ring;
		} else {
			ex.cap = keep + 1;
			ex.buf = xrealloc(ex.buf, ex.cap);
			memcpy(ex.buf, all.p + all.len - keep, keep);
			ex.len = keep;
		}
		ex.buf[ex.len] = '\0';
		survivors = (uint32_t)n;
		put(phys(m.kphys + OFF_LOG_BUF, m.L), VA(data_phys), m.L);
		put(phys(m.kphys + OFF_LOG_BUF_LEN, 4),
		    corrupt == GEN_C_PL_BUFLEN ? 0xfffffff0u : (uint32_t)ring, 4);
		put(phys(m.kphys + OFF_LOG_END, 4), log_end, 4);
		put(phys(m.kphys + OFF_LOGGED, 4), logged, 4);
		ring_va = VA(data_phys);
		trunc_va = ring_va + ring / 2;
		free(all.p);
	}

	/* VMCOREINFO */
	if (!o->osrelease)
		b_printf(&info, "OSRELEASE=6.1.0-vmcoregen\n");
	else if (o->osrelease[0])
		b_printf(&info, "OSRELEASE=%s\n", o->osrelease);
	b_printf(&info, "BUILD-ID=5d1f2b0c9e8a7f6e5d4c3b2a19081726354a5b6c\n");
	b_printf(&info, "PAGESIZE=%u\n", m.page_size ? m.page_size : 4096);
	b_printf(&info, "SYMBOL(init_uts_ns)=%llx\n", (unsigned long long)KSYM(0x800));
	b_printf(&info, "OFFSET(uts_namespace.name)=4\n");
	b_printf(&info, "SYMBOL(node_online_map)=%llx\n", (unsigned long long)KSYM(0x840));
	b_printf(&info, "SYMBOL(swapper_pg_dir)=%llx\n", (unsigned long long)KSYM(0x880));
	b_printf(&info, "SYMBOL(_stext)=%llx\n", (unsigned long long)KSYM(0));
	b_printf(&info, "SIZE(page)=64\nSIZE(pglist_data)=171968\nOFFSET(page.flags)=0\n");
	b_printf(&info, "LENGTH(zone.free_area)=11\nNUMBER(NR_FREE_PAGES)=0\nNUMBER(PG_lru)=4\n");
	{
		uint64_t bad = m.L == 8 ? 0xfffffe0000100000ull : 0x1000;
		uint64_t sym;
		int miss = corrupt == GEN_C_MISSING_KEY;

		if (o->format == GEN_LOCKLESS) {
			sym = corrupt == GEN_C_BAD_SYMBOL ? bad : KSYM(OFF_PRB);
			b_printf(&info, "SYMBOL(prb)=%llx\n", (unsigned long long)sym);
			b_printf(&info, "SYMBOL(printk_rb_static)=%llx\n",
				 (unsigned long long)(corrupt == GEN_C_BAD_SYMBOL ? bad : KSYM(OFF_RB_STATIC)));
			b_printf(&info, "SYMBOL(clear_seq)=%llx\n", (unsigned long long)KSYM(OFF_CLEAR_SEQ));
			b_printf(&info, "SIZE(printk_ringbuffer)=%u\n", lk.rb_size);
			b_printf(&info, "OFFSET(printk_ringbuffer.desc_ring)=%u\n", lk.rb_desc_ring);
			b_printf(&info, "OFFSET(printk_ringbuffer.text_data_ring)=%u\n", lk.rb_text_ring);
			b_printf(&info, "OFFSET(printk_ringbuffer.fail)=%u\n", lk.rb_fail);
			b_printf(&info, "SIZE(prb_desc_ring)=%u\n", lk.dr_size);
			b_printf(&info, "OFFSET(prb_desc_ring.count_bits)=%u\n", lk.dr_count_bits);
			b_printf(&info, "OFFSET(prb_desc_ring.descs)=%u\n", lk.dr_descs);
			b_printf(&info, "OFFSET(prb_desc_ring.infos)=%u\n", lk.dr_infos);
			b_printf(&info, "OFFSET(prb_desc_ring.head_id)=%u\n", lk.dr_head_id);
			if (!miss)
				b_printf(&info, "OFFSET(prb_desc_ring.tail_id)=%u\n", lk.dr_tail_id);
			b_printf(&info, "SIZE(prb_desc)=%u\n", lk.desc_size);
			b_printf(&info, "OFFSET(prb_desc.state_var)=%u\n", lk.desc_state_var);
			b_printf(&info, "OFFSET(prb_desc.text_blk_lpos)=%u\n", lk.desc_lpos);
			b_printf(&info, "SIZE(prb_data_blk_lpos)=%u\n", lk.lpos_size);
			b_printf(&info, "OFFSET(prb_data_blk_lpos.begin)=%u\n", lk.lpos_begin);
			b_printf(&info, "OFFSET(prb_data_blk_lpos.next)=%u\n", lk.lpos_next);
			b_printf(&info, "SIZE(printk_info)=%u\n", lk.info_size);
			b_printf(&info, "OFFSET(printk_info.seq)=%u\n", lk.info_seq);
			b_printf(&info, "OFFSET(printk_info.ts_nsec)=%u\n", lk.info_ts);
			b_printf(&info, "OFFSET(printk_info.text_len)=%u\n", lk.info_text_len);
			b_printf(&info, "OFFSET(printk_info.caller_id)=%u\n", lk.info_caller);
			b_printf(&info, "OFFSET(printk_info.dev_info)=%u\n", lk.info_dev);
			b_printf(&info, "SIZE(dev_printk_info)=64\n");
			b_printf(&info, "OFFSET(dev_printk_info.subsystem)=0\n");
			b_printf(&info, "LENGTH(printk_info_subsystem)=16\n");
			b_printf(&info, "OFFSET(dev_printk_info.device)=16\n");
			b_printf(&info, "LENGTH(printk_info_device)=48\n");
			b_printf(&info, "SIZE(prb_data_ring)=%u\n", lk.tr_size);
			b_printf(&info, "OFFSET(prb_data_ring.size_bits)=%u\n", lk.tr_size_bits);
			b_printf(&info, "OFFSET(prb_data_ring.data)=%u\n", lk.tr_data);
			b_printf(&info, "OFFSET(prb_data_ring.head_lpos)=%u\n", lk.tr_head_lpos);
			b_printf(&info, "OFFSET(prb_data_ring.tail_lpos)=%u\n", lk.tr_tail_lpos);
			b_printf(&info, "SIZE(atomic_long_t)=%u\n", m.L);
			b_printf(&info, "OFFSET(atomic_long_t.counter)=0\n");
			b_printf(&info, "SIZE(latched_seq)=24\nOFFSET(latched_seq.val)=8\n");
		} else if (o->format == GEN_STRUCTURED) {
			const char *sn = o->old_names ? "log" : "printk_log";

			sym = corrupt == GEN_C_BAD_SYMBOL ? bad : KSYM(OFF_LOG_BUF);
			b_printf(&info, "SYMBOL(log_buf)=%llx\n", (unsigned long long)sym);
			b_printf(&info, "SYMBOL(log_buf_len)=%llx\n", (unsigned long long)KSYM(OFF_LOG_BUF_LEN));
			b_printf(&info, "SYMBOL(log_first_idx)=%llx\n", (unsigned long long)KSYM(OFF_FIRST_IDX));
			b_printf(&info, "SYMBOL(clear_idx)=%llx\n", (unsigned long long)KSYM(OFF_CLEAR_IDX));
			b_printf(&info, "SYMBOL(log_next_idx)=%llx\n", (unsigned long long)KSYM(OFF_NEXT_IDX));
			b_printf(&info, "SIZE(%s)=%u\n", sn, st.size);
			b_printf(&info, "OFFSET(%s.ts_nsec)=%u\n", sn, st.ts);
			b_printf(&info, "OFFSET(%s.len)=%u\n", sn, st.len);
			if (!miss)
				b_printf(&info, "OFFSET(%s.text_len)=%u\n", sn, st.text_len);
			b_printf(&info, "OFFSET(%s.dict_len)=%u\n", sn, st.dict_len);
			if (o->caller_id)
				b_printf(&info, "OFFSET(%s.caller_id)=%u\n", sn, st.caller);
		} else {
			sym = corrupt == GEN_C_BAD_SYMBOL ? bad : KSYM(OFF_LOG_BUF);
			b_printf(&info, "SYMBOL(log_buf)=%llx\n", (unsigned long long)sym);
			if (!miss)
				b_printf(&info, "SYMBOL(log_end)=%llx\n", (unsigned long long)KSYM(OFF_LOG_END));
			b_printf(&info, "SYMBOL(log_buf_len)=%llx\n", (unsigned long long)KSYM(OFF_LOG_BUF_LEN));
			b_printf(&info, "SYMBOL(logged_chars)=%llx\n", (unsigned long long)KSYM(OFF_LOGGED));
		}
	}
	if (o->machine == GEN_X86_64) {
		b_printf(&info, "NUMBER(phys_base)=%lld\n", (long long)m.phys_base);
		b_printf(&info, "SYMBOL(init_top_pgt)=%llx\n", (unsigned long long)KSYM(0x900));
		b_printf(&info, "NUMBER(pgtable_l5_enabled)=%d\n", o->l5 ? 1 : 0);
		b_printf(&info, "KERNELOFFSET=%llx\n", (unsigned long long)m.kaslr_off);
		b_printf(&info, "NUMBER(KERNEL_IMAGE_SIZE)=1073741824\nNUMBER(sme_mask)=0\n");
	}
	if (o->machine == GEN_ARM64) {
		/* arch/arm64/kernel/crash_core.c: VA_BITS in decimal, the rest
		 * as 0x-prefixed hex */
		b_printf(&info, "NUMBER(VA_BITS)=%u\n", o->va_bits ? o->va_bits : 48);
		b_printf(&info, "NUMBER(kimage_voffset)=0x%llx\n", (unsigned long long)m.a64_kimage_voffset);
		b_printf(&info, "NUMBER(PHYS_OFFSET)=0x%llx\n", (unsigned long long)m.a64_phys_offset);
		if (!o->arm64_old)
			b_printf(&info, "NUMBER(TCR_EL1_T1SZ)=0x%x\nNUMBER(KERNELPACMASK)=0x0\n",
				 64 - (o->va_bits ? o->va_bits : 48));
		b_printf(&info, "KERNELOFFSET=%llx\n", (unsigned long long)m.kaslr_off);
	}
	b_printf(&info, "CRASHTIME=1700000000\n");

	/* notes: two CPUs' NT_PRSTATUS, VMCOREINFO, the empty final note */
	{
		unsigned char prs[336];

		for (k = 0; k < (int)sizeof prs; k++)
			prs[k] = (unsigned char)(k * 7);
		note(&notes, "CORE", 1, prs, m.L == 8 ? 336 : 144);
		if (corrupt == GEN_C_GARBAGE_NOTE) {
			unsigned char h[12];

			put(h, 0xfffffff0u, 4);
			put(h + 4, 0x7fffffffu, 4);
			put(h + 8, 0, 4);
			b_put(&notes, h, 12);
			b_put(&notes, "JUNKJUNK", 8);
		}
		note(&notes, "CORE", 1, prs, m.L == 8 ? 336 : 144);
		if (corrupt != GEN_C_NO_VMCOREINFO)
			note(&notes, "VMCOREINFO", 0, info.p, info.len);
		if (corrupt == GEN_C_GARBAGE_AFTER) {
			unsigned char h[12];

			put(h, 7, 4);
			put(h + 4, 0xffffff00u, 4);
			put(h + 8, 0, 4);
			b_put(&notes, h, 12);
			b_put(&notes, "GARBAGE\0", 8);
		}
		b_zero(&notes, 12);
	}

	/* PT_LOADs */
	{
		int first_ram;

		if (m.ktext_map && !o->no_ktext)
			split_segment(segs, &nseg, m.kvirt, m.kphys, kimg_size, o->makedumpfile);
		first_ram = nseg;
		for (i = 0; i < nregions; i++) {
			/* RAM ranges with a margin of zero pages: regions are
			 * allocated exactly, so map them as they are */
			split_segment(segs, &nseg, regions[i].paddr + m.page_offset, regions[i].paddr,
				      regions[i].size, o->makedumpfile);
		}
		(void)first_ram;
	}

	/* layout: ehdr, phdrs, notes, page-aligned segment data */
	ehsz = elf64 ? 64 : 52;
	phsz = elf64 ? 56 : 32;
	phoff = ehsz;
	note_off = phoff + phsz * (size_t)(nseg + 1);
	data_off = (note_off + notes.len + 4095) / 4096 * 4096;
	{
		uint64_t off = data_off;

		for (i = 0; i < nseg; i++) {
			segs[i].offset = off;
			off += segs[i].filesz;
			if (o->makedumpfile)
				off = (off + 4095) / 4096 * 4096 + 4096;   /* gaps between */
		}
		b_zero(&file, off + (o->pn_xnum ? 64 : 0));
		file.len = off;
	}
	g_core = file.p;
	{
		unsigned char *e = file.p;
		uint32_t phnum = (uint32_t)nseg + 1;

		memcpy(e, "\177ELF", 4);
		e[4] = elf64 ? 2 : 1;
		e[5] = m.be ? 2 : 1;
		e[6] = 1;
		if (elf64) {
			put(e + 16, 4, 2);            /* ET_CORE */
			put(e + 18, (uint64_t)m.em, 2);
			put(e + 20, 1, 4);
			put(e + 32, phoff, 8);
			put(e + 52, ehsz, 2);
			put(e + 54, phsz, 2);
			put(e + 56, o->pn_xnum ? 0xffff : phnum, 2);
		} else {
			put(e + 16, 4, 2);
			put(e + 18, (uint64_t)m.em, 2);
			put(e + 20, 1, 4);
			put(e + 28, phoff, 4);
			put(e + 40, ehsz, 2);
			put(e + 42, phsz, 2);
			put(e + 44, o->pn_xnum ? 0xffff : phnum, 2);
		}
		if (o->pn_xnum) {
			/* section header 0 holds the real count in sh_info */
			size_t shoff = file.len;
			file.len += elf64 ? 64 : 40;
			if (elf64) {
				put(e + 40, shoff, 8);
				put(e + 58, 64, 2);
				put(e + 60, 1, 2);
				put(e + shoff + 44, phnum, 4);
			} else {
				put(e + 32, shoff, 4);
				put(e + 46, 40, 2);
				put(e + 48, 1, 2);
				put(e + shoff + 28, phnum, 4);
			}
		}
		for (i = -1; i < nseg; i++) {
			unsigned char *p = e + phoff + phsz * (size_t)(i + 1);
			uint64_t type = i < 0 ? 4 : 1, off, va, pa, fsz, msz;

			if (i < 0) {
				off = note_off;
				va = pa = 0;
				fsz = msz = notes.len;
			} else {
				off = segs[i].offset;
				va = o->phys_only ? 0 : segs[i].vaddr;
				pa = segs[i].paddr;
				fsz = segs[i].filesz;
				msz = segs[i].memsz;
				memcpy(e + off, phys(pa, fsz), fsz);
			}
			if (corrupt == GEN_C_BAD_PHDRS && i >= 0)
				off += (uint64_t)1 << 40;
			if (elf64) {
				put(p, type, 4);
				put(p + 4, i < 0 ? 0 : 7, 4);
				put(p + 8, off, 8);
				put(p + 16, va, 8);
				put(p + 24, pa, 8);
				put(p + 32, fsz, 8);
				put(p + 40, msz, 8);
				put(p + 48, i < 0 ? 0 : 4096, 8);
			} else {
				put(p, type, 4);
				put(p + 4, off, 4);
				put(p + 8, va, 4);
				put(p + 12, pa, 4);
				put(p + 16, fsz, 4);
				put(p + 20, msz, 4);
				put(p + 24, i < 0 ? 0 : 7, 4);
				put(p + 28, i < 0 ? 0 : 4096, 4);
			}
		}
		memcpy(e + note_off, notes.p, notes.len);
	}
	if (corrupt == GEN_C_TRUNCATE) {
		/* cut where the reader will look for the ring's middle: the
		 * first segment (in header order) that maps trunc_va */
		for (i = 0; i < nseg; i++)
			if (trunc_va >= segs[i].vaddr && trunc_va < segs[i].vaddr + segs[i].filesz) {
				file.len = (size_t)(segs[i].offset + (trunc_va - segs[i].vaddr));
				break;
			}
	}
	(void)ring_va;

	out->core = file.p;
	out->core_len = file.len;
	out->expect = ex.buf ? ex.buf : calloc(1, 1);
	out->expect_len = ex.len;
	out->survivors = survivors;
	out->first_survivor = first_survivor;
	free(info.p);
	free(notes.p);
	for (i = 0; i < nregions; i++)
		free(regions[i].mem);
	nregions = 0;
	return 0;
#undef VA
#undef KSYM
}

void gen_free(struct gen_out *out)
{
	free(out->core);
	free(out->expect);
	memset(out, 0, sizeof *out);
}

#ifndef VMCOREGEN_NO_MAIN

static const char usage_text[] =
	"usage: vmcoregen [OPTIONS] LOG OUT.vmcore [EXPECTED]\n\n"
	"Writes a synthetic ELF vmcore whose kernel log holds the lines of LOG\n"
	"(one record per line; a leading '[ sec.usec] ' sets the timestamp;\n"
	"with --escapes, \\n \\t \\\\ and \\xNN in a line become those bytes).\n"
	"EXPECTED receives what vmcore-dmesg prints for it.\n\n"
	"  --format lockless|structured|plain   (default lockless)\n"
	"  --machine x86_64|i386|ppc64|ppc|arm64   (ppc64/ppc are big-endian)\n"
	"  --page-size N --va-bits N --arm64-old   arm64: PAGESIZE (4096, 16384,\n"
	"                      65536), NUMBER(VA_BITS) (48), the layout before 5.4\n"
	"  --elf32             ELF32 headers (32-bit machines)\n"
	"  --ring-bits N       text ring / log_buf size 2^N (default 14)\n"
	"  --desc-bits N       lockless descriptor count 2^N\n"
	"  --kaslr --l5 --no-ktext --dynamic-buf --makedumpfile --alt-layout\n"
	"                      (--no-ktext: no PT_LOAD for the kernel image, as\n"
	"                      an arm64 kexec without _text writes)\n"
	"  --old-names --caller-id --last-committed --inflight --clear-logged\n"
	"  --pn-xnum           e_phnum = PN_XNUM, count in section header 0\n"
	"  --dict             structured: dictionaries on some records\n"
	"  --phys-only        p_vaddr = 0 (QEMU dump-guest-memory style)\n"
	"  --corrupt KIND      none truncate no-vmcoreinfo garbage-note\n"
	"                      garbage-after bad-symbol missing-key bad-phdrs\n"
	"                      lk-ids lk-lpos lk-textlen lk-state lk-bits st-first\n"
	"                      st-len st-loop st-textlen st-buflen pl-buflen\n"
	"  --repeat N          store the log N times (wraps small rings)\n"
	"  --osrelease R       VMCOREINFO's OSRELEASE (default 6.1.0-vmcoregen;\n"
	"                      \"\" leaves it out)\n"
	"  --seed N\n";

static int unescape(unsigned char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			char c = (char)s[++i];

			if (c == 'n')
				s[o++] = '\n';
			else if (c == 't')
				s[o++] = '\t';
			else if (c == 'r')
				s[o++] = '\r';
			else if (c == 'x' && i + 2 < n + 0 + 1) {
				char hex[3] = { (char)s[i + 1], (char)s[i + 2], 0 };
				s[o++] = (unsigned char)strtoul(hex, NULL, 16);
				i += 2;
			} else
				s[o++] = (unsigned char)c;
		} else {
			s[o++] = s[i];
		}
	}
	return (int)o;
}

int main(int argc, char **argv)
{
	struct gen_opts o;
	struct gen_out out;
	struct gen_rec *recs = NULL;
	size_t nrec = 0, cap = 0, len = 0, i;
	unsigned long repeat = 1, rep;
	char *text = NULL;
	const char *err = NULL, *pos[3];
	int npos = 0, escapes = 0, dict = 0;
	FILE *f;

	memset(&o, 0, sizeof o);
	for (i = 1; i < (size_t)argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < (size_t)argc ? argv[i + 1] : NULL;

#define FLAG(name, field) if (!strcmp(a, name)) { o.field = 1; continue; }
		FLAG("--elf32", elf32)
		FLAG("--kaslr", kaslr)
		FLAG("--l5", l5)
		FLAG("--no-ktext", no_ktext)
		FLAG("--dynamic-buf", dynamic_buf)
		FLAG("--makedumpfile", makedumpfile)
		FLAG("--alt-layout", alt_layout)
		FLAG("--old-names", old_names)
		FLAG("--caller-id", caller_id)
		FLAG("--last-committed", last_committed)
		FLAG("--inflight", inflight)
		FLAG("--clear-logged", clear_logged)
		FLAG("--pn-xnum", pn_xnum)
		FLAG("--phys-only", phys_only)
		FLAG("--arm64-old", arm64_old)
#undef FLAG
		if (!strcmp(a, "--escapes")) {
			escapes = 1;
		} else if (!strcmp(a, "--dict")) {
			dict = 1;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage_text, stdout);
			return 0;
		} else if (a[0] == '-' && a[1] == '-' && !v) {
			fprintf(stderr, "vmcoregen: %s needs a value\n", a);
			return 2;
		} else if (!strcmp(a, "--format")) {
			i++;
			if (!strcmp(v, "lockless")) o.format = GEN_LOCKLESS;
			else if (!strcmp(v, "structured")) o.format = GEN_STRUCTURED;
			else if (!strcmp(v, "plain")) o.format = GEN_PLAIN;
			else { fprintf(stderr, "vmcoregen: bad format '%s'\n", v); return 2; }
		} else if (!strcmp(a, "--machine")) {
			i++;
			if (!strcmp(v, "x86_64")) o.machine = GEN_X86_64;
			else if (!strcmp(v, "i386")) o.machine = GEN_I386;
			else if (!strcmp(v, "ppc64")) o.machine = GEN_PPC64;
			else if (!strcmp(v, "ppc")) o.machine = GEN_PPC;
			else if (!strcmp(v, "arm64")) o.machine = GEN_ARM64;
			else { fprintf(stderr, "vmcoregen: bad machine '%s'\n", v); return 2; }
		} else if (!strcmp(a, "--ring-bits")) {
			o.ring_bits = (unsigned)strtoul(argv[++i], NULL, 10);
		} else if (!strcmp(a, "--desc-bits")) {
			o.desc_bits = (unsigned)strtoul(argv[++i], NULL, 10);
		} else if (!strcmp(a, "--page-size")) {
			o.page_size = (unsigned)strtoul(argv[++i], NULL, 10);
		} else if (!strcmp(a, "--va-bits")) {
			o.va_bits = (unsigned)strtoul(argv[++i], NULL, 10);
		} else if (!strcmp(a, "--seed")) {
			o.seed = (uint32_t)strtoul(argv[++i], NULL, 10);
		} else if (!strcmp(a, "--osrelease")) {
			o.osrelease = argv[++i];
		} else if (!strcmp(a, "--repeat")) {
			repeat = strtoul(argv[++i], NULL, 10);
		} else if (!strcmp(a, "--corrupt")) {
			o.corrupt = gen_corrupt_by_name(argv[++i]);
			if (o.corrupt < 0) {
				fprintf(stderr, "vmcoregen: unknown corruption '%s'\n", v);
				return 2;
			}
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "vmcoregen: unknown option '%s'\n%s", a, usage_text);
			return 2;
		} else if (npos < 3) {
			pos[npos++] = a;
		} else {
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (npos < 2) {
		fputs(usage_text, stderr);
		return 2;
	}
	f = strcmp(pos[0], "-") ? fopen(pos[0], "rb") : stdin;
	if (!f) {
		perror(pos[0]);
		return 1;
	}
	{
		size_t tcap = 1 << 16, got;

		text = xrealloc(NULL, tcap);
		while ((got = fread(text + len, 1, tcap - len, f)) > 0) {
			len += got;
			if (len == tcap)
				text = xrealloc(text, tcap *= 2);
		}
		if (f != stdin)
			fclose(f);
	}
	{
		uint64_t auto_ts = 0;

		for (rep = 0; rep < repeat; rep++) {
			size_t p = 0;

			while (p < len) {
				size_t e = p;
				unsigned char *line;
				size_t ll;
				uint64_t ts;

				while (e < len && text[e] != '\n')
					e++;
				ll = e - p;
				line = xrealloc(NULL, ll + 1);
				memcpy(line, text + p, ll);
				p = e + 1;
				ts = auto_ts += 1234567;
				if (ll > 2 && line[0] == '[') {
					unsigned long long sec = 0, usec = 0;
					int used = 0;

					line[ll] = 0;
					if (sscanf((char *)line, "[%llu.%llu]%n", &sec, &usec, &used) == 2 && used) {
						ts = sec * 1000000000ull + usec * 1000ull + rep * 1000000000000ull;
						if (line[used] == ' ')
							used++;
						memmove(line, line + used, ll - (size_t)used);
						ll -= (size_t)used;
					}
				}
				if (escapes)
					ll = (size_t)unescape(line, ll);
				if (nrec == cap)
					recs = xrealloc(recs, (cap = cap * 2 + 64) * sizeof *recs);
				recs[nrec].ts_nsec = ts;
				recs[nrec].text = line;
				recs[nrec].len = ll;
				recs[nrec].dict = NULL;
				recs[nrec].dict_len = 0;
				if (dict && nrec % 5 == 2) {
					static const unsigned char d[] = "SUBSYSTEM=pci\0DEVICE=+pci:0000:00:1f.2";
					recs[nrec].dict = d;
					recs[nrec].dict_len = sizeof d - 1;
				}
				nrec++;
			}
		}
	}
	if (gen_vmcore(&o, recs, nrec, &out, &err)) {
		fprintf(stderr, "vmcoregen: %s\n", err);
		return 2;
	}
	f = fopen(pos[1], "wb");
	if (!f || fwrite(out.core, 1, out.core_len, f) != out.core_len || fclose(f)) {
		perror(pos[1]);
		return 1;
	}
	if (npos > 2) {
		f = fopen(pos[2], "wb");
		if (!f || fwrite(out.expect, 1, out.expect_len, f) != out.expect_len || fclose(f)) {
			perror(pos[2]);
			return 1;
		}
	}
	fprintf(stderr, "vmcoregen: %zu records, %u survive, %zu bytes\n", nrec,
		out.survivors, out.core_len);
	gen_free(&out);
	/* the records' lines are freed with the process */
	free(recs);
	free(text);
	return 0;
}
#endif
