/* The stored cases of a model trained on a large corpus: a bounded,
 * representative subset chosen deterministically, and the kNN search
 * that builds the training graph over it.  Host only. */
#ifndef PS_TOOLS_SELECT_H
#define PS_TOOLS_SELECT_H

#include <stdint.h>

/* Chooses at most max_cases of n cases.  labels[i] is case i's label
 * (0..nlabels-1, -1 = none: the unlabelled cases are one more group),
 * bucket[i] its crash bucket key (core/bucket.h), order[i] a key that
 * orders the cases of one bucket (e.g. a hash of the case's name, so
 * that the choice does not depend on the order of the corpus).
 *
 * When n <= max_cases every case is kept.  Otherwise each label gets a
 * quota: max_cases shared equally between the labels present, a label
 * with fewer candidates than its share giving the rest to the others
 * (so every label present keeps at least one case when max_cases is at
 * least the number of labels); a label's candidates are at most
 * per_bucket cases of each of its buckets.  Inside a label the quota is
 * filled round-robin over its buckets, most frequent bucket first (ties
 * by key): the first case of every bucket, then the second, ... so a
 * rare bug keeps a case before a frequent one gets its second.
 *
 * Writes the chosen indices, ascending, to sel[] (room for n) and
 * returns their count; 0 when out of memory (n > 0). */
uint32_t select_cases(uint32_t n, const int *labels, uint32_t nlabels, const uint64_t *bucket,
		      const uint64_t *order, uint32_t max_cases, uint32_t per_bucket, uint32_t *sel);

/* Exact k nearest neighbours by cosine (rows of unit length): for every
 * row i of q (nq x d), the at most k rows of base (nb x d) with the
 * highest dot product, at least tau, best first (ties: lower index
 * first), into nbr[i * k ..] and their count into nnbr[i].  With
 * skip_self, q is base and row i is not its own neighbour.  Computed
 * in blocks of query rows with one matrix product each (BLIS), so the
 * memory is O(block x nb), not O(nq x nb); `progress` (may be NULL) is
 * called after each block with the rows done.  Returns 0, or -1 when
 * out of memory. */
int knn_exact(const float *q, uint32_t nq, const float *base, uint32_t nb, uint32_t d,
	      uint32_t k, float tau, int skip_self, uint32_t *nbr, uint32_t *nnbr,
	      void (*progress)(void *ctx, uint32_t done, uint32_t total), void *ctx);

#endif
