/* The vmcore reader on synthetic vmcores from tests/vmcoregen.c: every
 * printk format, ELF class, byte order, wrapped rings, KASLR, 5-level
 * paging, makedumpfile -E layouts and corrupted variants.  Expected
 * output is what the generator derives from the records it was given
 * (its own simulation of the kernel's ring and its own formatting), not
 * anything the reader computed. */
#define VMCOREGEN_NO_MAIN
#include "tests/vmcoregen.c"

#include <stdlib.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/status.h"
#include "kdump/vmcore/vmcore.h"
#include "port/port.h"
#include "tests/unit/check.h"

static unsigned char scratch_mem[VMCORE_SCRATCH_SIZE];

/* ---- a log to store ------------------------------------------------- */

static struct gen_rec *recs;
static size_t nrecs;
static unsigned char *textpool;

static void make_log(size_t n)
{
	size_t i, pos = 0;
	uint64_t ts = 0;

	free(recs);
	free(textpool);
	recs = calloc(n, sizeof *recs);
	textpool = malloc(n * 400 + 4096);
	for (i = 0; i < n; i++) {
		unsigned char *t = textpool + pos;
		int len = sprintf((char *)t, "record %zu: ", i);
		unsigned k, extra = (unsigned)(i * 37 % 170);

		for (k = 0; k < extra; k++) {
			unsigned r = (unsigned)((i * 131 + k * 17) % 97);
			/* mostly text, some tabs, newlines, control and high bytes */
			t[len++] = r < 80 ? (unsigned char)('a' + r % 26) :
				   r < 84 ? ' ' : r < 86 ? '\t' : r < 87 ? '\n' :
				   r < 90 ? (unsigned char)(r - 86) : (unsigned char)(0x7f + r * 3);
		}
		if (i % 50 == 7)
			len = 0;     /* empty records are data-less in the lockless ring */
		ts += 1000 + (i * 7919) % 3000000;
		recs[i].ts_nsec = ts;
		recs[i].text = t;
		recs[i].len = (size_t)len;
		if (i % 5 == 2) {
			static const unsigned char d[] = "SUBSYSTEM=pci\0DEVICE=+pci:0000:00:1f.2";
			recs[i].dict = d;
			recs[i].dict_len = sizeof d - 1;
		}
		pos += (size_t)len + 1;
	}
	nrecs = n;
}

/* ---- running the reader on a core ---------------------------------- */

struct capture {
	char *p;
	size_t len, cap;
	int calls, stop_after;
};

static int capture_sink(void *ctx, const char *s, size_t n)
{
	struct capture *c = ctx;

	if (c->stop_after && ++c->calls > c->stop_after)
		return 42;
	if (c->len + n + 1 > c->cap) {
		c->cap = (c->len + n + 1) * 2;
		c->p = realloc(c->p, c->cap);
	}
	memcpy(c->p + c->len, s, n);
	c->len += n;
	c->p[c->len] = '\0';
	return 0;
}

static char core_path[256];

static void write_core(const unsigned char *p, size_t n)
{
	FILE *f;

	if (!core_path[0]) {
		const char *dir = getenv("TMPDIR");
		int fd;

		snprintf(core_path, sizeof core_path, "%s/ps_test_vmcore_XXXXXX",
			 dir && *dir ? dir : "/tmp");
		fd = mkstemp(core_path);
		if (fd < 0) {
			perror("mkstemp");
			exit(1);
		}
		close(fd);
	}
	f = fopen(core_path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f)) {
		perror(core_path);
		exit(1);
	}
}

/* Generates a core, reads it back; returns the reader's status. */
static int run_core(const struct gen_opts *o, struct gen_out *g, struct capture *c,
		    struct vmcore_stats *st, size_t arena_size)
{
	struct port_file f;
	struct ps_arena a;
	const char *err = NULL;
	int rc;

	memset(c, 0, sizeof *c);
	if (gen_vmcore(o, recs, nrecs, g, &err)) {
		fprintf(stderr, "generator: %s\n", err);
		exit(1);
	}
	write_core(g->core, g->core_len);
	if (port_open(&f, core_path)) {
		perror(core_path);
		exit(1);
	}
	ps_arena_init(&a, scratch_mem, arena_size);
	capture_sink(c, "", 0);
	rc = vmcore_dmesg_stream(&f, &a, capture_sink, c, st);
	CHECK_EQ_INT(a.used, 0);                 /* the arena is given back */
	CHECK(a.peak <= VMCORE_SCRATCH_SIZE);
	port_close(&f);
	return rc;
}

static const char *describe(const struct gen_opts *o)
{
	static char d[200];
	static const char *const fm[] = { "lockless", "structured", "plain" };
	static const char *const ma[] = { "x86_64", "i386", "ppc64", "ppc", "arm64" };

	snprintf(d, sizeof d, "%s %s%s page=%u va=%u%s bits=%u/%u%s%s%s%s%s%s%s%s%s corrupt=%s",
		 fm[o->format], ma[o->machine], o->elf32 ? " elf32" : "", o->page_size, o->va_bits,
		 o->arm64_old ? " arm64-old" : "", o->ring_bits, o->desc_bits,
		 o->kaslr ? " kaslr" : "", o->l5 ? " l5" : "", o->makedumpfile ? " mdf" : "",
		 o->no_ktext ? " no-ktext" : "", o->dynamic_buf ? " dyn" : "",
		 o->alt_layout ? " alt" : "", o->pn_xnum ? " xnum" : "",
		 o->old_names ? " old-names" : "", o->phys_only ? " phys-only" : "",
		 gen_corrupt_name(o->corrupt));
	return d;
}

static int same_output(const struct gen_opts *o, const struct capture *c, const struct gen_out *g)
{
	if (c->len == g->expect_len && !memcmp(c->p, g->expect, c->len))
		return 1;
	fprintf(stderr, "output differs for %s (%zu vs %zu bytes expected)\n", describe(o),
		c->len, g->expect_len);
	return 0;
}

static const char *find_span(const char *h, size_t hn, const char *n, size_t nn)
{
	size_t i;

	for (i = 0; nn <= hn && i <= hn - nn; i++)
		if (!memcmp(h + i, n, nn))
			return h + i;
	return NULL;
}

/* Every line of the output is a line of the expected output. */
static int lines_subset(const struct capture *c, const struct gen_out *g)
{
	size_t i = 0;

	while (i < c->len) {
		const char *nl = memchr(c->p + i, '\n', c->len - i);
		size_t n = nl ? (size_t)(nl - c->p) - i + 1 : c->len - i;
		const char *hit = g->expect;
		int found = 0;

		while ((hit = find_span(hit, g->expect_len - (size_t)(hit - g->expect), c->p + i, n))) {
			if (hit == g->expect || hit[-1] == '\n') {
				found = 1;
				break;
			}
			hit++;
		}
		if (!found)
			return 0;
		i += n;
	}
	return 1;
}

/* ---- the valid matrix -------------------------------------------------------- */

static void check_valid(struct gen_opts o, int expect_wrap)
{
	struct gen_out g;
	struct capture c;
	struct vmcore_stats st;
	int rc = run_core(&o, &g, &c, &st, sizeof scratch_mem);

	CHECK_EQ_INT(rc, PS_OK);
	CHECK(same_output(&o, &c, &g));
	if (st.warning[0])
		fprintf(stderr, "%s: unexpected warning: %s\n", describe(&o), st.warning);
	CHECK(st.warning[0] == '\0');
	CHECK_EQ_INT(st.skipped, 0);
	CHECK_EQ_INT(st.format, o.format == GEN_LOCKLESS ? VMCORE_FMT_LOCKLESS :
				o.format == GEN_STRUCTURED ? VMCORE_FMT_STRUCTURED : VMCORE_FMT_PLAIN);
	CHECK_EQ_STR(st.release, "6.1.0-vmcoregen");
	if (o.format == GEN_LOCKLESS)
		CHECK_EQ_INT(st.records, g.survivors);
	/* the case really wrapped (or really did not) */
	if (o.format != GEN_PLAIN)
		CHECK_EQ_INT(g.first_survivor > 0, expect_wrap);
	CHECK(g.survivors > 0);
	free(c.p);
	gen_free(&g);
}

/* arm64: every page size with the VA_BITS it allows, both layouts (the
 * linear map in the lower half since 5.4, the upper half before), read
 * through the PT_LOADs and, without a kernel-image PT_LOAD (an arm64
 * kexec that found no _text) or without virtual addresses at all, through
 * VMCOREINFO's kimage_voffset, PHYS_OFFSET and VA_BITS alone. */
static void check_arm64(struct gen_opts o)
{
	static const struct { unsigned page, va; int old; } lay[] = {
		{ 4096, 48, 0 }, { 4096, 39, 0 }, { 16384, 47, 0 }, { 16384, 36, 0 },
		{ 65536, 52, 0 }, { 65536, 42, 0 }, { 4096, 48, 1 }, { 4096, 39, 1 },
		{ 16384, 47, 1 }, { 65536, 42, 1 }, { 65536, 48, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof lay / sizeof lay[0]; i++) {
		o.page_size = lay[i].page;
		o.va_bits = lay[i].va;
		o.arm64_old = lay[i].old;
		o.kaslr = (int)(i & 1);
		o.seed = (uint32_t)(i + 11);
		check_valid(o, 1);
		o.no_ktext = 1;
		check_valid(o, 1);
		o.no_ktext = 0;
		o.phys_only = 1;
		check_valid(o, 1);
		o.dynamic_buf = 1;      /* the ring in the linear map */
		check_valid(o, 1);
		o.makedumpfile = 1;
		check_valid(o, 1);
		o.phys_only = 0;
		o.no_ktext = 1;
		check_valid(o, 1);
		o.no_ktext = o.dynamic_buf = o.makedumpfile = 0;
	}
	o.page_size = o.va_bits = 0;
	o.arm64_old = o.kaslr = 0;
	o.seed = 0;
}

static void test_matrix(void)
{
	static const struct { int machine, elf32; } machines[] = {
		{ GEN_X86_64, 0 }, { GEN_I386, 1 }, { GEN_I386, 0 }, { GEN_PPC64, 0 },
		{ GEN_PPC, 1 }, { GEN_PPC, 0 }, { GEN_ARM64, 0 },
	};
	int fmt;
	size_t m;

	make_log(1500);
	for (fmt = GEN_LOCKLESS; fmt <= GEN_PLAIN; fmt++) {
		for (m = 0; m < sizeof machines / sizeof machines[0]; m++) {
			struct gen_opts o;
			int x86 = machines[m].machine == GEN_X86_64;

			memset(&o, 0, sizeof o);
			o.format = fmt;
			o.machine = machines[m].machine;
			o.elf32 = machines[m].elf32;

			o.ring_bits = 20;               /* big enough: no wrap */
			o.desc_bits = 12;
			check_valid(o, 0);
			o.ring_bits = 12;               /* text ring wraps */
			o.desc_bits = 9;
			check_valid(o, 1);
			o.ring_bits = 16;               /* descriptor ring wraps */
			o.desc_bits = 5;
			check_valid(o, 1);
			o.ring_bits = 9;                /* tiny: wraps many times */
			o.desc_bits = 2;
			check_valid(o, 1);
			o.ring_bits = 13;
			o.desc_bits = 0;
			o.dynamic_buf = 1;              /* log_buf_len=: in the direct map */
			check_valid(o, 1);
			o.dynamic_buf = 0;
			o.alt_layout = 1;               /* offsets only from VMCOREINFO */
			check_valid(o, 1);
			o.alt_layout = 0;
			o.makedumpfile = 1;             /* split PT_LOADs, zero pages left out */
			check_valid(o, 1);
			o.pn_xnum = 1;
			check_valid(o, 1);
			o.pn_xnum = 0;
			o.makedumpfile = 0;
			if (x86) {
				o.kaslr = 1;
				o.seed = 99;
				check_valid(o, 1);
				o.l5 = 1;
				o.makedumpfile = 1;
				check_valid(o, 1);
				o.no_ktext = 1;         /* kernel symbols via phys_base */
				check_valid(o, 1);
				o.kaslr = o.l5 = o.makedumpfile = 0;
				check_valid(o, 1);
				o.no_ktext = 0;
				o.seed = 0;
				/* physical addresses only (QEMU dump-guest-memory):
				 * kernel image via phys_base (KASLR too), a
				 * log_buf_len= buffer via the default direct map */
				o.phys_only = 1;
				check_valid(o, 1);
				o.l5 = 1;
				o.dynamic_buf = 1;
				check_valid(o, 1);
				o.l5 = o.dynamic_buf = 0;
				o.kaslr = 1;
				o.seed = 7;
				check_valid(o, 1);
				o.kaslr = o.phys_only = 0;
				o.seed = 0;
			}
			if (machines[m].machine == GEN_ARM64)
				check_arm64(o);
			if (fmt == GEN_STRUCTURED) {
				o.old_names = 1;        /* SIZE(log), 3.5-3.10 */
				check_valid(o, 1);
				o.old_names = 0;
				o.caller_id = 1;
				check_valid(o, 1);
				o.caller_id = 0;
			}
			if (fmt == GEN_LOCKLESS) {
				o.last_committed = 1;   /* committed, not finalized */
				o.inflight = 1;         /* reserved record at head: skipped */
				check_valid(o, 1);
				o.last_committed = o.inflight = 0;
			}
			if (fmt == GEN_PLAIN) {
				o.clear_logged = 1;     /* after dmesg -c */
				check_valid(o, 1);
				o.clear_logged = 0;
				o.seed = 3;             /* log_end wraps past 2^32 */
				check_valid(o, 1);
				o.seed = 0;
			}
		}
	}
}

/* ---- record contents ------------------------------------------------------------ */

static void test_record_bytes(void)
{
	static unsigned char all[256], longrec[3000];
	static const unsigned char nl[] = "first line\nsecond line\n";
	struct gen_rec r[6];
	struct gen_opts o;
	struct gen_out g;
	struct capture c;
	struct vmcore_stats st;
	int i, fmt;
	char *want = NULL;
	size_t wlen = 0, wcap = 0;

	for (i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	for (i = 0; i < (int)sizeof longrec; i++)
		longrec[i] = (unsigned char)('A' + i % 26);
	memset(r, 0, sizeof r);
	r[0].ts_nsec = 0; r[0].text = all; r[0].len = 256;
	r[1].ts_nsec = 99999999999999ull; r[1].text = nl; r[1].len = sizeof nl - 1;
	r[2].ts_nsec = 123456789000000000ull; r[2].text = (const unsigned char *)""; r[2].len = 0;
	r[3].ts_nsec = 5; r[3].text = longrec; r[3].len = sizeof longrec;
	r[4].ts_nsec = 1999999; r[4].text = (const unsigned char *)"x"; r[4].len = 1;
	r[5].ts_nsec = 1000000000; r[5].text = (const unsigned char *)"\x7f\x80\xff\t\r\v\f"; r[5].len = 7;

	/* independent expectation, spelled out */
	gen_expect_line(&want, &wlen, &wcap, 0, all, 256);
	CHECK(strstr(want, "[    0.000000] \\x00\\x01\\x02\\x03\\x04\\x05\\x06\\x07\\x08\t\n\v\f\r\\x0e") == want);
	CHECK(strstr(want, " !\"#$%&'()*+,-./0123456789:;<=>?@ABC") != NULL);
	CHECK(strstr(want, "|}~\\x7f\\x80\\x81") != NULL);
	CHECK(strstr(want, "\\xfe\\xff\n") != NULL);
	wlen = 0;
	gen_expect_line(&want, &wlen, &wcap, 99999999999999ull, nl, sizeof nl - 1);
	CHECK_EQ_STR(want, "[99999.999999] first line\nsecond line\n\n");
	wlen = 0;
	gen_expect_line(&want, &wlen, &wcap, 123456789000000000ull, NULL, 0);
	CHECK_EQ_STR(want, "[123456789.000000] \n");
	wlen = 0;
	gen_expect_line(&want, &wlen, &wcap, 1999999, (const unsigned char *)"x", 1);
	CHECK_EQ_STR(want, "[    0.001999] x\n");
	free(want);

	for (fmt = GEN_LOCKLESS; fmt <= GEN_STRUCTURED; fmt++) {
		memset(&o, 0, sizeof o);
		o.format = fmt;
		o.ring_bits = 14;
		recs = r;
		nrecs = 6;
		CHECK_EQ_INT(run_core(&o, &g, &c, &st, sizeof scratch_mem), PS_OK);
		CHECK(same_output(&o, &c, &g));
		CHECK(strstr(c.p, "[    0.000000] ABCDEFGHIJ") != NULL);
		CHECK(strstr(c.p, "[    1.000000] \\x7f\\x80\\xff\t\r\v\f\n") != NULL);
		free(c.p);
		gen_free(&g);
	}
	recs = NULL;
	nrecs = 0;
}

/* ---- corrupted rings --------------------------------------------------------------- */

static void check_corrupt(int fmt, int corrupt, int machine, int mdf)
{
	struct gen_opts o;
	struct gen_out g;
	struct capture c;
	struct vmcore_stats st;
	int rc;

	memset(&o, 0, sizeof o);
	o.format = fmt;
	o.machine = machine;
	o.makedumpfile = mdf;
	o.ring_bits = 12;
	o.corrupt = corrupt;
	rc = run_core(&o, &g, &c, &st, sizeof scratch_mem);

	switch (corrupt) {
	case GEN_C_TRUNCATE:
		CHECK_EQ_INT(rc, PS_OK);
		CHECK(st.warning[0] != '\0');
		CHECK(strstr(st.warning, "truncated") != NULL);
		CHECK(c.len < g.expect_len);
		if (fmt != GEN_PLAIN)
			CHECK(lines_subset(&c, &g));
		if (fmt == GEN_LOCKLESS)
			CHECK(st.records > 0 && st.skipped > 0);
		break;
	case GEN_C_NO_VMCOREINFO:
	case GEN_C_GARBAGE_NOTE:
		CHECK_EQ_INT(rc, PS_EFORMAT);
		CHECK(strstr(st.error, "VMCOREINFO") != NULL);
		CHECK_EQ_INT(c.len, 0);
		break;
	case GEN_C_BAD_SYMBOL:
		CHECK_EQ_INT(rc, PS_EFORMAT);
		CHECK(strstr(st.error, "no PT_LOAD maps") != NULL);
		break;
	case GEN_C_BAD_PHDRS:
		CHECK_EQ_INT(rc, PS_EFORMAT);
		CHECK(strstr(st.error, "truncated") != NULL);
		break;
	case GEN_C_MISSING_KEY:
		if (fmt == GEN_LOCKLESS) {
			/* tail_id is optional: the walk covers the ring */
			CHECK_EQ_INT(rc, PS_OK);
			CHECK(same_output(&o, &c, &g));
		} else {
			CHECK_EQ_INT(rc, PS_EFORMAT);
			CHECK(strstr(st.error, fmt == GEN_STRUCTURED ? "text_len" : "log_end") != NULL);
		}
		break;
	case GEN_C_LK_BITS:
	case GEN_C_ST_FIRST:
	case GEN_C_PL_BUFLEN:
		CHECK_EQ_INT(rc, PS_EFORMAT);
		CHECK(strstr(st.error, "out of range") != NULL || strstr(st.error, "outside") != NULL);
		CHECK_EQ_INT(c.len, 0);
		break;
	case GEN_C_GARBAGE_AFTER:
	case GEN_C_ST_BUFLEN:
		/* VMCOREINFO found before the garbage; a 2 GiB log_buf_len costs nothing */
		CHECK_EQ_INT(rc, PS_OK);
		CHECK(same_output(&o, &c, &g));
		CHECK(st.warning[0] == '\0');
		break;
	case GEN_C_LK_IDS:
	case GEN_C_ST_LOOP:
	case GEN_C_LK_TEXTLEN:
		CHECK_EQ_INT(rc, PS_OK);
		CHECK(same_output(&o, &c, &g));
		CHECK(st.warning[0] != '\0');
		break;
	case GEN_C_LK_LPOS:
	case GEN_C_LK_STATE:
	case GEN_C_ST_LEN:
	case GEN_C_ST_TEXTLEN:
		CHECK_EQ_INT(rc, PS_OK);
		CHECK(same_output(&o, &c, &g));
		CHECK(st.warning[0] != '\0');
		CHECK_EQ_INT(st.skipped, 1);
		break;
	}
	free(c.p);
	gen_free(&g);
}

static void test_corrupt(void)
{
	int c;

	make_log(400);
	for (c = GEN_C_TRUNCATE; c < GEN_C_COUNT; c++) {
		const char *n = gen_corrupt_name(c);
		int fmt;

		for (fmt = GEN_LOCKLESS; fmt <= GEN_PLAIN; fmt++) {
			if ((n[0] == 'l' && n[1] == 'k' && fmt != GEN_LOCKLESS) ||
			    (n[0] == 's' && n[1] == 't' && fmt != GEN_STRUCTURED) ||
			    (n[0] == 'p' && n[1] == 'l' && fmt != GEN_PLAIN))
				continue;
			check_corrupt(fmt, c, GEN_X86_64, 0);
			check_corrupt(fmt, c, GEN_PPC64, 1);
			check_corrupt(fmt, c, GEN_PPC, 0);
			check_corrupt(fmt, c, GEN_ARM64, 1);
		}
	}
}

/* Random damage anywhere in the file: never a crash, never a hang
 * (alarm() in main), only PS_OK or PS_EFORMAT. */
static void test_fuzz(void)
{
	static const int fmts[] = { GEN_LOCKLESS, GEN_STRUCTURED, GEN_PLAIN };
	int f, iter, iters = 300;
	const char *env = getenv("VMCORE_FUZZ_ITERS");

	if (env && atoi(env) > 0)
		iters = atoi(env);
	make_log(300);
	rng_state = 4242;
	for (f = 0; f < 3; f++) {
		struct gen_opts o;
		struct gen_out g;
		const char *err;

		memset(&o, 0, sizeof o);
		o.format = fmts[f];
		o.ring_bits = 11;
		o.desc_bits = 4;
		if (gen_vmcore(&o, recs, nrecs, &g, &err))
			exit(1);
		for (iter = 0; iter < iters; iter++) {
			unsigned char *copy = malloc(g.core_len);
			size_t len = g.core_len, k, flips = 1 + rnd() % 16;
			struct port_file pf;
			struct ps_arena a;
			struct vmcore_stats st;
			struct capture c;
			int rc;

			memcpy(copy, g.core, len);
			for (k = 0; k < flips; k++) {
				/* half the hits in the headers and notes, half anywhere */
				size_t at = rnd() % 2 ? rnd() % 4096 : rnd() % len;

				copy[at] = (unsigned char)rnd();
			}
			if (iter % 10 == 9)
				len = rnd() % len;
			write_core(copy, len);
			free(copy);
			if (port_open(&pf, core_path))
				exit(1);
			ps_arena_init(&a, scratch_mem, sizeof scratch_mem);
			memset(&c, 0, sizeof c);
			rc = vmcore_dmesg_stream(&pf, &a, capture_sink, &c, &st);
			port_close(&pf);
			CHECK(rc == PS_OK || rc == PS_EFORMAT);
			if (rc != PS_OK)
				CHECK(st.error[0] != '\0');
			free(c.p);
		}
		gen_free(&g);
	}
}

/* ---- the buffer API: keep the newest whole lines -------------------------------------- */

static void test_buf(void)
{
	struct gen_opts o;
	struct gen_out g;
	const char *err;
	static const size_t caps[] = { 0, 1, 2, 30, 100, 1000, 4096, 20000 };
	size_t i;

	make_log(200);
	memset(&o, 0, sizeof o);
	o.format = GEN_LOCKLESS;
	o.ring_bits = 16;
	if (gen_vmcore(&o, recs, nrecs, &g, &err))
		exit(1);
	write_core(g.core, g.core_len);
	for (i = 0; i < sizeof caps / sizeof caps[0] + 2; i++) {
		size_t cap = i < sizeof caps / sizeof caps[0] ? caps[i]
			     : i == sizeof caps / sizeof caps[0] ? g.expect_len + 1 : g.expect_len;
		char *out = malloc(cap + 1);
		struct port_file pf;
		struct ps_arena a;
		struct vmcore_stats st;
		size_t len = 12345, want;
		int rc;

		if (port_open(&pf, core_path))
			exit(1);
		ps_arena_init(&a, scratch_mem, sizeof scratch_mem);
		out[0] = 'X';
		rc = vmcore_dmesg_buf(&pf, &a, out, cap, &len, &st);
		port_close(&pf);
		CHECK_EQ_INT(rc, PS_OK);
		/* independently: the last cap - 1 bytes, less the partial
		 * line they start with */
		if (g.expect_len + 1 <= cap) {
			want = g.expect_len;
		} else {
			size_t room = cap ? cap - 1 : 0, start = g.expect_len - room;
			const char *nl = memchr(g.expect + start, '\n', room);

			if (g.expect[start - 1] == '\n' || !nl)
				want = room;
			else
				want = g.expect_len - (size_t)(nl + 1 - g.expect);
		}
		CHECK_EQ_INT(len, want);
		CHECK_EQ_INT(st.dropped_bytes, g.expect_len - want);
		if (cap) {
			CHECK(out[len] == '\0');
			CHECK(!memcmp(out, g.expect + g.expect_len - want, len));
		}
		free(out);
	}
	gen_free(&g);
}

/* ---- memory, sinks, probing, other files ---------------------------------------------- */

static void test_memory_and_api(void)
{
	struct gen_opts o;
	struct gen_out g;
	struct capture c;
	struct vmcore_stats st;
	struct port_file pf;
	struct ps_arena a;
	static unsigned char tiny[1024];
	char info[8192];
	size_t len;
	int rc;

	/* a 1 MiB lockless log: same bounded scratch memory */
	make_log(9000);
	memset(&o, 0, sizeof o);
	o.format = GEN_LOCKLESS;
	o.ring_bits = 20;
	o.desc_bits = 15;
	CHECK_EQ_INT(run_core(&o, &g, &c, &st, sizeof scratch_mem), PS_OK);
	CHECK(same_output(&o, &c, &g));
	free(c.p);
	gen_free(&g);
	/* the minimum arena still works */
	CHECK_EQ_INT(run_core(&o, &g, &c, &st, VMCORE_SCRATCH_MIN), PS_OK);
	CHECK(same_output(&o, &c, &g));
	free(c.p);
	/* too small: PS_ENOMEM with a message */
	if (port_open(&pf, core_path))
		exit(1);
	ps_arena_init(&a, tiny, sizeof tiny);
	memset(&c, 0, sizeof c);
	rc = vmcore_dmesg_stream(&pf, &a, capture_sink, &c, &st);
	CHECK_EQ_INT(rc, PS_ENOMEM);
	CHECK(strstr(st.error, "too small") != NULL);
	CHECK_EQ_INT(a.used, 0);
	port_close(&pf);
	free(c.p);

	/* a sink that says stop */
	if (port_open(&pf, core_path))
		exit(1);
	ps_arena_init(&a, scratch_mem, sizeof scratch_mem);
	memset(&c, 0, sizeof c);
	c.stop_after = 2;
	rc = vmcore_dmesg_stream(&pf, &a, capture_sink, &c, &st);
	CHECK_EQ_INT(rc, 42);
	CHECK_EQ_INT(c.calls, 3);
	port_close(&pf);
	free(c.p);

	/* VMCOREINFO */
	if (port_open(&pf, core_path))
		exit(1);
	ps_arena_init(&a, scratch_mem, sizeof scratch_mem);
	rc = vmcore_vmcoreinfo(&pf, &a, info, sizeof info, &len, &st);
	CHECK_EQ_INT(rc, PS_OK);
	CHECK(strncmp(info, "OSRELEASE=6.1.0-vmcoregen\n", 26) == 0);
	CHECK(strstr(info, "\nSYMBOL(prb)=ffffffff81001000\n") != NULL);
	CHECK_EQ_INT(len, strlen(info));
	CHECK_EQ_STR(st.release, "6.1.0-vmcoregen");
	port_close(&pf);

	/* probing */
	CHECK_EQ_INT(vmcore_probe(g.core, g.core_len), 1);
	CHECK_EQ_INT(vmcore_probe(g.core, 17), 0);
	CHECK_EQ_INT(vmcore_probe("[    0.000000] Linux version", 28), 0);
	{
		unsigned char exec[64];

		memcpy(exec, g.core, 64);
		exec[16] = 2;   /* ET_EXEC */
		CHECK_EQ_INT(vmcore_probe(exec, 64), 0);
		exec[16] = 4;
		exec[5] = 3;    /* bad byte order */
		CHECK_EQ_INT(vmcore_probe(exec, 64), 0);
	}
	gen_free(&g);

	/* files that are not ELF vmcores */
	{
		static const struct { const char *data; size_t n; const char *msg; } bad[] = {
			{ "[    0.000000] Linux version 6.1\n", 33, "not an ELF file" },
			{ "KDUMP   \x06\0\0\0....................", 32, "compressed kdump" },
			{ "makedumpfile\0\0\0\0\0\0\0\0\0\0\0\0", 24, "makedumpfile -R" },
			{ "", 0, "not an ELF file" },
			{ "\177ELF\2\1\1\0\0\0\0\0\0\0\0\0\2\0\76\0", 20, "truncated" },
		};
		size_t i;

		for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			write_core((const unsigned char *)bad[i].data, bad[i].n);
			if (port_open(&pf, core_path))
				exit(1);
			ps_arena_init(&a, scratch_mem, sizeof scratch_mem);
			memset(&c, 0, sizeof c);
			rc = vmcore_dmesg_stream(&pf, &a, capture_sink, &c, &st);
			CHECK_EQ_INT(rc, PS_EFORMAT);
			if (!strstr(st.error, bad[i].msg))
				fprintf(stderr, "case %zu: error '%s'\n", i, st.error);
			CHECK(strstr(st.error, bad[i].msg) != NULL);
			port_close(&pf);
			free(c.p);
		}
	}
}

/* A full descriptor ring whose ids wrapped past the top of their range,
 * read without OFFSET(prb_desc_ring.tail_id) (older VMCOREINFO, or a
 * dump that lacks it): the walk starts at head_id - count + 1, so the
 * oldest record -- the one in the slot the next record would take --
 * must be there, as must every other.  With tail_id the same ring reads
 * the same. */
static void test_full_ring_without_tail(void)
{
	static const struct { int machine, elf32; } machines[] = {
		{ GEN_X86_64, 0 }, { GEN_I386, 1 }, { GEN_PPC64, 0 }, { GEN_PPC, 1 },
	};
	static const unsigned bits[][2] = { { 16, 5 }, { 14, 3 }, { 10, 2 } };
	size_t m, b;
	int tail;

	make_log(1500);
	for (m = 0; m < sizeof machines / sizeof machines[0]; m++)
		for (b = 0; b < sizeof bits / sizeof bits[0]; b++)
			for (tail = 0; tail < 2; tail++) {
				struct gen_opts o;
				struct gen_out g;
				struct capture c;
				struct vmcore_stats st;
				int rc;

				memset(&o, 0, sizeof o);
				o.format = GEN_LOCKLESS;
				o.machine = machines[m].machine;
				o.elf32 = machines[m].elf32;
				o.ring_bits = bits[b][0];       /* text for far more records */
				o.desc_bits = bits[b][1];       /* than there are descriptors */
				o.corrupt = tail ? GEN_C_NONE : GEN_C_MISSING_KEY;  /* lockless: no tail_id */
				rc = run_core(&o, &g, &c, &st, sizeof scratch_mem);
				CHECK_EQ_INT(rc, PS_OK);
				/* full: one readable record per descriptor, and ids wrapped
				 * (1500 records from near the top of the id range) */
				CHECK_EQ_INT(g.survivors, 1u << o.desc_bits);
				CHECK(g.first_survivor > 0);
				CHECK_EQ_INT(st.records, g.survivors);
				CHECK(same_output(&o, &c, &g));
				CHECK(st.warning[0] == '\0');
				free(c.p);
				gen_free(&g);
			}
}

int main(void)
{
	alarm(getenv("VMCORE_FUZZ_ITERS") ? 3000 : 300);   /* a hang is a failure */
	test_record_bytes();
	test_matrix();
	test_full_ring_without_tail();
	test_corrupt();
	test_buf();
	test_memory_and_api();
	test_fuzz();
	if (core_path[0])
		unlink(core_path);
	free(recs);
	free(textpool);
	return check_summary("test_vmcore");
}
