/* The one top-k (core/sort.h ps_topk_add), and training and inference
 * agreeing on a case's neighbours.
 *
 * 1. ps_topk_add against a full stable sort (similarity descending,
 *    then offer order) on random offers with many ties, NaNs and every
 *    k from 0 to past the number of offers.
 * 2. A model trained on tests/data/cases (tools/train): for every
 *    stored case, the neighbours the inference finds for its h0
 *    (ps_sage_forward, float path: the k most similar stored cases,
 *    those at least tau aggregated) are the trainer's graph neighbours
 *    of that case, itself left out (the trainer never links a case to
 *    itself). */
#include <math.h>
#include <stdlib.h>

#include "core/arena.h"
#include "core/model.h"
#include "core/sage.h"
#include "core/sort.h"
#include "core/status.h"
#include "tests/unit/check.h"
#include "tools/train/corpus.h"
#include "tools/train/trainer.h"

static uint64_t rng = 77;

static uint32_t rnd(uint32_t n)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng >> 33) % n;
}

struct offer {
	uint32_t i;
	float s;
};

/* stable: insertion sort of the non-NaN offers, descending */
static uint32_t reference(const struct offer *o, uint32_t n, struct offer *out)
{
	uint32_t m = 0, a, j;

	for (a = 0; a < n; a++) {
		if (isnan(o[a].s))
			continue;
		for (j = m; j > 0 && o[a].s > out[j - 1].s; j--)
			out[j] = out[j - 1];
		out[j] = o[a];
		m++;
	}
	return m;
}

static void test_against_sort(void)
{
	static struct offer o[200], want[200];
	static uint32_t idx[210];
	static float sim[210];
	uint32_t round, a, k;

	for (round = 0; round < 300; round++) {
		uint32_t n = rnd(200) + 1, m, got;

		for (a = 0; a < n; a++) {
			o[a].i = 1000 + a;
			/* few distinct values: ties everywhere */
			o[a].s = rnd(40) == 0 ? NAN : (float)((int)rnd(9) - 4) / 4.0f;
		}
		m = reference(o, n, want);
		for (k = 0; k <= n + 2; k += 1 + k / 8) {
			uint32_t keep = m < k ? m : k;

			got = 0;
			for (a = 0; a < n; a++)
				got = ps_topk_add(idx, sim, got, k, o[a].i, o[a].s);
			CHECK_EQ_INT(got, keep);
			for (a = 0; a < keep && a < got; a++) {
				if (idx[a] != want[a].i || sim[a] != want[a].s) {
					CHECK_EQ_INT(idx[a], want[a].i);
					break;
				}
			}
		}
	}
	/* k = 0 takes nothing; a full list refuses an equal similarity */
	CHECK_EQ_INT(ps_topk_add(idx, sim, 0, 0, 1, 1.0f), 0);
	idx[0] = 5;
	sim[0] = 0.5f;
	CHECK_EQ_INT(ps_topk_add(idx, sim, 1, 1, 6, 0.5f), 1);
	CHECK_EQ_INT(idx[0], 5);
	CHECK_EQ_INT(ps_topk_add(idx, sim, 1, 1, 7, 0.75f), 1);
	CHECK_EQ_INT(idx[0], 7);
}

static void test_trainer_matches_inference(void)
{
	static unsigned char mem[1 << 22];
	char *paths[] = { "tests/data/cases" };
	struct corpus cp;
	struct fold f;
	struct gnn g;
	struct train_cfg cfg;
	struct ps_model m;
	uint32_t *idx, i, j, D, k, checked = 0, full = 0;
	int *lab;
	unsigned char *img;
	size_t len;
	char err[200];

	if (corpus_load(&cp, paths, 1, NULL) != 0) {
		CHECK(!"cannot read tests/data/cases");
		return;
	}
	train_defaults(&cfg);
	cfg.dim = 32;
	cfg.hidden = 16;
	cfg.nbuckets = 1024;
	cfg.max_templates = 500;
	cfg.epochs = 5;
	cfg.k = 10;
	cfg.tau = 0.3f;    /* some neighbours below it, most above */
	cfg.progress = 0;
	cfg.quiet = 2;
	cfg.flags = PS_MODEL_F_F32;
	idx = calloc(cp.n, sizeof *idx);
	lab = calloc(cp.n, sizeof *lab);
	for (i = 0; i < cp.n; i++) {
		idx[i] = i;
		lab[i] = cp.c[i].label;
	}
	CHECK_EQ_INT(fold_prepare(&f, &cfg, &cp, idx, cp.n, lab), 0);
	CHECK_EQ_INT(gnn_train(&g, &f, lab, cp.nlabels), 0);
	img = model_build(&f, &g, lab, cp.labels, cp.nlabels, &len);
	CHECK_EQ_INT(ps_model_load(&m, img, len, err, sizeof err), PS_OK);
	D = m.p.dim;
	k = m.p.k;
	CHECK_EQ_INT(k, 10);
	for (i = 0; i < m.p.ncases; i++) {
		struct ps_sage_result r;
		struct ps_arena a;
		uint32_t inf[PS_MODEL_MAX_K], ninf = 0, ntr = g.nnbr[i];
		const uint32_t *tr = g.nbr + (size_t)i * k;

		ps_arena_init(&a, mem, sizeof mem);
		if (ps_sage_forward(&m, m.emb[0].w + (size_t)i * D, PS_NUM_F32, &a, &r) != PS_OK) {
			CHECK(!"ps_sage_forward failed");
			break;
		}
		for (j = 0; j < r.nagg; j++)
			if (r.nbr[j] != i)
				inf[ninf++] = r.nbr[j];
		/* the trainer keeps k others; the inference's k include the
		 * case itself when it is among them */
		if (r.nagg < k || ninf == k) {
			CHECK_EQ_INT(ntr, ninf);
		} else {
			CHECK(ntr >= ninf);
		}
		for (j = 0; j < ninf && j < ntr; j++)
			if (tr[j] != inf[j]) {
				fprintf(stderr, "case %u: neighbour %u is %u for the trainer, %u for the "
					"inference\n", i, j, tr[j], inf[j]);
				CHECK_EQ_INT(tr[j], inf[j]);
				break;
			}
		checked++;
		full += r.nagg == k;
	}
	CHECK_EQ_INT(checked, cp.n);
	/* both situations occur: a full list and one cut by tau */
	printf("%u of %u cases with a full neighbour list, the others cut by tau\n", full, checked);
	CHECK(full > 0 && full < checked);
	free(img);
	gnn_free(&g);
	fold_free(&f);
	free(idx);
	free(lab);
	corpus_free(&cp);
}

int main(void)
{
	test_against_sort();
	test_trainer_matches_inference();
	return check_summary("test_topk");
}
