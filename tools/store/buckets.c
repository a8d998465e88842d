/* Crash buckets in the case store: signatures (core/bucket.h) computed
 * from the stored reports, the bucket of each case, the lists people and
 * the collector read, and the labels and resolutions people attach.
 *
 * Every statement lives here, behind functions: the collector and the
 * commands never write SQL of their own for buckets. */
#include "tools/store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/pipeline.h"
#include "core/status.h"
#include "port/port.h"

/* ln 14: the entropy of a case the model said nothing about (no
 * ranking), not knowing among TAXONOMY.md's 14 labels. */
#define NO_RANKING_ENTROPY "2.6390573296152584"

static int fail(sqlite3 *db, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(db));
	return -1;
}

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* ---- signatures ---- */

int store_log_signature(const char *log, size_t len, struct ps_bucket_sig *sig, char *err, size_t errlen)
{
	struct ps_params p;
	size_t size = (1u << 20) + 64 * len;

	ps_params_defaults(&p);
	for (;;) {
		struct ps_arena a;
		struct ps_analysis an;
		void *mem = malloc(size);
		int st;

		if (!mem) {
			snprintf(err, errlen, "no memory for the analysis (%zu bytes)", size);
			return -1;
		}
		ps_arena_init(&a, mem, size);
		st = ps_analyze(&an, &p, NULL, log, len, 1, &a, NULL);
		if (st == PS_OK)
			ps_bucket_compute(&an, sig);
		free(mem);
		if (st == PS_ENOMEM && size < (512u << 20)) {
			size *= 2;
			continue;
		}
		if (st != PS_OK && st != PS_EINPUT) {
			snprintf(err, errlen, "analysing the segment: %s", ps_status_str(st));
			return -1;
		}
		if (st == PS_EINPUT) {          /* nothing in it: the empty signature */
			memset(sig, 0, sizeof *sig);
			ps_bucket_rekey(sig);
		}
		return 0;
	}
}

int store_report_log(sqlite3 *db, const char *report, size_t n, char **text, size_t *len, char *err,
		     size_t errlen)
{
	static const char sql[] =
		"SELECT " STORE_LOG_LINE_SQL("value") " FROM json_each(?1, '$.segment')"
		" WHERE type = 'object' AND json_valid(?1) ORDER BY key";
	sqlite3_stmt *st;
	sqlite3_str *s;
	int rc;

	*text = NULL;
	*len = 0;
	/* the connection may be shared by threads: one statement at a time,
	 * not interleaved with another thread's transaction */
	sqlite3_mutex_enter(sqlite3_db_mutex(db));
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fail(db, "reading the segment", err, errlen);
		sqlite3_mutex_leave(sqlite3_db_mutex(db));
		return -1;
	}
	sqlite3_bind_text(st, 1, report, (int)n, SQLITE_STATIC);
	s = sqlite3_str_new(db);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *line = col(st, 0);

		sqlite3_str_appendf(s, "%s\n", line ? line : "");
	}
	sqlite3_finalize(st);
	sqlite3_mutex_leave(sqlite3_db_mutex(db));
	*len = (size_t)sqlite3_str_length(s);
	*text = sqlite3_str_finish(s);
	if (rc != SQLITE_DONE) {
		sqlite3_free(*text);
		*text = NULL;
		*len = 0;
		/* json_each on a report that is not JSON: no segment */
		if (rc == SQLITE_ERROR)
			return 0;
		return fail(db, "reading the segment", err, errlen);
	}
	if (*len && !*text) {
		snprintf(err, errlen, "no memory for the segment");
		*len = 0;
		return -1;
	}
	return 0;
}

int store_report_signature(sqlite3 *db, const char *report, size_t n, struct ps_bucket_sig *sig, char *err,
			   size_t errlen)
{
	char *text;
	size_t len;
	int rc;

	if (store_report_log(db, report, n, &text, &len, err, errlen))
		return -1;
	rc = store_log_signature(text ? text : "", len, sig, err, errlen);
	sqlite3_free(text);
	return rc;
}

/* ---- putting a case into its bucket ---- */

static int step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The bucket for signature `sig`: the one its signature went to before,
 * else the most similar bucket of the same kind, title and module (the
 * fallback of core/bucket.h; the best frame similarity, then the bucket
 * with more cases), else a new one.  Records the signature. */
static int find_or_make_bucket(sqlite3 *db, const struct ps_bucket_sig *sig, int64_t when,
			       char bucket[PS_BUCKET_ID_LEN + 1], char *err, size_t errlen)
{
	char frames[PS_BUCKET_FRAMES * PS_BUCKET_SYM];
	sqlite3_stmt *st;
	unsigned best = 0;
	int rc, found = 0;

	bucket[0] = '\0';
	ps_bucket_frames_str(sig, frames, sizeof frames);
	if (sqlite3_prepare_v2(db, "SELECT bucket FROM signatures WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
		return fail(db, "looking up the signature", err, errlen);
	sqlite3_bind_text(st, 1, sig->id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && col(st, 0)) {
		snprintf(bucket, PS_BUCKET_ID_LEN + 1, "%s", col(st, 0));
		found = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(db, "looking up the signature", err, errlen);
	if (found)
		return 0;

	if (sqlite3_prepare_v2(db, "SELECT id, frames FROM buckets WHERE kind = ?1 AND title = ?2"
			       " AND module = ?3 ORDER BY cases DESC, id LIMIT 256", -1, &st, NULL) != SQLITE_OK)
		return fail(db, "looking for a similar bucket", err, errlen);
	sqlite3_bind_text(st, 1, sig->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, sig->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, sig->module, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ps_bucket_sig b = *sig;
		const char *f = col(st, 1) ? col(st, 1) : "";
		unsigned sim;

		ps_bucket_set_frames(&b, f, strlen(f));
		if (!col(st, 0) || !ps_bucket_similar(sig, &b))
			continue;
		sim = ps_bucket_frame_similarity(sig, &b);
		if (!bucket[0] || sim > best) {
			snprintf(bucket, PS_BUCKET_ID_LEN + 1, "%s", col(st, 0));
			best = sim;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return fail(db, "looking for a similar bucket", err, errlen);

	if (!bucket[0]) {
		snprintf(bucket, PS_BUCKET_ID_LEN + 1, "%s", sig->id);
		if (sqlite3_prepare_v2(db, "INSERT INTO buckets (id, kind, title, module, frames, cases,"
				       " first_us, last_us) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?6)"
				       " ON CONFLICT DO NOTHING", -1, &st, NULL) != SQLITE_OK)
			return fail(db, "creating a bucket", err, errlen);
		sqlite3_bind_text(st, 1, sig->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, sig->kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, sig->title, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, sig->module, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, frames, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, when);
		if (step_done(st))
			return fail(db, "creating a bucket", err, errlen);
	}
	if (sqlite3_prepare_v2(db, "INSERT INTO signatures (id, bucket, kind, title, module, frames, first_us)"
			       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING", -1, &st,
			       NULL) != SQLITE_OK)
		return fail(db, "recording the signature", err, errlen);
	sqlite3_bind_text(st, 1, sig->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, bucket, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, sig->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, sig->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, sig->module, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, frames, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, when);
	if (step_done(st))
		return fail(db, "recording the signature", err, errlen);
	return 0;
}

/* Puts stored case `id` (received at `when`) into the bucket of `sig`:
 * counters, the bucket's human label, the case's entropy.  Inside the
 * caller's transaction. */
int store_bucket_case(sqlite3 *db, const char *id, int64_t when, const struct ps_bucket_sig *sig, char *err,
		       size_t errlen)
{
	char bucket[PS_BUCKET_ID_LEN + 1];
	sqlite3_stmt *st;

	if (find_or_make_bucket(db, sig, when, bucket, err, errlen))
		return -1;
	if (sqlite3_prepare_v2(db,
			       "UPDATE cases SET bucket = ?2, signature = ?3, entropy = (SELECT"
			       " ps_entropy(json_extract(value, '$.p')) FROM json_each(cases.report, '$.ranking')"
			       " WHERE type = 'object') WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
		return fail(db, "putting the case into its bucket", err, errlen);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, bucket, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, sig->id, -1, SQLITE_STATIC);
	if (step_done(st))
		return fail(db, "putting the case into its bucket", err, errlen);
	if (sqlite3_prepare_v2(db,
			       "UPDATE buckets SET cases = cases + 1,"
			       " first_us = CASE WHEN first_us IS NULL OR ?2 < first_us THEN ?2 ELSE first_us END,"
			       " last_us = CASE WHEN last_us IS NULL OR ?2 > last_us THEN ?2 ELSE last_us END"
			       " WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
		return fail(db, "counting the case", err, errlen);
	sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, when);
	if (step_done(st))
		return fail(db, "counting the case", err, errlen);
	/* a label a person gave the bucket is the label of its new cases */
	if (sqlite3_prepare_v2(db,
			       "UPDATE cases SET (human_label, labelled_us, labelled_by) = (SELECT human_label,"
			       " labelled_us, labelled_by FROM buckets WHERE id = ?2) WHERE id = ?1"
			       " AND COALESCE(human_label, '') = '' AND EXISTS (SELECT 1 FROM buckets"
			       "  WHERE id = ?2 AND COALESCE(human_label, '') != '')", -1, &st, NULL) != SQLITE_OK)
		return fail(db, "labelling the case as its bucket", err, errlen);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, bucket, -1, SQLITE_STATIC);
	if (step_done(st))
		return fail(db, "labelling the case as its bucket", err, errlen);
	return 0;
}

int store_bucket_new_case(sqlite3 *db, const char *id, int64_t when, const char *report, size_t n, char *err,
			  size_t errlen)
{
	struct ps_bucket_sig sig;

	if (store_report_signature(db, report, n, &sig, err, errlen))
		return -1;
	return store_bucket_case(db, id, when, &sig, err, errlen);
}

int store_bucket_missing(sqlite3 *db, int64_t *done, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	*done = 0;
	/* the oldest first, so that first_us and the buckets' ids are what
	 * they would have been had the collector bucketed them on arrival */
	if (sqlite3_prepare_v2(db, "SELECT id, received_us, report FROM cases WHERE bucket IS NULL"
			       " ORDER BY received_us, id", -1, &st, NULL) != SQLITE_OK)
		return fail(db, "listing the cases without a bucket", err, errlen);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = col(st, 0), *report = col(st, 2);
		char idcopy[2 * PS_FRAME_ID_LEN + 1];

		if (!id)
			continue;
		snprintf(idcopy, sizeof idcopy, "%s", id);
		if (store_bucket_new_case(db, idcopy, sqlite3_column_int64(st, 1), report ? report : "",
					  report ? (size_t)sqlite3_column_bytes(st, 2) : 0, err, errlen)) {
			sqlite3_finalize(st);
			return -1;
		}
		(*done)++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : fail(db, "bucketing the stored cases", err, errlen);
}

/* ---- what the collector answers ---- */

int store_case_bucket_info(sqlite3 *db, const char *case_id, struct store_bucket_info *info, char *err,
			   size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	memset(info, 0, sizeof *info);
	if (sqlite3_prepare_v2(db,
			       "SELECT b.id, b.cases, (SELECT count(DISTINCT machine) FROM cases WHERE bucket = b.id),"
			       " b.cause, b.advice, b.url FROM cases c JOIN buckets b ON b.id = c.bucket"
			       " WHERE c.id = ?1", -1, &st, NULL) != SQLITE_OK)
		return fail(db, "reading the case's bucket", err, errlen);
	sqlite3_bind_text(st, 1, case_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(info->bucket, sizeof info->bucket, "%s", col(st, 0) ? col(st, 0) : "");
		info->cases = (uint32_t)sqlite3_column_int64(st, 1);
		info->machines = (uint32_t)sqlite3_column_int64(st, 2);
		if (col(st, 3) && *col(st, 3)) {
			snprintf(info->cause, sizeof info->cause, "%s", col(st, 3));
			snprintf(info->advice, sizeof info->advice, "%s", col(st, 4) ? col(st, 4) : "");
			snprintf(info->url, sizeof info->url, "%s", col(st, 5) ? col(st, 5) : "");
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(db, "reading the case's bucket", err, errlen);
}

/* ---- lookups and lists ---- */

int store_find_bucket(sqlite3 *db, const char *prefix, char id[PS_BUCKET_ID_LEN + 1], char *err,
		      size_t errlen)
{
	char want[PS_BUCKET_ID_LEN + 1];
	sqlite3_stmt *st;
	size_t n = strlen(prefix), i;
	int rc, found = 0;

	if (n < STORE_ID_MIN || n > PS_BUCKET_ID_LEN || strspn(prefix, "0123456789abcdefABCDEF") != n) {
		snprintf(err, errlen, "bucket id '%s': give %d to %d hex digits", prefix, STORE_ID_MIN,
			 PS_BUCKET_ID_LEN);
		return STORE_BADID;
	}
	for (i = 0; i <= n; i++)
		want[i] = (char)(prefix[i] >= 'A' && prefix[i] <= 'F' ? prefix[i] - 'A' + 'a' : prefix[i]);
	if (sqlite3_prepare_v2(db, "SELECT id FROM buckets WHERE substr(id, 1, ?2) = ?1 ORDER BY id LIMIT 2",
			       -1, &st, NULL) != SQLITE_OK)
		goto failed;
	sqlite3_bind_text(st, 1, want, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, (int)n);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (col(st, 0) && found++ == 0)
			snprintf(id, PS_BUCKET_ID_LEN + 1, "%s", col(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
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
	snprintf(err, errlen, "looking up bucket '%s': %s", prefix, sqlite3_errmsg(db));
	return STORE_ERROR;
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
		sqlite3_free(c->owned[i]);
	sqlite3_free(c->v);
	sqlite3_free(c->owned);
	memset(c, 0, sizeof *c);
}

/* The rows of `sql` (?1 = bucket id; columns value, count) into c;
 * 0 or -1. */
static int counts(sqlite3 *db, const char *sql, const char *id, struct counts *c)
{
	sqlite3_stmt *st;
	int rc;

	memset(c, 0, sizeof *c);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_count *v = sqlite3_realloc64(c->v, (c->n + 1) * sizeof *v);
		char **owned = v ? sqlite3_realloc64(c->owned, (c->n + 1) * sizeof *owned) : NULL;
		char *value;

		if (v)
			c->v = v;
		if (owned)
			c->owned = owned;
		value = owned ? sqlite3_mprintf("%s", col(st, 0) ? col(st, 0) : "") : NULL;
		if (!value)
			break;
		c->owned[c->n] = value;
		c->v[c->n].value = value;
		c->v[c->n++].n = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		counts_free(c);
		return -1;
	}
	return 0;
}

int store_buckets(sqlite3 *db, enum store_bucket_list which, const char *only, uint32_t limit,
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
		"  FROM buckets b WHERE ?1 IS NULL OR b.id = ?1)"
		" SELECT id, kind, title, module, frames, cases, nmachines, nreleases, nopen, first_us, last_us, u,"
		"  human_label, labelled_by, labelled_us, cause, advice, url, resolved_by, resolved_us, ex,"
		"  (SELECT COALESCE(json_extract(report, '$.culprits[0].text'), json_extract(report,"
		"   '$.segment[0].text')) FROM cases WHERE id = ex AND json_valid(report)) FROM s";
	static const char order_all[] = " ORDER BY cases DESC, last_us DESC, id LIMIT ?2";
	static const char order_queue[] =
		" WHERE COALESCE(human_label, '') = '' AND nopen > 0"
		" ORDER BY u DESC, cases DESC, last_us DESC, id LIMIT ?2";
	char *sql = sqlite3_mprintf("%s%s", select, which == STORE_BUCKETS_QUEUE ? order_queue : order_all);
	sqlite3_stmt *st = NULL;
	int rc, ret = 0;

	if (!sql) {
		snprintf(err, errlen, "no memory");
		return -1;
	}
	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	sqlite3_free(sql);
	if (rc != SQLITE_OK)
		return fail(db, "listing the buckets", err, errlen);
	if (only)
		sqlite3_bind_text(st, 1, only, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_int64(st, 2, limit ? (sqlite3_int64)limit : -1);
	while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_bucket b;
		struct counts labels, kernels;

		memset(&b, 0, sizeof b);
		b.id = col(st, 0);
		b.kind = col(st, 1);
		b.title = col(st, 2);
		b.module = col(st, 3);
		b.frames = col(st, 4);
		b.cases = sqlite3_column_int64(st, 5);
		b.machines = sqlite3_column_int64(st, 6);
		b.releases = sqlite3_column_int64(st, 7);
		b.unlabelled = sqlite3_column_int64(st, 8);
		b.first_us = sqlite3_column_int64(st, 9);
		b.last_us = sqlite3_column_int64(st, 10);
		b.uncertainty = sqlite3_column_double(st, 11);
		b.human_label = col(st, 12) && *col(st, 12) ? col(st, 12) : NULL;
		b.labelled_by = col(st, 13);
		b.labelled_us = sqlite3_column_int64(st, 14);
		b.cause = col(st, 15) && *col(st, 15) ? col(st, 15) : NULL;
		b.advice = b.cause ? col(st, 16) : NULL;
		b.url = b.cause ? col(st, 17) : NULL;
		b.resolved_by = b.cause ? col(st, 18) : NULL;
		b.resolved_us = sqlite3_column_int64(st, 19);
		b.example = col(st, 20);
		b.crash = col(st, 21);
		if (!b.id)
			continue;
		if (counts(db, "SELECT label, count(*) FROM cases WHERE bucket = ?1"
			   " GROUP BY label ORDER BY 2 DESC, 1", b.id, &labels)) {
			sqlite3_finalize(st);
			return fail(db, "counting a bucket's labels", err, errlen);
		}
		if (counts(db, "SELECT release, count(*) FROM cases WHERE bucket = ?1"
			   " GROUP BY release ORDER BY 2 DESC, 1", b.id, &kernels)) {
			counts_free(&labels);
			sqlite3_finalize(st);
			return fail(db, "counting a bucket's kernels", err, errlen);
		}
		b.labels = labels.v;
		b.nlabels = labels.n;
		b.kernels = kernels.v;
		b.nkernels = kernels.n;
		ret = fn(&b, ctx);
		counts_free(&labels);
		counts_free(&kernels);
	}
	sqlite3_finalize(st);
	if (!ret && rc != SQLITE_DONE)
		return fail(db, "listing the buckets", err, errlen);
	return ret;
}

int store_bucket_cases(sqlite3 *db, const char *id, uint32_t limit,
		       int (*fn)(const struct store_bucket_case *c, void *ctx), void *ctx, char *err,
		       size_t errlen)
{
	sqlite3_stmt *st;
	int rc, ret = 0;

	if (sqlite3_prepare_v2(db, "SELECT id, received_us, machine, release, label, confidence, human_label"
			       " FROM cases WHERE bucket = ?1 ORDER BY received_us DESC, id LIMIT ?2", -1, &st,
			       NULL) != SQLITE_OK)
		return fail(db, "listing the bucket's cases", err, errlen);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, limit ? (sqlite3_int64)limit : -1);
	while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_bucket_case c;

		c.id = col(st, 0);
		c.received_us = sqlite3_column_int64(st, 1);
		c.machine = col(st, 2);
		c.release = col(st, 3);
		c.label = col(st, 4);
		c.confidence = sqlite3_column_double(st, 5);
		c.human_label = col(st, 6) && *col(st, 6) ? col(st, 6) : NULL;
		if (c.id)
			ret = fn(&c, ctx);
	}
	sqlite3_finalize(st);
	if (!ret && rc != SQLITE_DONE)
		return fail(db, "listing the bucket's cases", err, errlen);
	return ret;
}

/* ---- what people attach to a bucket ---- */

int store_label_bucket(sqlite3 *db, const char *id, const char *label, const char *by, int64_t *cases,
		       char **old, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int64_t now = (int64_t)port_wall_us();

	*cases = 0;
	*old = NULL;
	if (sqlite3_prepare_v2(db, "SELECT human_label FROM buckets WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
		return fail(db, "reading the bucket", err, errlen);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		snprintf(err, errlen, "bucket %s is gone from the store", id);
		return -1;
	}
	if (col(st, 0) && *col(st, 0))
		*old = sqlite3_mprintf("%s", col(st, 0));
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db, "UPDATE buckets SET human_label = ?2, labelled_us = ?3, labelled_by = ?4"
			       " WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
		return fail(db, "labelling the bucket", err, errlen);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, label, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	if (by)
		sqlite3_bind_text(st, 4, by, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 4);
	if (step_done(st))
		return fail(db, "labelling the bucket", err, errlen);
	if (sqlite3_prepare_v2(db, "UPDATE cases SET human_label = ?2, labelled_us = ?3, labelled_by = ?4"
			       " WHERE bucket = ?1", -1, &st, NULL) != SQLITE_OK)
		return fail(db, "labelling the bucket's cases", err, errlen);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, label, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	if (by)
		sqlite3_bind_text(st, 4, by, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 4);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		return fail(db, "labelling the bucket's cases", err, errlen);
	}
	*cases = sqlite3_changes(db);
	sqlite3_finalize(st);
	return 0;
}

int store_resolve_bucket(sqlite3 *db, const char *id, const char *cause, const char *advice,
			 const char *url, const char *by, char *err, size_t errlen)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, "UPDATE buckets SET cause = ?2, advice = ?3, url = ?4, resolved_us = ?5,"
			       " resolved_by = ?6 WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
		return fail(db, "recording the resolution", err, errlen);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (cause) {
		sqlite3_bind_text(st, 2, cause, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, advice ? advice : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, url ? url : "", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, (int64_t)port_wall_us());
		if (by)
			sqlite3_bind_text(st, 6, by, -1, SQLITE_STATIC);
	}
	if (sqlite3_step(st) != SQLITE_DONE || sqlite3_changes(db) != 1) {
		sqlite3_finalize(st);
		return fail(db, "recording the resolution", err, errlen);
	}
	sqlite3_finalize(st);
	return 0;
}
