#include "core/classify.h"

#include <string.h>

#include "core/features.h"
#include "core/psmath.h"
#include "core/status.h"

int ps_case_embed(const struct ps_model *m, const struct ps_analysis *an, enum ps_numeric num,
		  int whole_log, struct ps_arena *scratch, float *h0)
{
	size_t mark = ps_arena_mark(scratch);
	struct ps_sparse x;
	int rc;

	num = ps_sage_path(m, num);
	if ((num == PS_NUM_INT8 && !(m->flags & PS_MODEL_F_INT8)) ||
	    (num == PS_NUM_F32 && !(m->flags & PS_MODEL_F_F32)))
		return PS_ERANGE;
	rc = ps_features_count(&m->p, an, whole_log, scratch, &x);
	if (rc != PS_OK)
		return rc;
	ps_features_weight(&x, m->idf);
	if (num == PS_NUM_INT8)
		ps_embed_q8(&m->qproj, &x, h0);
	else
		ps_embed_f32(&m->proj, &x, h0);
	ps_arena_release(scratch, mark);
	return PS_OK;
}

float ps_culprit_score(const struct ps_model *m, const struct ps_analysis *an, uint32_t line)
{
	const struct ps_line *ln;
	float s = 0;

	if (line >= an->nlines)
		return 0;
	ln = &an->lines[line];
	if (ln->tpl < m->p.ntemplates) {
		s = m->tpl_weight[ln->tpl];
		s = s < 0 ? 0 : s > 1 ? 1 : s;
	}
	s *= 0.6f;
	if (line == an->header)
		s += 0.3f;
	else if (ln->flags & PS_LINE_HEADER)
		s += 0.2f;
	if (line == an->panic || (ln->flags & PS_LINE_PANIC))
		s += 0.1f;
	return s;
}

/* Share of the extraction's own culprit score in the re-ranked score. */
#define PS_CULPRIT_KEEP 0.9f

static int culprit_before(const struct ps_culprit *a, const struct ps_culprit *b)
{
	return a->score > b->score || (a->score == b->score && a->line < b->line);
}

static int rank_culprits(const struct ps_model *m, struct ps_analysis *an, struct ps_arena *a)
{
	uint32_t i, j, n;

	if (!an->culprits || !an->nculprits) {
		n = an->nsegment < PS_MAX_CULPRITS ? an->nsegment : PS_MAX_CULPRITS;
		an->nculprits = 0;
		if (!n || !an->segment)
			return PS_OK;
		an->culprits = PS_ALLOC(a, struct ps_culprit, n);
		if (!an->culprits)
			return PS_ENOMEM;
		/* keep the n best segment lines, insertion into a bounded list */
		for (i = 0; i < an->nsegment; i++) {
			struct ps_culprit c = { an->segment[i], ps_culprit_score(m, an, an->segment[i]) };

			if (an->nculprits == n && !culprit_before(&c, &an->culprits[n - 1]))
				continue;
			j = an->nculprits < n ? an->nculprits++ : n - 1;
			while (j > 0 && culprit_before(&c, &an->culprits[j - 1])) {
				an->culprits[j] = an->culprits[j - 1];
				j--;
			}
			an->culprits[j] = c;
		}
		return PS_OK;
	}
	/* the extraction's score stays primary; the learned template
	 * weight breaks near-ties */
	for (i = 0; i < an->nculprits; i++) {
		const struct ps_line *ln = an->culprits[i].line < an->nlines ? &an->lines[an->culprits[i].line] : 0;
		float w = ln && ln->tpl < m->p.ntemplates ? m->tpl_weight[ln->tpl] : 0;

		w = w < 0 ? 0 : w > 1 ? 1 : w;
		an->culprits[i].score = PS_CULPRIT_KEEP * an->culprits[i].score + (1 - PS_CULPRIT_KEEP) * w;
	}
	for (i = 1; i < an->nculprits; i++) {    /* few lines: insertion sort */
		struct ps_culprit c = an->culprits[i];

		for (j = i; j > 0 && culprit_before(&c, &an->culprits[j - 1]); j--)
			an->culprits[j] = an->culprits[j - 1];
		an->culprits[j] = c;
	}
	return PS_OK;
}

/* probabilities p re-scaled to temperature T: softmax(log p / T), the
 * same as dividing the logits by T; a probability of 0 stays 0 */
static void rescale(float *p, uint32_t n, float T)
{
	float mx = -1e30f, z = 0;
	uint32_t i;

	for (i = 0; i < n; i++) {
		p[i] = p[i] > 1e-30f ? ps_logf(p[i]) / T : -1e30f;
		if (p[i] > mx)
			mx = p[i];
	}
	for (i = 0; i < n; i++)
		z += p[i] = p[i] > -1e29f ? ps_expf(p[i] - mx) : 0;
	for (i = 0; i < n; i++)
		p[i] /= z;
}

int ps_classify_ex(const struct ps_model *m, struct ps_analysis *an, struct ps_arena *scratch,
		   const struct ps_classify_opts *opts)
{
	struct ps_sage_result r;
	enum ps_numeric num = ps_sage_path(m, opts ? opts->num : PS_NUM_AUTO);
	uint32_t i, j, nl = m->p.nlabels;
	float *h0;
	size_t mark;
	int rc;

	an->labelled = 0;
	an->uncertain = 0;
	an->label_names = m->labels;
	an->nlabels = nl;
	an->ranking = PS_ALLOC(scratch, struct ps_ranked_label, nl);
	an->neighbors = PS_ALLOC(scratch, struct ps_neighbor, m->p.k);
	if (!an->ranking || !an->neighbors)
		return PS_ENOMEM;
	an->nranking = 0;
	an->nneighbors = 0;
	if ((rc = rank_culprits(m, an, scratch)) != PS_OK)
		return rc;

	mark = ps_arena_mark(scratch);
	h0 = PS_ALLOC(scratch, float, m->p.dim);
	if (!h0)
		return PS_ENOMEM;
	rc = ps_case_embed(m, an, num, opts ? opts->whole_log : 0, scratch, h0);
	if (rc == PS_OK)
		rc = ps_sage_forward(m, h0, num, scratch, &r);
	if (rc != PS_OK) {
		ps_arena_release(scratch, mark);
		return rc;
	}
	if (m->temperature != 1.0f)
		/* calibration (CALIB), the last step on the probabilities
		 * reported: softmax(logits / T) */
		rescale(r.probs, nl, m->temperature);
	for (i = 0; i < nl; i++) {          /* ranking: insertion sort by p */
		struct ps_ranked_label c = { (uint16_t)i, r.probs[i] };

		for (j = i; j > 0 && c.p > an->ranking[j - 1].p; j--)
			an->ranking[j] = an->ranking[j - 1];
		an->ranking[j] = c;
	}
	an->nranking = nl;
	for (i = 0; i < r.nnbr; i++) {
		an->neighbors[i].case_index = r.nbr[i];
		an->neighbors[i].label = m->case_label[r.nbr[i]];
		an->neighbors[i].similarity = r.nbr_sim[i];
	}
	an->nneighbors = r.nnbr;
	an->label = an->ranking[0].label;
	an->confidence = an->ranking[0].p;
	an->uncertain = an->confidence < m->uncertain_below;
	an->labelled = 1;
	ps_arena_release(scratch, mark);
	return PS_OK;
}

int ps_classify(const struct ps_model *m, struct ps_analysis *an, struct ps_arena *scratch)
{
	return ps_classify_ex(m, an, scratch, NULL);
}
