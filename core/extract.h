/* FILE: fault-indicating log extraction.
 *
 * Lines are points ordered by their position in the log.  The distance
 * between two lines mixes how far apart they are in the log and in
 * kernel time with whether they share a Drain template:
 *
 *   d(i, j) = |i - j| / line_scale + |t_i - t_j| / time_scale
 *             + (tpl_i != tpl_j ? template_weight : 0)
 *
 * (the time term only when both lines carry a timestamp).  Because
 * d >= |i - j| / line_scale, all neighbours of a line lie within
 * eps * line_scale positions of it: the neighbour search is a sliding
 * window, O(n * w).  DBSCAN (core/dbscan.h) groups the lines; the
 * cluster whose newest line is closest to the panic becomes the
 * segment, which then always gets the oops header, the panic line and
 * the header's call trace, and is cut to max_lines by priority. */
#ifndef PS_EXTRACT_H
#define PS_EXTRACT_H

#include <stdint.h>

#include "core/analysis.h"
#include "core/arena.h"

struct ps_extract_params {
	double eps;              /* DBSCAN radius (default 1.0) */
	uint32_t min_samples;    /* DBSCAN core threshold, incl. the point (default 3) */
	double line_scale;       /* positions per unit distance (default 4) */
	double time_scale_us;    /* microseconds per unit distance (default 2 s) */
	double template_weight;  /* added when templates differ (default 0.25) */
	uint32_t max_lines;      /* segment cap (default 64) */
	uint32_t max_trace;      /* frames of the header's call trace always kept (default 24) */
	uint32_t max_culprits;   /* culprit lines reported (default 5) */
};

void ps_extract_defaults(struct ps_extract_params *p);

/* Marks header, panic, frame and trace lines (flags, oops, sym) on
 * an->lines, picks an->header and an->panic. */
void ps_mark_lines(struct ps_analysis *an);

/* Fills an->segment, cluster_size and culprits from an->lines (which
 * need tpl and flags).  Returns PS_OK, PS_ENOMEM or PS_ERANGE. */
int ps_extract(struct ps_analysis *an, const struct ps_extract_params *p, struct ps_arena *a);

/* Scores every line of the segment as a culprit and keeps the best
 * max_culprits in an->culprits; exposed so a model can re-rank. */
int ps_rank_culprits(struct ps_analysis *an, uint32_t max_culprits, struct ps_arena *a);

#endif
