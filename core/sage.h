/* GraphSAGE inference for one new case (GARCA, inductive).
 *
 * The new case v joins the graph of stored cases through its k most
 * similar ones (cosine of h0; stored h0 rows are unit vectors), keeping
 * those with similarity >= tau: N(v).  Then for l = 0..K-1
 *   h^{l+1} = relu(W_self^l h^l + W_neigh^l mean_{u in N(v)} H^l_u + b^l)
 * where H^l are the stored cases' layer-l embeddings the host computed
 * on its graph (mean of nothing = 0), and
 *   p = softmax(W_cls h^K + b_cls)
 * (uncalibrated: ps_classify applies the model's CALIB temperatures to
 * the probabilities it reports).
 * Two numeric paths: float32, and int8 (weights and stored embeddings
 * int8 with per-row scales, the input vector quantised per vector,
 * int32 dot products). */
#ifndef PS_SAGE_H
#define PS_SAGE_H

#include <stdint.h>

#include "core/arena.h"
#include "core/model.h"

enum ps_numeric { PS_NUM_AUTO, PS_NUM_F32, PS_NUM_INT8 };

struct ps_sage_result {
	float *probs;           /* [nlabels] */
	uint32_t *nbr;          /* [k] stored case indexes, most similar first */
	float *nbr_sim;         /* [k] */
	uint32_t nnbr;          /* neighbours found (min(k, ncases)) */
	uint32_t nagg;          /* of which sim >= tau: aggregated */
	float *h;               /* [dims[K]] final layer embedding */
};

/* Runs the forward pass for h0 (dim floats, unit or zero).  Result
 * arrays and scratch from `a`.  PS_ERANGE if the requested numeric path
 * is not in the model, PS_ENOMEM if `a` is too small. */
int ps_sage_forward(const struct ps_model *m, const float *h0, enum ps_numeric num,
		    struct ps_arena *a, struct ps_sage_result *r);

/* Which path PS_NUM_AUTO picks for this model. */
enum ps_numeric ps_sage_path(const struct ps_model *m, enum ps_numeric num);

/* Softmax in place over n values. */
void ps_softmax(float *v, uint32_t n);

#endif
