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

#endif
