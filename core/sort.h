/* In-place sorts for the few places core/ needs one (no qsort: core
 * links against nothing).  Heapsort: O(n log n), no recursion, no
 * scratch memory. */
#ifndef PS_SORT_H
#define PS_SORT_H

#include <stddef.h>
#include <stdint.h>

void ps_sort_u32(uint32_t *v, size_t n);        /* ascending */
void ps_sort_u64_desc(uint64_t *v, size_t n);   /* descending */
/* The k largest of v[0..n) first, in descending order; the rest after
 * them in no particular order.  O(n + k log n). */
void ps_sort_u64_desc_first(uint64_t *v, size_t n, size_t k);

/* A bounded best-first list of at most k (index, similarity) pairs:
 * idx[0..n) and sim[0..n) in descending similarity, pairs of equal
 * similarity in the order they were offered.  Offers (i, s): it enters
 * when the list has room or s beats the last entry (which then drops
 * out); a NaN never enters.  Returns the new count.  The one top-k of
 * the project: the inference's neighbours (core/sage.c), the trainer's
 * graph and its kNN baselines (tools/train) all keep their k most
 * similar cases with it, so that training and inference agree. */
uint32_t ps_topk_add(uint32_t *idx, float *sim, uint32_t n, uint32_t k, uint32_t i, float s);

#endif
