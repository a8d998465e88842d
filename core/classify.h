/* The classifier stage of the pipeline: features → h0 → GraphSAGE →
 * label, confidence, ranking, neighbours; and the culprit lines
 * re-ranked with the model's learned per-template weights. */
#ifndef PS_CLASSIFY_H
#define PS_CLASSIFY_H

#include "core/analysis.h"
#include "core/arena.h"
#include "core/sage.h"
#include "core/model.h"

/* Most culprit lines the classifier lists when the analysis had none. */
#define PS_MAX_CULPRITS 16u

struct ps_classify_opts {
	enum ps_numeric num;   /* PS_NUM_AUTO: float if the model has it */
	int whole_log;         /* features from every line, not the segment
				* (the "w/o FILE" ablation) */
};

/* Fills an->labelled, label, confidence, ranking (all labels, best
 * first; after the back-off below, then calibrated with the model's
 * CALIB temperature), neighbors (the k most similar stored cases), label_names and
 * nlabels, and re-ranks an->culprits (or, when there are none, fills
 * them from the segment).  Needs an->lines and an->segment; their
 * `tpl` ids must come from a Drain seeded with ps_model_seed_drain.
 * Arrays come from `scratch`.  Returns PS_OK, PS_ENOMEM or PS_ERANGE. */
int ps_classify(const struct ps_model *m, struct ps_analysis *an, struct ps_arena *scratch);

/* The back-off to the catalogue.  The model learned the cases it
 * stores; a case far from all of them (an architecture, a kernel era,
 * a message it never saw) is out of its depth, while the catalogue
 * entry of the oops header names the kind by construction.  With s the
 * cosine of the nearest stored case and c the (address-adjusted)
 * label of the header's entry, the probabilities p become
 *   q = (1 - w) p + w onehot(c),
 *   w = n + (w_far - n) clamp((s_hi - s) / (s_hi - s_lo), 0, 1)
 * with n = w_specific when c is one of the model's `specific` labels
 * (those whose catalogue entries name the kind reliably), w_near
 * otherwise, times `generic` for an entry that does not fix the kind:
 * a pattern ending in "%s" after a reporting site's directory ("at
 * drivers/%s") or after at most 12 literal bytes ("BUG: %s"), panic()'s
 * "Kernel panic - not syncing: " not counted.  When the model's own label is not c,
 * the answer is uncertain below conflict_below.  With no header
 * entry or a generic one, p then becomes (1 - u) p + u / L, u the
 * weight above with n = w_near (the ranking is unchanged; far from
 * every stored case with nothing in the catalogue the answer is a
 * guess).  Parameters: the
 * model's BACKOFF (core/model.h).  No header entry, or a label the
 * model does not have: no back-off.  Returns w. */
float ps_backoff_weight(const struct ps_backoff *b, float nearest, unsigned cat_label, int generic);
/* w raised to w_far where the model must not outvote the header's
 * entry: its address rule fired (addr_rule), or the model's own answer
 * is the catch-all kernel-bug (model_catchall) with no stored case as
 * near as s_hi while the entry is not generic and its label is
 * specific. */
float ps_backoff_floor(const struct ps_backoff *b, float w, float nearest, unsigned cat_label,
		       int generic, int addr_rule, int model_catchall);
int ps_cat_entry_generic(const struct ps_analysis *an);
int ps_classify_ex(const struct ps_model *m, struct ps_analysis *an, struct ps_arena *scratch,
		   const struct ps_classify_opts *opts);

/* The case embedding alone (features, weighting, projection): `h0`
 * holds m->p.dim floats.  Scratch is released before returning. */
int ps_case_embed(const struct ps_model *m, const struct ps_analysis *an, enum ps_numeric num,
		  int whole_log, struct ps_arena *scratch, float *h0);

/* Culprit score of one line, 0..1: the learned weight of its template,
 * raised for oops header and panic lines. */
float ps_culprit_score(const struct ps_model *m, const struct ps_analysis *an, uint32_t line);

#endif
