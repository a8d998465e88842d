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

static int within(const struct ps_points *pt, const double *xi, uint32_t j, double eps2)
{
	const double *xj = pt->x + (size_t)j * pt->dim;
	double s = 0;
	uint32_t d;

	for (d = 0; d < pt->dim; d++) {
		double t = xi[d] - xj[d];
		s += t * t;
	}
	return s <= eps2;
}

uint32_t ps_points_neighbors(void *ctx, uint32_t i, uint32_t *out)
{
	const struct ps_points *pt = ctx;
	const double *xi = pt->x + (size_t)i * pt->dim;
	double eps2 = pt->eps * pt->eps;
	uint32_t j, k, r, cnt = 0;

	if (!pt->order) {
		for (j = 0; j < pt->n; j++)
			if (within(pt, xi, j, eps2))
				out[cnt++] = j;
		return cnt;
	}
	/* A NaN first coordinate makes every distance from i NaN: no
	 * neighbour, as brute force finds.  Otherwise the sum of squares
	 * starts with t*t for the first coordinate and never decreases, so
	 * once t*t > eps^2 (monotone in |t| along the sorted order, NaN
	 * from infinities included) no further point can be a neighbour. */
	if ((r = pt->rank[i]) == PS_POINTS_UNORDERED)
		return 0;
	for (k = r; k < pt->nordered; k++) {
		double t = xi[0] - pt->x[(size_t)pt->order[k] * pt->dim];

		if (!(t * t <= eps2))
			break;
		if (within(pt, xi, pt->order[k], eps2))
			out[cnt++] = pt->order[k];
	}
	for (k = r; k-- > 0;) {
		double t = xi[0] - pt->x[(size_t)pt->order[k] * pt->dim];

		if (!(t * t <= eps2))
			break;
		if (within(pt, xi, pt->order[k], eps2))
			out[cnt++] = pt->order[k];
	}
	return cnt;
}

/* heapsort of point indexes by first coordinate (none is NaN) */
static void sift(uint32_t *v, size_t root, size_t n, const double *x, uint32_t dim)
{
	for (;;) {
		size_t c = 2 * root + 1;
		uint32_t t;

		if (c >= n)
			return;
		if (c + 1 < n && x[(size_t)v[c] * dim] < x[(size_t)v[c + 1] * dim])
			c++;
		if (!(x[(size_t)v[root] * dim] < x[(size_t)v[c] * dim]))
			return;
		t = v[root];
		v[root] = v[c];
		v[c] = t;
		root = c;
	}
}

int ps_points_index(struct ps_points *pt, struct ps_arena *a)
{
	size_t mark = ps_arena_mark(a), k;
	uint32_t *order, *rank, i, m = 0;

	if (!pt->dim)   /* no first coordinate: every point is a neighbour */
		return PS_OK;
	order = PS_ALLOC(a, uint32_t, pt->n ? pt->n : 1);
	rank = PS_ALLOC(a, uint32_t, pt->n ? pt->n : 1);
	if (!order || !rank) {
		ps_arena_release(a, mark);
		return PS_ENOMEM;
	}
	for (i = 0; i < pt->n; i++) {
		double x0 = pt->x[(size_t)i * pt->dim];

		rank[i] = PS_POINTS_UNORDERED;
		if (x0 == x0)
			order[m++] = i;
	}
	for (k = m / 2; k-- > 0;)
		sift(order, k, m, pt->x, pt->dim);
	for (k = m; k-- > 1;) {
		uint32_t t = order[0];

		order[0] = order[k];
		order[k] = t;
		sift(order, 0, k, pt->x, pt->dim);
	}
	for (i = 0; i < m; i++)
		rank[order[i]] = i;
	pt->order = order;
	pt->rank = rank;
	pt->nordered = m;
	return PS_OK;
}
