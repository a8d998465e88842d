#include "core/classify.h"

#include <string.h>

#include "core/catalogue.h"
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

float ps_backoff_weight(const struct ps_backoff *b, float nearest, unsigned cat_label, int generic)
{
	float t = b->s_hi > b->s_lo ? (b->s_hi - nearest) / (b->s_hi - b->s_lo) : (nearest < b->s_hi ? 1.0f : 0.0f);
	float near = cat_label < 32 && (b->specific >> cat_label & 1) ? b->w_specific : b->w_near;
	float w;

	t = t < 0 ? 0 : t > 1 ? 1 : t;
	w = near + (b->w_far - near) * t;
	return generic ? w * b->generic : w;
}

float ps_backoff_floor(const struct ps_backoff *b, float w, float nearest, unsigned cat_label,
		       int generic, int addr_rule, int model_catchall)
{
	if (w >= b->w_far)
		return w;
	/* the address rule fired (the faulting address the header prints
	 * is below the first page: null-deref on every architecture): a
	 * fact read off the line, not a kind the model should outvote
	 * because other wordings of "paging request" near it were bad
	 * accesses */
	if (addr_rule)
		return b->w_far;
	/* kernel-bug is where the model puts what it does not know (a
	 * wording of another era or architecture looks like no stored
	 * case of its kind): short of a stored case as near as s_hi, an
	 * entry that names a kind reliably wins */
	if (model_catchall && nearest < b->s_hi && !generic && cat_label < 32 &&
	    (b->specific >> cat_label & 1))
		return b->w_far;
	return w;
}

#define PANIC_PREFIX 28u    /* "Kernel panic - not syncing: " */

/* 1 when the oops header's entry does not fix the kind by itself
 * (ps_backoff_weight); 0 otherwise or without an entry. */
int ps_cat_entry_generic(const struct ps_analysis *an)
{
	const struct ps_line *h;
	const struct ps_cat_entry *e;
	const char *p;
	uint32_t n;

	if (an->header == PS_NONE || an->header >= an->nlines || !an->catalogue)
		return 0;
	h = &an->lines[an->header];
	if (!h->cat || h->cat > an->catalogue->n)
		return 0;
	e = &an->catalogue->entry[h->cat - 1];
	p = e->pattern.p;
	n = e->pattern.n;
	if (n < 3 || p[n - 2] != '%' || p[n - 1] != 's')
		return 0;
	/* panic()'s own prefix says nothing of the kind */
	return p[n - 3] == '/' || e->literal_bytes <= 12 + (e->panic ? PANIC_PREFIX : 0);
}

static int label_index(const struct ps_model *m, const char *name)
{
	uint32_t i, n;

	for (n = 0; name[n]; n++)
		;
	for (i = 0; i < m->p.nlabels; i++)
		if (m->labels[i].n == n && !memcmp(m->labels[i].p, name, n))
			return (int)i;
	return -1;
}

/* The model's index of the header entry's catalogue label, or -1. */
static int header_label(const struct ps_model *m, const struct ps_analysis *an)
{
	const struct ps_line *h;
	const char *name;

	if (an->header == PS_NONE || an->header >= an->nlines || !an->catalogue)
		return -1;
	h = &an->lines[an->header];
	if (!h->cat || h->cat > an->catalogue->n || !(name = ps_cat_label_name(h->cat_label)))
		return -1;
	return label_index(m, name);
}

int ps_classify_ex(const struct ps_model *m, struct ps_analysis *an, struct ps_arena *scratch,
		   const struct ps_classify_opts *opts)
{
	struct ps_sage_result r;
	enum ps_numeric num = ps_sage_path(m, opts ? opts->num : PS_NUM_AUTO);
	uint32_t i, j, nl = m->p.nlabels;
	float *h0;
	size_t mark;
	int rc, cl = -1, generic;

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
	an->model_label = 0;
	for (i = 1; i < nl; i++)
		if (r.probs[i] > r.probs[an->model_label])
			an->model_label = (uint16_t)i;
	an->model_confidence = r.probs[an->model_label];
	if (m->temperature != 1.0f && nl <= PS_MODEL_MAX_LABELS) {
		float own[PS_MODEL_MAX_LABELS];     /* the model's own answer, calibrated too */

		memcpy(own, r.probs, nl * sizeof *own);
		rescale(own, nl, m->temperature);
		an->model_confidence = own[an->model_label];
	}
	an->nearest = r.nnbr ? r.nbr_sim[0] : 0;
	an->backoff = 0;
	an->backoff_why = PS_BACKOFF_NONE;
	an->shrunk = 0;
	generic = ps_cat_entry_generic(an);
	if ((cl = header_label(m, an)) >= 0) {
		const struct ps_line *h = &an->lines[an->header];
		int addr = h->cat_label != an->catalogue->entry[h->cat - 1].label;
		float w0 = ps_backoff_weight(&m->backoff, an->nearest, h->cat_label, generic);
		float w = ps_backoff_floor(&m->backoff, w0, an->nearest, h->cat_label, generic, addr,
					   (int)an->model_label == label_index(m, "kernel-bug"));

		for (i = 0; i < nl; i++)
			r.probs[i] *= 1 - w;
		r.probs[cl] += w;
		an->backoff = w;
		an->backoff_why = w > w0 ? (addr ? PS_BACKOFF_ADDRESS : PS_BACKOFF_CATCHALL) :
				  w > 0 ? PS_BACKOFF_DISTANCE : PS_BACKOFF_NONE;
	}
	if (cl < 0 || generic) {
		/* no catalogue entry names the kind: far from the stored cases
		 * the model's answer is a guess, shrunk towards "any label" as
		 * far as the back-off would trust an entry that names it (the
		 * ranking is unchanged) */
		float u = ps_backoff_weight(&m->backoff, an->nearest, 32, 0);

		for (i = 0; i < nl; i++)
			r.probs[i] = (1 - u) * r.probs[i] + u / (float)nl;
		an->shrunk = u;
	}
	if (m->temperature != 1.0f)
		/* calibration (CALIB), the last step on the probabilities
		 * reported, after the back-off: softmax(log q / T), T fitted
		 * by train --calibrate on answers made the same way */
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
	an->uncertain = an->confidence < m->uncertain_below ||
			(cl >= 0 && an->model_label != cl && an->confidence < m->backoff.conflict_below);
	an->labelled = 1;
	ps_arena_release(scratch, mark);
	return PS_OK;
}

int ps_classify(const struct ps_model *m, struct ps_analysis *an, struct ps_arena *scratch)
{
	return ps_classify_ex(m, an, scratch, NULL);
}
