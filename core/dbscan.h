/* DBSCAN with scikit-learn's semantics:
 *   - j is a neighbour of i when d(i, j) <= eps (inclusive), i included;
 *   - i is a core point when it has at least min_samples neighbours;
 *   - clusters are numbered in the order of their lowest-index core
 *     point, each grown completely before the next starts, so a border
 *     point reachable from several clusters joins the lowest-numbered;
 *   - everything else is noise, label -1.
 * The neighbour query is a callback so the caller chooses the metric
 * and the search (a sliding window over time-sorted lines, or brute
 * force over a point set). */
#ifndef PS_DBSCAN_H
#define PS_DBSCAN_H

#include <stdint.h>

#include "core/arena.h"

#define PS_DBSCAN_NOISE (-1)

/* Writes the indexes of all points within eps of point i (i itself
 * included) to out, which has room for n entries, and returns how many. */
typedef uint32_t (*ps_neighbors_fn)(void *ctx, uint32_t i, uint32_t *out);

/* labels: n entries, written.  Scratch (3n words) comes from the arena
 * and is released before returning.  Returns the number of clusters,
 * or -PS_ENOMEM. */
int32_t ps_dbscan(uint32_t n, uint32_t min_samples, ps_neighbors_fn fn, void *ctx,
		  int32_t *labels, struct ps_arena *a);

/* Neighbour query for points in `dim` dimensions under the Euclidean
 * metric; ctx is a struct ps_points.  Brute force over all n points
 * unless ps_points_index() has sorted them by their first coordinate:
 * then it scans only the run of points within eps of point i in that
 * coordinate.  Both give the same neighbours (d^2 <= eps^2, computed
 * the same way), so the same labels. */
struct ps_points {
	const double *x;   /* n * dim coordinates, row-major */
	uint32_t n, dim;
	double eps;
	/* set by ps_points_index: the points whose first coordinate is not
	 * NaN, in ascending order of it, and each point's place in that
	 * order (PS_POINTS_UNORDERED for the NaN ones) */
	uint32_t *order, *rank;
	uint32_t nordered;
};
#define PS_POINTS_UNORDERED UINT32_MAX
uint32_t ps_points_neighbors(void *ctx, uint32_t i, uint32_t *out);

/* Builds the index (2n words from the arena, kept until the caller
 * releases it).  Returns PS_OK or PS_ENOMEM (pt then stays brute force). */
int ps_points_index(struct ps_points *pt, struct ps_arena *a);

#endif
