#include "tools/train/trainer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/drain.h"
#include "core/features.h"
#include "core/log.h"
#include "core/mask.h"
#include "core/default_catalogue.h"
#include "core/sort.h"
#include "core/status.h"
#include "tools/cli/cli.h"
#include "tools/train/la.h"

void train_defaults(struct train_cfg *c)
{
	memset(c, 0, sizeof *c);
	c->dim = 128;
	c->hidden = 128;
	c->nlayers = 2;
	c->nbuckets = 8192;
	c->k = 10;
	c->tau = 0.6f;
	c->epochs = 400;
	c->lr = 1e-3f;
	c->dropout = 0.1f;
	c->weight_decay = 5e-4f;
	c->seed = 1;
	c->max_templates = 8000;
	c->feat_weight[PS_FEAT_TOKEN] = 1.0f;
	c->feat_weight[PS_FEAT_BIGRAM] = 1.0f;
	c->feat_weight[PS_FEAT_TEMPLATE] = 1.0f;
	c->feat_weight[PS_FEAT_SYMBOL] = 1.0f;
	c->feat_weight[PS_FEAT_HEADER] = 3.0f;
	c->feat_weight[PS_FEAT_CATALOGUE] = 3.0f;
	c->proj = PROJ_LSA;
	c->ig_weight = 1.0f;
	c->edge_drop = 0.0f;
	c->ig_floor = 0.02f;
	c->hint_weight = 3.0f;
	c->flags = PS_MODEL_F_F32 | PS_MODEL_F_INT8;
	c->uncertain_below = PS_UNCERTAIN_DEFAULT;
	c->backoff = ps_backoff_default;
	c->catalogue = ps_default_catalogue(&c->catalogue_len);
}

void train_cfg_free(struct train_cfg *c)
{
	free(c->catalogue_owned);
	c->catalogue_owned = NULL;
}

static void progress(const struct train_cfg *cfg, const char *what, uint32_t i, uint32_t n, double v)
{
	char bar[31];
	uint32_t k, fill;

	if (!cfg->progress || !n)
		return;
	fill = (uint32_t)((uint64_t)i * 30 / n);
	for (k = 0; k < 30; k++)
		bar[k] = k < fill ? '#' : ' ';
	bar[30] = '\0';
	fprintf(stderr, "\r%-10s [%s] %u/%u", what, bar, i, n);
	if (v >= 0)
		fprintf(stderr, "  loss %.4f", v);
	if (i == n)
		fputc('\n', stderr);
	fflush(stderr);
}

/* ---- templates over the training cases ---- */

struct tplset {            /* which templates a case has, sorted, unique */
	uint32_t *id, n;
};

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static double entropy_counts(const double *c, uint32_t n, double total)
{
	double h = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		if (c[i] > 0)
			h -= c[i] / total * log(c[i] / total);
	return h;
}

struct tpl_rank {
	uint32_t id;
	double score;
	uint32_t df;
};

static int cmp_rank(const void *a, const void *b)
{
	const struct tpl_rank *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->df != y->df)
		return x->df > y->df ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Learns Drain templates over the training logs and keeps the best
 * max_templates by information gain (document frequency without
 * labels), in their original order. */
static int learn_templates(struct fold *f, const int *labels)
{
	const struct train_cfg *cfg = f->cfg;
	struct ps_drain_params dp;
	struct ps_drain *d;
	struct ps_arena a;
	size_t arena_size = (size_t)400 << 20;
	unsigned char *mem = malloc(arena_size);
	struct tplset *sets = cli_calloc(f->n, sizeof *sets);
	uint32_t i, j, ntpl, nkeep, nlab = f->cp->nlabels;
	uint32_t *df, *keep;
	double *with, *without, *all;
	struct tpl_rank *rank;
	char *masked = NULL;
	size_t masked_cap = 0, bytes = 0;
	int rc;

	if (!mem) {
		cli_error("out of memory");
		free(sets);
		return PS_EXIT_NOMEM;
	}
	ps_arena_init(&a, mem, arena_size);
	ps_drain_defaults(&dp);
	dp.max_clusters = 1u << 18;
	dp.max_nodes = 1u << 20;
	dp.max_vocab = 1u << 20;
	dp.vocab_bytes = (size_t)64 << 20;
	dp.template_tokens = 1u << 24;
	if ((rc = ps_drain_init(&d, &a, &dp)) != PS_OK) {
		cli_error("drain: %s", ps_status_str(rc));
		free(mem);
		free(sets);
		return PS_EXIT_NOMEM;
	}
	for (i = 0; i < f->n; i++) {
		const struct case_rec *c = &f->cp->c[f->idx[i]];
		struct case_log cl;
		size_t cap = 0;
		uint32_t li;

		sets[i].id = NULL;
		/* the records as the capture side reads them (any log form) */
		rc = case_log_read(c, &cl);
		if (rc == PS_ENOMEM) {
			cli_error("out of memory");
			exit(PS_EXIT_NOMEM);
		}
		for (li = 0; li < cl.log.n; li++) {
			struct ps_record r = cl.log.rec[li];
			size_t mlen;
			uint32_t t;

			if (r.len == 0)
				continue;
			if (ps_mask_bound(r.len) > masked_cap) {
				masked_cap = 2 * ps_mask_bound(r.len);
				free(masked);
				masked = cli_calloc(masked_cap, 1);
			}
			mlen = ps_mask_kernel(r.text, r.len, masked, masked_cap);
			if (mlen == 0)
				continue;
			t = ps_drain_add(d, masked, mlen);
			if (t == PS_DRAIN_OVERFLOW)
				continue;
			if (sets[i].n == cap) {
				cap = cap ? 2 * cap : 64;
				sets[i].id = realloc(sets[i].id, cap * sizeof *sets[i].id);
				if (!sets[i].id) {
					cli_error("out of memory");
					exit(PS_EXIT_NOMEM);
				}
			}
			sets[i].id[sets[i].n++] = t;
		}
		case_log_free(&cl);
		if (sets[i].n) {
			qsort(sets[i].id, sets[i].n, sizeof *sets[i].id, cmp_u32);
			for (j = 1, cap = 1; j < sets[i].n; j++)
				if (sets[i].id[j] != sets[i].id[cap - 1])
					sets[i].id[cap++] = sets[i].id[j];
			sets[i].n = (uint32_t)cap;
		}
		progress(cfg, "templates", i + 1, f->n, -1);
	}
	free(masked);
	ntpl = ps_drain_count(d);

	/* information gain of "template present" about the label */
	df = cli_calloc(ntpl, sizeof *df);
	with = cli_calloc((size_t)ntpl * nlab, sizeof *with);
	all = cli_calloc(nlab, sizeof *all);
	without = cli_calloc(nlab, sizeof *without);
	{
		double nl = 0, h;

		for (i = 0; i < f->n; i++) {
			int y = labels ? labels[i] : -1;

			for (j = 0; j < sets[i].n; j++) {
				df[sets[i].id[j]]++;
				if (y >= 0)
					with[(size_t)sets[i].id[j] * nlab + (uint32_t)y] += 1;
			}
			if (y >= 0) {
				all[y] += 1;
				nl += 1;
			}
		}
		h = nl > 0 ? entropy_counts(all, nlab, nl) : 0;
		rank = cli_calloc(ntpl, sizeof *rank);
		for (j = 0; j < ntpl; j++) {
			double nw = 0, hw, hwo;
			uint32_t y;

			for (y = 0; y < nlab; y++) {
				nw += with[(size_t)j * nlab + y];
				without[y] = all[y] - with[(size_t)j * nlab + y];
			}
			hw = nw > 0 ? entropy_counts(with + (size_t)j * nlab, nlab, nw) : 0;
			hwo = nl - nw > 0 ? entropy_counts(without, nlab, nl - nw) : 0;
			rank[j].id = j;
			rank[j].df = df[j];
			rank[j].score = nl > 0 ? h - (nw / nl) * hw - ((nl - nw) / nl) * hwo : 0;
		}
	}
	qsort(rank, ntpl, sizeof *rank, cmp_rank);
	nkeep = ntpl < cfg->max_templates ? ntpl : cfg->max_templates;
	keep = cli_calloc(ntpl, sizeof *keep);
	for (j = 0; j < nkeep; j++)
		keep[rank[j].id] = 1;

	/* the kept templates in Drain order, as a string table */
	f->tpl_end = cli_calloc(nkeep + 1, sizeof *f->tpl_end);
	{
		size_t cap = 1 << 16;
		char tmp[1 << 16];
		struct ps_buf b;
		uint32_t k = 0;

		f->tpl_bytes = cli_calloc(cap, 1);
		for (j = 0; j < ntpl; j++) {
			if (!keep[j])
				continue;
			ps_buf_init(&b, tmp, sizeof tmp);
			ps_drain_template(d, j, &b);
			if (bytes + b.len > cap) {
				while (bytes + b.len > cap)
					cap *= 2;
				f->tpl_bytes = realloc(f->tpl_bytes, cap);
				if (!f->tpl_bytes) {
					cli_error("out of memory");
					exit(PS_EXIT_NOMEM);
				}
			}
			memcpy(f->tpl_bytes + bytes, b.p, b.len);
			bytes += b.len;
			f->tpl_end[k++] = (uint32_t)bytes;
		}
		f->tpl.end = f->tpl_end;
		f->tpl.bytes = f->tpl_bytes;
		f->tpl.count = k;
	}
	if (!cfg->quiet)
		fprintf(stderr, "templates: %u learned, %u kept\n", ntpl, f->tpl.count);
	for (i = 0; i < f->n; i++)
		free(sets[i].id);
	free(sets);
	free(df);
	free(with);
	free(all);
	free(without);
	free(rank);
	free(keep);
	free(mem);
	return PS_EXIT_OK;
}

/* A model struct that only carries what analyze_case and
 * ps_features_count need. */
static void stub_model(const struct fold *f, struct ps_model *m)
{
	const struct train_cfg *cfg = f->cfg;
	uint32_t i;

	memset(m, 0, sizeof *m);
	m->templates = f->tpl;
	m->catalogue.p = cfg->catalogue;
	m->catalogue.n = (uint32_t)cfg->catalogue_len;
	m->p.ntemplates = f->tpl.count;
	m->p.drain_depth = 4;
	m->p.drain_st = 0.4f;
	m->p.drain_max_children = 100;
	m->p.nbuckets = cfg->nbuckets;
	m->p.hash_seed = (uint32_t)(cfg->seed * 2654435761u);
	for (i = 0; i < PS_NFEAT; i++)
		m->p.feat_weight[i] = cfg->feat_weight[i];
}

/* Supervised feature weighting: multiplies each bucket's IDF by
 * (floor + information gain of "bucket present" about the label / H(Y)),
 * so that the projection and the graph see the discriminative features.
 * The product ships as the model's IDF. */
static void ig_reweight(struct fold *f, const int *labels, const uint32_t *dfb)
{
	const struct train_cfg *cfg = f->cfg;
	uint32_t B = cfg->nbuckets, C = f->cp->nlabels, i, j, y;
	double *with = cli_calloc((size_t)B * C, sizeof *with), all[PS_MODEL_MAX_LABELS] = { 0 };
	double without[PS_MODEL_MAX_LABELS], nl = 0, h;

	(void)dfb;
	for (i = 0; i < f->n; i++) {
		if (labels[i] < 0)
			continue;
		all[labels[i]] += 1;
		nl += 1;
		for (j = 0; j < B; j++)
			if (f->x[(size_t)i * B + j] != 0)
				with[(size_t)j * C + (uint32_t)labels[i]] += 1;
	}
	h = nl > 0 ? entropy_counts(all, C, nl) : 0;
	if (h <= 0) {
		free(with);
		return;
	}
	for (j = 0; j < B; j++) {
		double nw = 0, ig;

		for (y = 0; y < C; y++) {
			nw += with[(size_t)j * C + y];
			without[y] = all[y] - with[(size_t)j * C + y];
		}
		ig = h - (nw > 0 ? nw / nl * entropy_counts(with + (size_t)j * C, C, nw) : 0)
		       - (nl - nw > 0 ? (nl - nw) / nl * entropy_counts(without, C, nl - nw) : 0);
		f->idf[j] = (float)(f->idf[j] * (cfg->ig_floor + cfg->ig_weight * ig / h));
	}
	free(with);
}

/* The label of the oops header's catalogue entry (core/catalogue.h) is
 * one feature bucket per label, present in few cases each: a
 * projection learned from variance (LSA) keeps little of a rare bucket,
 * yet it is the strongest single clue to rare labels.  So the last H
 * columns of the projection become one dimension per catalogue label:
 * every bucket's weight there is cleared (for LSA these are its weakest
 * components) and each label's bucket maps onto its own dimension alone. */
static void reserve_hint_dims(struct fold *f, const struct ps_model_params *p)
{
	uint32_t B = f->cfg->nbuckets, D = f->cfg->dim, H = PS_CAT_NLABELS, h, j;

	if (H >= D / 2)       /* keep most of h0 for the rest */
		return;
	for (j = 0; j < B; j++)
		memset(f->proj + (size_t)j * D + (D - H), 0, H * sizeof *f->proj);
	for (h = 0; h < H; h++) {
		float *row = f->proj + (size_t)ps_features_hint_bucket(p, ps_cat_label_name(h)) * D;

		memset(row, 0, D * sizeof *row);
		row[D - H + h] = f->cfg->hint_weight;
	}
}

int fold_prepare(struct fold *f, const struct train_cfg *cfg, const struct corpus *cp,
		 const uint32_t *idx, uint32_t n, const int *labels)
{
	struct ps_model stub;
	struct ps_arena a;
	size_t arena_size = 0, len;
	unsigned char *mem = NULL;
	uint32_t i, j, B = cfg->nbuckets, D = cfg->dim;
	uint32_t *dfb;
	struct la_rng rng = { cfg->seed ^ 0x5eedf00dull };
	int rc;

	memset(f, 0, sizeof *f);
	f->cp = cp;
	f->cfg = cfg;
	f->n = n;
	f->idx = cli_calloc(n, sizeof *f->idx);
	memcpy(f->idx, idx, n * sizeof *idx);
	if ((rc = catalogue_load(&f->cat, &f->cat_mem, cfg->catalogue, cfg->catalogue_len,
				 "catalogue")) != PS_OK)
		return rc == PS_ENOMEM ? PS_EXIT_NOMEM : PS_EXIT_INPUT;
	if ((rc = learn_templates(f, labels)) != PS_EXIT_OK)
		return rc;
	stub_model(f, &stub);

	f->x = cli_calloc((size_t)n * B, sizeof *f->x);
	f->seg_tpl_cases = cli_calloc(f->tpl.count + 1, sizeof *f->seg_tpl_cases);
	f->all_tpl_cases = cli_calloc(f->tpl.count + 1, sizeof *f->all_tpl_cases);
	dfb = cli_calloc(B, sizeof *dfb);
	for (i = 0; i < n; i++) {
		const struct case_rec *c = &cp->c[idx[i]];
		struct ps_analysis an;
		struct ps_sparse x;
		uint32_t *mark_all, *mark_seg, t;

		len = analyze_arena_size(c->loglen) + (size_t)16 * B;
		if (len > arena_size) {
			free(mem);
			arena_size = len;
			mem = cli_calloc(arena_size, 1);
		}
		ps_arena_init(&a, mem, arena_size);
		rc = analyze_case(&stub, &f->cat, c->log, c->loglen, c->first_line, &a, &an);
		if (rc == PS_OK)
			rc = ps_features_count(&stub.p, &an, cfg->whole_log, &a, &x);
		if (rc == PS_EINPUT) {
			continue;      /* an empty log: a zero feature row */
		} else if (rc != PS_OK) {
			cli_error("%s: %s", c->path, ps_status_str(rc));
			free(mem);
			free(dfb);
			return ps_exit_for_status(rc);
		}
		for (j = 0; j < x.n; j++) {
			f->x[(size_t)i * B + x.idx[j]] = x.val[j];
			dfb[x.idx[j]]++;
		}
		/* template statistics for the culprit weights */
		mark_all = PS_ALLOC(&a, uint32_t, f->tpl.count + 1);
		mark_seg = PS_ALLOC(&a, uint32_t, f->tpl.count + 1);
		if (mark_all && mark_seg) {
			for (j = 0; j < an.nlines; j++)
				if ((t = an.lines[j].tpl) < f->tpl.count && !mark_all[t]) {
					mark_all[t] = 1;
					f->all_tpl_cases[t]++;
				}
			for (j = 0; j < an.nsegment; j++)
				if ((t = an.lines[an.segment[j]].tpl) < f->tpl.count && !mark_seg[t]) {
					mark_seg[t] = 1;
					f->seg_tpl_cases[t]++;
				}
		}
		progress(cfg, "features", i + 1, n, -1);
	}
	free(mem);

	/* IDF, then tf-idf rows */
	f->idf = cli_calloc(B, sizeof *f->idf);
	for (j = 0; j < B; j++)
		f->idf[j] = (float)(log((1.0 + n) / (1.0 + dfb[j])) + 1.0);
	if (labels && cfg->ig_weight > 0)
		ig_reweight(f, labels, dfb);
	free(dfb);
	for (i = 0; i < n; i++) {
		float *row = f->x + (size_t)i * B;
		double s = 0;

		for (j = 0; j < B; j++)
			if (row[j] != 0) {
				row[j] = (float)(log(1.0 + row[j]) * f->idf[j]);
				s += (double)row[j] * row[j];
			}
		if (s > 0)
			for (j = 0; j < B; j++)
				row[j] = (float)(row[j] / sqrt(s));
	}

	/* culprit weight: how often a template's lines fall in the segment
	 * when the template occurs at all (smoothed) */
	f->tpl_weight = cli_calloc(f->tpl.count + 1, sizeof *f->tpl_weight);
	for (j = 0; j < f->tpl.count; j++)
		f->tpl_weight[j] = (float)((f->seg_tpl_cases[j] + 0.5) / (f->all_tpl_cases[j] + 1.0) *
					   (1.0 - 1.0 / (2.0 + f->seg_tpl_cases[j])));

	/* projection */
	f->proj = cli_calloc((size_t)B * D, sizeof *f->proj);
	if (cfg->proj == PROJ_LSA) {
		if (la_lsa(f->x, n, B, D, 30, &rng, f->proj) != 0) {
			cli_error("out of memory");
			return PS_EXIT_NOMEM;
		}
		/* buckets no training case has: a small random direction, so
		 * unseen features still move h0 a little */
	} else {
		for (j = 0; j < B * D; j++)
			f->proj[j] = (float)(la_normal(&rng) / sqrt((double)D));
	}
	if (cfg->hint_weight > 0)
		reserve_hint_dims(f, &stub.p);
	f->h0 = cli_calloc((size_t)n * D, sizeof *f->h0);
	la_gemm(0, 0, n, D, B, 1, f->x, B, f->proj, D, 0, f->h0, D);
	for (i = 0; i < n; i++)
		ps_normalize(f->h0 + (size_t)i * D, D);
	return PS_EXIT_OK;
}

int fold_featurize(const struct fold *f, const struct case_rec *c, float *row)
{
	const struct train_cfg *cfg = f->cfg;
	struct ps_model stub;
	struct ps_arena a;
	struct ps_analysis an;
	struct ps_sparse x;
	size_t size = analyze_arena_size(c->loglen) + (size_t)16 * cfg->nbuckets;
	unsigned char *mem = malloc(size);
	uint32_t j;
	double s = 0;
	int rc;

	memset(row, 0, cfg->nbuckets * sizeof *row);
	if (!mem)
		return PS_ENOMEM;
	stub_model(f, &stub);
	ps_arena_init(&a, mem, size);
	rc = analyze_case(&stub, &f->cat, c->log, c->loglen, c->first_line, &a, &an);
	if (rc == PS_OK)
		rc = ps_features_count(&stub.p, &an, cfg->whole_log, &a, &x);
	if (rc == PS_OK) {
		for (j = 0; j < x.n; j++) {
			row[x.idx[j]] = (float)(log(1.0 + x.val[j]) * f->idf[x.idx[j]]);
			s += (double)row[x.idx[j]] * row[x.idx[j]];
		}
		if (s > 0)
			for (j = 0; j < x.n; j++)
				row[x.idx[j]] = (float)(row[x.idx[j]] / sqrt(s));
	}
	free(mem);
	return rc == PS_EINPUT ? PS_OK : rc;
}

void fold_free(struct fold *f)
{
	free(f->idx);
	free(f->tpl_bytes);
	free(f->tpl_end);
	free(f->tpl_weight);
	free(f->idf);
	free(f->proj);
	free(f->x);
	free(f->h0);
	free(f->seg_tpl_cases);
	free(f->all_tpl_cases);
	free(f->cat_mem);
	memset(f, 0, sizeof *f);
}

/* ---- GraphSAGE training ---- */

struct adam {
	float *m, *v;
	size_t n;
};

static void adam_init(struct adam *a, size_t n)
{
	a->m = cli_calloc(n, sizeof *a->m);
	a->v = cli_calloc(n, sizeof *a->v);
	a->n = n;
}

static void adam_step(struct adam *a, float *w, const float *g, float lr, uint32_t t)
{
	const float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
	float c1 = 1.0f - powf(b1, (float)t), c2 = 1.0f - powf(b2, (float)t);
	size_t i;

	for (i = 0; i < a->n; i++) {
		a->m[i] = b1 * a->m[i] + (1 - b1) * g[i];
		a->v[i] = b2 * a->v[i] + (1 - b2) * g[i] * g[i];
		w[i] -= lr * (a->m[i] / c1) / (sqrtf(a->v[i] / c2) + eps);
	}
}

static void glorot(float *w, uint32_t rows, uint32_t cols, struct la_rng *rng)
{
	double lim = sqrt(6.0 / (rows + cols));
	size_t i;

	for (i = 0; i < (size_t)rows * cols; i++)
		w[i] = (float)((2 * la_unif(rng) - 1) * lim);
}

/* Neighbours of every case: the k most similar others with cos >= tau. */
static void build_graph(struct gnn *g, const struct fold *f)
{
	uint32_t n = f->n, D = f->cfg->dim, k = f->cfg->k, i, j;
	float *s = cli_calloc((size_t)n * n, sizeof *s);
	float *best = cli_calloc(k + 1, sizeof *best);

	la_gemm(0, 1, n, n, D, 1, f->h0, D, f->h0, D, 0, s, n);
	g->nbr = cli_calloc((size_t)n * k, sizeof *g->nbr);
	g->nnbr = cli_calloc(n, sizeof *g->nnbr);
	for (i = 0; i < n; i++) {
		uint32_t *nb = g->nbr + (size_t)i * k, cnt = 0;

		for (j = 0; j < n; j++) {
			float v = s[(size_t)i * n + j];

			if (j != i && v >= f->cfg->tau)
				cnt = ps_topk_add(nb, best, cnt, k, j, v);
		}
		g->nnbr[i] = cnt;
	}
	free(s);
	free(best);
}

/* out[v] = mean of h[u] over the neighbours u of v (zero if none). */
static void aggregate(const struct gnn *g, uint32_t k, const float *h, uint32_t d, float *out)
{
	uint32_t v, i, j;

	memset(out, 0, (size_t)g->n * d * sizeof *out);
	for (v = 0; v < g->n; v++) {
		float *o = out + (size_t)v * d;
		uint32_t cnt = 0;

		for (i = 0; i < g->nnbr[v]; i++) {
			const float *src = h + (size_t)g->nbr[(size_t)v * k + i] * d;

			if (g->emask && !g->emask[(size_t)v * k + i])
				continue;
			cnt++;
			for (j = 0; j < d; j++)
				o[j] += src[j];
		}
		if (cnt)
			for (j = 0; j < d; j++)
				o[j] /= (float)cnt;
	}
}

/* Adds to dh[u] the share of dagg[v] for every neighbour u of v. */
static void aggregate_back(const struct gnn *g, uint32_t k, const float *dagg, uint32_t d, float *dh)
{
	uint32_t v, i, j;

	for (v = 0; v < g->n; v++) {
		const float *s = dagg + (size_t)v * d;
		uint32_t cnt = 0;
		float inv;

		for (i = 0; i < g->nnbr[v]; i++)
			cnt += !g->emask || g->emask[(size_t)v * k + i];
		if (!cnt)
			continue;
		inv = 1.0f / (float)cnt;
		for (i = 0; i < g->nnbr[v]; i++) {
			float *o = dh + (size_t)g->nbr[(size_t)v * k + i] * d;

			if (g->emask && !g->emask[(size_t)v * k + i])
				continue;
			for (j = 0; j < d; j++)
				o[j] += inv * s[j];
		}
	}
}

/* One forward pass; with `rng` in training mode (dropout).  hin[l] are
 * the (dropped-out) inputs of layer l, agg[l] their neighbour means,
 * z[l] the pre-activations, hin[K] the classifier input; logits [n][C]. */
static void forward(const struct gnn *g, const struct fold *f, struct la_rng *rng, float p,
		    float **hin, float **mask, float **agg, float **z, float *logits)
{
	uint32_t n = g->n, K = g->nlayers, l, i, j, C = g->nlabels;
	const float *h = f->h0;

	for (l = 0; l <= K; l++) {
		uint32_t din = g->dims[l];
		size_t cnt = (size_t)n * din;

		if (h != hin[l])
			memcpy(hin[l], h, cnt * sizeof *hin[l]);
		if (rng && p > 0) {
			for (i = 0; i < cnt; i++) {
				mask[l][i] = la_unif(rng) < p ? 0.0f : 1.0f / (1.0f - p);
				hin[l][i] *= mask[l][i];
			}
		}
		if (l == K)
			break;
		aggregate(g, f->cfg->k, hin[l], din, agg[l]);
		for (i = 0; i < n; i++)
			memcpy(z[l] + (size_t)i * g->dims[l + 1], g->b[l], g->dims[l + 1] * sizeof(float));
		la_gemm(0, 1, n, g->dims[l + 1], din, 1, hin[l], din, g->ws[l], din, 1, z[l], g->dims[l + 1]);
		la_gemm(0, 1, n, g->dims[l + 1], din, 1, agg[l], din, g->wn[l], din, 1, z[l], g->dims[l + 1]);
		/* relu into the next layer's input buffer */
		for (j = 0; j < (size_t)n * g->dims[l + 1]; j++)
			hin[l + 1][j] = z[l][j] > 0 ? z[l][j] : 0;
		h = hin[l + 1];
	}
	for (i = 0; i < n; i++)
		memcpy(logits + (size_t)i * C, g->cb, C * sizeof *logits);
	la_gemm(0, 1, n, C, g->dims[K], 1, hin[K], g->dims[K], g->cw, g->dims[K], 1, logits, C);
}

static void softmax_rows(float *z, uint32_t n, uint32_t c)
{
	uint32_t i, j;

	for (i = 0; i < n; i++) {
		float *r = z + (size_t)i * c, mx = r[0], s = 0;

		for (j = 1; j < c; j++)
			if (r[j] > mx)
				mx = r[j];
		for (j = 0; j < c; j++)
			s += (r[j] = expf(r[j] - mx));
		for (j = 0; j < c; j++)
			r[j] /= s;
	}
}

int gnn_train(struct gnn *g, const struct fold *f, const int *labels, uint32_t nlabels)
{
	const struct train_cfg *cfg = f->cfg;
	uint32_t n = f->n, K = cfg->nlayers, C = nlabels, l, i, j, ep;
	struct la_rng rng = { cfg->seed * 0x9e3779b97f4a7c15ull + 17 };
	float *hin[PS_MODEL_MAX_LAYERS + 1], *mask[PS_MODEL_MAX_LAYERS + 1];
	float *agg[PS_MODEL_MAX_LAYERS], *z[PS_MODEL_MAX_LAYERS];
	float *gws[PS_MODEL_MAX_LAYERS], *gwn[PS_MODEL_MAX_LAYERS], *gb[PS_MODEL_MAX_LAYERS];
	struct adam aws[PS_MODEL_MAX_LAYERS], awn[PS_MODEL_MAX_LAYERS], ab[PS_MODEL_MAX_LAYERS], acw, acb;
	float *logits, *dl, *gcw, *gcb, *dh, *dh2, *dagg, *cls_w;
	uint8_t *emask;
	double count[PS_MODEL_MAX_LABELS] = { 0 }, wsum = 0;
	uint32_t maxd = 0;

	memset(g, 0, sizeof *g);
	/* class counts first: with no labelled case, nothing is allocated */
	for (i = 0; i < n; i++)
		if (labels[i] >= 0)
			count[labels[i]] += 1;
	for (j = 0; j < C; j++)
		if (count[j] > 0)
			wsum += count[j];
	if (wsum <= 0) {
		cli_error("no labelled case to train on");
		return PS_EXIT_INPUT;
	}
	wsum = 0;
	g->n = n;
	g->nlabels = C;
	g->nlayers = K;
	g->dims[0] = cfg->dim;
	for (l = 1; l <= K; l++)
		g->dims[l] = cfg->hidden;
	for (l = 0; l <= K; l++)
		if (g->dims[l] > maxd)
			maxd = g->dims[l];
	build_graph(g, f);

	for (l = 0; l < K; l++) {
		size_t nw = (size_t)g->dims[l + 1] * g->dims[l];

		g->ws[l] = cli_calloc(nw, sizeof(float));
		g->wn[l] = cli_calloc(nw, sizeof(float));
		g->b[l] = cli_calloc(g->dims[l + 1], sizeof(float));
		glorot(g->ws[l], g->dims[l + 1], g->dims[l], &rng);
		glorot(g->wn[l], g->dims[l + 1], g->dims[l], &rng);
		gws[l] = cli_calloc(nw, sizeof(float));
		gwn[l] = cli_calloc(nw, sizeof(float));
		gb[l] = cli_calloc(g->dims[l + 1], sizeof(float));
		adam_init(&aws[l], nw);
		adam_init(&awn[l], nw);
		adam_init(&ab[l], g->dims[l + 1]);
		agg[l] = cli_calloc((size_t)n * g->dims[l], sizeof(float));
		z[l] = cli_calloc((size_t)n * g->dims[l + 1], sizeof(float));
	}
	for (l = 0; l <= K; l++) {
		hin[l] = cli_calloc((size_t)n * g->dims[l], sizeof(float));
		mask[l] = cli_calloc((size_t)n * g->dims[l], sizeof(float));
	}
	g->cw = cli_calloc((size_t)C * g->dims[K], sizeof(float));
	g->cb = cli_calloc(C, sizeof(float));
	glorot(g->cw, C, g->dims[K], &rng);
	gcw = cli_calloc((size_t)C * g->dims[K], sizeof(float));
	gcb = cli_calloc(C, sizeof(float));
	adam_init(&acw, (size_t)C * g->dims[K]);
	adam_init(&acb, C);
	logits = cli_calloc((size_t)n * C, sizeof(float));
	dl = cli_calloc((size_t)n * C, sizeof(float));
	dh = cli_calloc((size_t)n * maxd, sizeof(float));
	dh2 = cli_calloc((size_t)n * maxd, sizeof(float));
	dagg = cli_calloc((size_t)n * maxd, sizeof(float));
	cls_w = cli_calloc(C, sizeof(float));
	emask = cli_calloc((size_t)n * cfg->k, 1);

	/* class weights 1/sqrt(count), normalised to a mean of 1 per labelled case */
	for (j = 0; j < C; j++)
		if (count[j] > 0) {
			cls_w[j] = (float)(1.0 / sqrt(count[j]));
			wsum += cls_w[j] * count[j];
		}
	for (j = 0; j < C; j++)
		cls_w[j] = (float)(cls_w[j] / wsum);   /* sum over labelled cases = 1 */

	for (ep = 1; ep <= cfg->epochs; ep++) {
		double loss = 0;

		if (cfg->edge_drop > 0) {     /* DropEdge: a new edge sample every epoch */
			for (i = 0; i < n * cfg->k; i++)
				emask[i] = la_unif(&rng) >= cfg->edge_drop;
			g->emask = emask;
		}
		forward(g, f, &rng, cfg->dropout, hin, mask, agg, z, logits);
		memcpy(dl, logits, (size_t)n * C * sizeof *dl);
		softmax_rows(dl, n, C);
		for (i = 0; i < n; i++) {
			float *r = dl + (size_t)i * C;
			int y = labels[i];

			if (y < 0) {
				memset(r, 0, C * sizeof *r);
				continue;
			}
			loss -= cls_w[y] * log(r[y] > 1e-30f ? r[y] : 1e-30f);
			r[y] -= 1.0f;
			for (j = 0; j < C; j++)
				r[j] *= cls_w[y];
		}
		/* classifier */
		la_gemm(1, 0, C, g->dims[K], n, 1, dl, C, hin[K], g->dims[K], 0, gcw, g->dims[K]);
		for (j = 0; j < C; j++) {
			gcb[j] = 0;
			for (i = 0; i < n; i++)
				gcb[j] += dl[(size_t)i * C + j];
		}
		la_gemm(0, 0, n, g->dims[K], C, 1, dl, C, g->cw, g->dims[K], 0, dh, g->dims[K]);
		if (cfg->dropout > 0)
			for (i = 0; i < n * g->dims[K]; i++)
				dh[i] *= mask[K][i];
		for (l = K; l-- > 0;) {
			uint32_t din = g->dims[l], dout = g->dims[l + 1];

			for (i = 0; i < n * dout; i++)       /* dZ in place */
				if (!(z[l][i] > 0))
					dh[i] = 0;
			la_gemm(1, 0, dout, din, n, 1, dh, dout, hin[l], din, 0, gws[l], din);
			la_gemm(1, 0, dout, din, n, 1, dh, dout, agg[l], din, 0, gwn[l], din);
			for (j = 0; j < dout; j++) {
				gb[l][j] = 0;
				for (i = 0; i < n; i++)
					gb[l][j] += dh[(size_t)i * dout + j];
			}
			if (l > 0) {
				la_gemm(0, 0, n, din, dout, 1, dh, dout, g->ws[l], din, 0, dh2, din);
				la_gemm(0, 0, n, din, dout, 1, dh, dout, g->wn[l], din, 0, dagg, din);
				aggregate_back(g, cfg->k, dagg, din, dh2);
				if (cfg->dropout > 0)
					for (i = 0; i < n * din; i++)
						dh2[i] *= mask[l][i];
				memcpy(dh, dh2, (size_t)n * din * sizeof *dh);
			}
		}
		for (l = 0; l < K; l++) {
			size_t nw = (size_t)g->dims[l + 1] * g->dims[l];

			for (i = 0; i < nw; i++) {
				gws[l][i] += cfg->weight_decay * g->ws[l][i];
				gwn[l][i] += cfg->weight_decay * g->wn[l][i];
			}
			adam_step(&aws[l], g->ws[l], gws[l], cfg->lr, ep);
			adam_step(&awn[l], g->wn[l], gwn[l], cfg->lr, ep);
			adam_step(&ab[l], g->b[l], gb[l], cfg->lr, ep);
		}
		for (i = 0; i < C * g->dims[K]; i++)
			gcw[i] += cfg->weight_decay * g->cw[i];
		adam_step(&acw, g->cw, gcw, cfg->lr, ep);
		adam_step(&acb, g->cb, gcb, cfg->lr, ep);
		g->final_loss = (float)loss;
		if (ep % 10 == 0 || ep == cfg->epochs)
			progress(cfg, "training", ep, cfg->epochs, loss);
	}

	/* stored embeddings and predictions: full graph, no dropout */
	g->emask = NULL;
	forward(g, f, NULL, 0, hin, mask, agg, z, logits);
	for (l = 0; l < K; l++) {
		g->emb[l] = hin[l];
		hin[l] = NULL;
	}
	softmax_rows(logits, n, C);
	g->probs = logits;

	for (l = 0; l < K; l++) {
		free(gws[l]);
		free(gwn[l]);
		free(gb[l]);
		free(aws[l].m);
		free(aws[l].v);
		free(awn[l].m);
		free(awn[l].v);
		free(ab[l].m);
		free(ab[l].v);
		free(agg[l]);
		free(z[l]);
	}
	for (l = 0; l <= K; l++) {
		free(hin[l]);
		free(mask[l]);
	}
	free(gcw);
	free(gcb);
	free(acw.m);
	free(acw.v);
	free(acb.m);
	free(acb.v);
	free(dl);
	free(dh);
	free(dh2);
	free(dagg);
	free(cls_w);
	free(emask);
	return PS_EXIT_OK;
}

void gnn_free(struct gnn *g)
{
	uint32_t l;

	for (l = 0; l < PS_MODEL_MAX_LAYERS; l++) {
		free(g->ws[l]);
		free(g->wn[l]);
		free(g->b[l]);
		free(g->emb[l]);
	}
	free(g->cw);
	free(g->cb);
	free(g->probs);
	free(g->nbr);
	free(g->nnbr);
	memset(g, 0, sizeof *g);
}

/* ---- export ---- */

static void quant(const float *w, uint32_t rows, uint32_t cols, struct ps_qmat *q, void **own, int *nown)
{
	int8_t *qq = cli_calloc((size_t)rows * cols, 1);
	float *sc = cli_calloc(rows, sizeof *sc);

	ps_quantize_rows(w, rows, cols, qq, sc);
	q->q = qq;
	q->scale = sc;
	q->rows = rows;
	q->cols = cols;
	own[(*nown)++] = qq;
	own[(*nown)++] = sc;
}

static void fmat(struct ps_fmat *m, const float *w, uint32_t rows, uint32_t cols)
{
	m->w = w;
	m->rows = rows;
	m->cols = cols;
}

unsigned char *model_build(const struct fold *f, const struct gnn *g, const int *labels,
			   char *const *label_names, uint32_t nlabels, size_t *len)
{
	const struct train_cfg *cfg = f->cfg;
	struct ps_model m;
	void *own[64];
	int nown = 0, i;
	uint32_t l, j, *name_end;
	uint16_t *cl;
	char *names;
	size_t nb = 0, size;
	unsigned char *img;

	stub_model(f, &m);
	m.flags = cfg->flags | PS_MODEL_F_CATALOGUE | PS_MODEL_F_BACKOFF;
	m.backoff = cfg->backoff;
	if (cfg->temperature > 0) {
		m.flags |= PS_MODEL_F_CALIB;
		m.temperature = cfg->temperature;
		m.uncertain_below = cfg->uncertain_below;
	}
	m.p.dim = cfg->dim;
	m.p.nlayers = g->nlayers;
	m.p.ncases = f->n;
	m.p.nlabels = nlabels;
	m.p.k = cfg->k;
	m.p.tau = cfg->tau;
	for (l = 0; l <= g->nlayers; l++)
		m.p.dims[l] = g->dims[l];
	for (j = 0; j < nlabels; j++) {
		m.labels[j].p = label_names[j];
		m.labels[j].n = (uint32_t)strlen(label_names[j]);
	}
	/* stored cases: names and labels (the GNN's prediction for a case
	 * that had no label) */
	cl = cli_calloc(f->n, sizeof *cl);
	name_end = cli_calloc(f->n, sizeof *name_end);
	for (j = 0; j < f->n; j++)
		nb += strlen(f->cp->c[f->idx[j]].name);
	names = cli_calloc(nb + 1, 1);
	for (j = 0, nb = 0; j < f->n; j++) {
		const char *s = f->cp->c[f->idx[j]].name;
		uint32_t y, best = 0;

		memcpy(names + nb, s, strlen(s));
		nb += strlen(s);
		name_end[j] = (uint32_t)nb;
		if (labels[j] >= 0) {
			cl[j] = (uint16_t)labels[j];
		} else {
			for (y = 1; y < nlabels; y++)
				if (g->probs[(size_t)j * nlabels + y] > g->probs[(size_t)j * nlabels + best])
					best = y;
			cl[j] = (uint16_t)best;
		}
	}
	m.case_label = cl;
	m.case_names.end = name_end;
	m.case_names.bytes = names;
	m.case_names.count = f->n;
	m.idf = f->idf;
	m.tpl_weight = f->tpl_weight;
	fmat(&m.proj, f->proj, cfg->nbuckets, cfg->dim);
	for (l = 0; l < g->nlayers; l++) {
		fmat(&m.w_self[l], g->ws[l], g->dims[l + 1], g->dims[l]);
		fmat(&m.w_neigh[l], g->wn[l], g->dims[l + 1], g->dims[l]);
		m.bias[l] = g->b[l];
		fmat(&m.emb[l], g->emb[l], f->n, g->dims[l]);
	}
	fmat(&m.cls_w, g->cw, nlabels, g->dims[g->nlayers]);
	m.cls_b = g->cb;
	if (m.flags & PS_MODEL_F_INT8) {
		quant(m.proj.w, m.proj.rows, m.proj.cols, &m.qproj, own, &nown);
		quant(m.cls_w.w, m.cls_w.rows, m.cls_w.cols, &m.qcls_w, own, &nown);
		for (l = 0; l < g->nlayers; l++) {
			quant(m.w_self[l].w, m.w_self[l].rows, m.w_self[l].cols, &m.qw_self[l], own, &nown);
			quant(m.w_neigh[l].w, m.w_neigh[l].rows, m.w_neigh[l].cols, &m.qw_neigh[l], own, &nown);
			quant(m.emb[l].w, m.emb[l].rows, m.emb[l].cols, &m.qemb[l], own, &nown);
		}
	}
	size = ps_model_write(&m, NULL, 0);
	img = aligned_alloc(64, (size + 63) & ~(size_t)63);
	if (!img) {
		cli_error("out of memory");
		exit(PS_EXIT_NOMEM);
	}
	*len = ps_model_write(&m, img, size);
	for (i = 0; i < nown; i++)
		free(own[i]);
	free(cl);
	free(name_end);
	free(names);
	return img;
}
