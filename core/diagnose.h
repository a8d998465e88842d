/* The whole capture-side diagnosis of one log: the core pipeline with a
 * Drain seeded from the model's templates (so template ids mean what
 * the model learned), then the classifier.  Used by both binaries. */
#ifndef PS_MODEL_ANALYZE_H
#define PS_MODEL_ANALYZE_H

#include <stddef.h>
#include <stdint.h>

#include "core/analysis.h"
#include "core/arena.h"
#include "core/pipeline.h"
#include "core/model.h"

/* Like ps_analyze (core/pipeline.h); with a model `m` (may be NULL for
 * extraction only) the analysis also gets its label, confidence,
 * ranking and neighbours, unless no crash was found (an->no_crash).
 * Without p->catalogue, m's catalogue is parsed into `a` first
 * (ps_model_catalogue; a malformed one gives PS_EMODEL).  Returns a
 * PS_* status. */
int ps_diagnose(struct ps_analysis *an, const struct ps_params *p, const struct ps_model *m,
		const char *buf, size_t len, uint32_t first_line, struct ps_arena *a,
		uint64_t (*now_us)(void));

struct ps_catalogue;
struct ps_cat_error;

/* The catalogue model m was trained with, parsed into `a`: its
 * CATALOGUE section, or the built-in catalogue for a model without one
 * (and for m NULL).  PS_OK; PS_EFORMAT with *err filled (err may be
 * NULL) when the text is malformed; PS_ENOMEM; PS_EMODEL when the
 * build has no built-in catalogue and m none. */
int ps_model_catalogue(struct ps_catalogue *cat, const struct ps_model *m, struct ps_arena *a,
		       struct ps_cat_error *err);

/* The analysis part of ps_diagnose alone: ps_analyze with a Drain
 * seeded from m's templates (m may be NULL).  The trainer uses it so
 * that training features come from exactly the capture-side path. */
int ps_analyze_seeded(struct ps_analysis *an, const struct ps_params *p, const struct ps_model *m,
		      const char *buf, size_t len, uint32_t first_line, struct ps_arena *a,
		      uint64_t (*now_us)(void));

#endif
