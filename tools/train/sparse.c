#include "tools/train/sparse.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void csr_mul(const struct csr *x, const float *p, uint32_t d, float *y)
{
	uint32_t i, j;
	size_t e;

	for (i = 0; i < x->n; i++) {
		float *restrict yi = y + (size_t)i * d;

		memset(yi, 0, d * sizeof *yi);
		for (e = x->ptr[i]; e < x->ptr[i + 1]; e++) {
			const float *restrict pr = p + (size_t)x->col[e] * d;
			float v = x->val[e];

			for (j = 0; j < d; j++)
				yi[j] += v * pr[j];
		}
	}
}

/* z (cols x d) = X^T y, y is n x d. */
static void csr_tmul(const struct csr *x, const float *y, uint32_t d, float *z)
{
	uint32_t i, j;
	size_t e;

	memset(z, 0, (size_t)x->cols * d * sizeof *z);
	for (i = 0; i < x->n; i++) {
		const float *restrict yi = y + (size_t)i * d;

		for (e = x->ptr[i]; e < x->ptr[i + 1]; e++) {
			float *restrict zr = z + (size_t)x->col[e] * d;
			float v = x->val[e];

			for (j = 0; j < d; j++)
				zr[j] += v * yi[j];
		}
	}
}

/* Dot product in 8 float lanes (which the compiler vectorises), added
 * up in double. */
static double dot8(const float *restrict a, const float *restrict b, uint32_t n)
{
	float acc[8] = { 0 };
	double s = 0;
	uint32_t r, l;

	for (r = 0; r + 8 <= n; r += 8)
		for (l = 0; l < 8; l++)
			acc[l] += a[r + l] * b[r + l];
	for (; r < n; r++)
		s += (double)a[r] * b[r];
	for (l = 0; l < 8; l++)
		s += acc[l];
	return s;
}

/* Orthonormalises the d columns of q (rows x d) as la_orthonormalize
 * does (modified Gram-Schmidt twice, a dependent column becomes zero),
 * on a transposed copy t (d x rows) so that the loops run over
 * contiguous memory. */
static void orth_cols(float *q, uint32_t rows, uint32_t d, float *t)
{
	uint32_t i, j, r, pass;

	for (r = 0; r < rows; r++)
		for (j = 0; j < d; j++)
			t[(size_t)j * rows + r] = q[(size_t)r * d + j];
	for (j = 0; j < d; j++) {
		float *restrict tj = t + (size_t)j * rows;
		double norm0 = 0, norm = 0;

		for (r = 0; r < rows; r++)
			norm0 += (double)tj[r] * tj[r];
		for (pass = 0; pass < 2; pass++)
			for (i = 0; i < j; i++) {
				const float *restrict ti = t + (size_t)i * rows;
				float fd = (float)dot8(ti, tj, rows);

				for (r = 0; r < rows; r++)
					tj[r] -= fd * ti[r];
			}
		for (r = 0; r < rows; r++)
			norm += (double)tj[r] * tj[r];
		norm = sqrt(norm);
		for (r = 0; r < rows; r++)
			tj[r] = norm > 1e-6 * sqrt(norm0) && norm > 1e-30 ? (float)(tj[r] / norm) : 0.0f;
	}
	for (r = 0; r < rows; r++)
		for (j = 0; j < d; j++)
			q[(size_t)r * d + j] = t[(size_t)j * rows + r];
}

int csr_lsa(const struct csr *x, uint32_t d, uint32_t iters, struct la_rng *rng, float *p)
{
	uint32_t b = x->cols, n = x->n, r = d, i, j, k, it;
	float *q, *y, *t, *tt;
	double *tm, *w, *v;
	int rc = -1;

	if (r > n)
		r = n;
	if (r > b)
		r = b;
	memset(p, 0, (size_t)b * d * sizeof *p);
	if (!r)
		return 0;
	q = malloc((size_t)b * r * sizeof *q);
	y = malloc((size_t)n * r * sizeof *y);
	t = malloc((size_t)b * r * sizeof *t);
	tt = malloc((size_t)r * r * sizeof *tt);
	tm = malloc((size_t)r * r * sizeof *tm);
	w = malloc(r * sizeof *w);
	v = malloc((size_t)r * r * sizeof *v);
	if (!q || !y || !t || !tt || !tm || !w || !v)
		goto out;
	for (i = 0; i < b * r; i++)
		q[i] = (float)la_normal(rng);
	orth_cols(q, b, r, t);
	for (it = 0; it < iters; it++) {
		csr_mul(x, q, r, y);
		csr_tmul(x, y, r, q);
		orth_cols(q, b, r, t);
	}
	/* Rayleigh-Ritz: T = (X Q)^T (X Q) = V diag(w) V^T, P = Q V */
	csr_mul(x, q, r, y);
	la_gemm(1, 0, r, r, n, 1, y, r, y, r, 0, tt, r);
	for (i = 0; i < r; i++)
		for (j = 0; j < r; j++)
			tm[(size_t)i * r + j] = 0.5 * ((double)tt[(size_t)i * r + j] + tt[(size_t)j * r + i]);
	la_sym_eig(tm, r, w, v);
	for (i = 0; i < b; i++)
		for (j = 0; j < r; j++) {
			double s = 0;

			if (!(w[j] > 1e-10))
				continue;
			for (k = 0; k < r; k++)
				s += (double)q[(size_t)i * r + k] * v[(size_t)k * r + j];
			p[(size_t)i * d + j] = (float)s;
		}
	rc = 0;
out:
	free(q);
	free(y);
	free(t);
	free(tt);
	free(tm);
	free(w);
	free(v);
	return rc;
}
