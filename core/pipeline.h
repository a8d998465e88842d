/* The whole capture-side analysis of one log, minus the model:
 * parse → mask → Drain → catalogue matches and headers → FILE
 * extraction → culprits.
 * The classifier (core/classify.h) runs on the result when a model is
 * loaded. */
#ifndef PS_PIPELINE_H
#define PS_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "core/analysis.h"
#include "core/arena.h"
#include "core/drain.h"
#include "core/extract.h"

struct ps_catalogue;

struct ps_params {
	/* the parsed fault message catalogue (core/catalogue.h) whose
	 * matches mark the headers; NULL: ps_analyze parses the built-in one
	 * into the arena for this call (ps_diagnose: the model's) */
	const struct ps_catalogue *catalogue;
	struct ps_drain_params drain;
	struct ps_extract_params extract;
	uint32_t max_records;     /* newest lines kept (default 65536) */
};

void ps_params_defaults(struct ps_params *p);

/* Analyses `len` bytes of log text (its first line is line `first_line`
 * of the input).  `drain` may be NULL, in which case a fresh one is
 * made from p->drain; pass one seeded with a model's templates so
 * template ids agree with the model.  `now_us` (may be NULL) is a
 * clock for the per-stage timings.  Returns PS_OK, PS_EINPUT (no log
 * lines), PS_ENOMEM, PS_ERANGE, or PS_EMODEL (no p->catalogue and no
 * built-in one).  A log without a fault line gets an->no_crash = 1 and
 * no segment. */
int ps_analyze(struct ps_analysis *an, const struct ps_params *p, struct ps_drain *drain,
	       const char *buf, size_t len, uint32_t first_line, struct ps_arena *a,
	       uint64_t (*now_us)(void));

#endif
