/* DBSCAN: scikit-learn semantics on hand-worked point sets and, with
 * --conformance DIR, on scikit-learn's reference outputs (those of
 * ../shared/conformance/dbscan, through tests/t_dbscan_conformance.sh). */
#include "tests/unit/check.h"

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/dbscan.h"
#include "core/status.h"

static unsigned char mem[1 << 20];
static int use_index;   /* every test runs brute force, then indexed */

static int32_t run(const double *x, uint32_t n, uint32_t dim, double eps, uint32_t min, int32_t *labels)
{
	struct ps_points pt = { x, n, dim, eps, NULL, NULL, 0 };
	struct ps_arena a;

	ps_arena_init(&a, mem, sizeof mem);
	if (use_index)
		CHECK_EQ_INT(ps_points_index(&pt, &a), PS_OK);
	return ps_dbscan(n, min, ps_points_neighbors, &pt, labels, &a);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t rng = 20261201;

static uint32_t rnd(uint32_t n)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng >> 33) % n;
}

/* The index must find exactly brute force's neighbours: points on a
 * grid of step eps (distances exactly eps, ties in the sort key),
 * duplicates, NaN and infinities in any coordinate, 1 to 3 dimensions. */
static void test_index_matches_brute_force(void)
{
	static double x[300 * 3];
	static uint32_t nb1[300], nb2[300];
	static int32_t l1[300], l2[300];
	static const double odd[] = { 0.0 / 0.0, 1.0 / 0.0, -1.0 / 0.0, -0.0, 1e308, -1e308 };
	const double eps = 0.5;
	int round, total = 0;

	for (round = 0; round < 40; round++) {
		uint32_t dim = 1 + (uint32_t)round % 3, n = 1 + rnd(300), i, k;
		struct ps_points brute = { x, n, dim, eps, NULL, NULL, 0 }, idx = brute;
		struct ps_arena a;

		for (k = 0; k < n * dim; k++)
			x[k] = rnd(50) == 0 ? odd[rnd(6)] : (double)rnd(12) * eps;
		ps_arena_init(&a, mem, sizeof mem);
		CHECK_EQ_INT(ps_points_index(&idx, &a), PS_OK);
		for (i = 0; i < n; i++) {
			uint32_t c1 = ps_points_neighbors(&brute, i, nb1), c2 = ps_points_neighbors(&idx, i, nb2);

			qsort(nb1, c1, sizeof *nb1, cmp_u32);
			qsort(nb2, c2, sizeof *nb2, cmp_u32);
			CHECK_EQ_INT(c2, c1);
			if (c1 == c2)
				CHECK(memcmp(nb1, nb2, c1 * sizeof *nb1) == 0);
			total += (int)c1;
		}
		CHECK_EQ_INT(ps_dbscan(n, 3, ps_points_neighbors, &brute, l1, &a),
			     ps_dbscan(n, 3, ps_points_neighbors, &idx, l2, &a));
		CHECK(memcmp(l1, l2, n * sizeof *l1) == 0);
	}
	CHECK(total > 1000);   /* the points do have neighbours */

	/* an arena too small for the index leaves brute force in place */
	{
		struct ps_points pt = { x, 100, 1, eps, NULL, NULL, 0 };
		struct ps_arena a;

		ps_arena_init(&a, mem, 100);
		CHECK_EQ_INT(ps_points_index(&pt, &a), PS_ENOMEM);
		CHECK(pt.order == NULL);
		CHECK_EQ_INT(ps_arena_mark(&a), 0);
	}
}

static void test_hand(void)
{
	static const double line[] = { 0, 1, 2, 10, 20, 21, 22, 23, 50 };
	static const int32_t want[] = { 0, 0, 0, -1, 1, 1, 1, 1, -1 };
	/* b = 2.0 is a border point of both A and B; it joins the cluster
	 * whose lowest core point comes first */
	static const double ab[] = { 0, 0.25, 0.5, 0.75, 1, 2, 3, 3.25, 3.5, 3.75, 4 };
	static const double ba[] = { 3, 3.25, 3.5, 3.75, 4, 2, 0, 0.25, 0.5, 0.75, 1 };
	static const double same[] = { 5, 5, 5 };
	int32_t labels[16];
	uint32_t i;

	CHECK_EQ_INT(run(line, 9, 1, 1.5, 3, labels), 2);
	for (i = 0; i < 9; i++)
		CHECK_EQ_INT(labels[i], want[i]);

	CHECK_EQ_INT(run(ab, 11, 1, 1.0, 4, labels), 2);
	CHECK_EQ_INT(labels[5], 0);
	CHECK_EQ_INT(labels[0], 0);
	CHECK_EQ_INT(labels[10], 1);
	CHECK_EQ_INT(run(ba, 11, 1, 1.0, 4, labels), 2);
	CHECK_EQ_INT(labels[5], 0);
	CHECK_EQ_INT(labels[6], 1);

	/* d == eps is a neighbour; min_samples counts the point itself */
	CHECK_EQ_INT(run(line, 3, 1, 1.0, 3, labels), 1);
	CHECK_EQ_INT(labels[0], 0);
	CHECK_EQ_INT(run(line, 3, 1, 0.999, 3, labels), 0);
	CHECK_EQ_INT(labels[1], -1);
	CHECK_EQ_INT(run(same, 3, 1, 0.0, 3, labels), 1);
	CHECK_EQ_INT(run(line, 1, 1, 1.0, 1, labels), 1);
	CHECK_EQ_INT(labels[0], 0);
	CHECK_EQ_INT(run(line, 0, 1, 1.0, 1, labels), 0);

	/* scratch that does not fit */
	{
		struct ps_points pt = { line, 9, 1, 1.5, NULL, NULL, 0 };
		struct ps_arena a;

		ps_arena_init(&a, mem, 8);
		CHECK_EQ_INT(ps_dbscan(9, 3, ps_points_neighbors, &pt, labels, &a), -PS_ENOMEM);
	}
}

/* caseNN.in: "n dim eps min_samples" then n lines of coordinates;
 * caseNN.labels: one label per line. */
static int conformance_case(const char *dir, int k)
{
	char path[4096];
	FILE *in, *lab;
	unsigned n, dim, min;
	double eps, *x;
	int32_t *labels, got;
	uint32_t i, mismatches = 0;

	snprintf(path, sizeof path, "%s/case%02d.in", dir, k);
	if (!(in = fopen(path, "r")))
		return 0;
	snprintf(path, sizeof path, "%s/case%02d.labels", dir, k);
	lab = fopen(path, "r");
	CHECK(lab != NULL);
	CHECK(fscanf(in, "%u %u %lf %u", &n, &dim, &eps, &min) == 4);
	x = calloc((size_t)n * dim + 1, sizeof *x);
	labels = calloc(n + 1, sizeof *labels);
	for (i = 0; i < n * dim; i++)
		CHECK(fscanf(in, "%lf", &x[i]) == 1);
	run(x, n, dim, eps, min, labels);
	for (i = 0; lab && i < n; i++) {
		CHECK(fscanf(lab, "%d", &got) == 1);
		if (got != labels[i])
			mismatches++;
	}
	if (mismatches)
		fprintf(stderr, "case%02d: %u of %u labels differ from scikit-learn\n", k, mismatches, n);
	CHECK_EQ_INT(mismatches, 0);
	free(x);
	free(labels);
	fclose(in);
	if (lab)
		fclose(lab);
	return 1;
}

/* test_dbscan             the hand-worked cases and the index
 * test_dbscan --conformance DIR
 *                          scikit-learn's labels for every DIR/caseNN.in
 *                          (brute force and indexed); fails when DIR
 *                          holds no case, so it never passes having
 *                          compared nothing (tests/t_dbscan_conformance.sh
 *                          runs it on ../shared and says SKIP without it) */
int main(int argc, char **argv)
{
	int k, cases = 0;

	if (argc == 3 && !strcmp(argv[1], "--conformance")) {
		for (use_index = 0; use_index < 2; use_index++)
			for (k = 0; k < 100; k++)
				cases += conformance_case(argv[2], k);
		if (!cases) {
			fprintf(stderr, "test_dbscan: no caseNN.in in %s: nothing compared\n", argv[2]);
			return 1;
		}
		printf("scikit-learn conformance: %d cases from %s, brute force and indexed\n",
		       cases / 2, argv[2]);
		return check_summary("test_dbscan --conformance");
	}
	if (argc != 1) {
		fprintf(stderr, "usage: test_dbscan [--conformance DIR]\n");
		return 2;
	}
	for (use_index = 0; use_index < 2; use_index++)
		test_hand();
	test_index_matches_brute_force();
	return check_summary("test_dbscan");
}
