/* core/features.c and core/classify.c on hand-made analyses with a
 * random model: what each feature kind contributes, and the invariants
 * of what ps_classify fills in (ranking, neighbours, culprits). */
#include <math.h>

#include "check.h"
#include "core/arena.h"
#include "core/classify.h"
#include "core/features.h"
#include "core/status.h"
#include "randmodel.h"

#define NL 6

static struct ps_record recs[NL];
static struct ps_line lines[NL];
static uint32_t segment[NL];

static void set_line(uint32_t i, const char *masked, uint32_t tpl, uint16_t flags, const char *sym)
{
	lines[i].rec = &recs[i];
	recs[i].text = masked;
	recs[i].len = (uint32_t)strlen(masked);
	lines[i].masked = masked;
	lines[i].mlen = (uint32_t)strlen(masked);
	lines[i].tpl = tpl;
	lines[i].flags = flags;
	lines[i].sym = sym;
	lines[i].symlen = sym ? (uint32_t)strlen(sym) : 0;
	lines[i].cat = 0;
}

static void make_analysis(struct ps_analysis *an)
{
	uint32_t i;

	memset(an, 0, sizeof *an);
	set_line(0, "random: crng init done", PS_NONE, 0, NULL);
	set_line(1, "BUG: kernel NULL pointer dereference, address: <*>", 0, PS_LINE_HEADER, NULL);
	set_line(2, "#PF: supervisor read access in kernel mode", 2, 0, NULL);
	set_line(3, "Call Trace:", PS_NONE, PS_LINE_TRACE, NULL);
	set_line(4, "ext4_file_write_iter", PS_NONE, PS_LINE_FRAME, "ext4_file_write_iter");
	set_line(5, "Kernel panic - not syncing: Fatal exception", 1, PS_LINE_PANIC, NULL);
	an->lines = lines;
	an->nlines = NL;
	for (i = 1; i < NL; i++)
		segment[i - 1] = i;
	an->segment = segment;
	an->nsegment = NL - 1;
	an->header = 1;
	an->panic = 5;
}

static double mass(const struct ps_sparse *x)
{
	double s = 0;
	uint32_t i;

	for (i = 0; i < x->n; i++)
		s += x->val[i];
	return s;
}

int main(void)
{
	static const uint32_t dims[] = { 32, 24, 16 };
	static unsigned char mem[1 << 22];
	struct ps_model src, m;
	struct ps_analysis an;
	struct ps_arena a;
	struct ps_sparse x, y;
	unsigned char *img;
	size_t len;
	char err[200];
	uint32_t i, k;
	double sum;

	rand_model(&src, 1024, 2, dims, 40, 6, 8, 0.0f, PS_MODEL_F_F32 | PS_MODEL_F_INT8);
	for (k = 0; k < PS_NFEAT; k++)
		src.p.feat_weight[k] = 1.0f;
	img = rand_model_image(&src, &len);
	CHECK_EQ_INT(ps_model_load(&m, img, len, err, sizeof err), 0);
	make_analysis(&an);
	ps_arena_init(&a, mem, sizeof mem);

	/* features: the same input gives the same buckets; only wildcards
	 * give nothing; each kind's weight scales its contribution */
	CHECK_EQ_INT(ps_features_count(&m.p, &an, 0, &a, &x), PS_OK);
	CHECK(x.n > 10);
	CHECK_EQ_INT(ps_features_count(&m.p, &an, 0, &a, &y), PS_OK);
	CHECK_EQ_INT(x.n, y.n);
	CHECK(x.n == y.n && !memcmp(x.idx, y.idx, x.n * 4) && !memcmp(x.val, y.val, x.n * 4));
	{
		struct ps_analysis w;
		struct ps_model_params p = m.p;
		double full = mass(&x), no_header;

		memset(&w, 0, sizeof w);
		set_line(0, "<*> <*> <*>", PS_NONE, 0, NULL);
		w.lines = lines;
		w.nlines = 1;
		w.header = w.panic = PS_NONE;
		CHECK_EQ_INT(ps_features_count(&p, &w, 1, &a, &y), PS_OK);
		CHECK_EQ_INT(y.n, 0);
		make_analysis(&an);
		p.feat_weight[PS_FEAT_HEADER] = 0;
		CHECK_EQ_INT(ps_features_count(&p, &an, 0, &a, &y), PS_OK);
		no_header = mass(&y);
		CHECK(no_header < full);
		p.feat_weight[PS_FEAT_HEADER] = 2;
		CHECK_EQ_INT(ps_features_count(&p, &an, 0, &a, &y), PS_OK);
		/* doubling the header weight adds exactly the header mass again */
		CHECK(fabs((mass(&y) - full) - (full - no_header)) < 1e-3);
		/* each line with a template id the model knows adds the template weight once */
		p = m.p;
		p.feat_weight[PS_FEAT_TEMPLATE] = 0;
		CHECK_EQ_INT(ps_features_count(&p, &an, 0, &a, &y), PS_OK);
		CHECK(fabs((full - mass(&y)) - 3.0) < 1e-4);    /* 3 lines with tpl < 3 */
		/* whole_log reads line 0 as well */
		CHECK_EQ_INT(ps_features_count(&m.p, &an, 1, &a, &y), PS_OK);
		CHECK(mass(&y) > full);
	}
	/* weighting: unit length */
	ps_features_weight(&x, m.idf);
	for (i = 0, sum = 0; i < x.n; i++)
		sum += (double)x.val[i] * x.val[i];
	CHECK(fabs(sum - 1) < 1e-5);

	/* classification on both numeric paths */
	for (k = 0; k < 2; k++) {
		struct ps_classify_opts o = { k ? PS_NUM_INT8 : PS_NUM_F32, 0 };

		make_analysis(&an);
		ps_arena_init(&a, mem, sizeof mem);
		CHECK_EQ_INT(ps_classify_ex(&m, &an, &a, &o), PS_OK);
		CHECK(an.labelled);
		CHECK_EQ_INT(an.nlabels, 6);
		CHECK(an.label_names == m.labels);
		CHECK_EQ_INT(an.nranking, 6);
		for (i = 0, sum = 0; i < an.nranking; i++) {
			sum += an.ranking[i].p;
			if (i)
				CHECK(an.ranking[i - 1].p >= an.ranking[i].p);
		}
		CHECK(fabs(sum - 1) < 1e-5);
		CHECK_EQ_INT(an.label, an.ranking[0].label);
		CHECK(an.confidence == an.ranking[0].p);
		CHECK_EQ_INT(an.nneighbors, 8);
		for (i = 0; i < an.nneighbors; i++) {
			CHECK(an.neighbors[i].case_index < 40);
			CHECK_EQ_INT(an.neighbors[i].label, m.case_label[an.neighbors[i].case_index]);
			CHECK(an.neighbors[i].similarity <= 1.001f && an.neighbors[i].similarity >= -1.001f);
			if (i)
				CHECK(an.neighbors[i - 1].similarity >= an.neighbors[i].similarity);
		}
		/* no culprits given: filled from the segment, best first, the
		 * oops header on top */
		CHECK(an.nculprits == NL - 1);
		CHECK_EQ_INT(an.culprits[0].line, 1);
		for (i = 1; i < an.nculprits; i++)
			CHECK(an.culprits[i - 1].score >= an.culprits[i].score);
	}
	/* the two paths agree on this input's label */
	{
		struct ps_classify_opts f32 = { PS_NUM_F32, 0 }, q8 = { PS_NUM_INT8, 0 };
		uint16_t lf;

		make_analysis(&an);
		ps_arena_init(&a, mem, sizeof mem);
		ps_classify_ex(&m, &an, &a, &f32);
		lf = an.label;
		make_analysis(&an);
		ps_classify_ex(&m, &an, &a, &q8);
		CHECK_EQ_INT(an.label, lf);
	}
	/* CALIB: ps_classify re-scales the probabilities it reports with
	 * the model's temperature (2); checked against softmax(log p / 2)
	 * of the model without calibration; same label */
	{
		struct ps_model cs, cm;
		struct ps_classify_opts f32 = { PS_NUM_F32, 0 };
		unsigned char *cimg;
		size_t clen;
		float p0[6], z = 0;
		uint16_t top;

		make_analysis(&an);
		ps_arena_init(&a, mem, sizeof mem);
		CHECK_EQ_INT(ps_classify_ex(&m, &an, &a, &f32), PS_OK);
		top = an.label;
		for (i = 0; i < 6; i++)
			p0[an.ranking[i].label] = an.ranking[i].p;
		cs = src;
		cs.flags |= PS_MODEL_F_CALIB;
		cs.temperature = 2.0f;
		cs.uncertain_below = 0.5f;
		cimg = rand_model_image(&cs, &clen);
		CHECK_EQ_INT(ps_model_load(&cm, cimg, clen, err, sizeof err), 0);
		make_analysis(&an);
		ps_arena_init(&a, mem, sizeof mem);
		CHECK_EQ_INT(ps_classify_ex(&cm, &an, &a, &f32), PS_OK);
		CHECK_EQ_INT(an.label, top);
		for (i = 0; i < 6; i++)
			z += expf(logf(p0[i]) / 2.0f);
		for (i = 0; i < 6; i++)
			CHECK(fabsf(an.ranking[i].p - expf(logf(p0[an.ranking[i].label]) / 2.0f) / z) < 1e-5f);
		CHECK(an.confidence < p0[top] - 1e-3f);
		CHECK(an.uncertain == (an.confidence < 0.5f));
		free(cimg);
	}
	/* an arena too small is an error, not a crash */
	{
		static unsigned char tiny[256];

		make_analysis(&an);
		ps_arena_init(&a, tiny, sizeof tiny);
		CHECK_EQ_INT(ps_classify(&m, &an, &a), PS_ENOMEM);
	}
	free(img);
	return check_summary("test_classify");
}
