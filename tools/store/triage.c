/* What the triage web page (panicsage web, tools/collector/web*.c) reads:
 * cases per day, a bucket's machines, its best case with its segment and
 * summary, similar buckets.  Its forms write through store_label_bucket
 * and store_resolve_bucket, as `panicsage label` does.
 *
 * Queries on the store are portable SQL (sql.h); a report's or summary's
 * JSON is read through json.c's views and store_json_get. */
#include "tools/store/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int store_cases_per_day(struct store *st, const char *bucket, int64_t first, uint32_t ndays, uint32_t *counts,
			char *err, size_t errlen)
{
	struct sql_stmt *s;
	int rc, ret = 0;

	memset(counts, 0, ndays * sizeof *counts);
	STORE_LOCK(st);
	if (sql_prepare(DB(st), "SELECT received_us / 86400000000 AS d, count(*) FROM cases"
			" WHERE (bucket = ?1 OR ?4 = 1) AND received_us >= ?2 AND received_us < ?3 GROUP BY d", &s)) {
		ret = store_fail(DB(st), "counting cases per day", err, errlen);
		STORE_UNLOCK(st);
		return ret;
	}
	sql_bind_text(s, 1, bucket ? bucket : "");
	sql_bind_int64(s, 2, first * STORE_DAY_US);
	sql_bind_int64(s, 3, (first + (int64_t)ndays) * STORE_DAY_US);
	sql_bind_int64(s, 4, bucket == NULL);
	while ((rc = sql_step(s)) == SQL_ROW) {
		int64_t d = sql_int64(s, 0) - first;

		if (d >= 0 && d < (int64_t)ndays)
			counts[d] = (uint32_t)sql_int64(s, 1);
	}
	if (rc != SQL_DONE)
		ret = store_fail(DB(st), "counting cases per day", err, errlen);
	sql_finalize(s);
	STORE_UNLOCK(st);
	return ret;
}

int store_daily_labels(struct store *st, int64_t first, uint32_t ndays,
		       int (*fn)(int64_t day, const char *label, int64_t n, void *ctx), void *ctx, char *err,
		       size_t errlen)
{
	struct sql_stmt *s;
	int rc, ret = 0;

	STORE_LOCK(st);
	if (sql_prepare(DB(st), "SELECT received_us / 86400000000 AS d,"
			" CASE WHEN COALESCE(human_label, '') != '' THEN human_label ELSE label END AS l,"
			" count(*) FROM cases WHERE received_us >= ?1 AND received_us < ?2"
			" GROUP BY d, l ORDER BY d, l", &s)) {
		ret = store_fail(DB(st), "counting cases per day and label", err, errlen);
		STORE_UNLOCK(st);
		return ret;
	}
	sql_bind_int64(s, 1, first * STORE_DAY_US);
	sql_bind_int64(s, 2, (first + (int64_t)ndays) * STORE_DAY_US);
	while (!ret && (rc = sql_step(s)) == SQL_ROW)
		ret = fn(sql_int64(s, 0), sql_text(s, 1) ? sql_text(s, 1) : "", sql_int64(s, 2), ctx);
	if (!ret && rc != SQL_DONE)
		ret = store_fail(DB(st), "counting cases per day and label", err, errlen);
	sql_finalize(s);
	STORE_UNLOCK(st);
	return ret;
}

int store_bucket_machines(struct store *st, const char *id, uint32_t limit,
			  int (*fn)(const struct store_count *c, void *ctx), void *ctx, char *err, size_t errlen)
{
	struct sql_stmt *s;
	int rc, ret = 0;

	STORE_LOCK(st);
	if (sql_prepare(DB(st), "SELECT machine, count(*) FROM cases WHERE bucket = ?1"
			" GROUP BY machine ORDER BY 2 DESC, 1 LIMIT ?2", &s)) {
		ret = store_fail(DB(st), "listing the bucket's machines", err, errlen);
		STORE_UNLOCK(st);
		return ret;
	}
	sql_bind_text(s, 1, id);
	sql_bind_int64(s, 2, limit ? (int64_t)limit : INT64_MAX);
	while (!ret && (rc = sql_step(s)) == SQL_ROW) {
		struct store_count c = { sql_text(s, 0) ? sql_text(s, 0) : "", sql_int64(s, 1) };

		ret = fn(&c, ctx);
	}
	if (!ret && rc != SQL_DONE)
		ret = store_fail(DB(st), "listing the bucket's machines", err, errlen);
	sql_finalize(s);
	STORE_UNLOCK(st);
	return ret;
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

int store_best_case(struct store *st, const char *bucket, int (*fn)(const struct store_case_view *c, void *ctx),
		    void *ctx, char *err, size_t errlen)
{
	struct sql_stmt *s;
	int rc, ret = 0;

	STORE_LOCK(st);
	if (sql_prepare(DB(st), "SELECT id, received_us, machine, release, label, confidence, human_label,"
			" summary_source, summary FROM cases WHERE bucket = ?1"
			" ORDER BY confidence DESC, received_us DESC, id LIMIT 1", &s)) {
		ret = store_fail(DB(st), "reading the bucket's best case", err, errlen);
		STORE_UNLOCK(st);
		return ret;
	}
	sql_bind_text(s, 1, bucket);
	rc = sql_step(s);
	if (rc == SQL_ROW && sql_text(s, 0)) {
		struct store_case_view c;
		const char *sum = sql_text(s, 8);
		char *gist = sum ? store_json_get(sum, "$.summary") : NULL;
		char *label = sum ? store_json_get(sum, "$.label") : NULL;
		char *why = sum ? store_json_get(sum, "$.reasoning") : NULL;

		memset(&c, 0, sizeof c);
		c.id = sql_text(s, 0);
		c.received_us = sql_int64(s, 1);
		c.machine = sql_text(s, 2);
		c.release = sql_text(s, 3);
		c.label = nonempty(sql_text(s, 4));
		c.confidence = sql_double(s, 5);
		c.human_label = nonempty(sql_text(s, 6));
		c.summary_source = sql_text(s, 7);
		c.summary = gist;
		c.summary_label = nonempty(label);
		c.reasoning = nonempty(why);
		ret = fn(&c, ctx);
		free(gist);
		free(label);
		free(why);
	} else if (rc != SQL_ROW && rc != SQL_DONE) {
		ret = store_fail(DB(st), "reading the bucket's best case", err, errlen);
	}
	sql_finalize(s);
	STORE_UNLOCK(st);
	return ret;
}

/* Column `col` (report or summary) of case `id`, malloc'ed into *out
 * (NULL when none).  0 or -1. */
static int case_text(struct store *st, const char *id, const char *col, char **out, char *err, size_t errlen)
{
	struct sql_stmt *s;
	char sql[80];
	int rc;

	*out = NULL;
	snprintf(sql, sizeof sql, "SELECT %s FROM cases WHERE id = ?1", col);
	if (sql_prepare(DB(st), sql, &s))
		return store_fail(DB(st), "reading the case", err, errlen);
	sql_bind_text(s, 1, id);
	rc = sql_step(s);
	if (rc == SQL_ROW && sql_text(s, 0) && !(*out = strdup(sql_text(s, 0))))
		rc = SQL_ERROR;
	sql_finalize(s);
	if (rc != SQL_ROW && rc != SQL_DONE) {
		snprintf(err, errlen, "reading the case: %s", sql_errmsg(DB(st)));
		return -1;
	}
	return 0;
}

/* A view line "%6s  ..." (json.c): its line number (-1 for "-") and
 * where the rest starts, after the two spaces. */
static const char *view_line(const char *line, int64_t *no)
{
	char *end;

	while (*line == ' ')
		line++;
	*no = *line >= '0' && *line <= '9' ? strtoll(line, &end, 10) : -1;
	if (*no < 0)
		end = strchr(line, ' ');
	if (!end || strncmp(end, "  ", 2))
		return NULL;
	return end + 2;
}

struct culprits {
	int64_t *line;
	double *score;
	size_t n, cap;
};

static int culprit_line(const char *line, void *ctx)
{
	struct culprits *c = ctx;
	int64_t no;
	const char *rest = view_line(line, &no);

	if (!rest || no < 0)
		return 0;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		int64_t *l = realloc(c->line, cap * sizeof *l);
		double *s = l ? realloc(c->score, cap * sizeof *s) : NULL;

		if (l)
			c->line = l;
		if (!s)
			return -1;
		c->score = s;
		c->cap = cap;
	}
	c->line[c->n] = no;
	c->score[c->n++] = strtod(rest, NULL);
	return 0;
}

struct segment {
	const struct culprits *c;
	int (*fn)(const struct store_seg_line *l, void *ctx);
	void *ctx;
};

static int segment_line(const char *line, void *ctx)
{
	struct segment *g = ctx;
	struct store_seg_line l;
	size_t i;

	memset(&l, 0, sizeof l);
	l.text = view_line(line, &l.line);
	if (!l.text)
		l.text = line;
	for (i = 0; l.line >= 0 && i < g->c->n; i++)
		if (g->c->line[i] == l.line && (!l.culprit || g->c->score[i] > l.score)) {
			l.culprit = 1;
			l.score = g->c->score[i];
		}
	return g->fn(&l, g->ctx);
}

int store_case_segment(struct store *st, const char *case_id, int (*fn)(const struct store_seg_line *l, void *ctx),
		       void *ctx, char *err, size_t errlen)
{
	struct culprits c = { NULL, NULL, 0, 0 };
	struct segment g = { &c, fn, ctx };
	char *report;
	int ret;

	STORE_LOCK(st);
	ret = case_text(st, case_id, "report", &report, err, errlen);
	STORE_UNLOCK(st);
	if (ret || !report || store_json_valid(report) != 2) {
		free(report);
		return ret;
	}
	ret = store_json_lines(STORE_VIEW_CULPRITS, report, culprit_line, &c, err, errlen);
	if (ret > 0)
		ret = (snprintf(err, errlen, "no memory for the culprit lines"), -1);
	if (!ret)
		ret = store_json_lines(STORE_VIEW_SEGMENT, report, segment_line, &g, err, errlen);
	free(c.line);
	free(c.score);
	free(report);
	return ret;
}

int store_case_clues(struct store *st, const char *case_id, int (*fn)(const char *clue, void *ctx), void *ctx,
		     char *err, size_t errlen)
{
	char *summary;
	int ret;

	STORE_LOCK(st);
	ret = case_text(st, case_id, "summary", &summary, err, errlen);
	STORE_UNLOCK(st);
	if (!ret && summary && store_json_valid(summary) == 2)
		ret = store_json_lines(STORE_VIEW_CLUES, summary, fn, ctx, err, errlen);
	free(summary);
	return ret;
}

/* A bucket's signature from its row (columns kind, title, module, frames from i). */
static void row_sig(struct sql_stmt *s, int i, struct ps_bucket_sig *sig)
{
	const char *f = sql_text(s, i + 3) ? sql_text(s, i + 3) : "";

	memset(sig, 0, sizeof *sig);
	snprintf(sig->kind, sizeof sig->kind, "%s", sql_text(s, i) ? sql_text(s, i) : "");
	snprintf(sig->title, sizeof sig->title, "%s", sql_text(s, i + 1) ? sql_text(s, i + 1) : "");
	snprintf(sig->module, sizeof sig->module, "%s", sql_text(s, i + 2) ? sql_text(s, i + 2) : "");
	ps_bucket_set_frames(sig, f, strlen(f));
}

struct sim_row {
	char *id, *title, *label;
	int64_t cases;
	unsigned sim;
};

/* Most similar first, then more cases, then the id. */
static int sim_cmp(const void *pa, const void *pb)
{
	const struct sim_row *a = pa, *b = pb;

	if (a->sim != b->sim)
		return a->sim > b->sim ? -1 : 1;
	if (a->cases != b->cases)
		return a->cases > b->cases ? -1 : 1;
	return strcmp(a->id, b->id);
}

/* The candidates of bucket `id` (signature me) into *v, *n; 0 or -1. */
static int similar_rows(struct store *st, const char *id, const struct ps_bucket_sig *me, struct sim_row **v,
			size_t *n, char *err, size_t errlen)
{
	struct sql_stmt *s;
	struct ps_bucket_sig other;
	size_t cap = 0;
	int rc;

	/* the same kind, or the same first frame: then by shared frames */
	if (sql_prepare(DB(st), "SELECT id, kind, title, module, frames, cases, human_label FROM buckets"
			" WHERE id != ?1 AND (kind = ?2 OR (?3 != '' AND (frames = ?3 OR frames LIKE ?4)))", &s))
		return store_fail(DB(st), "looking for similar buckets", err, errlen);
	{
		char like[PS_BUCKET_SYM + 4];

		snprintf(like, sizeof like, "%s %%", me->nframes ? me->frames[0] : "");
		sql_bind_text(s, 1, id);
		sql_bind_text(s, 2, me->kind);
		sql_bind_text(s, 3, me->nframes ? me->frames[0] : "");
		sql_bind_text(s, 4, like);
	}
	while ((rc = sql_step(s)) == SQL_ROW) {
		unsigned sim;

		row_sig(s, 1, &other);
		sim = ps_bucket_frame_similarity(me, &other);   /* 0 when neither has frames */
		if (!strcmp(me->title, other.title) && sim < 100)
			sim = sim / 2 + 50;          /* the same header counts half */
		if (sim == 0 || !sql_text(s, 0))
			continue;
		if (*n == cap) {
			struct sim_row *w = realloc(*v, (cap = cap ? 2 * cap : 16) * sizeof *w);

			if (!w)
				break;
			*v = w;
		}
		(*v)[*n].id = strdup(sql_text(s, 0));
		(*v)[*n].title = strdup(sql_text(s, 2) ? sql_text(s, 2) : "");
		(*v)[*n].label = nonempty(sql_text(s, 6)) ? strdup(sql_text(s, 6)) : NULL;
		(*v)[*n].cases = sql_int64(s, 5);
		(*v)[*n].sim = sim;
		(*n)++;
		if (!(*v)[*n - 1].id || !(*v)[*n - 1].title)
			break;
	}
	sql_finalize(s);
	if (rc == SQL_DONE)
		return 0;
	if (rc == SQL_ROW)
		return (snprintf(err, errlen, "no memory for similar buckets"), -1);
	return store_fail(DB(st), "looking for similar buckets", err, errlen);
}

int store_similar_buckets(struct store *st, const char *id, uint32_t limit,
			  int (*fn)(const struct store_similar *s, void *ctx), void *ctx, char *err, size_t errlen)
{
	struct sim_row *v = NULL;
	struct ps_bucket_sig me;
	struct sql_stmt *s;
	size_t n = 0, i;
	int rc, ret = 0;

	STORE_LOCK(st);
	if (sql_prepare(DB(st), "SELECT kind, title, module, frames FROM buckets WHERE id = ?1", &s)) {
		ret = store_fail(DB(st), "reading the bucket", err, errlen);
		STORE_UNLOCK(st);
		return ret;
	}
	sql_bind_text(s, 1, id);
	rc = sql_step(s);
	if (rc == SQL_ROW)
		row_sig(s, 0, &me);
	else if (rc != SQL_DONE)
		ret = store_fail(DB(st), "reading the bucket", err, errlen);
	sql_finalize(s);
	if (rc == SQL_ROW)
		ret = similar_rows(st, id, &me, &v, &n, err, errlen);
	STORE_UNLOCK(st);
	if (!ret && n)
		qsort(v, n, sizeof *v, sim_cmp);
	for (i = 0; !ret && i < n && (!limit || i < limit); i++) {
		struct store_similar x = { v[i].id, v[i].title, v[i].label, v[i].cases, v[i].sim };

		ret = fn(&x, ctx);
	}
	for (i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].title);
		free(v[i].label);
	}
	free(v);
	return ret;
}
