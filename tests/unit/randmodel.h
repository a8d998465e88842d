/* A model with random weights, for the format and forward-pass tests.
 * Arrays are malloc'ed (tests may); rand_model_free releases them. */
#ifndef PS_TEST_RANDMODEL_H
#define PS_TEST_RANDMODEL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/model.h"

static uint64_t rm_state = 0x12345678u;

static uint32_t rm_u32(void)
{
	rm_state = rm_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rm_state >> 33);
}

static float rm_unif(void) { return (float)rm_u32() / 2147483648.0f; }   /* [0,1) */
static float rm_sym(float a) { return a * (2 * rm_unif() - 1); }

static float *rm_floats(size_t n, float a, int positive)
{
	float *f = malloc(n * sizeof *f);
	size_t i;

	for (i = 0; i < n; i++)
		f[i] = positive ? a * rm_unif() : rm_sym(a);
	return f;
}

static void rm_normalize_rows(float *w, uint32_t rows, uint32_t cols)
{
	uint32_t r, c;

	for (r = 0; r < rows; r++) {
		double s = 0;
		for (c = 0; c < cols; c++)
			s += (double)w[r * cols + c] * w[r * cols + c];
		for (c = 0; c < cols; c++)
			w[r * cols + c] /= (float)__builtin_sqrt(s);
	}
}

static void rm_quant(const struct ps_fmat *f, struct ps_qmat *q)
{
	int8_t *qq = malloc((size_t)f->rows * f->cols);
	float *sc = malloc((size_t)f->rows * sizeof *sc);

	ps_quantize_rows(f->w, f->rows, f->cols, qq, sc);
	q->q = qq;
	q->scale = sc;
	q->rows = f->rows;
	q->cols = f->cols;
}

static void rm_strtab(struct ps_strtab *t, uint32_t n, const char *prefix)
{
	uint32_t *end = malloc((n + 1) * sizeof *end);
	char *bytes = malloc((size_t)n * 32 + 1), *p = bytes;
	uint32_t i;

	for (i = 0; i < n; i++) {
		p += sprintf(p, "%s%u", prefix, i);
		end[i] = (uint32_t)(p - bytes);
	}
	t->end = end;
	t->bytes = bytes;
	t->count = n;
}

/* dims[0..nlayers] widths; everything else random. */
static void rand_model(struct ps_model *m, uint32_t nbuckets, uint32_t nlayers, const uint32_t *dims,
		       uint32_t ncases, uint32_t nlabels, uint32_t k, float tau, uint32_t flags)
{
	static const char *const names[] = { "alpha", "bravo", "charlie", "delta", "echo", "foxtrot",
					      "golf", "hotel" };
	uint32_t l, i;
	uint16_t *cl;

	memset(m, 0, sizeof *m);
	m->p.dim = dims[0];
	m->p.nbuckets = nbuckets;
	m->p.nlayers = nlayers;
	m->p.ncases = ncases;
	m->p.nlabels = nlabels;
	m->p.ntemplates = 3;
	m->p.k = k;
	m->p.tau = tau;
	m->p.hash_seed = 7;
	m->p.drain_depth = 4;
	m->p.drain_st = 0.4f;
	m->p.drain_max_children = 100;
	for (i = 0; i < PS_NFEAT; i++)
		m->p.feat_weight[i] = 1.0f + (float)i;
	for (l = 0; l <= nlayers; l++)
		m->p.dims[l] = dims[l];
	m->flags = flags;
	for (i = 0; i < nlabels; i++) {
		m->labels[i].p = names[i % 8];
		m->labels[i].n = (uint32_t)strlen(names[i % 8]);
	}
	m->templates.count = 3;
	{
		static const uint32_t tend[] = { 8, 24, 33 };
		m->templates.end = tend;
		m->templates.bytes = "BUG: <*>Kernel panic <*>watchdog:";
	}
	rm_strtab(&m->case_names, ncases, "case-");
	cl = malloc(ncases * sizeof *cl);
	for (i = 0; i < ncases; i++)
		cl[i] = (uint16_t)(rm_u32() % nlabels);
	m->case_label = cl;
	m->idf = rm_floats(nbuckets, 3, 1);
	m->tpl_weight = rm_floats(3, 1, 1);
	m->proj.w = rm_floats((size_t)nbuckets * dims[0], 1, 0);
	m->proj.rows = nbuckets;
	m->proj.cols = dims[0];
	for (l = 0; l < nlayers; l++) {
		float a = 1.0f / (float)__builtin_sqrt((double)dims[l]);

		m->w_self[l].w = rm_floats((size_t)dims[l + 1] * dims[l], 2 * a, 0);
		m->w_neigh[l].w = rm_floats((size_t)dims[l + 1] * dims[l], 2 * a, 0);
		m->w_self[l].rows = m->w_neigh[l].rows = dims[l + 1];
		m->w_self[l].cols = m->w_neigh[l].cols = dims[l];
		m->bias[l] = rm_floats(dims[l + 1], 0.1f, 0);
		m->emb[l].w = rm_floats((size_t)ncases * dims[l], 1, l > 0);
		m->emb[l].rows = ncases;
		m->emb[l].cols = dims[l];
	}
	rm_normalize_rows((float *)(uintptr_t)m->emb[0].w, ncases, dims[0]);
	m->cls_w.w = rm_floats((size_t)nlabels * dims[nlayers], 1, 0);
	m->cls_w.rows = nlabels;
	m->cls_w.cols = dims[nlayers];
	m->cls_b = rm_floats(nlabels, 0.1f, 0);
	rm_quant(&m->proj, &m->qproj);
	rm_quant(&m->cls_w, &m->qcls_w);
	for (l = 0; l < nlayers; l++) {
		rm_quant(&m->w_self[l], &m->qw_self[l]);
		rm_quant(&m->w_neigh[l], &m->qw_neigh[l]);
		rm_quant(&m->emb[l], &m->qemb[l]);
	}
}

/* Serialises m into a malloc'ed image. */
static unsigned char *rand_model_image(const struct ps_model *m, size_t *len)
{
	size_t n = ps_model_write(m, NULL, 0);
	unsigned char *buf = aligned_alloc(64, (n + 63) & ~(size_t)63);

	*len = ps_model_write(m, buf, n);
	return buf;
}

#endif
