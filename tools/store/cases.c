/* Cases for people and programs: the labelling queue of cases, one case
 * in full, a person's label, summaries, the labelled cases training
 * reads.  The queries on the store are portable SQL; what comes from a
 * report's or a summary's JSON is read on the store's in-memory SQLite
 * database (JS(st)), so both backends give the same text. */
#include "tools/store/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "port/port.h"

/* Binds column `i` of row `r` to parameter `p` of `s`: NULL as NULL,
 * else as an integer, a double or text. */
static void bind_col_int(struct sql_stmt *s, int p, struct sql_stmt *r, int i)
{
	if (sql_is_null(r, i))
		sql_bind_null(s, p);
	else
		sql_bind_int64(s, p, sql_int64(r, i));
}

static void bind_col_double(struct sql_stmt *s, int p, struct sql_stmt *r, int i)
{
	if (sql_is_null(r, i))
		sql_bind_null(s, p);
	else
		sql_bind_double(s, p, sql_double(r, i));
}

/* ---- the queue of cases ---- */

int store_unlabelled(struct store *st, uint32_t limit, int (*fn)(const struct store_case_brief *c, void *ctx),
		     void *ctx, char *err, size_t errlen)
{
	static const char rows[] =
		"SELECT id, received_us, machine, release, label, confidence, summary_source, report, summary,"
		" entropy FROM cases WHERE COALESCE(human_label, '') = ''"
		" ORDER BY CASE WHEN entropy IS NULL THEN 0 ELSE 1 END, entropy DESC, received_us, id LIMIT ?1";
	static const char view[] =
		"WITH c AS (SELECT CASE WHEN json_valid(?3) THEN ?3 END AS r,"
		"  CASE WHEN json_valid(?4) THEN json_extract(?4,'$.summary') END AS gist,"
		"  strftime('%Y-%m-%dT%H:%M:%SZ', ?2 / 1000000, 'unixepoch') AS received),"
		" e AS (SELECT *, COALESCE(json_extract(r,'$.culprits[0].text'),"
		"  json_extract(r,'$.segment[0].text')) AS crash FROM c)"
		" SELECT substr(?1,1,12), received, crash, gist,"
		"  json_object('id', ?1, 'short_id', substr(?1,1,12), 'received', received,"
		"   'received_us', ?2, 'machine', ?5, 'release', ?6,"
		"   'label', NULLIF(?7,''), 'confidence', CASE WHEN ?7 != '' THEN ?8 END,"
		"   'entropy', ?9, 'crash', crash, 'summary', gist, 'summary_source', ?10)"
		" FROM e";
	struct sql *db;
	struct sql_stmt *s = NULL, *v = NULL;
	int64_t total = 0;
	int rc, ret = 0;

	STORE_LOCK(st);
	db = DB(st);
	if (sql_first(db, "SELECT count(*) FROM cases WHERE COALESCE(human_label, '') = ''", NULL, 0, &s) != SQL_ROW)
		goto fail;
	total = sql_int64(s, 0);
	sql_finalize(s);
	if (sql_prepare_args(db, rows, SQL_ARGS(SQL_INT(limit ? (int64_t)limit : INT64_MAX)), &s))
		goto fail;
	while (!ret && (rc = sql_step(s)) == SQL_ROW) {
		struct store_case_brief c;

		if (sql_prepare(JS(st), view, &v)) {
			ret = store_fail(JS(st), "listing the cases", err, errlen);
			break;
		}
		sql_bind_text(v, 1, sql_text(s, 0));
		bind_col_int(v, 2, s, 1);
		sql_bind_text(v, 3, sql_text(s, 7));
		sql_bind_text(v, 4, sql_text(s, 8));
		sql_bind_text(v, 5, sql_text(s, 2));
		sql_bind_text(v, 6, sql_text(s, 3));
		sql_bind_text(v, 7, sql_text(s, 4));
		bind_col_double(v, 8, s, 5);
		bind_col_double(v, 9, s, 9);
		sql_bind_text(v, 10, sql_text(s, 6));
		if (sql_step(v) != SQL_ROW) {
			ret = store_fail(JS(st), "listing the cases", err, errlen);
			break;
		}
		memset(&c, 0, sizeof c);
		c.short_id = sql_text(v, 0);
		c.received = sql_text(v, 1);
		c.machine = sql_text(s, 2);
		c.release = sql_text(s, 3);
		c.label = sql_text(s, 4) ? sql_text(s, 4) : "";
		c.confidence = sql_double(s, 5);
		c.has_entropy = !sql_is_null(s, 9);
		c.entropy = sql_double(s, 9);
		c.crash = sql_text(v, 2);
		c.gist = sql_text(v, 3);
		c.json = sql_text(v, 4);
		c.total = total;
		ret = fn(&c, ctx);
		sql_finalize(v);
		v = NULL;
	}
	if (!ret && rc != SQL_DONE)
		ret = store_fail(db, "listing the cases", err, errlen);
	sql_finalize(v);
	sql_finalize(s);
	STORE_UNLOCK(st);
	return ret;
fail:
	store_fail(db, "listing the cases", err, errlen);
	sql_finalize(s);
	STORE_UNLOCK(st);
	return -1;
}

/* ---- one case ---- */

int store_case(struct store *st, const char *id, int (*fn)(const struct store_case_full *c, void *ctx), void *ctx,
	       int *ret, char *err, size_t errlen)
{
	static const char row[] =
		"SELECT c.id, c.received_us, c.capture_us, c.release, c.machine, c.label, c.confidence, c.peer,"
		" c.client, c.human_label, c.labelled_us, c.labelled_by, c.summary_source, c.report, c.summary,"
		" c.bucket, b.cause, b.advice, b.url, b.resolved_by, b.resolved_us"
		" FROM cases c LEFT JOIN buckets b ON b.id = c.bucket WHERE c.id = ?1";
	static const char view[] =
		"WITH c AS (SELECT CASE WHEN json_valid(?1) THEN ?1 END AS r, CASE WHEN json_valid(?2) THEN ?2 END AS s),"
		" h AS (SELECT r, s, (SELECT ps_entropy(json_extract(value,'$.p')) FROM json_each(r,'$.ranking')"
		"  WHERE type = 'object') AS h FROM c)"
		" SELECT strftime('%Y-%m-%dT%H:%M:%SZ', ?3 / 1000000, 'unixepoch'),"
		"  strftime('%Y-%m-%dT%H:%M:%SZ', ?4 / 1000000, 'unixepoch'),"
		"  strftime('%Y-%m-%dT%H:%M:%SZ', ?5 / 1000000, 'unixepoch'), h, r, s,"
		"  json_object('id', ?6, 'received_us', ?3, 'capture_us', ?4,"
		"   'release', ?7, 'machine', ?8, 'label', NULLIF(?9,''),"
		"   'confidence', CASE WHEN ?9 != '' THEN ?10 END, 'entropy', h,"
		"   'peer', ?11, 'client', ?12, 'human_label', ?13,"
		"   'labelled_us', ?5, 'labelled_by', ?14,"
		"   'summary_source', ?15, 'summary', json(s), 'report', json(r),"
		"   'bucket', ?16, 'resolution', CASE WHEN COALESCE(?17, '') != '' THEN"
		"    json_object('cause', ?17, 'advice', NULLIF(?18, ''), 'url', NULLIF(?19, ''),"
		"    'by', ?20, 'resolved_us', ?21) END)"
		" FROM h";
	struct sql *db;
	struct sql_stmt *s = NULL, *v = NULL;
	struct store_case_full c;
	int rc, r = STORE_ERROR;

	*ret = 0;
	STORE_LOCK(st);
	db = DB(st);
	if ((rc = sql_first(db, row, SQL_ARGS(SQL_TEXT(id)), &s)) != SQL_ROW) {
		if (rc == SQL_DONE) {
			snprintf(err, errlen, "case %s is gone from the store", id);
			r = STORE_UNKNOWN;
		} else {
			store_fail(db, "reading the case", err, errlen);
		}
		goto out;
	}
	if (sql_prepare(JS(st), view, &v)) {
		store_fail(JS(st), "reading the case", err, errlen);
		goto out;
	}
	sql_bind_text(v, 1, sql_text(s, 13));
	sql_bind_text(v, 2, sql_text(s, 14));
	bind_col_int(v, 3, s, 1);
	bind_col_int(v, 4, s, 2);
	bind_col_int(v, 5, s, 10);
	sql_bind_text(v, 6, sql_text(s, 0));
	sql_bind_text(v, 7, sql_text(s, 3));
	sql_bind_text(v, 8, sql_text(s, 4));
	sql_bind_text(v, 9, sql_text(s, 5));
	bind_col_double(v, 10, s, 6);
	sql_bind_text(v, 11, sql_text(s, 7));
	sql_bind_text(v, 12, sql_text(s, 8));
	sql_bind_text(v, 13, sql_text(s, 9));
	sql_bind_text(v, 14, sql_text(s, 11));
	sql_bind_text(v, 15, sql_text(s, 12));
	sql_bind_text(v, 16, sql_text(s, 15));
	sql_bind_text(v, 17, sql_text(s, 16));
	sql_bind_text(v, 18, sql_text(s, 17));
	sql_bind_text(v, 19, sql_text(s, 18));
	sql_bind_text(v, 20, sql_text(s, 19));
	bind_col_int(v, 21, s, 20);
	if (sql_step(v) != SQL_ROW) {
		store_fail(JS(st), "reading the case", err, errlen);
		goto out;
	}
	memset(&c, 0, sizeof c);
	c.id = sql_text(s, 0);
	c.received = sql_text(v, 0);
	c.captured = sql_text(v, 1);
	c.release = sql_text(s, 3);
	c.machine = sql_text(s, 4);
	c.label = sql_text(s, 5) ? sql_text(s, 5) : "";
	c.confidence = sql_double(s, 6);
	c.has_entropy = !sql_is_null(v, 3);
	c.entropy = sql_double(v, 3);
	c.peer = sql_text(s, 7);
	c.client = sql_text(s, 8);
	c.human_label = sql_text(s, 9);
	c.labelled = sql_text(v, 2);
	c.labelled_by = sql_text(s, 11);
	c.summary_source = sql_text(s, 12);
	c.report = sql_text(v, 4);
	c.summary = sql_text(v, 5);
	c.json = sql_text(v, 6);
	*ret = fn(&c, ctx);
	r = STORE_FOUND;
out:
	sql_finalize(v);
	sql_finalize(s);
	STORE_UNLOCK(st);
	return r;
}

/* ---- a person's label ---- */

int store_label_case(struct store *st, const char *prefix, const char *label, const char *by,
		     char id[2 * PS_FRAME_ID_LEN + 1], char **old, char **old_by, char *err, size_t errlen)
{
	struct sql *db;
	struct sql_stmt *s = NULL;
	int64_t n;
	int r;

	*old = *old_by = NULL;
	STORE_LOCK(st);
	db = DB(st);
	if (sql_begin(db)) {
		store_fail(db, "starting the write transaction", err, errlen);
		STORE_UNLOCK(st);
		return STORE_ERROR;
	}
	if ((r = store_find_case(st, prefix, id, err, errlen)) != STORE_FOUND)
		goto out;
	r = STORE_ERROR;
	if (sql_first(db, "SELECT human_label, labelled_by FROM cases WHERE id = ?1", SQL_ARGS(SQL_TEXT(id)),
		      &s) != SQL_ROW)
		goto fail;
	if (sql_text(s, 0) && *sql_text(s, 0) && !(*old = strdup(sql_text(s, 0))))
		goto fail;
	if (sql_text(s, 1) && !(*old_by = strdup(sql_text(s, 1))))
		goto fail;
	sql_finalize(s);
	s = NULL;
	if (sql_run(db, &n, "UPDATE cases SET human_label = ?2, labelled_us = ?3, labelled_by = ?4 WHERE id = ?1",
		    SQL_ARGS(SQL_TEXT(id), SQL_TEXT(label), SQL_INT(port_wall_us()), SQL_TEXT(by))) ||
	    n != 1 || sql_commit(db))
		goto fail;
	STORE_UNLOCK(st);
	return STORE_FOUND;
fail:
	store_fail(db, "recording the label", err, errlen);
	sql_finalize(s);
	free(*old);
	free(*old_by);
	*old = *old_by = NULL;
out:
	sql_rollback(db);
	STORE_UNLOCK(st);
	return r;
}

/* ---- summaries ---- */

int store_summary_candidates(struct store *st, int all, uint32_t limit, store_case_id **ids, size_t *n, char *err,
			     size_t errlen)
{
	const char *sql = all ? "SELECT id FROM cases ORDER BY received_us LIMIT ?1" :
		"SELECT id FROM cases WHERE summary IS NULL ORDER BY received_us LIMIT ?1";
	struct sql_stmt *s;
	size_t cap = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	STORE_LOCK(st);
	if (sql_prepare_args(DB(st), sql, SQL_ARGS(SQL_INT(limit)), &s)) {
		store_fail(DB(st), "listing the cases", err, errlen);
		STORE_UNLOCK(st);
		return -1;
	}
	while ((rc = sql_step(s)) == SQL_ROW) {
		const char *t = sql_text(s, 0);

		if (!t)
			continue;
		if (*n == cap) {
			store_case_id *q = realloc(*ids, (cap = cap ? 2 * cap : 64) * sizeof **ids);

			if (!q) {
				snprintf(err, errlen, "out of memory");
				sql_finalize(s);
				STORE_UNLOCK(st);
				return -1;
			}
			*ids = q;
		}
		snprintf((*ids)[(*n)++], sizeof **ids, "%s", t);
	}
	if (rc != SQL_DONE)
		store_fail(DB(st), "listing the cases", err, errlen);
	sql_finalize(s);
	STORE_UNLOCK(st);
	return rc == SQL_DONE ? 0 : -1;
}

int store_case_text(struct store *st, const char *id, struct store_case_text *c, char *err, size_t errlen)
{
	struct sql_stmt *s;
	int rc;

	memset(c, 0, sizeof *c);
	STORE_LOCK(st);
	rc = sql_first(DB(st), "SELECT id, label, confidence, release, report FROM cases WHERE id = ?1",
		       SQL_ARGS(SQL_TEXT(id)), &s);
	if (rc == SQL_ROW) {
		snprintf(c->id, sizeof c->id, "%s", sql_text(s, 0) ? sql_text(s, 0) : "");
		snprintf(c->label, sizeof c->label, "%s", sql_text(s, 1) ? sql_text(s, 1) : "");
		c->confidence = sql_double(s, 2);
		snprintf(c->release, sizeof c->release, "%s", sql_text(s, 3) ? sql_text(s, 3) : "");
		if (!(c->report = strdup(sql_text(s, 4) ? sql_text(s, 4) : ""))) {
			snprintf(err, errlen, "out of memory");
			rc = SQL_ERROR;
		}
	} else if (rc == SQL_ERROR) {
		store_fail(DB(st), "reading the case", err, errlen);
	}
	sql_finalize(s);
	STORE_UNLOCK(st);
	return rc == SQL_ROW ? 1 : rc == SQL_DONE ? 0 : -1;
}

int store_set_summary(struct store *st, const char *id, const char *json, const char *source, char *err,
		      size_t errlen)
{
	int rc;

	STORE_LOCK(st);
	rc = sql_run(DB(st), NULL, "UPDATE cases SET summary = ?2, summary_source = ?3, summary_us = ?4 WHERE id = ?1",
		     SQL_ARGS(SQL_TEXT(id), SQL_TEXT(json), SQL_TEXT(source), SQL_INT(port_wall_us())));
	if (rc)
		store_fail(DB(st), "storing the summary", err, errlen);
	STORE_UNLOCK(st);
	return rc ? -1 : 0;
}

int store_similar_cases(struct store *st, const char *id, const char *label,
			void (*fn)(const char *short_id, const char *label, int confirmed, const char *text, void *ctx),
			void *ctx, char *err, size_t errlen)
{
	static const char rows[] =
		"SELECT id, COALESCE(human_label, label), CASE WHEN human_label IS NULL THEN 0 ELSE 1 END,"
		" summary, report FROM cases WHERE id <> ?1 AND COALESCE(human_label, label) = ?2"
		" ORDER BY CASE WHEN human_label IS NULL THEN 0 ELSE 1 END DESC, received_us DESC LIMIT 3";
	static const char view[] =
		"SELECT COALESCE(CASE WHEN json_valid(?1) THEN json_extract(?1,'$.summary') END,"
		" (SELECT group_concat(json_extract(value,'$.text'), ' | ')"
		"  FROM (SELECT value FROM json_each(CASE WHEN json_valid(?2) THEN ?2 END,'$.culprits') LIMIT 3)))";
	struct sql_stmt *s, *v;
	int rc;

	STORE_LOCK(st);
	if (sql_prepare_args(DB(st), rows, SQL_ARGS(SQL_TEXT(id), SQL_TEXT(label)), &s)) {
		store_fail(DB(st), "looking for similar cases", err, errlen);
		STORE_UNLOCK(st);
		return -1;
	}
	while ((rc = sql_step(s)) == SQL_ROW) {
		char short_id[13];
		const char *text = NULL;

		snprintf(short_id, sizeof short_id, "%s", sql_text(s, 0) ? sql_text(s, 0) : "?");
		if (sql_first(JS(st), view, SQL_ARGS(SQL_TEXT(sql_text(s, 3)), SQL_TEXT(sql_text(s, 4))), &v) == SQL_ROW)
			text = sql_text(v, 0);
		fn(short_id, sql_text(s, 1), (int)sql_int64(s, 2), text, ctx);
		sql_finalize(v);
	}
	if (rc != SQL_DONE)
		store_fail(DB(st), "looking for similar cases", err, errlen);
	sql_finalize(s);
	STORE_UNLOCK(st);
	return rc == SQL_DONE ? 0 : -1;
}

/* ---- what training reads ---- */

int store_labelled_cases(struct store *st,
			 int (*fn)(const char *id, const char *label, int is_json, const char *log, size_t len,
				   void *ctx),
			 void *ctx, char *err, size_t errlen)
{
	struct sql_stmt *s, *v;
	int rc, ret = 0;

	STORE_LOCK(st);
	if (sql_prepare(DB(st), "SELECT id, human_label, report FROM cases WHERE human_label <> ''"
			" ORDER BY received_us, id", &s)) {
		store_fail(DB(st), "reading the labelled cases", err, errlen);
		STORE_UNLOCK(st);
		return -1;
	}
	while (!ret && (rc = sql_step(s)) == SQL_ROW) {
		const char *report = sql_text(s, 2) ? sql_text(s, 2) : "";
		char *log = NULL;
		size_t len = 0;
		int is_json = 0;

		if (!sql_text(s, 0) || !sql_text(s, 1))
			continue;
		if (sql_first(JS(st), "SELECT json_valid(?1)", SQL_ARGS(SQL_TEXT(report)), &v) == SQL_ROW) {
			is_json = sql_int64(v, 0) != 0;
			sql_finalize(v);
		}
		if (is_json && report_log(JS(st), report, strlen(report), &log, &len, err, errlen)) {
			ret = -1;
			break;
		}
		/* the lines joined by '\n', without a last one */
		if (len && log[len - 1] == '\n')
			log[--len] = '\0';
		ret = fn(sql_text(s, 0), sql_text(s, 1), is_json, log ? log : "", len, ctx);
		free(log);
	}
	if (!ret && rc != SQL_DONE)
		ret = store_fail(DB(st), "reading the labelled cases", err, errlen);
	sql_finalize(s);
	STORE_UNLOCK(st);
	return ret;
}
