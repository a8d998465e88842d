#include "core/pipeline.h"

#include <string.h>

#include "core/catalogue.h"
#include "core/mask.h"
#include "core/status.h"

void ps_params_defaults(struct ps_params *p)
{
	p->catalogue = NULL;
	ps_drain_defaults(&p->drain);
	ps_extract_defaults(&p->extract);
	p->max_records = 65536;
}

static uint64_t no_clock(void)
{
	return 0;
}

int ps_analyze(struct ps_analysis *an, const struct ps_params *p, struct ps_drain *drain,
	       const char *buf, size_t len, uint32_t first_line, struct ps_arena *a,
	       uint64_t (*now_us)(void))
{
	uint64_t t0, t1, start;
	struct ps_mask_memo *memo;
	char *scratch;
	uint32_t i;
	int st;

	memset(an, 0, sizeof *an);
	an->header = an->panic = an->crash_start = PS_NONE;
	if (!now_us)
		now_us = no_clock;
	start = t0 = now_us();
	an->catalogue = p->catalogue;
	if (!an->catalogue) {
		struct ps_catalogue *cat = PS_ALLOC(a, struct ps_catalogue, 1);

		if (!cat)
			return PS_ENOMEM;
		if ((st = ps_catalogue_builtin(cat, a, NULL)) != PS_OK)
			return st;
		an->catalogue = cat;
	}

	st = ps_log_parse(&an->log, a, buf, len, first_line, p->max_records);
	if (st != PS_OK)
		return st;
	an->nlines = an->log.n;
	an->lines = PS_ALLOC(a, struct ps_line, an->nlines);
	scratch = PS_ALLOC(a, char, ps_mask_bound(PS_MAX_LINE));
	memo = PS_ALLOC(a, struct ps_mask_memo, 1);
	if (!an->lines || !scratch || !memo)
		return PS_ENOMEM;
	if (!drain) {
		/* Tables no bigger than this log can fill: clearing them is
		 * most of the work for a short log. */
		struct ps_drain_params dp = p->drain;
		uint64_t nl = an->nlines;

		if (dp.max_clusters > nl + 16)
			dp.max_clusters = (uint32_t)(nl + 16);
		if (dp.max_nodes > 4 * nl + 64)
			dp.max_nodes = (uint32_t)(4 * nl + 64);
		if (dp.max_vocab > len / 2 + 64)
			dp.max_vocab = (uint32_t)(len / 2 + 64);
		if (dp.vocab_bytes > 3 * len + 64)
			dp.vocab_bytes = 3 * len + 64;
		if (dp.template_tokens > 3 * len / 2 + 64)
			dp.template_tokens = 3 * len / 2 + 64;
		if ((st = ps_drain_init(&drain, a, &dp)) != PS_OK)
			return st;
	}
	t1 = now_us();
	an->timing_us[PS_STAGE_PARSE] = t1 - t0;
	t0 = t1;

	for (i = 0; i < an->nlines; i++) {
		struct ps_line *l = &an->lines[i];
		const struct ps_record *r = &an->log.rec[i];
		size_t m = ps_mask_line(memo, r->text, r->len, scratch, ps_mask_bound(PS_MAX_LINE));
		char *copy = PS_ALLOC_RAW(a, char, m + 1);
		uint32_t c;

		if (!copy)
			return PS_ENOMEM;
		memcpy(copy, scratch, m + 1);
		l->rec = r;
		l->masked = copy;
		l->mlen = (uint32_t)m;
		c = ps_drain_add(drain, copy, m);
		l->tpl = c == PS_DRAIN_OVERFLOW ? PS_NONE : c;
	}
	an->drain_overflows = ps_drain_overflows(drain);
	t1 = now_us();
	an->timing_us[PS_STAGE_DRAIN] = t1 - t0;
	t0 = t1;

	ps_mark_lines(an);
	st = ps_extract(an, &p->extract, a);
	t1 = now_us();
	an->timing_us[PS_STAGE_EXTRACT] = t1 - t0;
	an->timing_us[PS_STAGE_TOTAL] = t1 - start;
	return st;
}
