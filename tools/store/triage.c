/* What the triage web page (panicsage web, tools/collector/web*.c) reads
 * and writes: cases per day, a bucket's machines, its best case with its
 * segment and summary, similar buckets; labels and resolutions in their
 * own write transaction, through the same store_label_bucket and
 * store_resolve_bucket as `panicsage label`.
 *
 * Every statement lives here, behind functions (store.h). */
#include "tools/store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(sqlite3 *db, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(db));
	return -1;
}

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

int store_cases_per_day(sqlite3 *db, const char *bucket, int64_t first, uint32_t ndays, uint32_t *counts,
			char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	memset(counts, 0, ndays * sizeof *counts);
	if (sqlite3_prepare_v2(db, "SELECT received_us / 86400000000 AS d, count(*) FROM cases"
			       " WHERE (?1 IS NULL OR bucket = ?1) AND received_us >= ?2 * 86400000000"
			       " AND received_us < (?2 + ?3) * 86400000000 GROUP BY d", -1, &st, NULL) != SQLITE_OK)
		return fail(db, "counting cases per day", err, errlen);
	if (bucket)
		sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_int64(st, 2, first);
	sqlite3_bind_int64(st, 3, ndays);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t d = sqlite3_column_int64(st, 0) - first;

		if (d >= 0 && d < (int64_t)ndays)
			counts[d] = (uint32_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : fail(db, "counting cases per day", err, errlen);
}

int store_daily_labels(sqlite3 *db, int64_t first, uint32_t ndays,
		       int (*fn)(int64_t day, const char *label, int64_t n, void *ctx), void *ctx, char *err,
		       size_t errlen)
{
	sqlite3_stmt *st;
	int rc, ret = 0;

	if (sqlite3_prepare_v2(db, "SELECT received_us / 86400000000 AS d,"
			       " CASE WHEN COALESCE(human_label, '') != '' THEN human_label ELSE label END AS l,"
			       " count(*) FROM cases WHERE received_us >= ?1 * 86400000000"
			       " AND received_us < (?1 + ?2) * 86400000000 GROUP BY d, l ORDER BY d, l", -1, &st,
			       NULL) != SQLITE_OK)
		return fail(db, "counting cases per day and label", err, errlen);
	sqlite3_bind_int64(st, 1, first);
	sqlite3_bind_int64(st, 2, ndays);
	while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW)
		ret = fn(sqlite3_column_int64(st, 0), col(st, 1) ? col(st, 1) : "", sqlite3_column_int64(st, 2), ctx);
	sqlite3_finalize(st);
	if (!ret && rc != SQLITE_DONE)
		return fail(db, "counting cases per day and label", err, errlen);
	return ret;
}

int store_bucket_machines(sqlite3 *db, const char *id, uint32_t limit,
			  int (*fn)(const struct store_count *c, void *ctx), void *ctx, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc, ret = 0;

	if (sqlite3_prepare_v2(db, "SELECT machine, count(*) FROM cases WHERE bucket = ?1"
			       " GROUP BY machine ORDER BY 2 DESC, 1 LIMIT ?2", -1, &st, NULL) != SQLITE_OK)
		return fail(db, "listing the bucket's machines", err, errlen);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, limit ? (sqlite3_int64)limit : -1);
	while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_count c = { col(st, 0) ? col(st, 0) : "", sqlite3_column_int64(st, 1) };

		ret = fn(&c, ctx);
	}
	sqlite3_finalize(st);
	if (!ret && rc != SQLITE_DONE)
		return fail(db, "listing the bucket's machines", err, errlen);
	return ret;
}

int store_best_case(sqlite3 *db, const char *bucket, int (*fn)(const struct store_case_view *c, void *ctx),
		    void *ctx, char *err, size_t errlen)
{
	static const char sql[] =
		"SELECT id, received_us, machine, release, label, confidence, human_label, summary_source,"
		" CASE WHEN json_valid(summary) THEN json_extract(summary, '$.summary') END,"
		" CASE WHEN json_valid(summary) THEN json_extract(summary, '$.label') END,"
		" CASE WHEN json_valid(summary) THEN json_extract(summary, '$.reasoning') END"
		" FROM cases WHERE bucket = ?1 ORDER BY confidence DESC, received_us DESC, id LIMIT 1";
	sqlite3_stmt *st;
	int rc, ret = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return fail(db, "reading the bucket's best case", err, errlen);
	sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && col(st, 0)) {
		struct store_case_view c;

		memset(&c, 0, sizeof c);
		c.id = col(st, 0);
		c.received_us = sqlite3_column_int64(st, 1);
		c.machine = col(st, 2);
		c.release = col(st, 3);
		c.label = col(st, 4) && *col(st, 4) ? col(st, 4) : NULL;
		c.confidence = sqlite3_column_double(st, 5);
		c.human_label = col(st, 6) && *col(st, 6) ? col(st, 6) : NULL;
		c.summary_source = col(st, 7);
		c.summary = col(st, 8);
		c.summary_label = col(st, 9) && *col(st, 9) ? col(st, 9) : NULL;
		c.reasoning = col(st, 10) && *col(st, 10) ? col(st, 10) : NULL;
		ret = fn(&c, ctx);
	}
	sqlite3_finalize(st);
	if (!ret && rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(db, "reading the bucket's best case", err, errlen);
	return ret;
}

int store_case_segment(sqlite3 *db, const char *case_id, int (*fn)(const struct store_seg_line *l, void *ctx),
		       void *ctx, char *err, size_t errlen)
{
	static const char sql[] =
		"WITH r AS (SELECT report AS j FROM cases WHERE id = ?1 AND json_valid(report))"
		" SELECT json_extract(s.value, '$.line'), " STORE_LOG_LINE_SQL("s.value") ","
		"  (SELECT max(json_extract(c.value, '$.score')) FROM json_each(r.j, '$.culprits') c"
		"   WHERE c.type = 'object' AND json_type(c.value, '$.line') = 'integer'"
		"   AND json_extract(c.value, '$.line') = json_extract(s.value, '$.line'))"
		" FROM r, json_each(r.j, '$.segment') s WHERE s.type = 'object' ORDER BY s.key";
	sqlite3_stmt *st;
	int rc, ret = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return fail(db, "reading the case's segment", err, errlen);
	sqlite3_bind_text(st, 1, case_id, -1, SQLITE_STATIC);
	while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_seg_line l;

		l.line = sqlite3_column_type(st, 0) == SQLITE_INTEGER ? sqlite3_column_int64(st, 0) : -1;
		l.text = col(st, 1) ? col(st, 1) : "";
		l.culprit = sqlite3_column_type(st, 2) != SQLITE_NULL;
		l.score = sqlite3_column_double(st, 2);
		ret = fn(&l, ctx);
	}
	sqlite3_finalize(st);
	if (!ret && rc != SQLITE_DONE)
		return fail(db, "reading the case's segment", err, errlen);
	return ret;
}

int store_case_clues(sqlite3 *db, const char *case_id, int (*fn)(const char *clue, void *ctx), void *ctx,
		     char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc, ret = 0;

	if (sqlite3_prepare_v2(db, "SELECT c.value FROM cases, json_each(cases.summary, '$.clues') c"
			       " WHERE cases.id = ?1 AND json_valid(cases.summary) AND c.type = 'text'"
			       " ORDER BY c.key", -1, &st, NULL) != SQLITE_OK)
		return fail(db, "reading the summary's clues", err, errlen);
	sqlite3_bind_text(st, 1, case_id, -1, SQLITE_STATIC);
	while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW)
		ret = fn(col(st, 0) ? col(st, 0) : "", ctx);
	sqlite3_finalize(st);
	if (!ret && rc != SQLITE_DONE)
		return fail(db, "reading the summary's clues", err, errlen);
	return ret;
}

/* A bucket's signature from its row (columns kind, title, module, frames from i). */
static void row_sig(sqlite3_stmt *st, int i, struct ps_bucket_sig *s)
{
	const char *f = col(st, i + 3) ? col(st, i + 3) : "";

	memset(s, 0, sizeof *s);
	snprintf(s->kind, sizeof s->kind, "%s", col(st, i) ? col(st, i) : "");
	snprintf(s->title, sizeof s->title, "%s", col(st, i + 1) ? col(st, i + 1) : "");
	snprintf(s->module, sizeof s->module, "%s", col(st, i + 2) ? col(st, i + 2) : "");
	ps_bucket_set_frames(s, f, strlen(f));
}

int store_similar_buckets(sqlite3 *db, const char *id, uint32_t limit,
			  int (*fn)(const struct store_similar *s, void *ctx), void *ctx, char *err, size_t errlen)
{
	struct sim_row {
		char *id, *title, *label;
		int64_t cases;
		unsigned sim;
	} *v = NULL;
	struct ps_bucket_sig me, other;
	sqlite3_stmt *st;
	uint32_t n = 0, cap = 0, i, j;
	int rc, ret = 0;

	if (sqlite3_prepare_v2(db, "SELECT kind, title, module, frames FROM buckets WHERE id = ?1", -1, &st,
			       NULL) != SQLITE_OK)
		return fail(db, "reading the bucket", err, errlen);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		row_sig(st, 0, &me);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return fail(db, "reading the bucket", err, errlen);
	/* the same kind, or the same first frame: then by shared frames */
	if (sqlite3_prepare_v2(db, "SELECT id, kind, title, module, frames, cases, human_label FROM buckets"
			       " WHERE id != ?1 AND (kind = ?2 OR (?3 != '' AND (frames = ?3 OR frames LIKE ?3 || ' %')))",
			       -1, &st, NULL) != SQLITE_OK)
		return fail(db, "looking for similar buckets", err, errlen);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, me.kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, me.nframes ? me.frames[0] : "", -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		unsigned sim;

		row_sig(st, 1, &other);
		sim = ps_bucket_frame_similarity(&me, &other);
		if (!strcmp(me.title, other.title) && sim < 100)
			sim = sim / 2 + 50;          /* the same header counts half */
		if (sim == 0 || !col(st, 0))
			continue;
		if (n == cap) {
			struct sim_row *w = realloc(v, (cap = cap ? 2 * cap : 16) * sizeof *v);

			if (!w)
				break;
			v = w;
		}
		v[n].id = sqlite3_mprintf("%s", col(st, 0));
		v[n].title = sqlite3_mprintf("%s", col(st, 2) ? col(st, 2) : "");
		v[n].label = col(st, 6) && *col(st, 6) ? sqlite3_mprintf("%s", col(st, 6)) : NULL;
		v[n].cases = sqlite3_column_int64(st, 5);
		v[n].sim = sim;
		if (!v[n].id || !v[n].title) {
			sqlite3_free(v[n].id);
			sqlite3_free(v[n].title);
			sqlite3_free(v[n].label);
			break;
		}
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		ret = rc == SQLITE_ROW ? (snprintf(err, errlen, "no memory for similar buckets"), -1)
				       : fail(db, "looking for similar buckets", err, errlen);
	/* most similar first, then more cases, then the id: insertion sort */
	for (i = 1; i < n; i++)
		for (j = i; j > 0; j--) {
			struct sim_row *a = &v[j - 1], *b = &v[j], t;

			if (a->sim > b->sim || (a->sim == b->sim &&
			    (a->cases > b->cases || (a->cases == b->cases && strcmp(a->id, b->id) < 0))))
				break;
			t = *a;
			*a = *b;
			*b = t;
		}
	for (i = 0; !ret && i < n && (!limit || i < limit); i++) {
		struct store_similar s = { v[i].id, v[i].title, v[i].label, v[i].cases, v[i].sim };

		ret = fn(&s, ctx);
	}
	for (i = 0; i < n; i++) {
		sqlite3_free(v[i].id);
		sqlite3_free(v[i].title);
		sqlite3_free(v[i].label);
	}
	free(v);
	return ret;
}

/* ---- writes, each one IMMEDIATE transaction ---- */

static int begin(sqlite3 *db, char *err, size_t errlen)
{
	return sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK ? 0
		: fail(db, "starting the write transaction", err, errlen);
}

static int commit(sqlite3 *db, int rc, char *err, size_t errlen)
{
	if (rc == 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = fail(db, "committing", err, errlen);
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int store_set_bucket_label(sqlite3 *db, const char *id, const char *label, const char *by, int64_t *cases,
			   char *err, size_t errlen)
{
	char *old = NULL;
	int rc;

	if (begin(db, err, errlen))
		return -1;
	rc = store_label_bucket(db, id, label, by, cases, &old, err, errlen);
	sqlite3_free(old);
	return commit(db, rc, err, errlen);
}

int store_set_bucket_resolution(sqlite3 *db, const char *id, const char *cause, const char *advice,
				const char *url, const char *by, char *err, size_t errlen)
{
	if (begin(db, err, errlen))
		return -1;
	return commit(db, store_resolve_bucket(db, id, cause, advice, url, by, err, errlen), err, errlen);
}
