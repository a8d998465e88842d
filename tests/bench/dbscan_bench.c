/* Bench driver: core/dbscan.c on a problem written by
 * tests/bench/dbscan_vs_sklearn.py, timed in-process.
 *
 *   dbscan-bench points FILE REPEATS   "n dim eps min_samples", then n rows
 *                                      of dim coordinates (Euclidean,
 *                                      brute-force neighbour search)
 *   dbscan-bench graph FILE REPEATS    "n eps min_samples", then per row i
 *                                      "k j1 d1 ... jk dk": the stored
 *                                      entries of a sparse distance matrix
 *                                      (a point's neighbours are the
 *                                      stored j with d <= eps, and itself)
 *
 * Prints the labels, one per line, then "best_us N" (best of REPEATS
 * runs of ps_dbscan, neighbour queries included, parsing excluded). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/dbscan.h"
#include "core/status.h"

struct graph {
	uint32_t n;
	double eps;
	uint32_t *start;       /* n + 1 */
	uint32_t *col;
	double *dist;
};

static uint32_t graph_neighbors(void *ctx, uint32_t i, uint32_t *out)
{
	const struct graph *g = ctx;
	uint32_t e, cnt = 0, self = 0;

	for (e = g->start[i]; e < g->start[i + 1]; e++) {
		if (g->col[e] == i)
			self = 1;
		if (g->dist[e] <= g->eps)
			out[cnt++] = g->col[e];
	}
	if (!self)
		out[cnt++] = i;
	return cnt;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void die(const char *msg)
{
	fprintf(stderr, "dbscan-bench: %s\n", msg);
	exit(1);
}

int main(int argc, char **argv)
{
	struct ps_points pts;
	struct graph g;
	ps_neighbors_fn fn;
	void *ctx;
	uint32_t n, min_samples, i, r, repeats;
	int32_t *labels, nclusters = 0;
	uint64_t best = UINT64_MAX;
	struct ps_arena a;
	unsigned char *mem;
	size_t memsize;
	FILE *f;

	if (argc != 4 || !(f = fopen(argv[2], "r")))
		die("usage: dbscan-bench points|graph FILE REPEATS");
	repeats = (uint32_t)atoi(argv[3]);
	if (!strcmp(argv[1], "points")) {
		uint32_t dim, k;
		double *x;

		if (fscanf(f, "%u %u %lf %u", &n, &dim, &pts.eps, &min_samples) != 4 || !n || !dim)
			die("bad points header");
		pts.n = n;
		pts.dim = dim;
		if (!(x = malloc((size_t)n * dim * sizeof(double))))
			die("out of memory");
		for (k = 0; k < n * dim; k++)
			if (fscanf(f, "%lf", x + k) != 1)
				die("bad coordinates");
		pts.x = x;
		fn = ps_points_neighbors;
		ctx = &pts;
	} else if (!strcmp(argv[1], "graph")) {
		size_t cap = 1024, used = 0;

		if (fscanf(f, "%u %lf %u", &n, &g.eps, &min_samples) != 3 || !n)
			die("bad graph header");
		g.n = n;
		g.start = malloc((n + 1) * sizeof *g.start);
		g.col = malloc(cap * sizeof *g.col);
		g.dist = malloc(cap * sizeof *g.dist);
		if (!g.start || !g.col || !g.dist)
			die("out of memory");
		for (i = 0; i < n; i++) {
			uint32_t k, e;

			if (fscanf(f, "%u", &k) != 1)
				die("bad row");
			g.start[i] = (uint32_t)used;
			for (e = 0; e < k; e++, used++) {
				if (used == cap) {
					cap *= 2;
					g.col = realloc(g.col, cap * sizeof *g.col);
					g.dist = realloc(g.dist, cap * sizeof *g.dist);
					if (!g.col || !g.dist)
						die("out of memory");
				}
				if (fscanf(f, "%u %lf", &g.col[used], &g.dist[used]) != 2 || g.col[used] >= n)
					die("bad entry");
			}
		}
		g.start[n] = (uint32_t)used;
		fn = graph_neighbors;
		ctx = &g;
	} else {
		die("mode is points or graph");
	}
	fclose(f);

	labels = malloc(n * sizeof *labels);
	memsize = (size_t)n * 6 * sizeof(uint32_t) + 4096;   /* dbscan 3n, index 2n */
	mem = malloc(memsize);
	if (!labels || !mem)
		die("out of memory");
	for (r = 0; r < (repeats ? repeats : 1); r++) {
		uint64_t t0;

		ps_arena_init(&a, mem, memsize);
		t0 = now_us();
		if (fn == ps_points_neighbors) {
			pts.order = NULL;
			if (ps_points_index(&pts, &a) != PS_OK)
				die("ps_points_index: out of memory");
		}
		nclusters = ps_dbscan(n, min_samples, fn, ctx, labels, &a);
		t0 = now_us() - t0;
		if (nclusters < 0)
			die("ps_dbscan: out of memory");
		if (t0 < best)
			best = t0;
	}
	for (i = 0; i < n; i++)
		printf("%d\n", labels[i]);
	printf("best_us %llu\n", (unsigned long long)best);
	return 0;
}
