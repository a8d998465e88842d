#include "tools/train/la.h"

#include <blis.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void la_gemm(int trans_a, int trans_b, uint32_t m, uint32_t n, uint32_t k, float alpha,
	     const float *a, uint32_t lda, const float *b, uint32_t ldb, float beta,
	     float *c, uint32_t ldc)
{
	if (!m || !n)
		return;
	if (!k) {
		uint32_t i, j;

		for (i = 0; i < m; i++)
			for (j = 0; j < n; j++)
				c[(size_t)i * ldc + j] *= beta;
		return;
	}
	bli_sgemm(trans_a ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
		  trans_b ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
		  (dim_t)m, (dim_t)n, (dim_t)k, &alpha,
		  (float *)(uintptr_t)a, (inc_t)lda, 1, (float *)(uintptr_t)b, (inc_t)ldb, 1,
		  &beta, c, (inc_t)ldc, 1);
}

uint64_t la_rand(struct la_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

double la_unif(struct la_rng *r)
{
	return (double)(la_rand(r) >> 11) / 9007199254740992.0;
}

double la_normal(struct la_rng *r)
{
	double u = la_unif(r), v = la_unif(r);

	if (u < 1e-300)
		u = 1e-300;
	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

void la_orthonormalize(float *q, uint32_t n, uint32_t d)
{
	uint32_t i, j, r, pass;

	for (j = 0; j < d; j++) {
		double norm0 = 0, norm = 0;

		for (r = 0; r < n; r++)
			norm0 += (double)q[(size_t)r * d + j] * q[(size_t)r * d + j];
		for (pass = 0; pass < 2; pass++)
			for (i = 0; i < j; i++) {
				double dot = 0;

				for (r = 0; r < n; r++)
					dot += (double)q[(size_t)r * d + i] * q[(size_t)r * d + j];
				for (r = 0; r < n; r++)
					q[(size_t)r * d + j] -= (float)(dot * q[(size_t)r * d + i]);
			}
		for (r = 0; r < n; r++)
			norm += (double)q[(size_t)r * d + j] * q[(size_t)r * d + j];
		norm = sqrt(norm);
		for (r = 0; r < n; r++)
			q[(size_t)r * d + j] = norm > 1e-6 * sqrt(norm0) && norm > 1e-30
				? (float)(q[(size_t)r * d + j] / norm) : 0.0f;
	}
}

/* Cyclic Jacobi rotations. */
void la_sym_eig(double *a, uint32_t n, double *w, double *v)
{
	uint32_t i, j, p, q, sweep;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			v[(size_t)i * n + j] = i == j;
	for (sweep = 0; sweep < 100; sweep++) {
		double off = 0, total = 0;

		for (p = 0; p < n; p++)
			for (q = 0; q < n; q++) {
				total += a[(size_t)p * n + q] * a[(size_t)p * n + q];
				if (p != q)
					off += a[(size_t)p * n + q] * a[(size_t)p * n + q];
			}
		if (off <= 1e-22 * total || off == 0)
			break;
		for (p = 0; p + 1 < n; p++)
			for (q = p + 1; q < n; q++) {
				double apq = a[(size_t)p * n + q], app, aqq, theta, t, c, s;

				if (fabs(apq) < 1e-300)
					continue;
				app = a[(size_t)p * n + p];
				aqq = a[(size_t)q * n + q];
				theta = (aqq - app) / (2 * apq);
				t = (theta >= 0 ? 1.0 : -1.0) / (fabs(theta) + sqrt(theta * theta + 1));
				c = 1 / sqrt(t * t + 1);
				s = t * c;
				for (i = 0; i < n; i++) {      /* columns p, q */
					double aip = a[(size_t)i * n + p], aiq = a[(size_t)i * n + q];
					a[(size_t)i * n + p] = c * aip - s * aiq;
					a[(size_t)i * n + q] = s * aip + c * aiq;
				}
				for (i = 0; i < n; i++) {      /* rows p, q */
					double api = a[(size_t)p * n + i], aqi = a[(size_t)q * n + i];
					a[(size_t)p * n + i] = c * api - s * aqi;
					a[(size_t)q * n + i] = s * api + c * aqi;
				}
				for (i = 0; i < n; i++) {
					double vip = v[(size_t)i * n + p], viq = v[(size_t)i * n + q];
					v[(size_t)i * n + p] = c * vip - s * viq;
					v[(size_t)i * n + q] = s * vip + c * viq;
				}
			}
	}
	for (i = 0; i < n; i++)
		w[i] = a[(size_t)i * n + i];
	/* sort descending, moving eigenvector columns along */
	for (i = 0; i < n; i++) {
		uint32_t best = i;

		for (j = i + 1; j < n; j++)
			if (w[j] > w[best])
				best = j;
		if (best != i) {
			double t = w[i];

			w[i] = w[best];
			w[best] = t;
			for (j = 0; j < n; j++) {
				t = v[(size_t)j * n + i];
				v[(size_t)j * n + i] = v[(size_t)j * n + best];
				v[(size_t)j * n + best] = t;
			}
		}
	}
}

int la_lsa(const float *x, uint32_t n, uint32_t b, uint32_t d, uint32_t iters,
	   struct la_rng *rng, float *p)
{
	uint32_t r = d < n ? d : n, i, j, it;
	float *g = malloc((size_t)n * n * sizeof *g);
	float *q = malloc((size_t)n * r * sizeof *q);
	float *z = malloc((size_t)n * r * sizeof *z);
	float *u = malloc((size_t)n * r * sizeof *u);
	double *t = malloc((size_t)r * r * sizeof *t), *w = malloc(r * sizeof *w);
	double *v = malloc((size_t)r * r * sizeof *v);
	int rc = -1;

	if (!g || !q || !z || !u || !t || !w || !v)
		goto out;
	memset(p, 0, (size_t)b * d * sizeof *p);
	la_gemm(0, 1, n, n, b, 1, x, b, x, b, 0, g, n);        /* G = X X^T */
	for (i = 0; i < n * r; i++)
		q[i] = (float)la_normal(rng);
	la_orthonormalize(q, n, r);
	for (it = 0; it < iters; it++) {
		la_gemm(0, 0, n, r, n, 1, g, n, q, r, 0, z, r);
		memcpy(q, z, (size_t)n * r * sizeof *q);
		la_orthonormalize(q, n, r);
	}
	/* Rayleigh-Ritz: T = Q^T G Q, T = V diag(w) V^T, U = Q V */
	la_gemm(0, 0, n, r, n, 1, g, n, q, r, 0, z, r);
	for (i = 0; i < r; i++)
		for (j = 0; j < r; j++) {
			double s = 0;
			uint32_t k;

			for (k = 0; k < n; k++)
				s += (double)q[(size_t)k * r + i] * z[(size_t)k * r + j];
			t[(size_t)i * r + j] = s;
		}
	for (i = 0; i < r; i++)            /* symmetrise rounding noise */
		for (j = i + 1; j < r; j++)
			t[(size_t)i * r + j] = t[(size_t)j * r + i] =
				0.5 * (t[(size_t)i * r + j] + t[(size_t)j * r + i]);
	la_sym_eig(t, r, w, v);
	for (i = 0; i < n; i++)
		for (j = 0; j < r; j++) {
			double s = 0;
			uint32_t k;

			for (k = 0; k < r; k++)
				s += (double)q[(size_t)i * r + k] * v[(size_t)k * r + j];
			u[(size_t)i * r + j] = (float)s;
		}
	/* V_x = X^T U diag(1/sigma): columns j < r with sigma > 0 */
	for (j = 0; j < r; j++) {
		float inv = w[j] > 1e-10 ? (float)(1 / sqrt(w[j])) : 0;

		for (i = 0; i < n; i++)
			u[(size_t)i * r + j] *= inv;
	}
	{
		float *pr = malloc((size_t)b * r * sizeof *pr);

		if (!pr)
			goto out;
		la_gemm(1, 0, b, r, n, 1, x, b, u, r, 0, pr, r);
		for (i = 0; i < b; i++)
			memcpy(p + (size_t)i * d, pr + (size_t)i * r, r * sizeof *p);
		free(pr);
	}
	rc = 0;
out:
	free(g);
	free(q);
	free(z);
	free(u);
	free(t);
	free(w);
	free(v);
	return rc;
}
