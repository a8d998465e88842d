/* The int8 path against the float path, on the whole ranking of every
 * test log (the .log files of tests/data and tests/data/cases), not just the top
 * label: the probability of every label, the order of labels whose
 * probabilities are apart, the label and the neighbours.
 *
 * 1. The shipped default model, which is int8 only: its float twin is
 *    built here by dequantising every int8 matrix (value = scale * q,
 *    core/model.h), so the two differ only by the int8 path's own
 *    rounding of activations.  Any change to how the int8 path scales
 *    (weights, embeddings, activations) moves its rankings away.
 * 2. A model trained here with both formats (tools/train), whose int8
 *    copies come from ps_quantize_rows: covers the writer's scales. */
#include <math.h>
#include <stdlib.h>

#include "core/arena.h"
#include "core/default_model.h"
#include "core/diagnose.h"
#include "core/model.h"
#include "core/pipeline.h"
#include "core/status.h"
#include "tests/unit/check.h"
#include "tools/train/corpus.h"
#include "tools/train/trainer.h"

/* |p_int8 - p_float| of any label, on any log.  The int8 path's own
 * error stays far below (test output prints the largest seen); a
 * scale off by a factor moves probabilities by tenths. */
#define TOL_P 0.02f

static unsigned char mem[64u << 20];

static float *dequant(const struct ps_qmat *q)
{
	float *w = malloc((size_t)q->rows * q->cols * sizeof *w);
	size_t r, c;

	for (r = 0; r < q->rows; r++)
		for (c = 0; c < q->cols; c++)
			w[r * q->cols + c] = q->scale[r] * (float)q->q[r * q->cols + c];
	return w;
}

static void fmat_of(struct ps_fmat *f, const struct ps_qmat *q, float **own, int *nown)
{
	f->w = own[(*nown)++] = dequant(q);
	f->rows = q->rows;
	f->cols = q->cols;
}

/* The float-only twin of an int8 model: *img to free by the caller. */
static int float_twin(const struct ps_model *m, struct ps_model *twin, unsigned char **img)
{
	struct ps_model src = *m;
	float *own[4 + 3 * PS_MODEL_MAX_LAYERS];
	int nown = 0, i, rc;
	uint32_t l;
	size_t size;
	char err[200];

	/* every section but the matrices as the model has them (its
	 * catalogue, calibration, back-off): the twin differs only in the
	 * int8 path */
	src.flags = (m->flags & ~PS_MODEL_F_INT8) | PS_MODEL_F_F32;
	fmat_of(&src.proj, &m->qproj, own, &nown);
	fmat_of(&src.cls_w, &m->qcls_w, own, &nown);
	for (l = 0; l < m->p.nlayers; l++) {
		fmat_of(&src.w_self[l], &m->qw_self[l], own, &nown);
		fmat_of(&src.w_neigh[l], &m->qw_neigh[l], own, &nown);
		fmat_of(&src.emb[l], &m->qemb[l], own, &nown);
	}
	size = ps_model_write(&src, NULL, 0);
	*img = aligned_alloc(64, (size + 63) & ~(size_t)63);
	CHECK_EQ_INT(ps_model_write(&src, *img, size), size);
	for (i = 0; i < nown; i++)
		free(own[i]);
	rc = ps_model_load(twin, *img, size, err, sizeof err);
	if (rc != PS_OK)
		fprintf(stderr, "float twin: %s\n", err);
	return rc;
}

struct result {
	int ok;
	uint16_t label;
	uint32_t nlabels;
	float p[PS_MODEL_MAX_LABELS];     /* by label id */
	uint16_t order[PS_MODEL_MAX_LABELS];
	uint32_t nnb;
	uint32_t nb[PS_MODEL_MAX_K];
	float sim[PS_MODEL_MAX_K];
};

static void classify(const struct ps_model *m, const struct case_rec *c, struct result *r)
{
	struct ps_params params;
	struct ps_analysis an;
	struct ps_arena a;
	uint32_t i;

	memset(r, 0, sizeof *r);
	ps_params_defaults(&params);
	ps_arena_init(&a, mem, sizeof mem);
	if (ps_diagnose(&an, &params, m, c->log, c->loglen, c->first_line, &a, NULL) != PS_OK ||
	    !an.labelled)
		return;
	r->ok = 1;
	r->label = an.label;
	r->nlabels = an.nranking;
	for (i = 0; i < an.nranking; i++) {
		r->p[an.ranking[i].label] = an.ranking[i].p;
		r->order[i] = an.ranking[i].label;
	}
	r->nnb = an.nneighbors;
	for (i = 0; i < an.nneighbors; i++) {
		r->nb[i] = an.neighbors[i].case_index;
		r->sim[i] = an.neighbors[i].similarity;
	}
}

/* Compares the two paths on one log; returns the largest |dp|. */
static float compare(const char *what, const struct case_rec *c, const struct result *q,
		     const struct result *f)
{
	float worst = 0;
	uint32_t i, j;

	CHECK(q->ok && f->ok);
	if (!q->ok || !f->ok)
		return 0;
	CHECK_EQ_INT(q->nlabels, f->nlabels);
	for (i = 0; i < f->nlabels; i++) {
		float d = fabsf(q->p[i] - f->p[i]);

		if (d > worst)
			worst = d;
	}
	if (worst > TOL_P)
		fprintf(stderr, "%s %s: a label's probability is %.4f off between int8 and float\n", what,
			c->name, (double)worst);
	CHECK(worst <= TOL_P);
	/* labels whose float probabilities are apart keep their order */
	for (i = 0; i < f->nlabels; i++)
		for (j = i + 1; j < f->nlabels; j++) {
			uint16_t a = f->order[i], b = f->order[j];

			if (f->p[a] - f->p[b] > 2 * TOL_P && !(q->p[a] > q->p[b])) {
				fprintf(stderr, "%s %s: int8 ranks label %u (%.3f) below %u (%.3f); float "
					"%.3f above %.3f\n", what, c->name, a, (double)q->p[a], b,
					(double)q->p[b], (double)f->p[a], (double)f->p[b]);
				CHECK(q->p[a] > q->p[b]);
			}
		}
	if (f->nlabels > 1 && f->p[f->order[0]] - f->p[f->order[1]] > 2 * TOL_P)
		CHECK_EQ_INT(q->label, f->label);
	/* the nearest stored cases, by similarity within a small tolerance */
	CHECK_EQ_INT(q->nnb, f->nnb);
	for (i = 0; i < q->nnb && i < f->nnb; i++)
		if (fabsf(q->sim[i] - f->sim[i]) > 0.03f) {
			fprintf(stderr, "%s %s: neighbour %u similarity %.4f (int8) vs %.4f (float)\n", what,
				c->name, i, (double)q->sim[i], (double)f->sim[i]);
			CHECK(fabsf(q->sim[i] - f->sim[i]) <= 0.03f);
			break;
		}
	return worst;
}

static char *paths[] = { "tests/data/cases", "tests/data/example.log", "tests/data/vmcore_sample.log" };

static void test_default_model(const struct corpus *cp)
{
	struct ps_model m, twin;
	const unsigned char *img;
	unsigned char *timg = NULL;
	size_t len;
	char err[200];
	uint32_t i;
	float worst = 0;

	img = ps_default_model(&len);
	if (!img) {
		CHECK(!"no default model built in");
		return;
	}
	CHECK_EQ_INT(ps_model_load(&m, img, len, err, sizeof err), PS_OK);
	CHECK(m.flags & PS_MODEL_F_INT8);
	if (!(m.flags & PS_MODEL_F_INT8) || float_twin(&m, &twin, &timg) != PS_OK) {
		CHECK(!"cannot build the float twin");
		free(timg);
		return;
	}
	for (i = 0; i < cp->n; i++) {
		struct result q, f;
		float w;

		classify(&m, &cp->c[i], &q);
		classify(&twin, &cp->c[i], &f);
		w = compare("default model", &cp->c[i], &q, &f);
		if (w > worst)
			worst = w;
	}
	printf("default model: int8 vs dequantised float on %u logs, largest probability "
	       "difference %.4f (tolerance %.2f)\n", cp->n, (double)worst, (double)TOL_P);
	free(timg);
}

static void test_trained_model(const struct corpus *cp)
{
	struct train_cfg cfg;
	struct fold fd;
	struct gnn g;
	struct ps_model both, q, f;
	uint32_t *idx = calloc(cp->n, sizeof *idx), i;
	int *lab = calloc(cp->n, sizeof *lab);
	unsigned char *img;
	size_t len;
	char err[200];
	float worst = 0;

	train_defaults(&cfg);
	cfg.dim = 64;
	cfg.hidden = 32;
	cfg.nbuckets = 2048;
	cfg.epochs = 100;
	cfg.progress = 0;
	cfg.quiet = 2;
	cfg.flags = PS_MODEL_F_F32 | PS_MODEL_F_INT8;
	for (i = 0; i < cp->n; i++) {
		idx[i] = i;
		lab[i] = cp->c[i].label;
	}
	CHECK_EQ_INT(fold_prepare(&fd, &cfg, cp, idx, cp->n, lab), 0);
	CHECK_EQ_INT(gnn_train(&g, &fd, lab, cp->nlabels), 0);
	img = model_build(&fd, &g, lab, cp->labels, cp->nlabels, &len);
	CHECK_EQ_INT(ps_model_load(&both, img, len, err, sizeof err), PS_OK);
	/* the same file read as int8 only and as float only */
	q = both;
	q.flags = PS_MODEL_F_INT8;
	f = both;
	f.flags = PS_MODEL_F_F32;
	for (i = 0; i < cp->n; i++) {
		struct result rq, rf;
		float w;

		classify(&q, &cp->c[i], &rq);
		classify(&f, &cp->c[i], &rf);
		w = compare("trained model", &cp->c[i], &rq, &rf);
		if (w > worst)
			worst = w;
	}
	printf("trained model (both formats): int8 vs float on %u logs, largest probability "
	       "difference %.4f\n", cp->n, (double)worst);
	free(img);
	gnn_free(&g);
	fold_free(&fd);
	free(idx);
	free(lab);
}

int main(void)
{
	struct corpus cp;

	if (corpus_load(&cp, paths, 3, NULL) != 0 || cp.n < 30) {
		fprintf(stderr, "test_int8: cannot read the test logs\n");
		return 1;
	}
	test_default_model(&cp);
	test_trained_model(&cp);
	corpus_free(&cp);
	return check_summary("test_int8");
}
