#include "core/diagnose.h"

#include "core/catalogue.h"
#include "core/classify.h"
#include "core/drain.h"
#include "core/status.h"

static uint64_t no_clock(void)
{
	return 0;
}

int ps_model_catalogue(struct ps_catalogue *cat, const struct ps_model *m, struct ps_arena *a,
		       struct ps_cat_error *err)
{
	if (m && m->catalogue.p)
		return ps_catalogue_parse(cat, m->catalogue.p, m->catalogue.n, a, err);
	return ps_catalogue_builtin(cat, a, err);
}

int ps_analyze_seeded(struct ps_analysis *an, const struct ps_params *p, const struct ps_model *m,
		      const char *buf, size_t len, uint32_t first_line, struct ps_arena *a,
		      uint64_t (*now_us)(void))
{
	struct ps_drain_params dp = p->drain;
	struct ps_params q;
	struct ps_drain *d;
	uint64_t bytes = 0;
	uint32_t i;
	int st;

	if (!now_us)
		now_us = no_clock;
	if (!m)
		return ps_analyze(an, p, NULL, buf, len, first_line, a, now_us);
	if (!p->catalogue) {
		struct ps_catalogue *cat = PS_ALLOC(a, struct ps_catalogue, 1);

		if (!cat)
			return PS_ENOMEM;
		if ((st = ps_model_catalogue(cat, m, a, NULL)) != PS_OK)
			return st == PS_EFORMAT ? PS_EMODEL : st;
		q = *p;
		q.catalogue = cat;
		p = &q;
	}
	/* the model's Drain parameters, and room for its templates on top
	 * of what the log itself may add */
	for (i = 0; i < m->templates.count; i++)
		bytes += ps_strtab_get(&m->templates, i).n + 1;
	dp.depth = m->p.drain_depth;
	dp.st = m->p.drain_st;
	dp.max_children = m->p.drain_max_children;
	dp.max_clusters += m->templates.count;
	dp.max_nodes += 4 * m->templates.count;
	dp.max_vocab += 2 * m->templates.count;
	dp.vocab_bytes += bytes;
	dp.template_tokens += bytes / 2 + 1;
	if ((st = ps_drain_init(&d, a, &dp)) != PS_OK)
		return st;
	if ((st = ps_model_seed_drain(m, d)) != PS_OK)
		return st;
	return ps_analyze(an, p, d, buf, len, first_line, a, now_us);
}

int ps_diagnose(struct ps_analysis *an, const struct ps_params *p, const struct ps_model *m,
		const char *buf, size_t len, uint32_t first_line, struct ps_arena *a,
		uint64_t (*now_us)(void))
{
	uint64_t t0;
	int st;

	if (!now_us)
		now_us = no_clock;
	if (!m)
		return ps_analyze(an, p, NULL, buf, len, first_line, a, now_us);
	t0 = now_us();
	st = ps_analyze_seeded(an, p, m, buf, len, first_line, a, now_us);
	if (st != PS_OK)
		return st;
	an->timing_us[PS_STAGE_TOTAL] = now_us() - t0;

	if (an->no_crash)               /* nothing to label */
		return PS_OK;
	t0 = now_us();
	st = ps_classify(m, an, a);
	an->timing_us[PS_STAGE_CLASSIFY] = now_us() - t0;
	an->timing_us[PS_STAGE_TOTAL] += an->timing_us[PS_STAGE_CLASSIFY];
	return st;
}
