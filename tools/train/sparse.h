/* Sparse tf-idf rows for corpora too large for a dense matrix: CSR
 * (row i is col[ptr[i] .. ptr[i+1]) with values val[..]), the product
 * with a dense matrix and the LSA projection by subspace iteration on
 * X^T X without forming it.  Host only. */
#ifndef PS_TOOLS_SPARSE_H
#define PS_TOOLS_SPARSE_H

#include <stddef.h>
#include <stdint.h>

#include "tools/train/la.h"

struct csr {
	uint32_t n, cols;
	size_t *ptr;            /* [n + 1] */
	uint32_t *col;
	float *val;
};

/* y (n x d) = X p, p is cols x d. */
void csr_mul(const struct csr *x, const float *p, uint32_t d, float *y);

/* Top right singular subspace of X as la_lsa computes it (p, cols x d:
 * the right singular vectors of the d largest singular values, columns
 * past the rank zero), by `iters` rounds of Q <- orth(X^T X Q) from a
 * random start and a Rayleigh-Ritz step; O(nnz x d) per round.
 * Returns 0, or -1 when out of memory. */
int csr_lsa(const struct csr *x, uint32_t d, uint32_t iters, struct la_rng *rng, float *p);

#endif
