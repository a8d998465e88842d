/* The pages of panicsage web and its forms.  Every string from the store
 * or the request goes out through html_text; every form is checked (the
 * session's CSRF token, Origin, Sec-Fetch-Site, the fields and their
 * values) before anything is written, and then written through the same
 * store functions as `panicsage label`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/frame.h"
#include "core/taxonomy.h"
#include "tools/collector/texts.h"
#include "tools/collector/web.h"
#include "tools/store/store.h"

#define PLOT_DAYS 28
#define SPARK_DAYS 30
#define LIST_MAX 200
#define CASES_MAX 100

/* One colour per taxonomy label, and one for cases without a label. */
static const char *const colours[PS_TAXONOMY_NLABELS + 1] = {
	"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
	"#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#8c564b", "#17becf", "#bcbd22", "#7f7f7f",
};

const char *web_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 431: return "Request Header Fields Too Large";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Internal Server Error";
	}
}

static const char *utc(int64_t us, char out[32])
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;

	if (us <= 0 || !gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%d %H:%M", &tm))
		snprintf(out, 32, "?");
	return out;
}

static void head(struct web_ctx *c, const char *title)
{
	struct web_out *o = &c->out;

	html_puts(o, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>");
	html_text(o, title);
	html_puts(o, " - panicsage</title><style>"
		 "body{font:14px/1.4 sans-serif;margin:0 2em 2em;color:#222}"
		 "nav{background:#2c3e50;margin:0 -2em 1em;padding:.6em 2em}nav a{color:#fff;margin-right:1.5em}"
		 "nav form{display:inline;float:right}table{border-collapse:collapse}"
		 "td,th{padding:.2em .6em;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}"
		 "th{background:#f4f4f4}code,pre{font:12px monospace}pre{background:#f8f8f8;padding:.5em;overflow:auto}"
		 "mark{background:#ffe08a;display:block}.known{color:#1e7e34;font-weight:bold}"
		 ".card{border:1px solid #ccc;padding:.6em 1em;margin:0 0 1em}.err{color:#a00}"
		 "input[type=text],input[type=url]{width:30em}.n{text-align:right}.t{white-space:nowrap}"
		 "</style></head><body>");
	if (c->authed) {
		html_puts(o, "<nav><a href=\"/\">Buckets</a><a href=\"/queue\">Labelling queue</a>");
		if (!c->by_cert) {
			html_puts(o, "<form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"csrf\" value=\"");
			html_text(o, c->csrf);
			html_puts(o, "\"><button>Log out</button></form>");
		}
		html_puts(o, "</nav>");
	}
	html_puts(o, "<h1>");
	html_text(o, title);
	html_puts(o, "</h1>\n");
}

static void tail(struct web_ctx *c)
{
	html_puts(&c->out, "\n</body></html>\n");
}

void web_error(struct web_ctx *c, int status, const char *msg)
{
	char title[64];

	html_free(&c->out);
	c->status = status;
	c->location[0] = '\0';
	snprintf(title, sizeof title, "%d %s", status, web_status_text(status));
	head(c, title);
	html_puts(&c->out, "<p class=\"err\">");
	html_text(&c->out, msg);
	html_puts(&c->out, "</p>");
	tail(c);
}

/* The answer to a request without credentials: the sign-in form (with a
 * token) and nothing of the store. */
static void login_page(struct web_ctx *c, int status, const char *msg)
{
	html_free(&c->out);
	c->location[0] = '\0';
	head(c, "panicsage: sign in");
	html_puts(&c->out, "<p class=\"err\">");
	html_text(&c->out, msg);
	html_puts(&c->out, "</p>");
	if (c->auth->token_len)
		html_puts(&c->out, "<form method=\"post\" action=\"/login\"><label>Token <input type=\"password\""
			 " name=\"token\" autocomplete=\"current-password\"></label> <button>Sign in</button></form>");
	html_puts(&c->out, "<p>Or present a client certificate of the collector's CA (panicsage pki).</p>");
	tail(c);
	c->status = status;
}

/* ---- the list of buckets and the plot ---- */

struct plot {
	int64_t first;
	uint32_t ndays;
	uint32_t *counts;    /* [PS_TAXONOMY_NLABELS + 1][ndays] */
};

static int plot_row(int64_t day, const char *label, int64_t n, void *ctx)
{
	struct plot *p = ctx;
	int s = ps_taxonomy_index(label, strlen(label));

	if (s < 0)
		s = PS_TAXONOMY_NLABELS;
	if (day >= p->first && day < p->first + p->ndays)
		p->counts[(size_t)s * p->ndays + (size_t)(day - p->first)] += (uint32_t)n;
	return 0;
}

static int daily_plot(struct web_ctx *c, uint32_t ndays)
{
	const char *names[PS_TAXONOMY_NLABELS + 1];
	struct plot p = { c->now / 86400 - ndays + 1, ndays, NULL };
	char err[300];
	int i;

	p.counts = calloc((size_t)(PS_TAXONOMY_NLABELS + 1) * ndays, sizeof *p.counts);
	if (!p.counts)
		return -1;
	if (store_daily_labels(c->db, p.first, ndays, plot_row, &p, err, sizeof err)) {
		free(p.counts);
		web_error(c, 500, err);
		return -1;
	}
	for (i = 0; i < PS_TAXONOMY_NLABELS; i++)
		names[i] = ps_taxonomy[i].label;
	names[PS_TAXONOMY_NLABELS] = "no label";
	html_printf(&c->out, "<h2>Crashes per day by label, last %u days</h2>\n", ndays);
	html_puts(&c->out, "<p>The human label when a person set one, else the predicted label.</p>");
	svg_stacked(&c->out, p.first, ndays, p.counts, PS_TAXONOMY_NLABELS + 1, names, colours);
	free(p.counts);
	return 0;
}

static void label_cell(struct web_out *o, const struct store_bucket *b)
{
	if (b->human_label) {
		html_puts(o, "<b>");
		html_text(o, b->human_label);
		html_puts(o, "</b>");
	} else if (b->nlabels && *b->labels[0].value) {
		html_text(o, b->labels[0].value);
		html_puts(o, " <small>(predicted)</small>");
	} else {
		html_puts(o, "<small>none</small>");
	}
	if (b->cause)
		html_puts(o, " <span class=\"known\" title=\"known problem\">&#10003; known</span>");
}

static int list_row(const struct store_bucket *b, void *ctx)
{
	struct web_ctx *c = ctx;
	struct web_out *o = &c->out;
	uint32_t days[SPARK_DAYS];
	char t[32], err[300];

	if (store_cases_per_day(c->db, b->id, c->now / 86400 - SPARK_DAYS + 1, SPARK_DAYS, days, err, sizeof err)) {
		web_error(c, 500, err);
		return 1;
	}
	html_puts(o, "<tr><td><a href=\"/bucket/");
	html_text(o, b->id);
	html_puts(o, "\"><code>");
	html_textn(o, b->id, 12);
	html_puts(o, "</code></a></td><td>");
	html_text(o, b->title && *b->title ? b->title : "(no report header)");
	html_puts(o, "<br><small>");
	html_text(o, b->frames && *b->frames ? b->frames : "(no frames)");
	html_puts(o, "</small></td>");
	html_printf(o, "<td class=\"n\">%lld</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td><td>",
		   (long long)b->cases, (long long)b->machines, (long long)b->releases);
	svg_sparkline(o, days, SPARK_DAYS);
	html_puts(o, "</td><td>");
	label_cell(o, b);
	html_printf(o, "</td><td class=\"t\">%s</td></tr>\n", utc(b->last_us, t));
	return 0;
}

static void page_index(struct web_ctx *c)
{
	static const char *const keys[] = { "days", NULL };
	char v[16], err[300], *end;
	uint32_t ndays = PLOT_DAYS;
	int n;

	if (web_form_check(c->req->query, strlen(c->req->query), keys)) {
		web_error(c, 400, "the only parameter here is days=N");
		return;
	}
	n = web_form_get(c->req->query, strlen(c->req->query), "days", v, sizeof v);
	if (n != -1) {
		unsigned long d = strtoul(v, &end, 10);

		if (n <= 0 || *end || v[0] < '0' || v[0] > '9' || d < 7 || d > 365) {
			web_error(c, 400, "days: a number of days from 7 to 365");
			return;
		}
		ndays = (uint32_t)d;
	}
	head(c, "Crash buckets");
	if (daily_plot(c, ndays))
		return;
	html_printf(&c->out, "<h2>Buckets, most cases first</h2>\n<table><tr><th>bucket</th><th>header and frames</th>"
		   "<th>cases</th><th>machines</th><th>kernels</th><th>last %u days</th><th>label</th>"
		   "<th>last seen (UTC)</th></tr>\n", SPARK_DAYS);
	if (store_buckets(c->db, STORE_BUCKETS_ALL, NULL, LIST_MAX, list_row, c, err, sizeof err)) {
		if (c->status != 500)
			web_error(c, 500, err);
		return;
	}
	html_puts(&c->out, "</table>");
	tail(c);
}

/* The status of a bucket lookup that failed. */
static int find_status(int r)
{
	return r == STORE_UNKNOWN ? 404 : r == STORE_ERROR ? 500 : 400;
}

/* ---- the forms ---- */

static void hidden(struct web_out *o, const char *name, const char *value)
{
	html_printf(o, "<input type=\"hidden\" name=\"%s\" value=\"", name);
	html_text(o, value);
	html_puts(o, "\">");
}

static void by_field(struct web_ctx *c)
{
	if (!c->by_cert)
		html_puts(&c->out, " <label>by <input name=\"by\" size=\"10\" maxlength=\"128\"></label>");
}

static void label_form(struct web_ctx *c, const struct store_bucket *b, const char *back)
{
	struct web_out *o = &c->out;
	const char *pick = b->human_label ? b->human_label : b->nlabels ? b->labels[0].value : "";
	int i;

	html_puts(o, "<form method=\"post\" action=\"/label\">");
	hidden(o, "csrf", c->csrf);
	hidden(o, "bucket", b->id);
	hidden(o, "back", back);
	html_puts(o, "<label>Label <select name=\"label\">");
	for (i = 0; i < PS_TAXONOMY_NLABELS; i++)
		html_printf(o, "<option%s>%s</option>", strcmp(pick, ps_taxonomy[i].label) ? "" : " selected",
			   ps_taxonomy[i].label);
	html_puts(o, "</select></label>");
	by_field(c);
	html_puts(o, " <button name=\"set\" value=\"1\">Set the label of every case</button></form>\n");
}

static void resolve_form(struct web_ctx *c, const struct store_bucket *b, const char *back)
{
	struct web_out *o = &c->out;

	html_puts(o, "<form method=\"post\" action=\"/resolve\">");
	hidden(o, "csrf", c->csrf);
	hidden(o, "bucket", b->id);
	hidden(o, "back", back);
	html_printf(o, "<p><label>Cause <input type=\"text\" name=\"cause\" maxlength=\"%d\" value=\"",
		   PS_FRAME_MAX_CAUSE);
	html_text(o, b->cause);
	html_printf(o, "\"></label><br><label>Advice <input type=\"text\" name=\"advice\" maxlength=\"%d\" value=\"",
		   PS_FRAME_MAX_ADVICE);
	html_text(o, b->advice);
	html_printf(o, "\"></label><br><label>URL <input type=\"url\" name=\"url\" maxlength=\"%d\" value=\"",
		   PS_FRAME_MAX_URL);
	html_text(o, b->url);
	html_puts(o, "\"></label>");
	by_field(c);
	html_puts(o, "<br><button name=\"set\" value=\"1\">Record the resolution</button>");
	if (b->cause)
		html_puts(o, " <button name=\"clear\" value=\"1\">Remove it</button>");
	html_puts(o, "</p></form>\n");
}

/* ---- the labelling queue ---- */

static int queue_card(const struct store_bucket *b, void *ctx)
{
	struct web_ctx *c = ctx;
	struct web_out *o = &c->out;
	uint32_t i;

	html_puts(o, "<div class=\"card\"><p><a href=\"/bucket/");
	html_text(o, b->id);
	html_puts(o, "\"><code>");
	html_textn(o, b->id, 12);
	html_puts(o, "</code></a> ");
	html_text(o, b->title && *b->title ? b->title : "(no report header)");
	html_printf(o, "<br>%lld case%s on %lld machine%s, uncertainty %.3f (%lld unlabelled); predicted: ",
		   (long long)b->cases, b->cases == 1 ? "" : "s", (long long)b->machines, b->machines == 1 ? "" : "s",
		   b->uncertainty, (long long)b->unlabelled);
	for (i = 0; i < b->nlabels; i++) {
		html_puts(o, i ? ", " : "");
		html_text(o, *b->labels[i].value ? b->labels[i].value : "nothing");
		html_printf(o, " &times;%lld", (long long)b->labels[i].n);
	}
	if (b->crash) {
		html_puts(o, "<br><code>");
		html_text(o, b->crash);
		html_puts(o, "</code>");
	}
	html_puts(o, "</p>");
	label_form(c, b, "queue");
	resolve_form(c, b, "queue");
	html_puts(o, "</div>\n");
	return 0;
}

static void page_queue(struct web_ctx *c)
{
	char err[300];
	size_t mark;

	if (*c->req->query) {
		web_error(c, 400, "this page takes no parameters");
		return;
	}
	head(c, "Labelling queue");
	html_puts(&c->out, "<p>The buckets nobody labelled, by the total uncertainty of their unlabelled cases"
		 " (" STORE_QUEUE_ORDER "): one label labels all of a bucket's cases.</p>\n");
	mark = c->out.len;
	if (store_buckets(c->db, STORE_BUCKETS_QUEUE, NULL, 50, queue_card, c, err, sizeof err)) {
		web_error(c, 500, err);
		return;
	}
	if (c->out.len == mark)
		html_puts(&c->out, "<p>Nothing to label.</p>");
	tail(c);
}

/* ---- one bucket ---- */

static int count_row(const struct store_count *v, void *ctx)
{
	struct web_out *o = ctx;

	html_puts(o, "<tr><td>");
	html_text(o, *v->value ? v->value : "(none)");
	html_printf(o, "</td><td class=\"n\">%lld</td></tr>", (long long)v->n);
	return 0;
}

static int seg_line(const struct store_seg_line *l, void *ctx)
{
	struct web_out *o = ctx;

	if (l->culprit)
		html_printf(o, "<mark title=\"culprit line, score %.3f\">", l->score);
	if (l->line >= 0)
		html_printf(o, "%6lld  ", (long long)l->line);
	else
		html_puts(o, "     -  ");
	html_text(o, l->text);
	html_puts(o, l->culprit ? "</mark>" : "\n");
	return 0;
}

static int clue(const char *s, void *ctx)
{
	struct web_out *o = ctx;

	html_puts(o, "<li>");
	html_text(o, s);
	html_puts(o, "</li>");
	return 0;
}

static int best_case(const struct store_case_view *v, void *ctx)
{
	struct web_ctx *c = ctx;
	struct web_out *o = &c->out;
	char t[32], err[300];

	html_puts(o, "<h2>Its best case</h2><p>The case of the highest confidence: <code>");
	html_text(o, v->id);
	html_printf(o, "</code>, received %s UTC, machine ", utc(v->received_us, t));
	html_text(o, v->machine);
	html_puts(o, ", kernel ");
	html_text(o, v->release);
	html_puts(o, ", predicted ");
	if (v->label) {
		html_text(o, v->label);
		html_printf(o, " (%.3f)", v->confidence);
	} else {
		html_puts(o, "nothing (no model)");
	}
	html_puts(o, ".</p><h3>Segment, culprit lines highlighted</h3><pre>");
	if (store_case_segment(c->db, v->id, seg_line, o, err, sizeof err)) {
		web_error(c, 500, err);
		return 1;
	}
	html_puts(o, "</pre><h3>Summary</h3>");
	if (!v->summary) {
		html_puts(o, "<p>None yet (panicsage summarize).</p>");
		return 0;
	}
	html_puts(o, "<p>");
	html_text(o, v->summary);
	html_puts(o, "</p><p><small>source: ");
	html_text(o, v->summary_source ? v->summary_source : "unknown");
	if (v->summary_label) {
		html_puts(o, "; suggested label: ");
		html_text(o, v->summary_label);
	}
	html_puts(o, "</small></p>");
	if (v->reasoning) {
		html_puts(o, "<p>");
		html_text(o, v->reasoning);
		html_puts(o, "</p>");
	}
	html_puts(o, "<ul>");
	if (store_case_clues(c->db, v->id, clue, o, err, sizeof err)) {
		web_error(c, 500, err);
		return 1;
	}
	html_puts(o, "</ul>");
	return 0;
}

static int case_row(const struct store_bucket_case *k, void *ctx)
{
	struct web_out *o = ctx;
	char t[32];

	html_puts(o, "<tr><td><code>");
	html_textn(o, k->id, strlen(k->id) > 12 ? 12 : strlen(k->id));
	html_printf(o, "</code></td><td>%s</td><td>", utc(k->received_us, t));
	html_text(o, k->machine);
	html_puts(o, "</td><td>");
	html_text(o, k->release);
	html_puts(o, "</td><td>");
	if (k->label && *k->label) {
		html_text(o, k->label);
		html_printf(o, " %.3f", k->confidence);
	}
	html_puts(o, "</td><td>");
	html_text(o, k->human_label);
	html_puts(o, "</td></tr>\n");
	return 0;
}

static int similar_row(const struct store_similar *s, void *ctx)
{
	struct web_out *o = ctx;

	html_puts(o, "<tr><td><a href=\"/bucket/");
	html_text(o, s->id);
	html_puts(o, "\"><code>");
	html_textn(o, s->id, strlen(s->id) > 12 ? 12 : strlen(s->id));
	html_printf(o, "</code></a></td><td class=\"n\">%u%%</td><td class=\"n\">%lld</td><td>", s->similarity,
		   (long long)s->cases);
	html_text(o, s->title);
	html_puts(o, "</td><td>");
	html_text(o, s->human_label);
	html_puts(o, "</td></tr>\n");
	return 0;
}

static int bucket_body(const struct store_bucket *b, void *ctx)
{
	struct web_ctx *c = ctx;
	struct web_out *o = &c->out;
	uint32_t days[SPARK_DAYS], i;
	char t1[32], t2[32], err[300], title[64];

	snprintf(title, sizeof title, "Bucket %.12s", b->id);
	head(c, title);
	html_puts(o, "<table><tr><th>header</th><td><code>");
	html_text(o, b->title && *b->title ? b->title : "(no report header)");
	html_puts(o, "</code></td></tr><tr><th>kind</th><td>");
	html_text(o, b->kind && *b->kind ? b->kind : "(none)");
	html_puts(o, "</td></tr><tr><th>frames</th><td><code>");
	html_text(o, b->frames && *b->frames ? b->frames : "(none)");
	html_puts(o, "</code>");
	if (b->module && *b->module) {
		html_puts(o, " [");
		html_text(o, b->module);
		html_puts(o, "]");
	}
	html_printf(o, "</td></tr><tr><th>cases</th><td>%lld from %lld machine%s on %lld kernel%s, first %s,"
		   " last %s UTC</td></tr><tr><th>last %u days</th><td>", (long long)b->cases, (long long)b->machines,
		   b->machines == 1 ? "" : "s", (long long)b->releases, b->releases == 1 ? "" : "s",
		   utc(b->first_us, t1), utc(b->last_us, t2), SPARK_DAYS);
	if (store_cases_per_day(c->db, b->id, c->now / 86400 - SPARK_DAYS + 1, SPARK_DAYS, days, err, sizeof err))
		goto fail;
	svg_sparkline(o, days, SPARK_DAYS);
	html_puts(o, "</td></tr><tr><th>predicted</th><td>");
	for (i = 0; i < b->nlabels; i++) {
		html_puts(o, i ? ", " : "");
		html_text(o, *b->labels[i].value ? b->labels[i].value : "nothing");
		html_printf(o, " &times;%lld", (long long)b->labels[i].n);
	}
	html_puts(o, "</td></tr><tr><th>label</th><td>");
	if (b->human_label) {
		html_puts(o, "<b>");
		html_text(o, b->human_label);
		html_printf(o, "</b>, %s UTC by ", utc(b->labelled_us, t1));
		html_text(o, b->labelled_by ? b->labelled_by : "?");
	} else {
		html_printf(o, "none yet (%lld unlabelled)", (long long)b->unlabelled);
	}
	html_puts(o, "</td></tr><tr><th>known problem</th><td>");
	if (b->cause) {
		html_puts(o, "<span class=\"known\">");
		html_text(o, b->cause);
		html_puts(o, "</span>");
		if (b->advice && *b->advice) {
			html_puts(o, "<br>advice: ");
			html_text(o, b->advice);
		}
		if (b->url && *b->url) {
			html_puts(o, "<br>see: ");
			if (web_url_ok(b->url)) {
				html_puts(o, "<a rel=\"noopener noreferrer\" href=\"");
				html_text(o, b->url);
				html_puts(o, "\">");
				html_text(o, b->url);
				html_puts(o, "</a>");
			} else {
				html_text(o, b->url);
			}
		}
		html_printf(o, "<br><small>resolved %s UTC by ", utc(b->resolved_us, t1));
		html_text(o, b->resolved_by ? b->resolved_by : "?");
		html_puts(o, "</small>");
	} else {
		html_puts(o, "no resolution");
	}
	html_puts(o, "</td></tr></table>\n<h2>Label and resolution</h2>");
	label_form(c, b, "bucket");
	resolve_form(c, b, "bucket");
	html_puts(o, "<h2>Machines</h2><table><tr><th>machine</th><th>cases</th></tr>");
	if (store_bucket_machines(c->db, b->id, 50, count_row, o, err, sizeof err))
		goto fail;
	html_puts(o, "</table><h2>Kernels</h2><table><tr><th>release</th><th>cases</th></tr>");
	for (i = 0; i < b->nkernels; i++)
		count_row(&b->kernels[i], o);
	html_puts(o, "</table>");
	if (store_best_case(c->db, b->id, best_case, c, err, sizeof err))
		return c->status == 500 ? 1 : (web_error(c, 500, err), 1);
	html_printf(o, "<h2>Cases, newest first (at most %u)</h2><table><tr><th>case</th><th>received (UTC)</th>"
		   "<th>machine</th><th>kernel</th><th>predicted</th><th>label</th></tr>\n", CASES_MAX);
	if (store_bucket_cases(c->db, b->id, CASES_MAX, case_row, o, err, sizeof err))
		goto fail;
	html_puts(o, "</table><h2>Similar buckets</h2><table><tr><th>bucket</th><th>similarity</th><th>cases</th>"
		 "<th>header</th><th>label</th></tr>\n");
	if (store_similar_buckets(c->db, b->id, 10, similar_row, o, err, sizeof err))
		goto fail;
	html_puts(o, "</table>");
	tail(c);
	return 0;
fail:
	web_error(c, 500, err);
	return 1;
}

static void page_bucket(struct web_ctx *c, const char *prefix)
{
	char id[PS_BUCKET_ID_LEN + 1], err[300];
	enum store_find r;

	if (*c->req->query) {
		web_error(c, 400, "this page takes no parameters");
		return;
	}
	r = store_find_bucket(c->db, prefix, id, err, sizeof err);
	if (r != STORE_FOUND) {
		web_error(c, find_status(r), err);
		return;
	}
	if (store_buckets(c->db, STORE_BUCKETS_ALL, id, 1, bucket_body, c, err, sizeof err) < 0)
		web_error(c, 500, err);
	else if (!c->out.len)
		web_error(c, 404, "the bucket is gone");
}

/* ---- taking a form ---- */

/* Whether a POST may change anything: a form of this site (Origin and
 * Sec-Fetch-Site when the browser sends them) with the session's CSRF
 * token (not for the login form, which has no session yet). */
static int post_ok(struct web_ctx *c, const char *const *keys, int need_csrf)
{
	const struct web_req *q = c->req;
	char v[WEB_HEX + 1];
	const char *ct = q->content_type;

	if (!ct || strncmp(ct, "application/x-www-form-urlencoded", 33) || (ct[33] && ct[33] != ';')) {
		web_error(c, 415, "forms are application/x-www-form-urlencoded");
		return 0;
	}
	if (q->fetch_site && strcmp(q->fetch_site, "same-origin")) {
		web_error(c, 403, "a form of another site (Sec-Fetch-Site) is refused");
		return 0;
	}
	if (q->origin) {
		size_t hn = q->host ? strlen(q->host) : 0;

		if (strncmp(q->origin, "https://", 8) || !hn || strcmp(q->origin + 8, q->host)) {
			web_error(c, 403, "a form from another origin is refused");
			return 0;
		}
	}
	if (web_form_check(c->body, c->body_len, keys)) {
		web_error(c, 400, "the form has fields it should not have, or a malformed one");
		return 0;
	}
	if (need_csrf && (web_form_get(c->body, c->body_len, "csrf", v, sizeof v) != WEB_HEX - 1 ||
			  !web_same(v, c->csrf))) {
		web_error(c, 403, "the form's CSRF token is missing or not this session's: reload the page");
		return 0;
	}
	return 1;
}

/* The form's bucket (16 hex digits, stored) into id; 0 or after an error page -1. */
static int form_bucket(struct web_ctx *c, char id[PS_BUCKET_ID_LEN + 1])
{
	char v[PS_BUCKET_ID_LEN + 2], err[300];
	enum store_find r;

	if (web_form_get(c->body, c->body_len, "bucket", v, sizeof v) != PS_BUCKET_ID_LEN) {
		web_error(c, 400, "bucket: a bucket id of 16 hex digits");
		return -1;
	}
	r = store_find_bucket(c->db, v, id, err, sizeof err);
	if (r != STORE_FOUND) {
		web_error(c, find_status(r), err);
		return -1;
	}
	return 0;
}

/* Who labels: the certificate's subject, else the form's "by" (checked),
 * else "web". */
static int form_by(struct web_ctx *c, char *by, size_t cap)
{
	int n;

	snprintf(by, cap, "%.128s", c->who);
	if (c->by_cert)
		return 0;
	n = web_form_get(c->body, c->body_len, "by", by, cap);
	if (n == -2 || (n > 0 && text_check_by(by) != NULL)) {
		web_error(c, 400, "by: a name of 1 to 128 characters without control characters");
		return -1;
	}
	if (n <= 0)
		snprintf(by, cap, "%.128s", c->who);
	return 0;
}

static void redirect_back(struct web_ctx *c, const char *id)
{
	char back[16];

	if (web_form_get(c->body, c->body_len, "back", back, sizeof back) >= 0 && !strcmp(back, "queue"))
		snprintf(c->location, sizeof c->location, "/queue");
	else
		snprintf(c->location, sizeof c->location, "/bucket/%s", id);
	html_free(&c->out);
	c->status = 303;
}

static void post_label(struct web_ctx *c)
{
	static const char *const keys[] = { "csrf", "bucket", "label", "back", "by", "set", NULL };
	char id[PS_BUCKET_ID_LEN + 1], label[64], by[TEXT_BY_MAX + 1], err[300], *old = NULL;
	int64_t n;
	int len, r;

	if (!post_ok(c, keys, 1) || form_bucket(c, id) || form_by(c, by, sizeof by))
		return;
	len = web_form_get(c->body, c->body_len, "label", label, sizeof label);
	if (len <= 0 || ps_taxonomy_index(label, (size_t)len) < 0) {
		web_error(c, 400, "label: one of the labels of TAXONOMY.md");
		return;
	}
	r = store_label_bucket(c->db, id, label, by, id, &n, &old, err, sizeof err);
	free(old);
	if (r != STORE_FOUND) {
		web_error(c, find_status(r), err);
		return;
	}
	redirect_back(c, id);
}

static void post_resolve(struct web_ctx *c)
{
	static const char *const keys[] = { "csrf", "bucket", "cause", "advice", "url", "back", "by", "set", "clear",
					    NULL };
	char id[PS_BUCKET_ID_LEN + 1], by[TEXT_BY_MAX + 1], err[300], flag[4];
	char cause[PS_FRAME_MAX_CAUSE + 1], advice[PS_FRAME_MAX_ADVICE + 1], url[PS_FRAME_MAX_URL + 1];
	int clear, r;

	if (!post_ok(c, keys, 1) || form_bucket(c, id) || form_by(c, by, sizeof by))
		return;
	clear = web_form_get(c->body, c->body_len, "clear", flag, sizeof flag) >= 0;
	if (clear) {
		r = store_resolve_bucket(c->db, id, NULL, NULL, NULL, NULL, id, err, sizeof err);
		if (r != STORE_FOUND)
			web_error(c, find_status(r), err);
		else
			redirect_back(c, id);
		return;
	}
	if (web_form_get(c->body, c->body_len, "cause", cause, sizeof cause) <= 0 || text_check(cause, PS_FRAME_MAX_CAUSE, 0)) {
		web_error(c, 400, "cause: a text of 1 to 256 bytes of UTF-8 without control characters");
		return;
	}
	if (web_form_get(c->body, c->body_len, "advice", advice, sizeof advice) == -2 ||
	    text_check(advice, PS_FRAME_MAX_ADVICE, 0)) {
		web_error(c, 400, "advice: a text of at most 512 bytes of UTF-8 without control characters");
		return;
	}
	if (web_form_get(c->body, c->body_len, "url", url, sizeof url) == -2 ||
	    (*url && (text_check(url, PS_FRAME_MAX_URL, 1) || !web_url_ok(url)))) {
		web_error(c, 400, "url: an http:// or https:// URL of at most 256 bytes without spaces or quotes");
		return;
	}
	r = store_resolve_bucket(c->db, id, cause, advice, url, by, id, err, sizeof err);
	if (r != STORE_FOUND) {
		web_error(c, find_status(r), err);
		return;
	}
	redirect_back(c, id);
}

static void post_login(struct web_ctx *c)
{
	static const char *const keys[] = { "token", NULL };
	char token[WEB_TOKEN_MAX + 2];

	if (!c->auth->token_len) {
		login_page(c, 403, "this server takes client certificates only");
		return;
	}
	if (!post_ok(c, keys, 0))
		return;
	if (web_form_get(c->body, c->body_len, "token", token, sizeof token) < 0 || !web_token_ok(c->auth, token)) {
		login_page(c, 403, "wrong token");
		return;
	}
	if (web_session_make(c->auth, c->now, c->cookie, sizeof c->cookie)) {
		web_error(c, 500, "cannot make a session");
		return;
	}
	snprintf(c->location, sizeof c->location, "/");
	html_free(&c->out);
	c->status = 303;
}

static void post_logout(struct web_ctx *c)
{
	static const char *const keys[] = { "csrf", NULL };

	if (!post_ok(c, keys, 1))
		return;
	snprintf(c->cookie, sizeof c->cookie, "-");   /* web.c: expire it */
	snprintf(c->location, sizeof c->location, "/");
	html_free(&c->out);
	c->status = 303;
}

void web_route(struct web_ctx *c)
{
	const char *p = c->req->path;
	int post = c->req->method == WEB_POST;

	c->status = 200;
	if (!c->authed) {
		if (post && !strcmp(p, "/login"))
			post_login(c);
		else
			login_page(c, 401, "Sign in: this page needs a client certificate of the collector's CA or"
				   " the operator's token.");
		return;
	}
	if (!strcmp(p, "/") || !strcmp(p, "/queue") || !strncmp(p, "/bucket/", 8)) {
		if (post)
			web_error(c, 405, "this page is read with GET");
		else if (!strcmp(p, "/"))
			page_index(c);
		else if (!strcmp(p, "/queue"))
			page_queue(c);
		else
			page_bucket(c, p + 8);
		return;
	}
	if (!strcmp(p, "/label") || !strcmp(p, "/resolve") || !strcmp(p, "/login") || !strcmp(p, "/logout")) {
		if (!post)
			web_error(c, 405, "forms are sent with POST");
		else if (!strcmp(p, "/label"))
			post_label(c);
		else if (!strcmp(p, "/resolve"))
			post_resolve(c);
		else if (!strcmp(p, "/login"))
			post_login(c);
		else
			post_logout(c);
		return;
	}
	web_error(c, 404, "no such page");
}
