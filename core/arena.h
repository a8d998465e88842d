/* A bump allocator over a buffer the caller owns.  Nothing in core/ or
 * model/ gets memory any other way.  Allocation never fails silently:
 * a request that does not fit returns NULL and is remembered, so the
 * caller can report how much more memory the input would have needed. */
#ifndef PS_ARENA_H
#define PS_ARENA_H

#include <stddef.h>
#include <stdint.h>

struct ps_arena {
	unsigned char *base;
	size_t size;
	size_t used;
	size_t peak;       /* highest `used` seen, for memory reports */
	size_t failed;     /* size of the first request that did not fit */
};

void ps_arena_init(struct ps_arena *a, void *buf, size_t size);

/* `size` bytes aligned to `align` (a power of two), or NULL when the
 * arena is exhausted.  The memory is not cleared. */
void *ps_arena_alloc(struct ps_arena *a, size_t size, size_t align);

/* Like ps_arena_alloc for `n` elements of `elem` bytes, cleared to zero;
 * NULL also when n * elem overflows. */
void *ps_arena_zalloc(struct ps_arena *a, size_t n, size_t elem, size_t align);

/* `n` elements of `elem` bytes, not cleared, for tables whose entries
 * are written before they are read; NULL also when n * elem overflows. */
void *ps_arena_array(struct ps_arena *a, size_t n, size_t elem, size_t align);

/* Everything allocated after `mark` is released by ps_arena_release. */
static inline size_t ps_arena_mark(const struct ps_arena *a) { return a->used; }
void ps_arena_release(struct ps_arena *a, size_t mark);

#define PS_ALLOC(a, type, n) \
	((type *)ps_arena_zalloc((a), (n), sizeof(type), _Alignof(type)))
#define PS_ALLOC_RAW(a, type, n) \
	((type *)ps_arena_array((a), (n), sizeof(type), _Alignof(type)))

#endif
