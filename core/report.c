#include "core/report.h"
#include "core/catalogue.h"
#include "core/taxonomy.h"

#include <string.h>

/* "catalogue_why" of the JSON report, by ps_analysis.backoff_why */
static const char *const backoff_why_json[4] = {
	"null", "\"distance\"", "\"address\"", "\"catch-all\""
};

static const char *const stage_names[PS_NSTAGES] = {
	"parse", "drain", "extract", "embed", "classify", "total",
};

struct ps_str ps_report_label(const struct ps_analysis *an)
{
	struct ps_str s = { "unlabelled", 10 };

	if (an->labelled && an->label_names && an->label < an->nlabels)
		s = an->label_names[an->label];
	return s;
}

/* "NAME (0.93)" for the console: a label of the model and its
 * probability ("?" for a label the model does not name). */
static void put_label_p(struct ps_buf *b, const struct ps_analysis *an, unsigned label, double p)
{
	struct ps_str s = { "?", 1 };

	if (an->label_names && label < an->nlabels)
		s = an->label_names[label];
	ps_buf_put(b, s.p, s.n);
	ps_buf_puts(b, " (");
	ps_buf_fixed(b, p, 2);
	ps_buf_putc(b, ')');
}

size_t ps_report_bound(const struct ps_analysis *an)
{
	size_t text = 0, label = 10, k;

	for (k = 0; k < an->nsegment; k++)
		text += an->lines[an->segment[k]].rec->len;
	for (k = 0; k < an->nculprits; k++)
		text += an->lines[an->culprits[k].line].rec->len;
	if (an->header != PS_NONE)
		text += an->lines[an->header].rec->len;
	if (ps_report_entry(an))
		text += ps_report_entry(an)->id.n + ps_report_entry(an)->source.n + 32;
	for (k = 0; an->label_names && k < an->nlabels; k++)
		if (an->label_names[k].n > label)
			label = an->label_names[k].n;
	return 4096 + 6 * text + 128 * ((size_t)an->nsegment + an->nculprits + 2) +
	       (6 * label + 128) * ((size_t)an->nranking + an->nneighbors + 9);
}

const struct ps_cat_entry *ps_report_entry(const struct ps_analysis *an)
{
	const struct ps_line *h;

	if (an->no_crash || an->header == PS_NONE || an->header >= an->nlines || !an->catalogue)
		return NULL;
	h = &an->lines[an->header];
	if (!h->cat || h->cat > an->catalogue->n)
		return NULL;
	return &an->catalogue->entry[h->cat - 1];
}

/* What a label of the default model's taxonomy means; a model with
 * other label names gets no gloss. */
const char *ps_report_gloss(struct ps_str label)
{
	int k = ps_taxonomy_index(label.p, label.n);

	return k < 0 ? NULL : ps_taxonomy[k].gloss;
}

static void json_label(struct ps_buf *b, const struct ps_analysis *an, uint16_t label)
{
	if (an->label_names && label < an->nlabels)
		ps_buf_json_str(b, an->label_names[label].p, an->label_names[label].n);
	else
		ps_buf_puts(b, "null");
}

static void json_ts(struct ps_buf *b, int64_t ts)
{
	if (ts == PS_NO_TS) {
		ps_buf_puts(b, "null");
		return;
	}
	if (ts < 0) {   /* a wall-clock line earlier than the log's first */
		ps_buf_putc(b, '-');
		ts = -ts;
	}
	ps_buf_u64(b, (uint64_t)ts / 1000000u);
	ps_buf_putc(b, '.');
	ps_buf_u64w(b, (uint64_t)ts % 1000000u, 6);
}

void ps_report_json(const struct ps_analysis *an, struct ps_buf *b)
{
	uint32_t k;

	ps_buf_puts(b, "{\"label\":");
	if (an->labelled)
		json_label(b, an, an->label);
	else
		ps_buf_puts(b, "null");
	ps_buf_puts(b, ",\"confidence\":");
	if (an->labelled)
		ps_buf_fixed(b, an->confidence, 4);
	else
		ps_buf_puts(b, "null");
	ps_buf_puts(b, ",\"uncertain\":");
	if (an->labelled)
		ps_buf_puts(b, an->uncertain ? "true" : "false");
	else
		ps_buf_puts(b, "null");

	ps_buf_puts(b, ",\"model\":");
	if (an->labelled) {      /* the model's own answer and how far the catalogue weighed */
		ps_buf_puts(b, "{\"label\":");
		json_label(b, an, an->model_label);
		ps_buf_puts(b, ",\"p\":");
		ps_buf_fixed(b, an->model_confidence, 4);
		ps_buf_puts(b, ",\"nearest\":");
		ps_buf_fixed(b, an->nearest, 4);
		ps_buf_puts(b, ",\"catalogue_weight\":");
		ps_buf_fixed(b, an->backoff, 4);
		ps_buf_puts(b, ",\"catalogue_why\":");
		ps_buf_puts(b, backoff_why_json[an->backoff_why < 4 ? an->backoff_why : 0]);
		ps_buf_putc(b, '}');
	} else {
		ps_buf_puts(b, "null");
	}
	ps_buf_puts(b, ",\"crash\":");
	ps_buf_puts(b, an->no_crash ? "false" : "true");
	ps_buf_puts(b, ",\"catalogue\":");
	if (ps_report_entry(an)) {
		const struct ps_cat_entry *e = ps_report_entry(an);
		const char *l = ps_cat_label_name(an->lines[an->header].cat_label);

		ps_buf_puts(b, "{\"id\":");
		ps_buf_json_str(b, e->id.p, e->id.n);
		ps_buf_puts(b, ",\"label\":");
		ps_buf_json_str(b, l ? l : "", l ? ps_strlen(l) : 0);
		ps_buf_puts(b, ",\"source\":");
		ps_buf_json_str(b, e->source.p, e->source.n);
		ps_buf_putc(b, '}');
	} else {
		ps_buf_puts(b, "null");
	}

	ps_buf_puts(b, ",\"ranking\":[");
	for (k = 0; an->labelled && k < an->nranking; k++) {
		ps_buf_puts(b, k ? ",{\"label\":" : "{\"label\":");
		json_label(b, an, an->ranking[k].label);
		ps_buf_puts(b, ",\"p\":");
		ps_buf_fixed(b, an->ranking[k].p, 4);
		ps_buf_putc(b, '}');
	}

	ps_buf_puts(b, "],\"segment\":[");
	for (k = 0; k < an->nsegment; k++) {
		const struct ps_record *r = an->lines[an->segment[k]].rec;

		ps_buf_puts(b, k ? ",{\"line\":" : "{\"line\":");
		ps_buf_u64(b, r->line);
		ps_buf_puts(b, ",\"ts\":");
		json_ts(b, r->ts_us);
		ps_buf_puts(b, ",\"text\":");
		ps_buf_json_str(b, r->text, r->len);
		ps_buf_putc(b, '}');
	}

	ps_buf_puts(b, "],\"culprits\":[");
	for (k = 0; k < an->nculprits; k++) {
		const struct ps_record *r = an->lines[an->culprits[k].line].rec;

		ps_buf_puts(b, k ? ",{\"line\":" : "{\"line\":");
		ps_buf_u64(b, r->line);
		ps_buf_puts(b, ",\"text\":");
		ps_buf_json_str(b, r->text, r->len);
		ps_buf_puts(b, ",\"score\":");
		ps_buf_fixed(b, an->culprits[k].score, 4);
		ps_buf_putc(b, '}');
	}

	ps_buf_puts(b, "],\"neighbors\":[");
	for (k = 0; an->labelled && k < an->nneighbors; k++) {
		ps_buf_puts(b, k ? ",{\"case\":" : "{\"case\":");
		ps_buf_u64(b, an->neighbors[k].case_index);
		ps_buf_puts(b, ",\"label\":");
		json_label(b, an, an->neighbors[k].label);
		ps_buf_puts(b, ",\"similarity\":");
		ps_buf_fixed(b, an->neighbors[k].similarity, 4);
		ps_buf_putc(b, '}');
	}

	ps_buf_puts(b, "],\"timing_us\":{");
	for (k = 0; k < PS_NSTAGES; k++) {
		ps_buf_puts(b, k ? ",\"" : "\"");
		ps_buf_puts(b, stage_names[k]);
		ps_buf_puts(b, "\":");
		ps_buf_u64(b, an->timing_us[k]);
	}
	ps_buf_puts(b, "}}\n");
}

static void console_line(struct ps_buf *b, const struct ps_analysis *an, uint32_t idx)
{
	const struct ps_record *r = an->lines[idx].rec;

	ps_buf_puts(b, "line ");
	ps_buf_u64(b, r->line);
	ps_buf_puts(b, ": ");
	if (r->ts_us != PS_NO_TS) {
		ps_buf_putc(b, '[');
		json_ts(b, r->ts_us);
		ps_buf_puts(b, "] ");
	}
	ps_buf_printable(b, r->text, r->len);
	ps_buf_putc(b, '\n');
}

void ps_report_console(const struct ps_analysis *an, struct ps_buf *b)
{
	struct ps_str label = ps_report_label(an);
	const struct ps_cat_entry *e = ps_report_entry(an);
	uint32_t k, same = 0;

	if (an->no_crash) {
		ps_buf_puts(b, "panicsage: no crash found - none of the ");
		ps_buf_u64(b, an->nlines);
		ps_buf_puts(b, an->nlines == 1 ? " line" : " lines");
		ps_buf_puts(b, " is a fault message of the catalogue");
		if (an->catalogue) {
			ps_buf_puts(b, " (");
			ps_buf_u64(b, an->catalogue->n);
			ps_buf_puts(b, " entries)");
		}
		ps_buf_puts(b, "\npanicsage: analysed in ");
		ps_buf_fixed(b, (double)an->timing_us[PS_STAGE_TOTAL] / 1000.0, 1);
		ps_buf_puts(b, " ms\n");
		return;
	}
	ps_buf_puts(b, "panicsage: ");
	ps_buf_put(b, label.p, label.n);
	if (an->labelled) {
		ps_buf_puts(b, " (");
		ps_buf_fixed(b, an->confidence, 2);
		ps_buf_putc(b, ')');
	}
	ps_buf_puts(b, " - ");
	ps_buf_u64(b, an->nsegment);
	ps_buf_puts(b, an->nsegment == 1 ? " line" : " lines");
	if (an->labelled) {
		for (k = 0; k < an->nneighbors; k++)
			same += an->neighbors[k].label == an->label;
		ps_buf_puts(b, ", similar to ");
		ps_buf_u64(b, same);
		ps_buf_puts(b, same == 1 ? " past case" : " past cases");
	} else {
		ps_buf_puts(b, " (no model loaded)");
	}
	ps_buf_putc(b, '\n');
	if (an->labelled && an->uncertain) {
		ps_buf_puts(b, "panicsage: uncertain:");
		for (k = 0; k < an->nranking && k < 2; k++) {
			ps_buf_puts(b, k ? " or " : " ");
			put_label_p(b, an, an->ranking[k].label, an->ranking[k].p);
		}
		ps_buf_putc(b, '\n');
	}
	if (an->labelled && ps_report_gloss(label)) {
		ps_buf_puts(b, "panicsage: ");
		ps_buf_put(b, label.p, label.n);
		ps_buf_puts(b, ": ");
		ps_buf_puts(b, ps_report_gloss(label));
		ps_buf_putc(b, '\n');
	}

	if (an->labelled && an->nranking > 1) {
		ps_buf_puts(b, "panicsage: next:");
		for (k = 1; k < an->nranking && k < 3; k++) {
			ps_buf_putc(b, ' ');
			put_label_p(b, an, an->ranking[k].label, an->ranking[k].p);
		}
		ps_buf_putc(b, '\n');
	}
	if (an->header != PS_NONE) {
		ps_buf_puts(b, "panicsage: crash: ");
		console_line(b, an, an->header);
	}
	if (e) {
		const char *l = ps_cat_label_name(an->lines[an->header].cat_label);

		ps_buf_puts(b, "panicsage: catalogue: ");
		ps_buf_printable(b, e->id.p, e->id.n);
		ps_buf_puts(b, " says ");
		ps_buf_puts(b, l ? l : "?");
		ps_buf_puts(b, " (");
		ps_buf_printable(b, e->source.p, e->source.n);
		ps_buf_puts(b, ")\n");
	}
	if (an->labelled && an->backoff > 0 && an->model_label != an->label) {
		ps_buf_puts(b, "panicsage: the model alone said ");
		put_label_p(b, an, an->model_label, an->model_confidence);
		if (an->backoff_why == PS_BACKOFF_ADDRESS) {
			ps_buf_puts(b, "; the address the report prints decides the kind, so the catalogue weighs ");
		} else if (an->backoff_why == PS_BACKOFF_CATCHALL) {
			ps_buf_puts(b, ", its answer for reports unlike its cases; the catalogue entry names the kind, so it weighs ");
		} else {
			ps_buf_puts(b, "; its nearest past case is ");
			ps_buf_fixed(b, an->nearest, 2);
			ps_buf_puts(b, " similar, so the catalogue weighs ");
		}
		ps_buf_fixed(b, an->backoff, 2);
		ps_buf_putc(b, '\n');
	}
	if (an->nculprits) {
		ps_buf_puts(b, "panicsage: culprit lines, best first:\n");
		for (k = 0; k < an->nculprits; k++) {
			ps_buf_puts(b, "  ");
			console_line(b, an, an->culprits[k].line);
		}
	}
	ps_buf_puts(b, "panicsage: fault-indicating segment, ");
	ps_buf_u64(b, an->nsegment);
	ps_buf_puts(b, " of ");
	ps_buf_u64(b, an->nlines);
	ps_buf_puts(b, " lines:\n");
	for (k = 0; k < an->nsegment; k++) {
		ps_buf_puts(b, "  ");
		console_line(b, an, an->segment[k]);
	}
	ps_buf_puts(b, "panicsage: analysed in ");
	ps_buf_fixed(b, (double)an->timing_us[PS_STAGE_TOTAL] / 1000.0, 1);
	ps_buf_puts(b, " ms\n");
}
