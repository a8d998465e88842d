#include "tools/train/select.h"

#include <stdlib.h>
#include <string.h>

#include "core/sort.h"
#include "tools/train/la.h"

struct sel_key {
	uint32_t group;         /* label + 1; 0 = no label */
	uint32_t i;
	uint64_t bucket, order;
};

static int cmp_key(const void *a, const void *b)
{
	const struct sel_key *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	if (x->bucket != y->bucket)
		return x->bucket < y->bucket ? -1 : 1;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

struct run {               /* one bucket of one group: keys[start .. start + size) */
	uint32_t start, size;
	uint64_t bucket;
};

static int cmp_run(const void *a, const void *b)
{
	const struct run *x = a, *y = b;

	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	if (x->bucket != y->bucket)
		return x->bucket < y->bucket ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

uint32_t select_cases(uint32_t n, const int *labels, uint32_t nlabels, const uint64_t *bucket,
		      const uint64_t *order, uint32_t max_cases, uint32_t per_bucket, uint32_t *sel)
{
	uint32_t ng = nlabels + 1, i, g, nsel = 0, nruns = 0, active, left;
	struct sel_key *key;
	struct run *runs;
	uint32_t *gstart, *gcand, *quota;
	uint8_t *done;

	if (n <= max_cases) {
		for (i = 0; i < n; i++)
			sel[i] = i;
		return n;
	}
	if (!per_bucket)
		per_bucket = 1;
	key = malloc((size_t)n * sizeof *key);
	runs = malloc((size_t)n * sizeof *runs);
	gstart = calloc((size_t)ng + 1, sizeof *gstart);
	gcand = calloc(ng, sizeof *gcand);
	quota = calloc(ng, sizeof *quota);
	done = calloc(ng, 1);
	if (!key || !runs || !gstart || !gcand || !quota || !done)
		goto out;
	for (i = 0; i < n; i++) {
		key[i].group = labels[i] >= 0 && (uint32_t)labels[i] < nlabels ? (uint32_t)labels[i] + 1 : 0;
		key[i].i = i;
		key[i].bucket = bucket[i];
		key[i].order = order[i];
	}
	qsort(key, n, sizeof *key, cmp_key);

	/* the buckets of each group, most frequent first */
	for (i = 0; i < n; i++) {
		if (i == 0 || key[i].group != key[i - 1].group || key[i].bucket != key[i - 1].bucket) {
			runs[nruns].start = i;
			runs[nruns].size = 0;
			runs[nruns].bucket = key[i].bucket;
			nruns++;
		}
		runs[nruns - 1].size++;
	}
	for (i = 0, g = 0; g < ng; g++) {
		gstart[g] = i;
		while (i < nruns && key[runs[i].start].group == g) {
			gcand[g] += runs[i].size < per_bucket ? runs[i].size : per_bucket;
			i++;
		}
		qsort(runs + gstart[g], i - gstart[g], sizeof *runs, cmp_run);
	}
	gstart[ng] = nruns;

	/* quotas: equal shares, water-filled */
	left = max_cases;
	for (;;) {
		uint32_t share, changed = 0;

		for (g = 0, active = 0; g < ng; g++)
			active += !done[g] && gcand[g] > 0;
		if (!active || !left)
			break;
		share = left / active;
		for (g = 0; g < ng; g++)
			if (!done[g] && gcand[g] > 0 && gcand[g] <= share) {
				quota[g] = gcand[g];
				left -= gcand[g];
				done[g] = 1;
				changed = 1;
			}
		if (changed)
			continue;
		/* every group left has more candidates than the share: each
		 * gets it, and one more while the remainder lasts (label order) */
		left -= share * active;
		for (g = 0; g < ng; g++)
			if (!done[g] && gcand[g] > 0) {
				quota[g] = share + (left > 0);
				left -= left > 0;
				done[g] = 1;
			}
		break;
	}

	/* round-robin over each group's buckets */
	for (g = 0; g < ng; g++) {
		uint32_t r, taken = 0;

		for (r = 0; r < per_bucket && taken < quota[g]; r++)
			for (i = gstart[g]; i < gstart[g + 1] && taken < quota[g]; i++)
				if (runs[i].size > r) {
					sel[nsel++] = key[runs[i].start + r].i;
					taken++;
				}
	}
	qsort(sel, nsel, sizeof *sel, cmp_u32);
out:
	free(key);
	free(runs);
	free(gstart);
	free(gcand);
	free(quota);
	free(done);
	return nsel;
}

#define KNN_BLOCK 256u

int knn_exact(const float *q, uint32_t nq, const float *base, uint32_t nb, uint32_t d,
	      uint32_t k, float tau, int skip_self, uint32_t *nbr, uint32_t *nnbr,
	      void (*progress)(void *ctx, uint32_t done, uint32_t total), void *ctx)
{
	float *s = malloc((size_t)KNN_BLOCK * (nb ? nb : 1) * sizeof *s);
	float *best = malloc(((size_t)k + 1) * sizeof *best);
	uint32_t i0, i, j;

	if (!s || !best) {
		free(s);
		free(best);
		return -1;
	}
	for (i0 = 0; i0 < nq; i0 += KNN_BLOCK) {
		uint32_t bs = nq - i0 < KNN_BLOCK ? nq - i0 : KNN_BLOCK;

		la_gemm(0, 1, bs, nb, d, 1, q + (size_t)i0 * d, d, base, d, 0, s, nb);
		for (i = 0; i < bs; i++) {
			const float *row = s + (size_t)i * nb;
			uint32_t *nbi = nbr + (size_t)(i0 + i) * k, cnt = 0;

			for (j = 0; j < nb; j++)
				if (row[j] >= tau && !(skip_self && j == i0 + i))
					cnt = ps_topk_add(nbi, best, cnt, k, j, row[j]);
			nnbr[i0 + i] = cnt;
		}
		if (progress)
			progress(ctx, i0 + bs, nq);
	}
	free(s);
	free(best);
	return 0;
}
