/* core/model.c: write → load round trip, and every kind of damage is
 * rejected with a message instead of a crash. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/arena.h"
#include "core/catalogue.h"
#include "core/diagnose.h"
#include "core/drain.h"
#include "core/status.h"
#include "core/sage.h"
#include "randmodel.h"

static int load(const unsigned char *img, size_t len, char *err, size_t errlen)
{
	struct ps_model m;

	return ps_model_load(&m, img, len, err, errlen);
}

/* Writes a new checksum so that validation past the checksum runs. */
static void reseal(unsigned char *img, size_t len)
{
	uint64_t c = ps_model_checksum(img, len);

	memcpy(img + 32, &c, 8);
}

static int has(const char *err, const char *needle)
{
	if (strstr(err, needle))
		return 1;
	fprintf(stderr, "error was: %s (expected '%s')\n", err, needle);
	return 0;
}

int main(void)
{
	static const uint32_t dims[] = { 16, 12, 8 };
	struct ps_model src, m;
	unsigned char *img, *bad;
	size_t len, i;
	char err[256];
	int rc, rejected = 0, tries = 0;
	uint64_t v;
	uint32_t u, l;

	rand_model(&src, 64, 2, dims, 20, 4, 5, 0.1f, PS_MODEL_F_F32 | PS_MODEL_F_INT8);
	img = rand_model_image(&src, &len);
	CHECK(len % 64 == 0);
	rc = ps_model_load(&m, img, len, err, sizeof err);
	CHECK_EQ_INT(rc, 0);
	CHECK_EQ_INT(m.p.dim, 16);
	CHECK_EQ_INT(m.p.nlayers, 2);
	CHECK_EQ_INT(m.p.ncases, 20);
	CHECK_EQ_INT(m.p.k, 5);
	CHECK(m.p.tau == 0.1f);
	CHECK(m.p.feat_weight[PS_NFEAT - 1] == (float)PS_NFEAT);
	CHECK_SPAN(m.labels[2].p, m.labels[2].n, "charlie");
	CHECK_EQ_INT(m.templates.count, 3);
	{
		struct ps_str s = ps_strtab_get(&m.templates, 1);
		CHECK_SPAN(s.p, s.n, "Kernel panic <*>");
		s = ps_strtab_get(&m.case_names, 19);
		CHECK_SPAN(s.p, s.n, "case-19");
		s = ps_strtab_get(&m.case_names, 20);
		CHECK_EQ_INT(s.n, 0);
	}
	/* zero copy: pointers into the image, values equal */
	CHECK((const unsigned char *)m.proj.w > img && (const unsigned char *)m.proj.w < img + len);
	CHECK(memcmp(m.proj.w, src.proj.w, 64 * 16 * 4) == 0);
	CHECK(memcmp(m.emb[1].w, src.emb[1].w, 20 * 12 * 4) == 0);
	CHECK(memcmp(m.qw_neigh[1].q, src.qw_neigh[1].q, 8 * 12) == 0);
	CHECK(memcmp(m.qw_neigh[1].scale, src.qw_neigh[1].scale, 8 * 4) == 0);
	CHECK(memcmp(m.case_label, src.case_label, 20 * 2) == 0);
	CHECK(m.cls_b[3] == src.cls_b[3]);

	/* a second write gives the same bytes */
	{
		unsigned char *again = malloc(len);
		CHECK_EQ_INT(ps_model_write(&src, again, len), len);
		CHECK(memcmp(again, img, len) == 0);
		free(again);
	}
	/* too small a buffer: size reported, nothing written past it */
	{
		unsigned char small[100];
		memset(small, 0xAA, sizeof small);
		CHECK_EQ_INT(ps_model_write(&src, small, 50), len);
		CHECK(small[50] == 0xAA && small[99] == 0xAA);
	}

	/* truncation at every length */
	bad = aligned_alloc(64, len + 64);
	for (i = 0; i < len; i += (i < 256 ? 1 : 61)) {
		memcpy(bad, img, i);
		tries++;
		rejected += load(bad, i, err, sizeof err) != 0;
	}
	CHECK_EQ_INT(rejected, tries);
	memcpy(bad, img, len);
	CHECK(load(bad, len - 1, err, sizeof err) != 0 && has(err, "truncated"));
	CHECK(load(bad, 10, err, sizeof err) != 0 && has(err, "truncated"));
	/* trailing garbage */
	CHECK(load(bad, len + 4, err, sizeof err) != 0 && has(err, "trailing"));
	/* any flipped byte: the checksum catches it */
	tries = rejected = 0;
	for (i = 0; i < len; i += 7) {
		memcpy(bad, img, len);
		bad[i] ^= 0x5a;
		tries++;
		rejected += load(bad, len, err, sizeof err) != 0;
	}
	CHECK_EQ_INT(rejected, tries);
	/* flipped bytes with a valid checksum: validation still never
	 * crashes, and rejects damage to the header, table and params */
	for (i = 0; i < len; i++) {
		memcpy(bad, img, len);
		bad[i] ^= (unsigned char)(1u << (i % 8));
		if (i >= 32 && i < 40)
			continue;
		reseal(bad, len);
		rc = load(bad, len, err, sizeof err);
		if (i < 0x200 && i != 28 && rc == 0 && !(i >= 64 + 4 && i < 64 + 24 * 40))
			fprintf(stderr, "byte %zu flipped and accepted\n", i);
	}
	memcpy(bad, img, len);
	bad[0] = 'X';
	CHECK(load(bad, len, err, sizeof err) != 0 && has(err, "magic"));
	memcpy(bad, img, len);
	bad[8] = 2;
	CHECK(load(bad, len, err, sizeof err) != 0 && has(err, "version"));
	memcpy(bad, img, len);
	bad[100] ^= 1;
	CHECK(load(bad, len, err, sizeof err) != 0 && has(err, "checksum"));
	/* a section offset pointing outside the file */
	memcpy(bad, img, len);
	v = len + 64;
	memcpy(bad + 64 + 24 * 3 + 8, &v, 8);
	reseal(bad, len);
	CHECK(load(bad, len, err, sizeof err) != 0 && has(err, "out of bounds"));
	/* misaligned section offset */
	memcpy(bad, img, len);
	memcpy(&v, bad + 64 + 24 * 3 + 8, 8);
	v += 4;
	memcpy(bad + 64 + 24 * 3 + 8, &v, 8);
	reseal(bad, len);
	CHECK(load(bad, len, err, sizeof err) != 0 && has(err, "out of bounds"));
	/* two sections on top of each other */
	memcpy(bad, img, len);
	memcpy(bad + 64 + 24 * 5 + 8, bad + 64 + 24 * 6 + 8, 8);
	reseal(bad, len);
	CHECK(load(bad, len, err, sizeof err) != 0);
	/* params out of range: 9 layers, 0 labels, k huge, buckets not 2^n */
	{
		uint64_t po;
		static const uint32_t field_off[] = { 8, 16, 24, 4 };
		static const uint32_t field_val[] = { 9, 0, 100000, 100 };

		memcpy(&po, img + 64 + 8, 8);     /* params is the first section */
		for (u = 0; u < 4; u++) {
			memcpy(bad, img, len);
			memcpy(bad + po + field_off[u], &field_val[u], 4);
			reseal(bad, len);
			CHECK(load(bad, len, err, sizeof err) != 0 && has(err, "range"));
		}
		/* NaN in a weight */
		memcpy(bad, img, len);
		{
			float nan = __builtin_nanf("");
			uint64_t wo = 0;
			for (u = 0; u < 64; u++) {
				uint32_t id;
				memcpy(&id, img + 64 + 24 * u, 4);
				if (id == PS_SEC_W_SELF + 1) {
					memcpy(&wo, img + 64 + 24 * u + 8, 8);
					break;
				}
			}
			CHECK(wo != 0);
			memcpy(bad + wo + 12, &nan, 4);
		}
		reseal(bad, len);
		CHECK(load(bad, len, err, sizeof err) != 0 && has(err, "NaN"));
	}
	/* a stored case label out of range */
	memcpy(bad, img, len);
	for (u = 0; u < 64; u++) {
		uint32_t id;
		memcpy(&id, img + 64 + 24 * u, 4);
		if (id == PS_SEC_CASE_LABEL) {
			uint64_t o;
			uint16_t big = 40;
			memcpy(&o, img + 64 + 24 * u + 8, 8);
			memcpy(bad + o + 6, &big, 2);
			break;
		}
	}
	reseal(bad, len);
	CHECK(load(bad, len, err, sizeof err) != 0 && has(err, "label out of range"));
	/* misaligned buffer */
	memmove(bad + 1, img, len);
	CHECK(load(bad + 1, len, err, sizeof err) != 0 && has(err, "aligned"));
	CHECK(load(NULL, 0, err, sizeof err) != 0);
	CHECK(load(img, len, NULL, 0) == 0);

	/* the CATALOGUE section (flag PS_MODEL_F_CATALOGUE): its text is
	 * there, byte for byte; a model without the flag has none and is
	 * what older models are; an empty section is refused */
	{
		static const char text[] = "# panicsage catalogue v1\nx.y\tmanual\theader\tno\tany\tany\t6.1\t-\tf.c:1\tsysrq: Trigger a crash\n";
		uint32_t flags0 = src.flags;
		unsigned char *withcat;
		size_t nw, nold;

		CHECK(m.catalogue.p == NULL && m.catalogue.n == 0);   /* img: no flag */
		nold = len;
		src.flags |= PS_MODEL_F_CATALOGUE;
		src.catalogue.p = text;
		src.catalogue.n = sizeof text - 1;
		withcat = rand_model_image(&src, &nw);
		CHECK(nw > nold);
		CHECK_EQ_INT(load(withcat, nw, err, sizeof err), 0);
		ps_model_load(&m, withcat, nw, err, sizeof err);
		CHECK_EQ_INT(m.catalogue.n, sizeof text - 1);
		CHECK(m.catalogue.p && memcmp(m.catalogue.p, text, sizeof text - 1) == 0);
		CHECK((const unsigned char *)m.catalogue.p > withcat &&
		      (const unsigned char *)m.catalogue.p < withcat + nw);
		/* the catalogue used with a model: its own; the built-in one
		 * for a model without (and for no model) */
		{
			static unsigned char cmem[8 << 20];
			struct ps_catalogue cat;
			struct ps_arena ca;
			struct ps_model old;

			ps_arena_init(&ca, cmem, sizeof cmem);
			CHECK_EQ_INT(ps_model_catalogue(&cat, &m, &ca, NULL), 0);
			CHECK_EQ_INT(cat.n, 1);
			CHECK(cat.entry[0].id.n == 3 && !memcmp(cat.entry[0].id.p, "x.y", 3));
			CHECK_EQ_INT(ps_model_load(&old, img, len, err, sizeof err), 0);
			ps_arena_init(&ca, cmem, sizeof cmem);
			CHECK_EQ_INT(ps_model_catalogue(&cat, &old, &ca, NULL), 0);
			CHECK(cat.n > 1000);     /* model/catalogue.tsv */
			ps_arena_init(&ca, cmem, sizeof cmem);
			CHECK_EQ_INT(ps_model_catalogue(&cat, NULL, &ca, NULL), 0);
			CHECK(cat.n > 1000);
		}
		free(withcat);
		src.catalogue.n = 0;        /* flag without text: refused */
		withcat = rand_model_image(&src, &nw);
		CHECK(load(withcat, nw, err, sizeof err) != 0 && has(err, "catalogue"));
		free(withcat);
		src.flags = flags0;
		src.catalogue.p = NULL;
		ps_model_load(&m, img, len, err, sizeof err);
	}

	/* int8-only and float-only files load; the missing path is refused */
	for (l = 0; l < 2; l++) {
		static unsigned char mem[1 << 16];
		struct ps_arena a;
		struct ps_sage_result r;
		float h0[16] = { 1 };
		unsigned char *one;
		size_t n1;

		src.flags = l ? PS_MODEL_F_INT8 : PS_MODEL_F_F32;
		one = rand_model_image(&src, &n1);
		CHECK(n1 < len);
		CHECK_EQ_INT(load(one, n1, err, sizeof err), 0);
		ps_model_load(&m, one, n1, err, sizeof err);
		ps_arena_init(&a, mem, sizeof mem);
		CHECK_EQ_INT(ps_sage_forward(&m, h0, l ? PS_NUM_INT8 : PS_NUM_F32, &a, &r), 0);
		CHECK_EQ_INT(ps_sage_forward(&m, h0, l ? PS_NUM_F32 : PS_NUM_INT8, &a, &r), PS_ERANGE);
		CHECK_EQ_INT(ps_sage_forward(&m, h0, PS_NUM_AUTO, &a, &r), 0);
		free(one);
	}
	src.flags = 0;
	{
		unsigned char *none = rand_model_image(&src, &len);
		CHECK(load(none, len, err, sizeof err) != 0 && has(err, "neither"));
		free(none);
	}

	/* seeding a Drain: template i gets id i; lines map to them */
	{
		static unsigned char mem[1 << 22];
		struct ps_arena a;
		struct ps_drain_params dp;
		struct ps_drain *d;

		src.flags = PS_MODEL_F_F32;
		free(img);
		img = rand_model_image(&src, &len);
		CHECK_EQ_INT(ps_model_load(&m, img, len, err, sizeof err), 0);
		ps_arena_init(&a, mem, sizeof mem);
		ps_drain_defaults(&dp);
		dp.max_clusters = 64;
		dp.max_nodes = 1024;
		dp.max_vocab = 1024;
		dp.vocab_bytes = 1 << 14;
		dp.template_tokens = 1 << 12;
		CHECK_EQ_INT(ps_drain_init(&d, &a, &dp), 0);
		CHECK_EQ_INT(ps_model_seed_drain(&m, d), 0);
		CHECK_EQ_INT(ps_drain_count(d), 3);
		CHECK_EQ_INT(ps_drain_add(d, "Kernel panic foo", 16), 1);
		CHECK_EQ_INT(ps_drain_add(d, "BUG: something", 14), 0);
		CHECK_EQ_INT(ps_drain_match(d, "watchdog:", 9), PS_DRAIN_OVERFLOW);  /* 1 token: never filed */
		CHECK_EQ_INT(ps_model_seed_drain(&m, d), PS_ERANGE);   /* not fresh */
		dp.max_clusters = 2;
		ps_arena_init(&a, mem, sizeof mem);
		CHECK_EQ_INT(ps_drain_init(&d, &a, &dp), 0);
		CHECK_EQ_INT(ps_model_seed_drain(&m, d), PS_EFULL);
	}
	/* calibration: a model without CALIB has T = 1; with it, T and the
	 * threshold round-trip, the softmax is of logits / T, and a bad
	 * section is refused */
	{
		static unsigned char mem[1 << 16];
		struct ps_arena a;
		struct ps_model mc;
		struct ps_sage_result r1, r2;
		unsigned char *ci;
		size_t clen, off = 0;
		float h0[16], t, zero = 0, nan = 0.0f / 0.0f, logits[4], mx = -1e30f, z = 0;
		uint32_t k, ns;

		src.flags = PS_MODEL_F_F32;
		free(img);
		img = rand_model_image(&src, &len);
		CHECK_EQ_INT(ps_model_load(&m, img, len, err, sizeof err), 0);
		CHECK(m.temperature == 1.0f && m.uncertain_below == PS_UNCERTAIN_DEFAULT);
		src.flags = PS_MODEL_F_F32 | PS_MODEL_F_CALIB;
		src.temperature = 2.5f;
		src.uncertain_below = 0.6f;
		ci = rand_model_image(&src, &clen);
		CHECK(clen > len);
		rc = ps_model_load(&mc, ci, clen, err, sizeof err);
		if (rc)
			fprintf(stderr, "calib load: %s\n", err);
		CHECK_EQ_INT(rc, 0);
		CHECK(mc.temperature == 2.5f && mc.uncertain_below == 0.6f);
		for (k = 0; k < 16; k++)
			h0[k] = (float)((k * 7) % 5) / 5.0f - 0.3f;
		ps_arena_init(&a, mem, sizeof mem);
		CHECK_EQ_INT(ps_sage_forward(&m, h0, PS_NUM_F32, &a, &r1), 0);
		CHECK_EQ_INT(ps_sage_forward(&mc, h0, PS_NUM_F32, &a, &r2), 0);
		/* the forward pass is uncalibrated: ps_classify applies the
		 * temperature (tests/unit/test_classify.c) */
		for (k = 0; k < 4; k++)
			CHECK(r1.probs[k] == r2.probs[k]);
		(void)logits, (void)mx, (void)z;
		/* find the CALIB section and damage it */
		memcpy(&ns, ci + 24, 4);
		for (k = 0; k < ns; k++) {
			uint32_t id;

			memcpy(&id, ci + 64 + 24 * k, 4);
			if (id == PS_SEC_CALIB)
				memcpy(&off, ci + 64 + 24 * k + 8, 8);
		}
		CHECK(off != 0);
		free(bad);
		bad = aligned_alloc(64, (clen + 63) / 64 * 64);
		for (k = 0; off && k < 5; k++) {
			const char *want = "temperature out of range";

			memcpy(bad, ci, clen);
			t = k == 0 ? 0.0f : k == 1 ? 21.0f : nan;
			memcpy(bad + off + 4, &t, 4);
			if (k == 2) {
				memcpy(bad + off + 4, &src.temperature, 4);
				memcpy(bad + off + 8, &nan, 4);
				want = "threshold out of range";
			} else if (k == 3) {
				memcpy(bad + off + 4, &src.temperature, 4);
				bad[off] = 2;
				want = "calibration version";
			} else if (k == 4) {
				memcpy(bad + off + 4, &src.temperature, 4);
				bad[off + 12] = 1;
				want = "reserved";
			}
			reseal(bad, clen);
			CHECK_EQ_INT(load(bad, clen, err, sizeof err), PS_EMODEL);
			CHECK(has(err, want));
		}
		(void)zero;
		free(ci);
	}
	/* BACKOFF: a model without it gets the default back-off, one with
	 * it its own values; every out-of-range field is refused */
	{
		struct ps_model mb;
		unsigned char *bi;
		size_t blen, off = 0;
		float nan = 0.0f / 0.0f, fv;
		uint32_t k, ns, uv;

		src.flags = PS_MODEL_F_F32;
		free(img);
		img = rand_model_image(&src, &len);
		CHECK_EQ_INT(ps_model_load(&m, img, len, err, sizeof err), 0);
		CHECK(!memcmp(&m.backoff, &ps_backoff_default, sizeof m.backoff));
		CHECK(ps_backoff_valid(&ps_backoff_default));
		src.flags = PS_MODEL_F_F32 | PS_MODEL_F_BACKOFF;
		src.backoff = (struct ps_backoff){ 0.05f, 0.2f, 0.9f, 0.5f, 0.85f, 0.3f, 0.75f, 0x0404u };
		bi = rand_model_image(&src, &blen);
		CHECK(blen > len);
		rc = ps_model_load(&mb, bi, blen, err, sizeof err);
		if (rc)
			fprintf(stderr, "backoff load: %s\n", err);
		CHECK_EQ_INT(rc, 0);
		CHECK(mb.backoff.w_near == 0.05f && mb.backoff.w_specific == 0.2f && mb.backoff.w_far == 0.9f);
		CHECK(mb.backoff.s_lo == 0.5f && mb.backoff.s_hi == 0.85f && mb.backoff.generic == 0.3f);
		CHECK(mb.backoff.conflict_below == 0.75f && mb.backoff.specific == 0x0404u);
		memcpy(&ns, bi + 24, 4);
		for (k = 0; k < ns; k++) {
			uint32_t id;

			memcpy(&id, bi + 64 + 24 * k, 4);
			if (id == PS_SEC_BACKOFF)
				memcpy(&off, bi + 64 + 24 * k + 8, 8);
		}
		CHECK(off != 0);
		free(bad);
		bad = aligned_alloc(64, (blen + 63) / 64 * 64);
		/* fields 1..7 are floats (weights, similarities, factors) */
		for (k = 0; off && k < 12; k++) {
			const char *want = "back-off parameter out of range";

			memcpy(bad, bi, blen);
			if (k < 7) {            /* a NaN in each float field */
				memcpy(bad + off + 4 + 4 * k, &nan, 4);
			} else if (k == 7) {    /* a weight above 1 */
				fv = 1.5f;
				memcpy(bad + off + 12, &fv, 4);
			} else if (k == 8) {    /* s_lo above s_hi */
				fv = 0.9f;
				memcpy(bad + off + 16, &fv, 4);
			} else if (k == 9) {    /* a label bit past the 14 labels */
				uv = 1u << 14;
				memcpy(bad + off + 32, &uv, 4);
			} else if (k == 10) {
				bad[off] = 2;
				want = "back-off version";
			} else {
				bad[off + 36] = 1;
				want = "reserved";
			}
			reseal(bad, blen);
			CHECK_EQ_INT(load(bad, blen, err, sizeof err), PS_EMODEL);
			CHECK(has(err, want));
		}
		free(bi);
	}
	free(bad);
	free(img);
	return check_summary("test_model_format");
}
