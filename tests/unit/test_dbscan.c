/* DBSCAN: scikit-learn semantics on hand-worked point sets, and on the
 * scikit-learn reference outputs in ../shared/conformance/dbscan when
 * they are there (set PANICSAGE_SHARED to point elsewhere). */
#include "tests/unit/check.h"

#include <stdlib.h>

#include "core/arena.h"
#include "core/dbscan.h"
#include "core/status.h"

static unsigned char mem[1 << 20];

static int32_t run(const double *x, uint32_t n, uint32_t dim, double eps, uint32_t min, int32_t *labels)
{
	struct ps_points pt = { x, n, dim, eps };
	struct ps_arena a;

	ps_arena_init(&a, mem, sizeof mem);
	return ps_dbscan(n, min, ps_points_neighbors, &pt, labels, &a);
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
		struct ps_points pt = { line, 9, 1, 1.5 };
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

int main(void)
{
	const char *shared = getenv("PANICSAGE_SHARED");
	char dir[2048];
	int k, cases = 0;

	test_hand();
	snprintf(dir, sizeof dir, "%s/conformance/dbscan", shared ? shared : "../shared");
	for (k = 0; k < 100; k++)
		cases += conformance_case(dir, k);
	if (cases)
		printf("scikit-learn conformance: %d cases from %s\n", cases, dir);
	else
		printf("scikit-learn conformance: skipped, %s not found\n", dir);
	return check_summary("test_dbscan");
}
