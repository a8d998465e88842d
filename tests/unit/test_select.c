/* tools/train/select.c: the stored-case selection keeps every label,
 * at most K cases of a crash bucket and at most the bound, the same
 * cases whatever the corpus order; the blocked kNN finds the neighbours
 * a plain double-precision search finds (recall >= 0.99 on random
 * clustered data; exact but for float rounding among near ties). */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "tools/train/select.h"

static uint64_t st = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	st ^= st << 13;
	st ^= st >> 7;
	st ^= st << 17;
	return st;
}

static double unif(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

#define N 6000u
#define NL 6u
#define MAXC 400u
#define PERB 3u

/* case i: label and bucket; label 0 is frequent with few buckets, the
 * others rarer, label 4 has 2 cases, label 5 none, some unlabelled */
static void make_corpus(int *lab, uint64_t *bucket, uint64_t *order)
{
	uint32_t i, c[5] = { 0 };

	for (i = 0; i < N; i++) {
		uint32_t r = i % 100;

		if (r < 70) {
			lab[i] = 0;
			bucket[i] = 100 + c[0]++ % 3;          /* 3 buckets of ~1400 */
		} else if (r < 90) {
			lab[i] = 1;
			bucket[i] = 200 + c[1]++ % 150;        /* 150 buckets of ~8 */
		} else if (r < 97) {
			lab[i] = 2;
			bucket[i] = 500 + c[2]++ % 40;
		} else if (r < 99) {
			lab[i] = 3;
			bucket[i] = 900;
		} else {
			lab[i] = -1;
			bucket[i] = 1000 + c[4]++ % 7;
		}
		order[i] = rnd();
	}
	lab[17] = 4;
	bucket[17] = 7000;
	lab[4242] = 4;
	bucket[4242] = 7001;
}

static void test_select(void)
{
	static int lab[N], lab2[N];
	static uint64_t bucket[N], order[N], bucket2[N], order2[N];
	static uint32_t sel[N], sel2[N], perm[N], count[NL + 1];
	uint32_t n, n2, i, j, y;
	int ok;

	make_corpus(lab, bucket, order);
	n = select_cases(N, lab, NL, bucket, order, MAXC, PERB, sel);
	CHECK(n > 0 && n <= MAXC);
	CHECK(n >= MAXC - NL);                       /* the bound is used, not wasted */
	for (i = 1, ok = 1; i < n; i++)
		ok &= sel[i] > sel[i - 1];
	CHECK(ok);                                   /* ascending, no duplicate */
	for (i = 0; i < n; i++)
		count[lab[sel[i]] + 1]++;
	for (y = 0; y < 5; y++)                      /* every label present is kept */
		CHECK(count[y + 1] > 0);
	CHECK_EQ_INT(count[5 + 1], 0);
	CHECK_EQ_INT(count[4 + 1], 2);               /* a rare label keeps all it has */
	CHECK(count[0] > 0);                         /* and the unlabelled group */
	/* at most PERB of one bucket (a bucket key is one label's here) */
	for (i = 0, ok = 1; i < n; i++) {
		uint32_t same = 0;

		for (j = 0; j < n; j++)
			same += bucket[sel[j]] == bucket[sel[i]];
		ok &= same <= PERB;
	}
	CHECK(ok);
	/* label 0 has 3 buckets: 9 candidates, all kept; label 1's 150
	 * buckets each keep one before any keeps a second */
	CHECK_EQ_INT(count[0 + 1], 3 * PERB);
	{
		static uint32_t per[150];

		for (i = 0; i < n; i++)
			if (lab[sel[i]] == 1)
				per[bucket[sel[i]] - 200]++;
		for (i = 0, ok = 1; i < 150; i++)
			ok &= per[i] >= 1;
		CHECK(ok);
	}

	/* the same corpus in another order: the same cases */
	for (i = 0; i < N; i++)
		perm[i] = i;
	for (i = N - 1; i > 0; i--) {
		uint32_t r = (uint32_t)(rnd() % (i + 1)), t = perm[i];

		perm[i] = perm[r];
		perm[r] = t;
	}
	for (i = 0; i < N; i++) {
		lab2[i] = lab[perm[i]];
		bucket2[i] = bucket[perm[i]];
		order2[i] = order[perm[i]];
	}
	n2 = select_cases(N, lab2, NL, bucket2, order2, MAXC, PERB, sel2);
	CHECK_EQ_INT(n2, n);
	for (i = 0, ok = 1; i < n2; i++) {
		uint32_t orig = perm[sel2[i]], found = 0;

		for (j = 0; j < n; j++)
			found |= sel[j] == orig;
		ok &= found;
	}
	CHECK(ok);

	/* under the bound: every case */
	n = select_cases(300, lab, NL, bucket, order, 300, PERB, sel);
	CHECK_EQ_INT(n, 300);
	CHECK_EQ_INT(sel[299], 299);
}

#define KN 3000u
#define KQ 700u
#define KD 32u
#define KK 10u

static void unit_rows(float *x, uint32_t n, const float *centres, uint32_t nc)
{
	uint32_t i, j;

	for (i = 0; i < n; i++) {
		const float *c = centres + (size_t)(rnd() % nc) * KD;
		double s = 0;

		for (j = 0; j < KD; j++) {
			x[(size_t)i * KD + j] = c[j] + (float)(0.4 * (unif() - 0.5));
			s += (double)x[(size_t)i * KD + j] * x[(size_t)i * KD + j];
		}
		for (j = 0; j < KD; j++)
			x[(size_t)i * KD + j] = (float)(x[(size_t)i * KD + j] / sqrt(s));
	}
}

/* recall of knn_exact against a plain search in double precision */
static double recall(const float *q, uint32_t nq, const float *base, uint32_t nb, int self, float tau)
{
	uint32_t *nbr = calloc((size_t)nq * KK, sizeof *nbr), *nn = calloc(nq, sizeof *nn);
	uint32_t i, j, a, hit = 0, want = 0;

	CHECK_EQ_INT(knn_exact(q, nq, base, nb, KD, KK, tau, self, nbr, nn, NULL, NULL), 0);
	for (i = 0; i < nq; i++) {
		uint32_t best[KK], cnt = 0;
		double bs[KK];

		for (j = 0; j < nb; j++) {
			double s = 0;
			uint32_t p;

			if (self && j == i)
				continue;
			for (a = 0; a < KD; a++)
				s += (double)q[(size_t)i * KD + a] * base[(size_t)j * KD + a];
			if (s < tau || (cnt == KK && s <= bs[KK - 1]))
				continue;
			p = cnt < KK ? cnt++ : KK - 1;
			while (p > 0 && s > bs[p - 1]) {
				bs[p] = bs[p - 1];
				best[p] = best[p - 1];
				p--;
			}
			bs[p] = s;
			best[p] = j;
		}
		want += cnt;
		for (a = 0; a < cnt; a++)
			for (j = 0; j < nn[i]; j++)
				hit += nbr[(size_t)i * KK + j] == best[a];
		CHECK(nn[i] <= KK);
	}
	free(nbr);
	free(nn);
	return want ? (double)hit / want : 1.0;
}

static void test_knn(void)
{
	static float centres[40 * KD], base[KN * KD], q[KQ * KD];
	double r;

	uint32_t i;

	for (i = 0; i < 40 * KD; i++)             /* random directions */
		centres[i] = (float)(unif() - 0.5);
	unit_rows(base, KN, centres, 40);
	unit_rows(q, KQ, centres, 40);
	r = recall(base, KN, base, KN, 1, 0.6f);
	fprintf(stderr, "knn recall, graph: %.4f\n", r);
	CHECK(r >= 0.99);
	r = recall(q, KQ, base, KN, 0, -1.0f);
	fprintf(stderr, "knn recall, queries: %.4f\n", r);
	CHECK(r >= 0.99);
}

int main(void)
{
	test_select();
	test_knn();
	return check_summary("test_select");
}
