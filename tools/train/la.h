/* Dense linear algebra for the trainer: BLIS for products, plus the
 * small routines BLIS does not have (orthonormalisation, symmetric
 * eigen-decomposition).  Row-major float matrices. */
#ifndef PS_TOOLS_LA_H
#define PS_TOOLS_LA_H

#include <stdint.h>

/* C = alpha op(A) op(B) + beta C; op(A) is m x k, op(B) k x n, C m x n;
 * lda/ldb/ldc are row strides of the matrices as stored. */
void la_gemm(int trans_a, int trans_b, uint32_t m, uint32_t n, uint32_t k, float alpha,
	     const float *a, uint32_t lda, const float *b, uint32_t ldb, float beta,
	     float *c, uint32_t ldc);

/* Orthonormalises the columns of the n x d matrix q (modified
 * Gram-Schmidt twice); a dependent column becomes zero. */
void la_orthonormalize(float *q, uint32_t n, uint32_t d);

/* Eigen-decomposition of the symmetric n x n matrix a (destroyed):
 * eigenvalues in w (descending), eigenvectors in the columns of v. */
void la_sym_eig(double *a, uint32_t n, double *w, double *v);

/* Deterministic random numbers (splitmix64). */
struct la_rng { uint64_t s; };
uint64_t la_rand(struct la_rng *r);
double la_unif(struct la_rng *r);           /* [0, 1) */
double la_normal(struct la_rng *r);

/* Top singular subspace of the n x b matrix x: p (b x d) gets the right
 * singular vectors of the d largest singular values (columns), by
 * subspace iteration on x x^T.  Columns past the rank are zero.
 * Returns 0, or -1 when out of memory. */
int la_lsa(const float *x, uint32_t n, uint32_t b, uint32_t d, uint32_t iters,
	   struct la_rng *rng, float *p);

#endif
