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
 * first), neighbors (the k most similar stored cases), label_names and
 * nlabels, and re-ranks an->culprits (or, when there are none, fills
 * them from the segment).  Needs an->lines and an->segment; their
 * `tpl` ids must come from a Drain seeded with ps_model_seed_drain.
 * Arrays come from `scratch`.  Returns PS_OK, PS_ENOMEM or PS_ERANGE. */
int ps_classify(const struct ps_model *m, struct ps_analysis *an, struct ps_arena *scratch);
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
