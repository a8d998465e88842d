#include "core/sort.h"

#define HEAPSIFT(name, type, before)                                        \
	static void name##_sift(type *v, size_t root, size_t n)             \
	{                                                                   \
		for (;;) {                                                  \
			size_t c = 2 * root + 1;                            \
			type t;                                             \
			if (c >= n)                                         \
				return;                                     \
			if (c + 1 < n && before(v[c], v[c + 1]))            \
				c++;                                        \
			if (!before(v[root], v[c]))                         \
				return;                                     \
			t = v[root];                                        \
			v[root] = v[c];                                     \
			v[c] = t;                                           \
			root = c;                                           \
		}                                                           \
	}

#define HEAPSORT(name, type, before)                                        \
	HEAPSIFT(name, type, before)                                        \
	static void name(type *v, size_t n)                                 \
	{                                                                   \
		size_t i;                                                   \
		if (n < 2)                                                  \
			return;                                             \
		for (i = n / 2; i-- > 0;)                                   \
			name##_sift(v, i, n);                               \
		for (i = n - 1; i > 0; i--) {                               \
			type t = v[0];                                      \
			v[0] = v[i];                                        \
			v[i] = t;                                           \
			name##_sift(v, 0, i);                               \
		}                                                           \
	}

#define LESS(a, b) ((a) < (b))
#define GREATER(a, b) ((a) > (b))
HEAPSORT(heap_u32_asc, uint32_t, LESS)
HEAPSORT(heap_u64_desc, uint64_t, GREATER)
HEAPSIFT(heap_u64_asc, uint64_t, LESS)

void ps_sort_u32(uint32_t *v, size_t n)
{
	heap_u32_asc(v, n);
}

void ps_sort_u64_desc(uint64_t *v, size_t n)
{
	heap_u64_desc(v, n);
}

void ps_sort_u64_desc_first(uint64_t *v, size_t n, size_t k)
{
	size_t i, end;

	if (k >= n) {
		heap_u64_desc(v, n);
		return;
	}
	/* a max-heap; k times the largest left goes behind the heap, so
	 * v[n - k..n) holds the k largest in ascending order; reversing
	 * the array brings them to the front in descending order */
	for (i = n / 2; i-- > 0;)
		heap_u64_asc_sift(v, i, n);
	for (end = n; end > n - k; end--) {
		uint64_t t = v[0];

		v[0] = v[end - 1];
		v[end - 1] = t;
		heap_u64_asc_sift(v, 0, end - 1);
	}
	for (i = 0; i < n / 2; i++) {
		uint64_t t = v[i];

		v[i] = v[n - 1 - i];
		v[n - 1 - i] = t;
	}
}

uint32_t ps_topk_add(uint32_t *idx, float *sim, uint32_t n, uint32_t k, uint32_t i, float s)
{
	uint32_t j;

	if (!(s == s) || k == 0 || (n >= k && !(s > sim[k - 1])))
		return n;
	j = n < k ? n++ : k - 1;
	while (j > 0 && s > sim[j - 1]) {
		sim[j] = sim[j - 1];
		idx[j] = idx[j - 1];
		j--;
	}
	sim[j] = s;
	idx[j] = i;
	return n;
}
