/* In-place sorts for the few places core/ needs one (no qsort: core
 * links against nothing).  Heapsort: O(n log n), no recursion, no
 * scratch memory. */
#ifndef PS_SORT_H
#define PS_SORT_H

#include <stddef.h>
#include <stdint.h>

void ps_sort_u32(uint32_t *v, size_t n);        /* ascending */
void ps_sort_u64_desc(uint64_t *v, size_t n);   /* descending */

#endif
