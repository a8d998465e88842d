#include "core/arena.h"

#include <string.h>

void ps_arena_init(struct ps_arena *a, void *buf, size_t size)
{
	a->base = buf;
	a->size = buf ? size : 0;
	a->used = 0;
	a->peak = 0;
	a->failed = 0;
}

void *ps_arena_alloc(struct ps_arena *a, size_t size, size_t align)
{
	uintptr_t start = (uintptr_t)a->base + a->used;
	size_t pad = (size_t)(-start & (align - 1));

	if (pad > a->size - a->used || size > a->size - a->used - pad) {
		if (!a->failed)
			a->failed = size;
		return NULL;
	}
	a->used += pad + size;
	if (a->used > a->peak)
		a->peak = a->used;
	return a->base + a->used - size;
}

void *ps_arena_zalloc(struct ps_arena *a, size_t n, size_t elem, size_t align)
{
	void *p;

	if (elem && n > SIZE_MAX / elem) {
		if (!a->failed)
			a->failed = SIZE_MAX;
		return NULL;
	}
	p = ps_arena_alloc(a, n * elem, align);
	if (p && n * elem != 0)
		memset(p, 0, n * elem);
	return p;
}

void ps_arena_release(struct ps_arena *a, size_t mark)
{
	if (mark <= a->used)
		a->used = mark;
}
