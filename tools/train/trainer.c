#include "tools/train/trainer.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/bucket.h"
#include "core/drain.h"
#include "core/features.h"
#include "core/log.h"
#include "core/mask.h"
#include "core/default_catalogue.h"
#include "core/sort.h"
#include "core/status.h"
#include "tools/cli/cli.h"
#include "tools/train/la.h"
#include "tools/train/experiment.h"
#include "tools/train/select.h"

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
	c->max_stored = TRAIN_MAX_STORED;
	c->per_bucket = TRAIN_PER_BUCKET;
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

/* Subspace iterations of the sparse LSA (above TRAIN_DENSE_MAX cases):
 * fewer than the dense path's 30, each costs O(nnz x dim). */
#define TRAIN_SPARSE_LSA_ITERS 10

/* Above TRAIN_SAMPLE_MAX cases, Drain learns its templates and the LSA
 * its projection from every sample_step-th case only (at most
 * TRAIN_SAMPLE_MAX of them); every case still gets its features, IDF
 * counts and h0.  At or below it (and so below TRAIN_DENSE_MAX) every
 * case is used. */
#define TRAIN_SAMPLE_MAX 16384u

static uint32_t sample_step(uint32_t n)
{
	return n > TRAIN_SAMPLE_MAX ? (n + TRAIN_SAMPLE_MAX - 1) / TRAIN_SAMPLE_MAX : 1;
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

/* Above TRAIN_DENSE_MAX cases, says how long a step took (stderr). */
static void phase(const struct train_cfg *cfg, uint32_t n, const char *what, double *t)
{
	double now = now_us();

	if (!cfg->quiet && n > TRAIN_DENSE_MAX)
		fprintf(stderr, "train: %s in %.1f s\n", what, (now - *t) / 1e6);
	*t = now;
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
	uint32_t i, j, ntpl, nkeep, nlab = f->cp->nlabels, step = sample_step(f->n);
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
		size_t pos = 0, cap = 0;

		sets[i].id = NULL;
		while (i % step == 0 && pos < c->loglen) {
			const char *nl = memchr(c->log + pos, '\n', c->loglen - pos);
			size_t end = nl ? (size_t)(nl - c->log) : c->loglen, mlen;
			struct ps_record r;
			uint32_t t;

			ps_log_parse_line(&r, c->log + pos, end - pos);
			pos = end + 1;
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

			if (i % step)     /* not in the sample */
				continue;

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
		if (!f->x) {
			size_t e;

			for (e = f->xs.ptr[i]; e < f->xs.ptr[i + 1]; e++)
				if (f->xs.val[e] != 0)
					with[(size_t)f->xs.col[e] * C + (uint32_t)labels[i]] += 1;
			continue;
		}
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

/* csr_lsa over every sample_step-th row of x. */
static int lsa_sample(const struct csr *x, uint32_t D, struct la_rng *rng, float *proj)
{
	uint32_t step = sample_step(x->n), i;
	struct csr s = *x;
	size_t e = 0;
	int rc;

	if (step == 1)
		return csr_lsa(x, D, TRAIN_SPARSE_LSA_ITERS, rng, proj);
	s.n = (x->n + step - 1) / step;
	s.ptr = cli_calloc((size_t)s.n + 1, sizeof *s.ptr);
	for (i = 0; i < s.n; i++)
		e = s.ptr[i + 1] = e + (x->ptr[(size_t)i * step + 1] - x->ptr[(size_t)i * step]);
	s.col = cli_calloc(e + 1, sizeof *s.col);
	s.val = cli_calloc(e + 1, sizeof *s.val);
	for (i = 0; i < s.n; i++) {
		size_t a = x->ptr[(size_t)i * step], b = x->ptr[(size_t)i * step + 1];

		memcpy(s.col + s.ptr[i], x->col + a, (b - a) * sizeof *s.col);
		memcpy(s.val + s.ptr[i], x->val + a, (b - a) * sizeof *s.val);
	}
	rc = csr_lsa(&s, D, TRAIN_SPARSE_LSA_ITERS, rng, proj);
	free(s.ptr);
	free(s.col);
	free(s.val);
	return rc;
}

static uint64_t name_hash(const char *s)
{
	uint64_t h = 14695981039346656037ull;      /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* The features of cases lo..hi of a large fold, by one thread: rows
 * into its own CSR arrays, its own counts. */
struct feat_part {
	struct fold *f;
	const struct ps_model *stub;
	uint32_t lo, hi, *nnz_row, *col, *dfb, *seg, *all, bad;
	float *val;
	size_t nnz, cap;
	int rc, report;
};

static void *feat_run(void *arg)
{
	struct feat_part *p = arg;
	struct fold *f = p->f;
	const struct train_cfg *cfg = f->cfg;
	uint32_t B = cfg->nbuckets, ntpl = f->tpl.count, i, j, t;
	size_t arena_size = 0, len;
	unsigned char *mem = NULL;
	struct ps_arena a;

	for (i = p->lo; i < p->hi; i++) {
		const struct case_rec *c = &f->cp->c[f->idx[i]];
		struct ps_analysis an;
		struct ps_sparse x;
		struct ps_bucket_sig sig;
		uint32_t *mark;
		int rc;

		f->order[i] = name_hash(c->name);
		len = analyze_arena_size(c->loglen) + (size_t)16 * B;
		if (len > arena_size) {
			free(mem);
			arena_size = len;
			if (!(mem = malloc(arena_size))) {
				p->rc = PS_ENOMEM;
				p->bad = i;
				return NULL;
			}
		}
		ps_arena_init(&a, mem, arena_size);
		rc = analyze_case(p->stub, &f->cat, c->log, c->loglen, c->first_line, &a, &an);
		if (rc == PS_OK)
			rc = ps_features_count(&p->stub->p, &an, cfg->whole_log, &a, &x);
		if (rc == PS_EINPUT)
			continue;      /* an empty log: a zero feature row */
		if (rc != PS_OK) {
			p->rc = rc;
			p->bad = i;
			break;
		}
		ps_bucket_compute(&an, &sig);
		f->bucket[i] = sig.key;
		if (p->nnz + x.n > p->cap) {
			p->cap = 2 * (p->nnz + x.n) + 4096;
			p->col = realloc(p->col, p->cap * sizeof *p->col);
			p->val = realloc(p->val, p->cap * sizeof *p->val);
			if (!p->col || !p->val) {
				p->rc = PS_ENOMEM;
				p->bad = i;
				break;
			}
		}
		for (j = 0; j < x.n; j++) {
			p->col[p->nnz + j] = x.idx[j];
			p->val[p->nnz + j] = x.val[j];
			p->dfb[x.idx[j]]++;
		}
		p->nnz += x.n;
		p->nnz_row[i - p->lo] = x.n;
		/* template statistics for the culprit weights */
		if ((mark = PS_ALLOC(&a, uint32_t, 2 * ((size_t)ntpl + 1))) != NULL) {
			for (j = 0; j < an.nlines; j++)
				if ((t = an.lines[j].tpl) < ntpl && !mark[t]) {
					mark[t] = 1;
					p->all[t]++;
				}
			for (j = 0; j < an.nsegment; j++)
				if ((t = an.lines[an.segment[j]].tpl) < ntpl && !mark[ntpl + 1 + t]) {
					mark[ntpl + 1 + t] = 1;
					p->seg[t]++;
				}
		}
		if (p->report)
			progress(cfg, "features", (i - p->lo + 1) * (f->n / (p->hi - p->lo)), f->n, -1);
	}
	free(mem);
	return NULL;
}

/* The features of a large fold (CSR rows, bucket keys, document
 * frequencies, template statistics) by FEAT_THREADS threads over
 * contiguous ranges, merged in case order: the same result as one. */
#define FEAT_THREADS 2
static int features_threaded(struct fold *f, const struct ps_model *stub, uint32_t *dfb)
{
	struct feat_part part[FEAT_THREADS];
	pthread_t th[FEAT_THREADS];
	uint32_t n = f->n, B = f->cfg->nbuckets, ntpl = f->tpl.count, k, i, j;
	size_t nnz = 0, e = 0;
	int started[FEAT_THREADS] = { 0 }, rc = PS_EXIT_OK;

	for (k = 0; k < FEAT_THREADS; k++) {
		struct feat_part *p = &part[k];

		memset(p, 0, sizeof *p);
		p->f = f;
		p->stub = stub;
		p->lo = (uint32_t)((uint64_t)n * k / FEAT_THREADS);
		p->hi = (uint32_t)((uint64_t)n * (k + 1) / FEAT_THREADS);
		p->nnz_row = cli_calloc((size_t)(p->hi - p->lo) + 1, sizeof *p->nnz_row);
		p->dfb = cli_calloc(B, sizeof *p->dfb);
		p->seg = cli_calloc((size_t)ntpl + 1, sizeof *p->seg);
		p->all = cli_calloc((size_t)ntpl + 1, sizeof *p->all);
		p->report = k == 0;
	}
	for (k = 1; k < FEAT_THREADS; k++)
		started[k] = pthread_create(&th[k], NULL, feat_run, &part[k]) == 0;
	feat_run(&part[0]);
	for (k = 1; k < FEAT_THREADS; k++)
		if (started[k])
			pthread_join(th[k], NULL);
		else
			feat_run(&part[k]);
	for (k = 0; k < FEAT_THREADS; k++)
		nnz += part[k].nnz;
	f->xs.col = cli_calloc(nnz + 1, sizeof *f->xs.col);
	f->xs.val = cli_calloc(nnz + 1, sizeof *f->xs.val);
	for (k = 0; k < FEAT_THREADS; k++) {
		struct feat_part *p = &part[k];

		if (p->rc != PS_OK && rc == PS_EXIT_OK) {
			cli_error("%s: %s", f->cp->c[f->idx[p->bad]].path, ps_status_str(p->rc));
			rc = ps_exit_for_status(p->rc);
		}
		memcpy(f->xs.col + e, p->col, p->nnz * sizeof *p->col);
		memcpy(f->xs.val + e, p->val, p->nnz * sizeof *p->val);
		e += p->nnz;
		for (i = p->lo; i < p->hi; i++)
			f->xs.ptr[i + 1] = f->xs.ptr[i] + p->nnz_row[i - p->lo];
		for (j = 0; j < B; j++)
			dfb[j] += p->dfb[j];
		for (j = 0; j < ntpl; j++) {
			f->seg_tpl_cases[j] += p->seg[j];
			f->all_tpl_cases[j] += p->all[j];
		}
		free(p->nnz_row);
		free(p->col);
		free(p->val);
		free(p->dfb);
		free(p->seg);
		free(p->all);
	}
	progress(f->cfg, "features", n, n, -1);
	return rc;
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
	int rc, scale = n > TRAIN_DENSE_MAX;
	double t0 = now_us();

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
	phase(cfg, n, "templates", &t0);
	stub_model(f, &stub);

	if (scale) {
		f->xs.n = n;
		f->xs.cols = B;
		f->xs.ptr = cli_calloc((size_t)n + 1, sizeof *f->xs.ptr);
	} else {
		f->x = cli_calloc((size_t)n * B, sizeof *f->x);
	}
	f->bucket = cli_calloc(n, sizeof *f->bucket);
	f->order = cli_calloc(n, sizeof *f->order);
	f->seg_tpl_cases = cli_calloc(f->tpl.count + 1, sizeof *f->seg_tpl_cases);
	f->all_tpl_cases = cli_calloc(f->tpl.count + 1, sizeof *f->all_tpl_cases);
	dfb = cli_calloc(B, sizeof *dfb);
	if (scale && (rc = features_threaded(f, &stub, dfb)) != PS_EXIT_OK) {
		free(dfb);
		return rc;
	}
	for (i = 0; !scale && i < n; i++) {
		const struct case_rec *c = &cp->c[idx[i]];
		struct ps_analysis an;
		struct ps_sparse x;
		struct ps_bucket_sig sig;
		uint32_t *mark_all, *mark_seg, t;

		f->order[i] = name_hash(c->name);
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
		ps_bucket_compute(&an, &sig);
		f->bucket[i] = sig.key;
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
	phase(cfg, n, "features", &t0);

	/* IDF, then tf-idf rows */
	f->idf = cli_calloc(B, sizeof *f->idf);
	for (j = 0; j < B; j++)
		f->idf[j] = (float)(log((1.0 + n) / (1.0 + dfb[j])) + 1.0);
	if (labels && cfg->ig_weight > 0)
		ig_reweight(f, labels, dfb);
	free(dfb);
	for (i = 0; scale && i < n; i++) {
		size_t e;
		double s = 0;

		for (e = f->xs.ptr[i]; e < f->xs.ptr[i + 1]; e++) {
			f->xs.val[e] = (float)(log(1.0 + f->xs.val[e]) * f->idf[f->xs.col[e]]);
			s += (double)f->xs.val[e] * f->xs.val[e];
		}
		if (s > 0)
			for (e = f->xs.ptr[i]; e < f->xs.ptr[i + 1]; e++)
				f->xs.val[e] = (float)(f->xs.val[e] / sqrt(s));
	}
	for (i = 0; !scale && i < n; i++) {
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
		if (scale)
			progress(cfg, "projection", 0, 1, -1);
		if ((scale ? lsa_sample(&f->xs, D, &rng, f->proj)
			   : la_lsa(f->x, n, B, D, 30, &rng, f->proj)) != 0) {
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
	if (scale) {
		csr_mul(&f->xs, f->proj, D, f->h0);
		progress(cfg, "projection", 1, 1, -1);
	} else {
		la_gemm(0, 0, n, D, B, 1, f->x, B, f->proj, D, 0, f->h0, D);
	}
	for (i = 0; i < n; i++)
		ps_normalize(f->h0 + (size_t)i * D, D);
	phase(cfg, n, "weights and projection", &t0);
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
	free(f->xs.ptr);
	free(f->xs.col);
	free(f->xs.val);
	free(f->bucket);
	free(f->order);
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

static void knn_progress(void *ctx, uint32_t done, uint32_t total)
{
	progress(ctx, "graph", done, total, -1);
}

static const float *node_h0(const struct gnn *g, const struct fold *f)
{
	return g->sel ? g->h0 : f->h0;
}

/* Neighbours of every node: the k most similar others with cos >= tau;
 * above TRAIN_DENSE_MAX nodes in blocks (knn_exact), not all n x n
 * similarities at once. */
static void build_graph(struct gnn *g, const struct fold *f)
{
	uint32_t n = g->n, D = f->cfg->dim, k = f->cfg->k, i, j;
	const float *h0 = node_h0(g, f);
	float *s, *best;

	g->nbr = cli_calloc((size_t)n * k, sizeof *g->nbr);
	g->nnbr = cli_calloc(n, sizeof *g->nnbr);
	if (n > TRAIN_DENSE_MAX) {
		if (knn_exact(h0, n, h0, n, D, k, f->cfg->tau, 1, g->nbr, g->nnbr,
			      f->cfg->progress ? knn_progress : NULL, (void *)(uintptr_t)f->cfg) != 0) {
			cli_error("out of memory");
			exit(PS_EXIT_NOMEM);
		}
		return;
	}
	s = cli_calloc((size_t)n * n, sizeof *s);
	best = cli_calloc(k + 1, sizeof *best);
	la_gemm(0, 1, n, n, D, 1, h0, D, h0, D, 0, s, n);
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
	const float *h = node_h0(g, f);

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

/* How many stored cases fit in a model of TRAIN_MODEL_BYTES next to
 * the fixed sections (projection, IDF, templates, catalogue, weights),
 * from the sizes the format gives them (core/model.h), with 64 KiB
 * for headers and alignment; and at most cfg->max_stored. */
static uint32_t stored_bound(const struct fold *f, uint32_t C)
{
	const struct train_cfg *cfg = f->cfg;
	uint32_t B = cfg->nbuckets, D = cfg->dim, H = cfg->hidden, K = cfg->nlayers, l, i;
	int f32 = !!(cfg->flags & PS_MODEL_F_F32), i8 = !!(cfg->flags & PS_MODEL_F_INT8);
	size_t fixed = (size_t)64 << 10, per = 6, names = 0, w;

	fixed += (size_t)B * 4 + (size_t)f->tpl.count * 8 + cfg->catalogue_len;
	if (f->tpl.count)
		fixed += f->tpl.end[f->tpl.count - 1];
	w = (size_t)B * D;
	for (l = 0; l < K; l++)
		w += 2 * (size_t)H * (l ? H : D);
	w += (size_t)C * H;
	fixed += (f32 ? w * 4 : 0) + (i8 ? w + 4 * ((size_t)B + 2 * K * H + C) : 0);
	for (l = 0; l < K; l++) {
		size_t d = l ? H : D;

		per += (f32 ? d * 4 : 0) + (i8 ? d + 4 : 0);
	}
	for (i = 0; i < f->n; i++)
		names += strlen(f->cp->c[f->idx[i]].name);
	per += f->n ? (names + f->n - 1) / f->n + 1 : 0;
	w = fixed < TRAIN_MODEL_BYTES ? (TRAIN_MODEL_BYTES - fixed) / per : 0;
	if (w < C)
		w = C;
	return w < cfg->max_stored ? (uint32_t)w : cfg->max_stored;
}

/* The graph's nodes: every case, or when there are more than
 * stored_bound, the ones select_cases keeps (g->sel, their h0 rows in
 * g->h0).  Returns the labels of the nodes (labels itself, or a copy
 * in *own). */
static const int *select_nodes(struct gnn *g, const struct fold *f, const int *labels, uint32_t C,
			       int **own)
{
	uint32_t S = stored_bound(f, C), D = f->cfg->dim, i;
	int *lab;

	*own = NULL;
	g->n = f->n;
	if (f->n <= S)
		return labels;
	g->sel = cli_calloc(f->n, sizeof *g->sel);
	g->n = select_cases(f->n, labels, C, f->bucket, f->order, S, f->cfg->per_bucket, g->sel);
	if (!g->n) {
		cli_error("out of memory");
		exit(PS_EXIT_NOMEM);
	}
	g->h0 = cli_calloc((size_t)g->n * D, sizeof *g->h0);
	lab = cli_calloc(g->n, sizeof *lab);
	for (i = 0; i < g->n; i++) {
		memcpy(g->h0 + (size_t)i * D, f->h0 + (size_t)g->sel[i] * D, D * sizeof *g->h0);
		lab[i] = labels[g->sel[i]];
	}
	if (!f->cfg->quiet)
		fprintf(stderr, "train: %u of %u cases stored (at most %u, %u per crash bucket)\n", g->n,
			f->n, S, f->cfg->per_bucket);
	*own = lab;
	return lab;
}

/* Predictions of the cases that are not nodes, as the capture kernel
 * makes them: neighbours among the nodes by h0, each layer aggregating
 * the nodes' stored embeddings; probs gets their rows. */
static void predict_rest(const struct gnn *g, const struct fold *f, float *probs)
{
	const uint32_t QB = 2048;
	uint32_t D = f->cfg->dim, k = f->cfg->k, C = g->nlabels, K = g->nlayers, maxd = 0;
	uint32_t *rest, nrest = 0, *nbr, *nnbr, i, j, l, q0, v;
	uint8_t *node = cli_calloc(f->n, 1);
	float *h, *hn, *agg;

	for (l = 0; l <= K; l++)
		if (g->dims[l] > maxd)
			maxd = g->dims[l];
	for (i = 0; i < g->n; i++)
		node[g->sel[i]] = 1;
	rest = cli_calloc(f->n, sizeof *rest);
	for (i = 0; i < f->n; i++)
		if (!node[i])
			rest[nrest++] = i;
	nbr = cli_calloc((size_t)QB * k, sizeof *nbr);
	nnbr = cli_calloc(QB, sizeof *nnbr);
	h = cli_calloc((size_t)QB * maxd, sizeof *h);
	hn = cli_calloc((size_t)QB * maxd, sizeof *hn);
	agg = cli_calloc((size_t)QB * maxd, sizeof *agg);
	for (q0 = 0; q0 < nrest; q0 += QB) {
		uint32_t nq = nrest - q0 < QB ? nrest - q0 : QB;

		for (i = 0; i < nq; i++)
			memcpy(h + (size_t)i * D, f->h0 + (size_t)rest[q0 + i] * D, D * sizeof *h);
		if (knn_exact(h, nq, g->h0, g->n, D, k, f->cfg->tau, 0, nbr, nnbr, NULL, NULL) != 0) {
			cli_error("out of memory");
			exit(PS_EXIT_NOMEM);
		}
		for (l = 0; l < K; l++) {
			uint32_t din = g->dims[l], dout = g->dims[l + 1];
			float *t;

			memset(agg, 0, (size_t)nq * din * sizeof *agg);
			for (v = 0; v < nq; v++) {
				float *o = agg + (size_t)v * din;

				for (i = 0; i < nnbr[v]; i++) {
					const float *src = g->emb[l] + (size_t)nbr[(size_t)v * k + i] * din;

					for (j = 0; j < din; j++)
						o[j] += src[j];
				}
				for (j = 0; nnbr[v] && j < din; j++)
					o[j] /= (float)nnbr[v];
			}
			for (v = 0; v < nq; v++)
				memcpy(hn + (size_t)v * dout, g->b[l], dout * sizeof *hn);
			la_gemm(0, 1, nq, dout, din, 1, h, din, g->ws[l], din, 1, hn, dout);
			la_gemm(0, 1, nq, dout, din, 1, agg, din, g->wn[l], din, 1, hn, dout);
			for (j = 0; j < nq * dout; j++)
				hn[j] = hn[j] > 0 ? hn[j] : 0;
			t = h;
			h = hn;
			hn = t;
		}
		for (v = 0; v < nq; v++)
			memcpy(hn + (size_t)v * C, g->cb, C * sizeof *hn);
		la_gemm(0, 1, nq, C, g->dims[K], 1, h, g->dims[K], g->cw, g->dims[K], 1, hn, C);
		softmax_rows(hn, nq, C);
		for (v = 0; v < nq; v++)
			memcpy(probs + (size_t)rest[q0 + v] * C, hn + (size_t)v * C, C * sizeof *probs);
		progress(f->cfg, "predicting", q0 + nq, nrest, -1);
	}
	free(node);
	free(rest);
	free(nbr);
	free(nnbr);
	free(h);
	free(hn);
	free(agg);
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
	const int *lab;
	int *lab_own;
	double t = now_us();

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
	lab = select_nodes(g, f, labels, C, &lab_own);
	if (g->sel) {     /* the class weights count the nodes */
		n = g->n;
		memset(count, 0, sizeof count);
		for (i = 0; i < n; i++)
			if (lab[i] >= 0)
				count[lab[i]] += 1;
	}
	g->nlabels = C;
	g->nlayers = K;
	g->dims[0] = cfg->dim;
	for (l = 1; l <= K; l++)
		g->dims[l] = cfg->hidden;
	for (l = 0; l <= K; l++)
		if (g->dims[l] > maxd)
			maxd = g->dims[l];
	build_graph(g, f);
	phase(cfg, f->n, "graph", &t);

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
			int y = lab[i];

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
	phase(cfg, f->n, "GraphSAGE", &t);
	g->emask = NULL;
	forward(g, f, NULL, 0, hin, mask, agg, z, logits);
	for (l = 0; l < K; l++) {
		g->emb[l] = hin[l];
		hin[l] = NULL;
	}
	softmax_rows(logits, n, C);
	g->probs = logits;
	if (g->sel) {     /* every case's prediction: the nodes', then the rest's */
		g->probs = cli_calloc((size_t)f->n * C, sizeof *g->probs);
		for (i = 0; i < n; i++)
			memcpy(g->probs + (size_t)g->sel[i] * C, logits + (size_t)i * C, C * sizeof *logits);
		free(logits);
		predict_rest(g, f, g->probs);
	}
	phase(cfg, f->n, "predictions", &t);
	free(lab_own);

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
	free(g->sel);
	free(g->h0);
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
	m.p.ncases = g->n;
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
	cl = cli_calloc(g->n, sizeof *cl);
	name_end = cli_calloc(g->n, sizeof *name_end);
	for (j = 0; j < g->n; j++)
		nb += strlen(f->cp->c[f->idx[g->sel ? g->sel[j] : j]].name);
	names = cli_calloc(nb + 1, 1);
	for (j = 0, nb = 0; j < g->n; j++) {
		uint32_t fi = g->sel ? g->sel[j] : j, y, best = 0;
		const char *s = f->cp->c[f->idx[fi]].name;

		memcpy(names + nb, s, strlen(s));
		nb += strlen(s);
		name_end[j] = (uint32_t)nb;
		if (labels[fi] >= 0) {
			cl[j] = (uint16_t)labels[fi];
		} else {
			for (y = 1; y < nlabels; y++)
				if (g->probs[(size_t)fi * nlabels + y] > g->probs[(size_t)fi * nlabels + best])
					best = y;
			cl[j] = (uint16_t)best;
		}
	}
	m.case_label = cl;
	m.case_names.end = name_end;
	m.case_names.bytes = names;
	m.case_names.count = g->n;
	m.idf = f->idf;
	m.tpl_weight = f->tpl_weight;
	fmat(&m.proj, f->proj, cfg->nbuckets, cfg->dim);
	for (l = 0; l < g->nlayers; l++) {
		fmat(&m.w_self[l], g->ws[l], g->dims[l + 1], g->dims[l]);
		fmat(&m.w_neigh[l], g->wn[l], g->dims[l + 1], g->dims[l]);
		m.bias[l] = g->b[l];
		fmat(&m.emb[l], g->emb[l], g->n, g->dims[l]);
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
