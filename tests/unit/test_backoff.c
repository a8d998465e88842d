/* The classifier's back-off to the catalogue (core/classify.h): the
 * weight as a function of the nearest stored case's similarity and
 * the catalogue label, the floors that raise it, and which entries are
 * generic.  (The mixture
 * itself is checked end to end by tests/t_classify.sh and
 * tests/t_world.sh.) */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/analysis.h"
#include "core/catalogue.h"
#include "core/classify.h"
#include "core/model.h"
#include "core/status.h"
#include "tests/unit/check.h"

static unsigned char arena_buf[1 << 20];

static int near(float a, float b)
{
	return fabsf(a - b) < 1e-5f;
}

/* An analysis whose oops header (line 0) matched catalogue entry `e`
 * with label `label`. */
static void header_on(struct ps_analysis *an, struct ps_line *ln, const struct ps_catalogue *cat,
		      uint32_t e, unsigned label)
{
	memset(an, 0, sizeof *an);
	memset(ln, 0, sizeof *ln);
	ln->cat = (uint16_t)(e + 1);
	ln->cat_label = (uint8_t)label;
	an->lines = ln;
	an->nlines = 1;
	an->header = 0;
	an->catalogue = cat;
}

int main(void)
{
	const struct ps_backoff b = { 0.0f, 0.2f, 0.9f, 0.6f, 0.9f, 0.5f, 0.7f, 1u << 6 };
	static const char text[] =
		"# panicsage catalogue v1\n"
		"kb.bug\tkernel-bug\theader\tno\tstart\tany\t6.1\t-\tx.c:1\tkernel BUG at %s:%d!\n"
		"lk.soft\tcpu-lockup\theader\tno\tany\tany\t6.1\t-\tx.c:2\t"
		"BUG: soft lockup - CPU#%d stuck for %us! [%s:%d]\n"
		"dr.warn\tdriver\theader\tno\tany\tany\t6.1\t-\tx.c:3\tWARNING: CPU: %d PID: %d at drivers/%s\n"
		"hu.any\thung-task\theader\tno\tstart\tany\t6.1\t-\tx.c:4\tINFO: task %s\n"
		"fs.err\tfilesystem\theader\tno\tany\tany\t6.1\t-\tx.c:5\tEXT4-fs error (device %s): %s\n"
		"kb.panic\tkernel-bug\theader\tno\tany\tany\t6.1\t-\tx.c:6\tKernel panic - not syncing: %s\n"
		"kb.dump\tkernel-bug\theader\tno\tany\tany\t6.1\t-\tx.c:7\tKernel panic - not syncing: dump %s\n"
		"kb.mmr\tkernel-bug\theader\tno\tany\tany\t6.1\t-\tx.c:8\t"
		"Kernel panic - not syncing: UV: error: undefined MMR: %s\n";
	struct ps_catalogue cat;
	struct ps_arena a;
	struct ps_analysis an;
	struct ps_line ln;
	struct ps_cat_error err;

	/* the weight: w_far at and below s_lo, the near weight at and
	 * above s_hi (w_specific for a specific label), linear between */
	CHECK(near(ps_backoff_weight(&b, 0.95f, 0, 0), 0.0f));
	CHECK(near(ps_backoff_weight(&b, 0.90f, 0, 0), 0.0f));
	CHECK(near(ps_backoff_weight(&b, 0.60f, 0, 0), 0.9f));
	CHECK(near(ps_backoff_weight(&b, 0.10f, 0, 0), 0.9f));
	CHECK(near(ps_backoff_weight(&b, 0.75f, 0, 0), 0.45f));
	CHECK(near(ps_backoff_weight(&b, 0.95f, 6, 0), 0.2f));    /* cpu-lockup is specific */
	CHECK(near(ps_backoff_weight(&b, 0.75f, 6, 0), 0.55f));
	CHECK(near(ps_backoff_weight(&b, 0.75f, 6, 1), 0.275f));  /* generic halves it */
	CHECK(near(ps_backoff_weight(&b, 0.30f, 13, 1), 0.45f));
	{
		const struct ps_backoff off = { 0, 0, 0, 0.6f, 0.9f, 1, 0, 0 };
		const struct ps_backoff step = { 0, 0, 1, 0.8f, 0.8f, 1, 0, 0 };

		CHECK(near(ps_backoff_weight(&off, 0.0f, 6, 0), 0.0f));
		CHECK(near(ps_backoff_weight(&step, 0.79f, 6, 0), 1.0f));   /* s_lo == s_hi: a step */
		CHECK(near(ps_backoff_weight(&step, 0.80f, 6, 0), 0.0f));
	}

	/* the floor: w_far when the address rule fired, or when the model
	 * answered kernel-bug against a specific, non-generic entry with no
	 * stored case as near as s_hi (0.9) */
	CHECK(near(ps_backoff_floor(&b, 0.3f, 0.8f, 6, 0, 0, 0), 0.3f));
	CHECK(near(ps_backoff_floor(&b, 0.3f, 0.8f, 6, 0, 1, 0), 0.9f));
	CHECK(near(ps_backoff_floor(&b, 0.3f, 0.8f, 2, 1, 1, 0), 0.9f));   /* the address is a fact */
	CHECK(near(ps_backoff_floor(&b, 0.3f, 0.8f, 6, 0, 0, 1), 0.9f));   /* cpu-lockup is specific */
	CHECK(near(ps_backoff_floor(&b, 0.3f, 0.8f, 6, 1, 0, 1), 0.3f));   /* a generic entry: no */
	CHECK(near(ps_backoff_floor(&b, 0.3f, 0.8f, 11, 0, 0, 1), 0.3f));  /* driver is not specific */
	CHECK(near(ps_backoff_floor(&b, 0.3f, 0.8f, 40, 0, 0, 1), 0.3f));  /* no such label */
	CHECK(near(ps_backoff_floor(&b, 0.95f, 0.8f, 11, 0, 0, 0), 0.95f)); /* never lowered */
	CHECK(near(ps_backoff_floor(&b, 0.3f, 0.95f, 6, 0, 0, 1), 0.3f));  /* a stored case this near */
	CHECK(near(ps_backoff_floor(&b, 0.3f, 0.95f, 6, 0, 1, 0), 0.9f));  /* the address rule still */

	/* generic entries: a reporting site's directory ("at drivers/%s"),
	 * or at most 12 literal bytes before a final %s, panic()'s prefix
	 * not counted; kernel-bug is a label like the others */
	ps_arena_init(&a, arena_buf, sizeof arena_buf);
	CHECK_EQ_INT(ps_catalogue_parse(&cat, text, sizeof text - 1, &a, &err), PS_OK);
	CHECK_EQ_INT(cat.n, 8);
	header_on(&an, &ln, &cat, 0, 13);
	CHECK_EQ_INT(ps_cat_entry_generic(&an), 0);
	header_on(&an, &ln, &cat, 1, 6);
	CHECK_EQ_INT(ps_cat_entry_generic(&an), 0);
	header_on(&an, &ln, &cat, 2, 11);
	CHECK_EQ_INT(ps_cat_entry_generic(&an), 1);
	header_on(&an, &ln, &cat, 3, 7);
	CHECK_EQ_INT(ps_cat_entry_generic(&an), 1);
	header_on(&an, &ln, &cat, 4, 10);
	CHECK_EQ_INT(ps_cat_entry_generic(&an), 0);
	header_on(&an, &ln, &cat, 5, 13);
	CHECK_EQ_INT(ps_cat_entry_generic(&an), 1);
	header_on(&an, &ln, &cat, 6, 13);
	CHECK_EQ_INT(ps_cat_entry_generic(&an), 1);
	header_on(&an, &ln, &cat, 7, 13);
	CHECK_EQ_INT(ps_cat_entry_generic(&an), 0);
	an.header = PS_NONE;
	CHECK_EQ_INT(ps_cat_entry_generic(&an), 0);
	header_on(&an, &ln, &cat, 4, 10);
	ln.cat = 0;                     /* no entry */
	CHECK_EQ_INT(ps_cat_entry_generic(&an), 0);
	return check_summary("test_backoff");
}
