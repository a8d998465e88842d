#include "core/dbscan.h"

#include "core/status.h"

int32_t ps_dbscan(uint32_t n, uint32_t min_samples, ps_neighbors_fn fn, void *ctx,
		  int32_t *labels, struct ps_arena *a)
{
	size_t mark = ps_arena_mark(a);
	uint32_t *nb = PS_ALLOC(a, uint32_t, n ? n : 1);
	uint32_t *stack = PS_ALLOC(a, uint32_t, n ? n : 1);
	uint8_t *core = PS_ALLOC(a, uint8_t, n ? n : 1);
	int32_t nclusters = 0;
	uint32_t i, k;

	if (!nb || !stack || !core) {
		ps_arena_release(a, mark);
		return -PS_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		labels[i] = PS_DBSCAN_NOISE;
		core[i] = fn(ctx, i, nb) >= min_samples;
	}
	for (i = 0; i < n; i++) {
		uint32_t top = 0;

		if (labels[i] != PS_DBSCAN_NOISE || !core[i])
			continue;
		/* Grow the cluster from i.  A point is labelled when pushed,
		 * so it is pushed at most once and the stack needs n slots;
		 * only core points expand further. */
		labels[i] = nclusters;
		stack[top++] = i;
		while (top) {
			uint32_t p = stack[--top], cnt;

			if (!core[p])
				continue;
			cnt = fn(ctx, p, nb);
			for (k = 0; k < cnt; k++) {
				uint32_t q = nb[k];

				if (q < n && labels[q] == PS_DBSCAN_NOISE) {
					labels[q] = nclusters;
					stack[top++] = q;
				}
			}
		}
		nclusters++;
	}
	ps_arena_release(a, mark);
	return nclusters;
}

uint32_t ps_points_neighbors(void *ctx, uint32_t i, uint32_t *out)
{
	const struct ps_points *pt = ctx;
	const double *xi = pt->x + (size_t)i * pt->dim;
	double eps2 = pt->eps * pt->eps;
	uint32_t j, d, cnt = 0;

	for (j = 0; j < pt->n; j++) {
		const double *xj = pt->x + (size_t)j * pt->dim;
		double s = 0;

		for (d = 0; d < pt->dim; d++) {
			double t = xi[d] - xj[d];
			s += t * t;
		}
		if (s <= eps2)
			out[cnt++] = j;
	}
	return cnt;
}
