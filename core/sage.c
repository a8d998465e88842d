#include "core/sage.h"

#include <string.h>

#include "core/psmath.h"
#include "core/sort.h"
#include "core/status.h"

enum ps_numeric ps_sage_path(const struct ps_model *m, enum ps_numeric num)
{
	if (num == PS_NUM_AUTO)
		return (m->flags & PS_MODEL_F_F32) ? PS_NUM_F32 : PS_NUM_INT8;
	return num;
}

void ps_softmax(float *v, uint32_t n)
{
	float mx, s = 0;
	uint32_t i;

	if (!n)
		return;
	mx = v[0];
	for (i = 1; i < n; i++)
		if (v[i] > mx)
			mx = v[i];
	for (i = 0; i < n; i++) {
		v[i] = ps_expf(v[i] - mx);
		s += v[i];
	}
	for (i = 0; i < n; i++)
		v[i] /= s;
}

/* Quantises x to int8 with one scale; returns the scale. */
static float quantize_vec(const float *x, uint32_t n, int8_t *q)
{
	float mx = 0, inv;
	uint32_t i;

	for (i = 0; i < n; i++) {
		float a = x[i] < 0 ? -x[i] : x[i];
		if (a > mx)
			mx = a;
	}
	inv = mx > 0 ? 127.0f / mx : 0;
	for (i = 0; i < n; i++)
		q[i] = (int8_t)ps_round_q8(x[i] * inv);
	return mx / 127.0f;
}

static int32_t dot_q8(const int8_t *a, const int8_t *b, uint32_t n)
{
	int32_t s = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		s += (int32_t)a[i] * (int32_t)b[i];
	return s;
}

static float dot_f32(const float *a, const float *b, uint32_t n)
{
	float s = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		s += a[i] * b[i];
	return s;
}

/* y += W x for a float or int8 matrix; xq/xs the quantised x. */
static void matvec_add(const struct ps_fmat *w, const struct ps_qmat *q, int int8,
		       const float *x, const int8_t *xq, float xs, float *y)
{
	uint32_t r;

	if (int8) {
		for (r = 0; r < q->rows; r++)
			y[r] += q->scale[r] * xs * (float)dot_q8(q->q + (size_t)r * q->cols, xq, q->cols);
	} else {
		for (r = 0; r < w->rows; r++)
			y[r] += dot_f32(w->w + (size_t)r * w->cols, x, w->cols);
	}
}

/* The k stored cases most similar to h0 (sim desc, index asc) in
 * nbr/sim; returns the count. */
static uint32_t top_k(const struct ps_model *m, int int8, const float *h0, const int8_t *h0q,
		      float h0s, uint32_t k, uint32_t *nbr, float *sim)
{
	uint32_t n = 0, i, d = m->p.dim;

	for (i = 0; i < m->p.ncases; i++) {
		float s = int8 ? m->qemb[0].scale[i] * h0s *
				 (float)dot_q8(m->qemb[0].q + (size_t)i * d, h0q, d)
			       : dot_f32(m->emb[0].w + (size_t)i * d, h0, d);

		n = ps_topk_add(nbr, sim, n, k, i, s);
	}
	return n;
}

int ps_sage_forward(const struct ps_model *m, const float *h0, enum ps_numeric num,
		    struct ps_arena *a, struct ps_sage_result *r)
{
	const struct ps_model_params *p = &m->p;
	uint32_t maxd = 0, l, i, j, k = p->k < p->ncases ? p->k : p->ncases;
	float *h, *hn, *agg, xs, as;
	int8_t *xq, *aq;
	int int8;

	memset(r, 0, sizeof *r);
	num = ps_sage_path(m, num);
	int8 = num == PS_NUM_INT8;
	if ((int8 && !(m->flags & PS_MODEL_F_INT8)) || (!int8 && !(m->flags & PS_MODEL_F_F32)))
		return PS_ERANGE;
	for (l = 0; l <= p->nlayers; l++)
		if (p->dims[l] > maxd)
			maxd = p->dims[l];
	r->probs = PS_ALLOC(a, float, p->nlabels);
	r->nbr = PS_ALLOC(a, uint32_t, k);
	r->nbr_sim = PS_ALLOC(a, float, k);
	h = PS_ALLOC(a, float, maxd);
	hn = PS_ALLOC(a, float, maxd);
	agg = PS_ALLOC(a, float, maxd);
	xq = PS_ALLOC(a, int8_t, maxd);
	aq = PS_ALLOC(a, int8_t, maxd);
	if (!r->probs || !r->nbr || !r->nbr_sim || !h || !hn || !agg || !xq || !aq)
		return PS_ENOMEM;

	memcpy(h, h0, (size_t)p->dim * sizeof *h);
	xs = int8 ? quantize_vec(h, p->dim, xq) : 0;
	r->nnbr = top_k(m, int8, h, xq, xs, k, r->nbr, r->nbr_sim);
	for (i = 0; i < r->nnbr && r->nbr_sim[i] >= p->tau; i++)
		;
	r->nagg = i;

	for (l = 0; l < p->nlayers; l++) {
		uint32_t din = p->dims[l], dout = p->dims[l + 1];

		memset(agg, 0, (size_t)din * sizeof *agg);
		for (i = 0; i < r->nagg; i++) {
			uint32_t u = r->nbr[i];

			if (int8) {
				const int8_t *row = m->qemb[l].q + (size_t)u * din;
				float s = m->qemb[l].scale[u];

				for (j = 0; j < din; j++)
					agg[j] += s * (float)row[j];
			} else {
				const float *row = m->emb[l].w + (size_t)u * din;

				for (j = 0; j < din; j++)
					agg[j] += row[j];
			}
		}
		if (r->nagg)
			for (j = 0; j < din; j++)
				agg[j] /= (float)r->nagg;
		if (int8) {
			xs = quantize_vec(h, din, xq);
			as = quantize_vec(agg, din, aq);
		} else {
			as = 0;
		}
		memcpy(hn, m->bias[l], (size_t)dout * sizeof *hn);
		matvec_add(&m->w_self[l], &m->qw_self[l], int8, h, xq, xs, hn);
		matvec_add(&m->w_neigh[l], &m->qw_neigh[l], int8, agg, aq, as, hn);
		for (j = 0; j < dout; j++)
			h[j] = hn[j] > 0 ? hn[j] : 0;
	}
	memcpy(r->probs, m->cls_b, (size_t)p->nlabels * sizeof *r->probs);
	if (int8)
		xs = quantize_vec(h, p->dims[p->nlayers], xq);
	matvec_add(&m->cls_w, &m->qcls_w, int8, h, xq, xs, r->probs);
	ps_softmax(r->probs, p->nlabels);
	r->h = h;
	return PS_OK;
}
