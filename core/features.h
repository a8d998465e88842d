/* Case features and the case embedding h0.
 *
 * From the fault-indicating segment of an analysis: masked tokens
 * (unigrams and bigrams, "<*>" skipped), Drain template ids known to
 * the model, stack-frame function names, the tokens of the oops header
 * and panic lines (a kind of their own, so they weigh more), the ids
 * of the catalogue entries the lines match (core/catalogue.h), and the
 * header's entry id and label apart.  Each feature is hashed with a per-kind seed into
 * one of `nbuckets` buckets and adds that kind's weight to it.  Then
 *   x_b = log(1 + count_b) * idf_b,  x = x / |x|      (ps_features_weight)
 *   h0  = x P / |x P|                                 (ps_embed_*)
 * with the IDF and the projection P learned on the host.  Zero
 * allocation: scratch from the caller's arena. */
#ifndef PS_FEATURES_H
#define PS_FEATURES_H

#include <stdint.h>

#include "core/analysis.h"
#include "core/arena.h"
#include "core/model.h"

/* A sparse vector over feature buckets, indexes in first-seen order. */
struct ps_sparse {
	uint32_t *idx;
	float *val;
	uint32_t n;
};

/* Lines after the oops header whose tokens count as header tokens. */
#define PS_FEAT_HEADER_CONTEXT 2u

/* Lines the features come from when the analysis has no segment. */
#define PS_FEAT_FALLBACK_LINES 64u

/* Weighted feature counts of the analysis' segment (or, when
 * `whole_log`, of every line).  Arrays come from `a`; PS_ENOMEM when it
 * is too small. */
int ps_features_count(const struct ps_model_params *p, const struct ps_analysis *an,
		      int whole_log, struct ps_arena *a, struct ps_sparse *x);

/* The bucket of the feature "the oops header's catalogue entry says
 * label `hint`" (a label name of core/catalogue.h; the trainer gives
 * these buckets their own h0 dimensions). */
uint32_t ps_features_hint_bucket(const struct ps_model_params *p, const char *hint);

/* Sublinear TF times IDF, then L2 normalisation, in place. */
void ps_features_weight(struct ps_sparse *x, const float *idf);

/* h0 = normalise(x P) with the float or the int8 projection; `dim`
 * floats.  A zero x gives a zero h0. */
void ps_embed_f32(const struct ps_fmat *proj, const struct ps_sparse *x, float *h0);
void ps_embed_q8(const struct ps_qmat *proj, const struct ps_sparse *x, float *h0);

/* Scales v to unit length (a zero vector stays zero); returns the old norm. */
float ps_normalize(float *v, uint32_t n);

#endif
