#include "core/arena.h"

#include <string.h>

/* Sanitizer builds (tests/fuzz, build/asan) define PS_ARENA_POISON: the
 * arena's free space is then poisoned for AddressSanitizer, so a write
 * past the end of an allocation or a read of released memory is caught
 * even though it stays inside the caller's buffer.  With
 * PS_ARENA_REDZONE > 0 every allocation is also preceded by that many
 * poisoned bytes (more memory per allocation: fuzz builds only).
 * Nothing of this exists in a normal build. */
#ifdef PS_ARENA_POISON
void __asan_poison_memory_region(void const volatile *addr, size_t size);
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
#define POISON(p, n) __asan_poison_memory_region((p), (n))
#define UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
#else
#define POISON(p, n) ((void)0)
#define UNPOISON(p, n) ((void)0)
#endif
#ifndef PS_ARENA_REDZONE
#define PS_ARENA_REDZONE 0
#endif

void ps_arena_init(struct ps_arena *a, void *buf, size_t size)
{
	a->base = buf;
	a->size = buf ? size : 0;
	a->used = 0;
	a->peak = 0;
	a->failed = 0;
	if (a->size)
		POISON(a->base, a->size);
}

void *ps_arena_alloc(struct ps_arena *a, size_t size, size_t align)
{
	uintptr_t start = (uintptr_t)a->base + a->used + PS_ARENA_REDZONE;
	size_t pad = (size_t)(-start & (align - 1)) + PS_ARENA_REDZONE;

	if (pad > a->size - a->used || size > a->size - a->used - pad) {
		if (!a->failed)
			a->failed = size;
		return NULL;
	}
	a->used += pad + size;
	if (a->used > a->peak)
		a->peak = a->used;
	UNPOISON(a->base + a->used - size, size);
	return a->base + a->used - size;
}

void *ps_arena_array(struct ps_arena *a, size_t n, size_t elem, size_t align)
{
	if (elem && n > SIZE_MAX / elem) {
		if (!a->failed)
			a->failed = SIZE_MAX;
		return NULL;
	}
	return ps_arena_alloc(a, n * elem, align);
}

void *ps_arena_zalloc(struct ps_arena *a, size_t n, size_t elem, size_t align)
{
	void *p = ps_arena_array(a, n, elem, align);

	if (p && n * elem != 0)
		memset(p, 0, n * elem);
	return p;
}

void ps_arena_release(struct ps_arena *a, size_t mark)
{
	if (mark <= a->used) {
		POISON(a->base + mark, a->used - mark);
		a->used = mark;
	}
}
