/* The trainer's label-hint dimensions (train --hint-weight): with a
 * weight W, the last H columns of the learned projection belong to the
 * H labels of the fault message catalogue (core/catalogue.h), one each; the
 * bucket of hint h maps onto column D-H+h with weight W and nowhere
 * else, and no other bucket has weight in those columns.  With W = 0
 * the projection is the plain LSA one.  Runs on tests/data/cases. */
#include <stdlib.h>

#include "core/features.h"
#include "core/catalogue.h"
#include "tests/unit/check.h"
#include "tools/train/corpus.h"
#include "tools/train/trainer.h"

static struct train_cfg small_cfg(float hint_weight)
{
	struct train_cfg c;

	train_defaults(&c);
	c.dim = 32;
	c.nbuckets = 1024;
	c.max_templates = 500;
	c.progress = 0;
	c.quiet = 2;
	c.hint_weight = hint_weight;
	return c;
}

/* The catalogue's labels in precedence order. */
static unsigned distinct_hints(const char **hint, unsigned cap)
{
	unsigned n = 0;

	while (n < cap && ps_cat_label_name(n))
		hint[n] = ps_cat_label_name(n), n++;
	return n;
}

static int prepare(struct fold *f, const struct train_cfg *cfg, const struct corpus *cp)
{
	uint32_t *idx = calloc(cp->n, sizeof *idx);
	int *lab = calloc(cp->n, sizeof *lab), rc;
	uint32_t i;

	for (i = 0; i < cp->n; i++) {
		idx[i] = i;
		lab[i] = cp->c[i].label;
	}
	rc = fold_prepare(f, cfg, cp, idx, cp->n, lab);
	free(idx);
	free(lab);
	return rc;
}

int main(void)
{
	char *paths[] = { "tests/data/cases" };
	const char *hint[64];
	struct corpus cp;
	struct fold f;
	struct train_cfg cfg = small_cfg(5.0f);
	struct ps_model_params p = { 0 };
	unsigned H = distinct_hints(hint, 64), h;
	uint32_t D = cfg.dim, B = cfg.nbuckets, b, j, nonzero_rows = 0;
	uint32_t hb[64];

	CHECK(H == 14);       /* the taxonomy's labels, as hints */
	if (corpus_load(&cp, paths, 1, NULL) != 0) {
		fprintf(stderr, "test_trainer_hint: cannot read %s\n", paths[0]);
		return 1;
	}
	CHECK(prepare(&f, &cfg, &cp) == 0);
	/* the trainer's hash parameters (tools/trainer.c stub_model) */
	p.nbuckets = B;
	p.hash_seed = (uint32_t)(cfg.seed * 2654435761u);
	for (h = 0; h < H; h++)
		hb[h] = ps_features_hint_bucket(&p, hint[h]);
	for (b = 0; b < B; b++) {
		const float *row = f.proj + (size_t)b * D;
		int is_hint = -1, n = 0;

		for (h = 0; h < H; h++)
			if (hb[h] == b)
				is_hint = (int)h;
		for (j = D - H; j < D; j++)
			n += row[j] != 0;
		nonzero_rows += n > 0;
		if (is_hint < 0) {
			CHECK_EQ_INT(n, 0);
			continue;
		}
		/* one-hot at the hint's own column, nothing in the LSA part */
		for (j = 0; j < D; j++)
			CHECK(row[j] == (j == D - H + (uint32_t)is_hint ? 5.0f : 0.0f));
	}
	CHECK_EQ_INT(nonzero_rows, H);
	/* h0 of a case whose header has a hinted pattern carries the hint */
	{
		uint32_t i, with_hint = 0;

		for (i = 0; i < f.n; i++) {
			const float *h0 = f.h0 + (size_t)i * D;
			float s = 0;

			for (j = D - H; j < D; j++)
				s += h0[j] * h0[j];
			with_hint += s > 0.01f;
		}
		CHECK(with_hint > f.n / 2);  /* the fixtures are real oopses */
	}
	fold_free(&f);

	/* weight 0: no reserved columns; some LSA weight lands there */
	cfg = small_cfg(0.0f);
	CHECK(prepare(&f, &cfg, &cp) == 0);
	{
		uint32_t n = 0;

		for (b = 0; b < B; b++)
			for (j = D - H; j < D; j++)
				n += f.proj[(size_t)b * D + j] != 0;
		CHECK(n > H);
	}
	fold_free(&f);
	corpus_free(&cp);
	return check_summary("test_trainer_hint");
}
