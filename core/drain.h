/* Drain log-template mining with fixed-capacity tables.
 *
 * Same algorithm and tie-breaking as the reference implementation
 * (logpai/logparser Drain.py): a tree keyed by token count and then by
 * the first tokens down to depth-2 layers, `seqDist` similarity with
 * threshold `st`, at most `max_children` children per node with a <*>
 * child catching the rest, tokens with digits routed to <*>, and the
 * template merged on every match.  Like the reference, lines with fewer
 * tokens than depth-2 never join an earlier cluster.
 *
 * Every table is sized at init.  When one is full, lines still get an
 * id: the closest existing template, or PS_DRAIN_OVERFLOW, and
 * `overflows` counts how often that happened. */
#ifndef PS_DRAIN_H
#define PS_DRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"

#define PS_DRAIN_OVERFLOW UINT32_MAX

struct ps_drain_params {
	double st;                 /* similarity threshold, reference default 0.4 */
	uint32_t depth;            /* tree depth incl. root and length layer, >= 3 */
	uint32_t max_children;     /* per node, reference default 100 */
	uint32_t max_clusters;     /* template table capacity */
	uint32_t max_nodes;        /* tree node capacity */
	uint32_t max_vocab;        /* distinct token capacity */
	uint32_t max_tokens;       /* tokens kept per line; the rest are cut */
	size_t vocab_bytes;        /* token text capacity */
	size_t template_tokens;    /* total template length capacity */
	int no_shortcut;           /* 1: always search the tree (tests compare) */
};

/* Defaults: st 0.4, depth 4, max_children 100, and capacities for a
 * capture kernel (8192 templates, 64 Ki tokens, 512 tokens per line). */
void ps_drain_defaults(struct ps_drain_params *p);

struct ps_drain;

/* Returns PS_OK, PS_ERANGE for bad parameters or PS_ENOMEM. */
int ps_drain_init(struct ps_drain **d, struct ps_arena *a, const struct ps_drain_params *p);

/* Parses one line (already masked; split on whitespace) and learns
 * from it: returns its cluster id, or PS_DRAIN_OVERFLOW. */
uint32_t ps_drain_add(struct ps_drain *d, const char *s, size_t n);

/* Adds a cluster whose template is `s` (tokens separated by spaces,
 * "<*>" for parameters) without searching for a similar one first, so
 * that templates learned elsewhere keep their ids: seeding a fresh
 * Drain with templates 0..n-1 in order gives them ids 0..n-1.  Returns
 * the id, or PS_DRAIN_OVERFLOW when a table is full. */
uint32_t ps_drain_add_template(struct ps_drain *d, const char *s, size_t n);

/* Finds the cluster a line belongs to without changing anything;
 * PS_DRAIN_OVERFLOW when no template is similar enough. */
uint32_t ps_drain_match(struct ps_drain *d, const char *s, size_t n);

uint32_t ps_drain_count(const struct ps_drain *d);
/* Lines that got PS_DRAIN_OVERFLOW or lost tokens or vocabulary. */
uint32_t ps_drain_overflows(const struct ps_drain *d);
/* Number of lines the cluster matched (0 for a bad id). */
uint32_t ps_drain_size(const struct ps_drain *d, uint32_t cluster);
/* The template, tokens joined by single spaces. */
void ps_drain_template(const struct ps_drain *d, uint32_t cluster, struct ps_buf *out);
/* Token count of a template (0 for a bad id). */
uint32_t ps_drain_template_len(const struct ps_drain *d, uint32_t cluster);

#endif
