/* Crash buckets in the case store: signatures (core/bucket.h) computed
 * from the stored reports, the bucket of each case, the lists people and
 * the collector read, and the labels and resolutions people attach.
 *
 * Every statement lives here, behind functions: the collector and the
 * commands never write SQL of their own for buckets. */
#include "tools/store/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "port/port.h"

/* ln 14: the entropy of a case the model said nothing about (no
 * ranking), not knowing among TAXONOMY.md's 14 labels. */
#define NO_RANKING_ENTROPY "2.6390573296152584"

/* ---- putting a case into its bucket ---- */

/* The bucket for signature `sig`: the one its signature went to before,
 * else the most similar bucket of the same kind, title and module (the
 * fallback of core/bucket.h; the best frame similarity, then the bucket
 * with more cases), else a new one.  Records the signature.  Holds the
 * lock of the signature's class (kind, title, module) until the
 * transaction ends, so that collectors sharing a store assign the cases
 * of one class one at a time: each sees the buckets and signatures the
 * others made, and a signature goes to one bucket only. */
static int find_or_make_bucket(struct store *st, const struct ps_bucket_sig *sig, int64_t when,
			       char bucket[PS_BUCKET_ID_LEN + 1], char *err, size_t errlen)
{
	char frames[PS_BUCKET_FRAMES * PS_BUCKET_SYM], key[3 * 256];
	struct sql *db = DB(st);
	struct sql_stmt *s;
	unsigned best = 0;
	int rc, found = 0;

	bucket[0] = '\0';
	ps_bucket_frames_str(sig, frames, sizeof frames);
	snprintf(key, sizeof key, "bucket\n%s\n%s\n%s", sig->kind, sig->title, sig->module);
	if (sql_lock(db, key))
		return store_fail(db, "waiting for the bucket lock", err, errlen);
	rc = sql_first(db, "SELECT bucket FROM signatures WHERE id = ?1", SQL_ARGS(SQL_TEXT(sig->id)), &s);
	if (rc == SQL_ERROR)
		return store_fail(db, "looking up the signature", err, errlen);
	if (rc == SQL_ROW && sql_text(s, 0)) {
		snprintf(bucket, PS_BUCKET_ID_LEN + 1, "%s", sql_text(s, 0));
		found = 1;
	}
	sql_finalize(s);
	if (found)
		return 0;

	if (sql_prepare_args(db, "SELECT id, frames FROM buckets WHERE kind = ?1 AND title = ?2"
			     " AND module = ?3 ORDER BY cases DESC, id LIMIT 256",
			     SQL_ARGS(SQL_TEXT(sig->kind), SQL_TEXT(sig->title), SQL_TEXT(sig->module)), &s))
		return store_fail(db, "looking for a similar bucket", err, errlen);
	while ((rc = sql_step(s)) == SQL_ROW) {
		struct ps_bucket_sig b = *sig;
		const char *f = sql_text(s, 1) ? sql_text(s, 1) : "";
		unsigned sim;

		ps_bucket_set_frames(&b, f, strlen(f));
		if (!sql_text(s, 0) || !ps_bucket_similar(sig, &b))
			continue;
		sim = ps_bucket_frame_similarity(sig, &b);
		if (!bucket[0] || sim > best) {
			snprintf(bucket, PS_BUCKET_ID_LEN + 1, "%s", sql_text(s, 0));
			best = sim;
		}
	}
	sql_finalize(s);
	if (rc != SQL_DONE)
		return store_fail(db, "looking for a similar bucket", err, errlen);

	if (!bucket[0]) {
		snprintf(bucket, PS_BUCKET_ID_LEN + 1, "%s", sig->id);
		if (sql_run(db, NULL, "INSERT INTO buckets (id, kind, title, module, frames, cases,"
			    " first_us, last_us) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?6) ON CONFLICT DO NOTHING",
			    SQL_ARGS(SQL_TEXT(sig->id), SQL_TEXT(sig->kind), SQL_TEXT(sig->title),
				     SQL_TEXT(sig->module), SQL_TEXT(frames), SQL_INT(when))))
			return store_fail(db, "creating a bucket", err, errlen);
	}
	if (sql_run(db, NULL, "INSERT INTO signatures (id, bucket, kind, title, module, frames, first_us)"
		    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
		    SQL_ARGS(SQL_TEXT(sig->id), SQL_TEXT(bucket), SQL_TEXT(sig->kind), SQL_TEXT(sig->title),
			     SQL_TEXT(sig->module), SQL_TEXT(frames), SQL_INT(when))))
		return store_fail(db, "recording the signature", err, errlen);
	return 0;
}

int bucket_case(struct store *st, const char *id, int64_t when, const struct ps_bucket_sig *sig, int has_h,
		double h, char *err, size_t errlen)
{
	char bucket[PS_BUCKET_ID_LEN + 1];
	struct sql *db = DB(st);

	if (find_or_make_bucket(st, sig, when, bucket, err, errlen))
		return -1;
	if (sql_run(db, NULL, "UPDATE cases SET bucket = ?2, signature = ?3, entropy = ?4 WHERE id = ?1",
		    SQL_ARGS(SQL_TEXT(id), SQL_TEXT(bucket), SQL_TEXT(sig->id), has_h ? SQL_DOUBLE(h) : SQL_NULL)))
		return store_fail(db, "putting the case into its bucket", err, errlen);
	if (sql_run(db, NULL, "UPDATE buckets SET cases = cases + 1,"
		    " first_us = CASE WHEN first_us IS NULL OR ?2 < first_us THEN ?2 ELSE first_us END,"
		    " last_us = CASE WHEN last_us IS NULL OR ?2 > last_us THEN ?2 ELSE last_us END"
		    " WHERE id = ?1", SQL_ARGS(SQL_TEXT(bucket), SQL_INT(when))))
		return store_fail(db, "counting the case", err, errlen);
	/* a label a person gave the bucket is the label of its new cases */
	if (sql_run(db, NULL, "UPDATE cases SET (human_label, labelled_us, labelled_by) = (SELECT human_label,"
		    " labelled_us, labelled_by FROM buckets WHERE id = ?2) WHERE id = ?1"
		    " AND COALESCE(human_label, '') = '' AND EXISTS (SELECT 1 FROM buckets"
		    "  WHERE id = ?2 AND COALESCE(human_label, '') <> '')", SQL_ARGS(SQL_TEXT(id), SQL_TEXT(bucket))))
		return store_fail(db, "labelling the case as its bucket", err, errlen);
	return 0;
}

int bucket_missing(struct store *st, int64_t *done, char *err, size_t errlen)
{
	struct sql *db = DB(st);
	struct sql_stmt *s;
	int rc;

	*done = 0;
	/* the oldest first, so that first_us and the buckets' ids are what
	 * they would have been had the collector bucketed them on arrival */
	if (sql_prepare(db, "SELECT id, received_us, report FROM cases WHERE bucket IS NULL"
			" ORDER BY received_us, id", &s))
		return store_fail(db, "listing the cases without a bucket", err, errlen);
	while ((rc = sql_step(s)) == SQL_ROW) {
		const char *id = sql_text(s, 0), *report = sql_text(s, 2);
		char idcopy[2 * PS_FRAME_ID_LEN + 1];
		struct ps_bucket_sig sig;
		int valid, has_h;
		double h;

		if (!id)
			continue;
		snprintf(idcopy, sizeof idcopy, "%s", id);
		if (report_facts(report ? report : "", report ? sql_bytes(s, 2) : 0, &valid, &sig, &has_h, &h, err,
				 errlen) ||
		    bucket_case(st, idcopy, sql_int64(s, 1), &sig, has_h, h, err, errlen)) {
			sql_finalize(s);
			return -1;
		}
		(*done)++;
	}
	sql_finalize(s);
	return rc == SQL_DONE ? 0 : store_fail(db, "bucketing the stored cases", err, errlen);
}

/* ---- what the collector answers ---- */

int store_case_bucket_info(struct store *st, const char *case_id, struct store_bucket_info *info, char *err,
			   size_t errlen)
{
	struct sql_stmt *s;
	int rc;

	memset(info, 0, sizeof *info);
	STORE_LOCK(st);
	rc = sql_first(DB(st), "SELECT b.id, b.cases, (SELECT count(DISTINCT machine) FROM cases"
		       " WHERE bucket = b.id), b.cause, b.advice, b.url FROM cases c JOIN buckets b"
		       " ON b.id = c.bucket WHERE c.id = ?1", SQL_ARGS(SQL_TEXT(case_id)), &s);
	if (rc == SQL_ROW) {
		snprintf(info->bucket, sizeof info->bucket, "%s", sql_text(s, 0) ? sql_text(s, 0) : "");
		info->cases = (uint32_t)sql_int64(s, 1);
		info->machines = (uint32_t)sql_int64(s, 2);
		if (sql_text(s, 3) && *sql_text(s, 3)) {
			snprintf(info->cause, sizeof info->cause, "%s", sql_text(s, 3));
			snprintf(info->advice, sizeof info->advice, "%s", sql_text(s, 4) ? sql_text(s, 4) : "");
			snprintf(info->url, sizeof info->url, "%s", sql_text(s, 5) ? sql_text(s, 5) : "");
		}
	}
	sql_finalize(s);
	if (rc == SQL_ERROR)
		store_fail(DB(st), "reading the case's bucket", err, errlen);
	STORE_UNLOCK(st);
	return rc == SQL_ERROR ? -1 : 0;
}

/* ---- lookups and lists ---- */

/* Without the store's lock (the caller holds it). */
static int find_bucket(struct store *st, const char *prefix, char id[PS_BUCKET_ID_LEN + 1], char *err,
		       size_t errlen)
{
	char want[PS_BUCKET_ID_LEN + 1];
	struct sql_stmt *s;
	int rc, found = 0;

	if (id_prefix(prefix, PS_BUCKET_ID_LEN, want)) {
		snprintf(err, errlen, "bucket id '%s': give %d to %d hex digits", prefix, STORE_ID_MIN,
			 PS_BUCKET_ID_LEN);
		return STORE_BADID;
	}
	if (sql_prepare_args(DB(st), "SELECT id FROM buckets WHERE id >= ?1 AND id < ?1 || 'g' ORDER BY id LIMIT 2",
			     SQL_ARGS(SQL_TEXT(want)), &s))
		goto failed;
	while ((rc = sql_step(s)) == SQL_ROW)
		if (sql_text(s, 0) && found++ == 0)
			snprintf(id, PS_BUCKET_ID_LEN + 1, "%s", sql_text(s, 0));
	sql_finalize(s);
	if (rc != SQL_DONE)
		goto failed;
	if (found == 1)
		return STORE_FOUND;
	if (!found) {
		snprintf(err, errlen, "no bucket '%s' in the store", prefix);
		return STORE_UNKNOWN;
	}
	snprintf(err, errlen, "bucket id '%s' matches several buckets (give more digits)", prefix);
	return STORE_AMBIGUOUS;
failed:
	snprintf(err, errlen, "looking up bucket '%s': %s", prefix, sql_errmsg(DB(st)));
	return STORE_ERROR;
}

int store_find_bucket(struct store *st, const char *prefix, char id[PS_BUCKET_ID_LEN + 1], char *err,
		      size_t errlen)
{
	int r;

	STORE_LOCK(st);
	r = find_bucket(st, prefix, id, err, errlen);
	STORE_UNLOCK(st);
	return r;
}

struct counts {
	struct store_count *v;
	char **owned;            /* the values, to free */
	uint32_t n;
};

static void counts_free(struct counts *c)
{
	uint32_t i;

	for (i = 0; i < c->n; i++)
		free(c->owned[i]);
	free(c->v);
	free(c->owned);
	memset(c, 0, sizeof *c);
}

/* The rows of `sql` (?1 = bucket id; columns value, count) into c;
 * 0 or -1. */
static int counts(struct sql *db, const char *sql, const char *id, struct counts *c)
{
	struct sql_stmt *s;
	int rc;

	memset(c, 0, sizeof *c);
	if (sql_prepare_args(db, sql, SQL_ARGS(SQL_TEXT(id)), &s))
		return -1;
	while ((rc = sql_step(s)) == SQL_ROW) {
		struct store_count *v = realloc(c->v, (c->n + 1) * sizeof *v);
		char **owned = v ? realloc(c->owned, (c->n + 1) * sizeof *owned) : NULL;
		char *value;

		if (v)
			c->v = v;
		if (owned)
			c->owned = owned;
		value = owned ? strdup(sql_text(s, 0) ? sql_text(s, 0) : "") : NULL;
		if (!value)
			break;
		c->owned[c->n] = value;
		c->v[c->n].value = value;
		c->v[c->n++].n = sql_int64(s, 1);
	}
	sql_finalize(s);
	if (rc != SQL_DONE) {
		counts_free(c);
		return -1;
	}
	return 0;
}

/* The first culprit line of a report, else its first segment line
 * (free(); NULL when none or not JSON), read on the store's JSON
 * database. */
static char *crash_line(struct store *st, const char *report)
{
	struct sql_stmt *s;
	char *out = NULL;

	if (!report || sql_first(JS(st), "SELECT CASE WHEN json_valid(?1) THEN COALESCE(json_extract(?1,"
				 " '$.culprits[0].text'), json_extract(?1, '$.segment[0].text')) END",
				 SQL_ARGS(SQL_TEXT(report)), &s) != SQL_ROW)
		return NULL;
	if (sql_text(s, 0))
		out = strdup(sql_text(s, 0));
	sql_finalize(s);
	return out;
}

int store_buckets(struct store *st, enum store_bucket_list which, const char *only, uint32_t limit,
		  int (*fn)(const struct store_bucket *b, void *ctx), void *ctx, char *err, size_t errlen)
{
	static const char select[] =
		"WITH s AS (SELECT b.*,"
		"  (SELECT count(DISTINCT machine) FROM cases WHERE bucket = b.id) AS nmachines,"
		"  (SELECT count(DISTINCT release) FROM cases WHERE bucket = b.id) AS nreleases,"
		"  (SELECT count(*) FROM cases WHERE bucket = b.id AND COALESCE(human_label, '') = '') AS nopen,"
		"  (SELECT COALESCE(sum(COALESCE(entropy, " NO_RANKING_ENTROPY ")), 0) FROM cases"
		"   WHERE bucket = b.id AND COALESCE(human_label, '') = '') AS u,"
		"  (SELECT id FROM cases WHERE bucket = b.id ORDER BY received_us DESC, id LIMIT 1) AS ex"
		"  FROM buckets b WHERE CAST(?1 AS TEXT) IS NULL OR b.id = ?1)"
		" SELECT id, kind, title, module, frames, cases, nmachines, nreleases, nopen, first_us, last_us, u,"
		"  human_label, labelled_by, labelled_us, cause, advice, url, resolved_by, resolved_us, ex,"
		"  (SELECT report FROM cases WHERE id = ex) FROM s";
	static const char order_all[] = " ORDER BY cases DESC, last_us DESC, id LIMIT ?2";
	static const char order_queue[] =
		" WHERE COALESCE(human_label, '') = '' AND nopen > 0"
		" ORDER BY u DESC, cases DESC, last_us DESC, id LIMIT ?2";
	char sql[sizeof select + sizeof order_queue + sizeof order_all];
	struct sql *db;
	struct sql_stmt *s;
	int rc, ret = 0;

	snprintf(sql, sizeof sql, "%s%s", select, which == STORE_BUCKETS_QUEUE ? order_queue : order_all);
	STORE_LOCK(st);
	db = DB(st);
	if (sql_prepare_args(db, sql, SQL_ARGS(SQL_TEXT(only), SQL_INT(limit ? (int64_t)limit : INT64_MAX)), &s)) {
		store_fail(db, "listing the buckets", err, errlen);
		STORE_UNLOCK(st);
		return -1;
	}
	while (!ret && (rc = sql_step(s)) == SQL_ROW) {
		struct store_bucket b;
		struct counts labels, kernels;
		char *crash;

		memset(&b, 0, sizeof b);
		b.id = sql_text(s, 0);
		b.kind = sql_text(s, 1);
		b.title = sql_text(s, 2);
		b.module = sql_text(s, 3);
		b.frames = sql_text(s, 4);
		b.cases = sql_int64(s, 5);
		b.machines = sql_int64(s, 6);
		b.releases = sql_int64(s, 7);
		b.unlabelled = sql_int64(s, 8);
		b.first_us = sql_int64(s, 9);
		b.last_us = sql_int64(s, 10);
		b.uncertainty = sql_double(s, 11);
		b.human_label = sql_text(s, 12) && *sql_text(s, 12) ? sql_text(s, 12) : NULL;
		b.labelled_by = sql_text(s, 13);
		b.labelled_us = sql_int64(s, 14);
		b.cause = sql_text(s, 15) && *sql_text(s, 15) ? sql_text(s, 15) : NULL;
		b.advice = b.cause ? sql_text(s, 16) : NULL;
		b.url = b.cause ? sql_text(s, 17) : NULL;
		b.resolved_by = b.cause ? sql_text(s, 18) : NULL;
		b.resolved_us = sql_int64(s, 19);
		b.example = sql_text(s, 20);
		if (!b.id)
			continue;
		if (counts(db, "SELECT label, count(*) FROM cases WHERE bucket = ?1"
			   " GROUP BY label ORDER BY 2 DESC, 1", b.id, &labels)) {
			ret = store_fail(db, "counting a bucket's labels", err, errlen);
			break;
		}
		if (counts(db, "SELECT release, count(*) FROM cases WHERE bucket = ?1"
			   " GROUP BY release ORDER BY 2 DESC, 1", b.id, &kernels)) {
			counts_free(&labels);
			ret = store_fail(db, "counting a bucket's kernels", err, errlen);
			break;
		}
		crash = crash_line(st, sql_text(s, 21));
		b.crash = crash;
		b.labels = labels.v;
		b.nlabels = labels.n;
		b.kernels = kernels.v;
		b.nkernels = kernels.n;
		ret = fn(&b, ctx);
		free(crash);
		counts_free(&labels);
		counts_free(&kernels);
	}
	if (!ret && rc != SQL_DONE)
		ret = store_fail(db, "listing the buckets", err, errlen);
	sql_finalize(s);
	STORE_UNLOCK(st);
	return ret;
}

int store_bucket_cases(struct store *st, const char *id, uint32_t limit,
		       int (*fn)(const struct store_bucket_case *c, void *ctx), void *ctx, char *err,
		       size_t errlen)
{
	struct sql_stmt *s;
	int rc, ret = 0;

	STORE_LOCK(st);
	if (sql_prepare_args(DB(st), "SELECT id, received_us, machine, release, label, confidence, human_label"
			     " FROM cases WHERE bucket = ?1 ORDER BY received_us DESC, id LIMIT ?2",
			     SQL_ARGS(SQL_TEXT(id), SQL_INT(limit ? (int64_t)limit : INT64_MAX)), &s)) {
		store_fail(DB(st), "listing the bucket's cases", err, errlen);
		STORE_UNLOCK(st);
		return -1;
	}
	while (!ret && (rc = sql_step(s)) == SQL_ROW) {
		struct store_bucket_case c;

		c.id = sql_text(s, 0);
		c.received_us = sql_int64(s, 1);
		c.machine = sql_text(s, 2);
		c.release = sql_text(s, 3);
		c.label = sql_text(s, 4);
		c.confidence = sql_double(s, 5);
		c.human_label = sql_text(s, 6) && *sql_text(s, 6) ? sql_text(s, 6) : NULL;
		if (c.id)
			ret = fn(&c, ctx);
	}
	if (!ret && rc != SQL_DONE)
		ret = store_fail(DB(st), "listing the bucket's cases", err, errlen);
	sql_finalize(s);
	STORE_UNLOCK(st);
	return ret;
}

/* ---- what people attach to a bucket ---- */

/* Starts the write transaction and finds the bucket `prefix` names:
 * STORE_FOUND with its id in id[], else another STORE_* with err set
 * (the caller rolls back). */
static int begin_on_bucket(struct store *st, const char *prefix, char id[PS_BUCKET_ID_LEN + 1], char *err,
			   size_t errlen)
{
	if (sql_begin(DB(st))) {
		store_fail(DB(st), "starting the write transaction", err, errlen);
		return STORE_ERROR;
	}
	return find_bucket(st, prefix, id, err, errlen);
}

int store_label_bucket(struct store *st, const char *prefix, const char *label, const char *by,
		       char id[PS_BUCKET_ID_LEN + 1], int64_t *cases, char **old, char *err, size_t errlen)
{
	struct sql *db;
	struct sql_stmt *s = NULL;
	int64_t now = (int64_t)port_wall_us();
	int r;

	*cases = 0;
	*old = NULL;
	STORE_LOCK(st);
	db = DB(st);
	if ((r = begin_on_bucket(st, prefix, id, err, errlen)) != STORE_FOUND)
		goto out;
	r = STORE_ERROR;
	if (sql_first(db, "SELECT human_label FROM buckets WHERE id = ?1", SQL_ARGS(SQL_TEXT(id)), &s) != SQL_ROW)
		goto fail;
	if (sql_text(s, 0) && *sql_text(s, 0) && !(*old = strdup(sql_text(s, 0))))
		goto fail;
	sql_finalize(s);
	s = NULL;
	if (sql_run(db, NULL, "UPDATE buckets SET human_label = ?2, labelled_us = ?3, labelled_by = ?4 WHERE id = ?1",
		    SQL_ARGS(SQL_TEXT(id), SQL_TEXT(label), SQL_INT(now), SQL_TEXT(by))) ||
	    sql_run(db, cases, "UPDATE cases SET human_label = ?2, labelled_us = ?3, labelled_by = ?4"
		    " WHERE bucket = ?1", SQL_ARGS(SQL_TEXT(id), SQL_TEXT(label), SQL_INT(now), SQL_TEXT(by))) ||
	    sql_commit(db))
		goto fail;
	r = STORE_FOUND;
	goto out;
fail:
	store_fail(db, "labelling the bucket", err, errlen);
	sql_finalize(s);
	free(*old);
	*old = NULL;
out:
	if (r != STORE_FOUND)
		sql_rollback(db);
	STORE_UNLOCK(st);
	return r;
}

int store_resolve_bucket(struct store *st, const char *prefix, const char *cause, const char *advice,
			 const char *url, const char *by, char id[PS_BUCKET_ID_LEN + 1], char *err, size_t errlen)
{
	struct sql *db;
	int64_t n;
	int r, rc;

	STORE_LOCK(st);
	db = DB(st);
	if ((r = begin_on_bucket(st, prefix, id, err, errlen)) != STORE_FOUND)
		goto out;
	r = STORE_ERROR;
	/* without a cause, the resolution is cleared: every field NULL */
	rc = sql_run(db, &n, "UPDATE buckets SET cause = ?2, advice = ?3, url = ?4, resolved_us = ?5,"
		     " resolved_by = ?6 WHERE id = ?1",
		     SQL_ARGS(SQL_TEXT(id), SQL_TEXT(cause), SQL_TEXT(!cause ? NULL : advice ? advice : ""),
			      SQL_TEXT(!cause ? NULL : url ? url : ""), cause ? SQL_INT(port_wall_us()) : SQL_NULL,
			      SQL_TEXT(cause ? by : NULL)));
	if (rc || n != 1 || sql_commit(db))
		goto fail;
	r = STORE_FOUND;
	goto out;
fail:
	store_fail(db, "recording the resolution", err, errlen);
out:
	if (r != STORE_FOUND)
		sql_rollback(db);
	STORE_UNLOCK(st);
	return r;
}
