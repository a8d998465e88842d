/* The case store: opening either backend, the schema and its
 * migrations, storing a case exactly once, finding a case by id prefix. */
#include "tools/store/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/exitcode.h"
#include "port/port.h"

/* Version 1, the first schema; later versions are the migrations below.
 * BIGINT and DOUBLE PRECISION are SQLite's INTEGER and REAL and
 * PostgreSQL's 64-bit integer and double. */
static const char schema_v1[] =
	"CREATE TABLE IF NOT EXISTS cases ("
	" id TEXT PRIMARY KEY,"
	" received_us BIGINT NOT NULL,"
	" capture_us BIGINT NOT NULL,"
	" release TEXT NOT NULL,"
	" machine TEXT NOT NULL,"
	" label TEXT NOT NULL,"
	" confidence DOUBLE PRECISION NOT NULL,"
	" report TEXT NOT NULL,"
	" peer TEXT,"
	" client TEXT,"
	" summary TEXT,"
	" summary_source TEXT,"
	" summary_us BIGINT,"
	" human_label TEXT,"
	" labelled_us BIGINT);"
	"CREATE INDEX IF NOT EXISTS cases_label ON cases(label);"
	"CREATE INDEX IF NOT EXISTS cases_received ON cases(received_us);"
	"CREATE INDEX IF NOT EXISTS cases_release ON cases(release);"
	"CREATE INDEX IF NOT EXISTS cases_confidence ON cases(confidence);";

/* Version 3: crash buckets (store.h); every stored case gets its bucket
 * (bucket_missing, after the statements). */
static const char schema_v3[] =
	"CREATE TABLE buckets ("
	" id TEXT PRIMARY KEY,"
	" kind TEXT NOT NULL,"
	" title TEXT NOT NULL,"
	" module TEXT NOT NULL,"
	" frames TEXT NOT NULL,"
	" cases BIGINT NOT NULL DEFAULT 0,"
	" first_us BIGINT,"
	" last_us BIGINT,"
	" human_label TEXT,"
	" labelled_us BIGINT,"
	" labelled_by TEXT,"
	" cause TEXT,"
	" advice TEXT,"
	" url TEXT,"
	" resolved_us BIGINT,"
	" resolved_by TEXT);"
	"CREATE INDEX buckets_class ON buckets(kind, title, module);"
	"CREATE TABLE signatures ("
	" id TEXT PRIMARY KEY,"
	" bucket TEXT NOT NULL REFERENCES buckets(id),"
	" kind TEXT NOT NULL,"
	" title TEXT NOT NULL,"
	" module TEXT NOT NULL,"
	" frames TEXT NOT NULL,"
	" first_us BIGINT);"
	"ALTER TABLE cases ADD COLUMN bucket TEXT REFERENCES buckets(id);"
	"ALTER TABLE cases ADD COLUMN signature TEXT;"
	"ALTER TABLE cases ADD COLUMN entropy DOUBLE PRECISION;"
	"CREATE INDEX cases_bucket ON cases(bucket, received_us);";

static int bucket_old_cases(struct store *st, char *err, size_t errlen)
{
	int64_t done;

	return bucket_missing(st, &done, err, errlen);
}

/* migrations[v] takes a store from version v to v + 1: statements, then
 * a step in C (may be NULL), in the migration's transaction. */
static const struct {
	const char *sql;
	int (*after)(struct store *st, char *err, size_t errlen);
} migrations[STORE_SCHEMA_VERSION] = {
	{ schema_v1, NULL },
	{ "ALTER TABLE cases ADD COLUMN labelled_by TEXT;", NULL },
	{ schema_v3, bucket_old_cases },
};

int store_fail(struct sql *db, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s", what, sql_errmsg(db));
	return -1;
}

/* Brings the schema to STORE_SCHEMA_VERSION in one write transaction
 * that holds the lock "schema" (the version is read again inside it:
 * another process may have migrated the store meanwhile). */
static int migrate(struct store *st, const char *name, char *err, size_t errlen)
{
	struct sql *db = DB(st);
	char step[300] = "", msg[300] = "";
	int rc, version = 0, from = 0;

	if ((rc = db->ops->get_version(db, &version)) == SQL_OK && version == STORE_SCHEMA_VERSION)
		return 0;
	if (rc == SQL_OK)
		rc = sql_begin(db);
	if (rc == SQL_OK)
		rc = sql_lock(db, "schema");
	if (rc == SQL_OK)
		rc = db->ops->get_version(db, &version);
	if (rc == SQL_OK && (version < 0 || version > STORE_SCHEMA_VERSION)) {
		snprintf(err, errlen, "%s: case store schema %d is %s this panicsage (%d)", name, version,
			 version < 0 ? "unknown to" : "newer than", STORE_SCHEMA_VERSION);
		sql_rollback(db);
		return -1;
	}
	from = version;
	while (rc == SQL_OK && version < STORE_SCHEMA_VERSION) {
		rc = sql_exec(db, migrations[version].sql);
		if (rc == SQL_OK && migrations[version].after && migrations[version].after(st, step, sizeof step) != 0)
			rc = SQL_ERROR;
		if (rc == SQL_OK)
			version++;
	}
	if (rc == SQL_OK && from != version)
		rc = db->ops->set_version(db, STORE_SCHEMA_VERSION);
	if (rc == SQL_OK)
		rc = sql_commit(db);
	if (rc != SQL_OK) {
		snprintf(msg, sizeof msg, "%s", step[0] ? step : sql_errmsg(db));
		if (from > 0)
			snprintf(err, errlen, "%s: upgrading the case store from schema %d to %d: %s", name, from,
				 STORE_SCHEMA_VERSION, msg);
		else
			snprintf(err, errlen, "%s: creating the case store: %s", name, msg);
		sql_rollback(db);
		return -1;
	}
	return 0;
}

int store_is_url(const char *where)
{
	return !strncmp(where, "postgresql://", 13) || !strncmp(where, "postgres://", 11);
}

const char *store_backend(const struct store *st)
{
	return st->conn[0].db->ops->name;
}

const char *store_name(const struct store *st)
{
	return st->name;
}

/* A copy of `where` without a URL's password: the user:PASSWORD@ of its
 * authority and any password=... parameter become ***. */
static char *printable_name(const char *where)
{
	char *out = malloc(strlen(where) + 4), *o = out;
	const char *p = where, *auth_end;

	if (!out || !store_is_url(where)) {
		free(out);
		return strdup(where);
	}
	p = strstr(where, "://") + 3;
	auth_end = p + strcspn(p, "/?");
	memcpy(o, where, (size_t)(p - where));
	o += p - where;
	for (const char *at = memchr(p, '@', (size_t)(auth_end - p)), *colon; at;) {
		colon = memchr(p, ':', (size_t)(at - p));
		if (!colon)
			break;
		memcpy(o, p, (size_t)(colon - p + 1));
		o += colon - p + 1;
		memcpy(o, "***", 3);
		o += 3;
		p = at;
		break;
	}
	for (; *p; p++) {
		*o++ = *p;
		if ((p[0] == '?' || p[0] == '&') && !strncmp(p + 1, "password=", 9)) {
			memcpy(o, "password=***", 12);
			o += 12;
			p += 9;
			while (p[1] && p[1] != '&')
				p++;
		}
	}
	*o = '\0';
	return out;
}

__thread struct store_conn *store_cur;

static int conn_open(struct store_conn *c, const char *where, int create, char *err, size_t errlen)
{
	int rc = store_is_url(where) ? sql_open_pg(&c->db, where, err, errlen) :
		sql_open_sqlite(&c->db, where, create, err, errlen);

	if (rc)
		return -1;
	if (sql_open_memory(&c->js)) {
		snprintf(err, errlen, "cannot open an in-memory SQLite database");
		sql_close(c->db);
		c->db = NULL;
		return -1;
	}
	c->depth = 0;
	return 0;
}

void store_lock(struct store *st)
{
	struct store_conn *c = NULL;
	int i;

	if (store_cur && store_cur >= st->conn && store_cur < st->conn + STORE_POOL) {
		store_cur->depth++;
		return;
	}
	pthread_mutex_lock(&st->mu);
	for (;;) {
		for (i = 0; i < st->n && !c; i++)
			if (!st->conn[i].depth)
				c = &st->conn[i];
		if (c)
			break;
		if (st->n + st->opening < st->max) {
			/* all busy: one more connection (outside the mutex: it
			 * takes round trips); if it fails, wait for one */
			char err[300];
			struct store_conn fresh;
			int ok;

			st->opening++;
			pthread_mutex_unlock(&st->mu);
			ok = conn_open(&fresh, st->where, 0, err, sizeof err) == 0;
			pthread_mutex_lock(&st->mu);
			st->opening--;
			if (ok) {
				c = &st->conn[st->n++];
				*c = fresh;
				break;
			}
			st->max = st->n;
			continue;
		}
		pthread_cond_wait(&st->freed, &st->mu);
	}
	c->depth = 1;
	pthread_mutex_unlock(&st->mu);
	store_cur = c;
}

void store_unlock(struct store *st)
{
	if (--store_cur->depth)
		return;
	store_cur = NULL;
	pthread_mutex_lock(&st->mu);
	pthread_cond_signal(&st->freed);
	pthread_mutex_unlock(&st->mu);
}

static int open_store(struct store **out, const char *where, int create, char *err, size_t errlen)
{
	struct store *st = calloc(1, sizeof *st);
	int rc;

	*out = NULL;
	if (!st || !(st->where = strdup(where)) || !(st->name = printable_name(where))) {
		snprintf(err, errlen, "%s: no memory", where);
		if (st)
			free(st->where);
		free(st);
		return -1;
	}
	if (conn_open(&st->conn[0], where, create, err, errlen)) {
		free(st->name);
		free(st->where);
		free(st);
		return -1;
	}
	st->n = 1;
	st->max = store_is_url(where) ? STORE_POOL : 1;
	pthread_mutex_init(&st->mu, NULL);
	pthread_cond_init(&st->freed, NULL);
	STORE_LOCK(st);
	rc = migrate(st, st->name, err, errlen);
	STORE_UNLOCK(st);
	if (rc) {
		store_close(st);
		return -1;
	}
	*out = st;
	return 0;
}

int store_open(struct store **st, const char *where, char *err, size_t errlen)
{
	return open_store(st, where, 1, err, errlen);
}

int store_open_existing(struct store **st, const char *where, char *err, size_t errlen)
{
	return open_store(st, where, 0, err, errlen);
}

void store_close(struct store *st)
{
	int i;

	if (!st)
		return;
	for (i = 0; i < st->n; i++) {
		sql_close(st->conn[i].db);
		sql_close(st->conn[i].js);
	}
	pthread_mutex_destroy(&st->mu);
	pthread_cond_destroy(&st->freed);
	free(st->name);
	free(st->where);
	free(st);
}

int store_put_case(struct store *st, const struct ps_case_meta *m, const char *peer, const char *client,
		   struct store_bucket_info *info, char *err, size_t errlen)
{
	static const char sql[] =
		"INSERT INTO cases (id, received_us, capture_us, release, machine, label,"
		" confidence, report, peer, client) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
		" ON CONFLICT DO NOTHING";
	char id[2 * PS_FRAME_ID_LEN + 1], why[300] = "";
	struct sql *db;
	struct sql_stmt *s = NULL;
	struct ps_bucket_sig sig;
	int64_t now = (int64_t)port_wall_us(), changes = 0;
	int rc, result, valid = 0, have_facts, has_h = 0;
	double h = 0;

	if (info)
		memset(info, 0, sizeof *info);
	ps_id_hex(m->id, id);
	/* The report's facts first, outside the transaction: the analysis
	 * is the slow part, and other threads' cases need not wait for it. */
	have_facts = report_facts(m->report.p, m->report.n, &valid, &sig, &has_h, &h, why, sizeof why) == 0;
	/* One transaction for the case and its bucket, under the store's
	 * lock: threads share the connection. */
	STORE_LOCK(st);
	db = DB(st);
	if (sql_begin(db))
		goto retry;
	if (valid) {
		if (sql_prepare(db, sql, &s))
			goto retry;
		sql_bind_text(s, 1, id);
		sql_bind_int64(s, 2, now);
		sql_bind_int64(s, 3, (int64_t)(m->capture_us > INT64_MAX ? INT64_MAX : m->capture_us));
		sql_bind_textn(s, 4, m->release.p, m->release.n);
		sql_bind_textn(s, 5, m->machine.p, m->machine.n);
		sql_bind_textn(s, 6, m->label.n ? m->label.p : "", m->label.n);
		sql_bind_double(s, 7, m->confidence_ppm / 1e6);
		sql_bind_textn(s, 8, m->report.p, m->report.n);
		sql_bind_text(s, 9, peer ? peer : "");
		sql_bind_text(s, 10, client ? client : "");
		rc = sql_step(s);
		changes = sql_changes(s);
		sql_finalize(s);
		s = NULL;
		if (rc != SQL_DONE)
			goto retry;
	}
	if (changes) {
		if (!have_facts || bucket_case(st, id, now, &sig, has_h, h, why, sizeof why))
			goto retry;
		result = STORE_NEW;
	} else {
		/* Not inserted: a duplicate, or a report that is not JSON. */
		if (sql_prepare(db, "SELECT 1 FROM cases WHERE id = ?1", &s))
			goto retry;
		sql_bind_text(s, 1, id);
		rc = sql_step(s);
		sql_finalize(s);
		s = NULL;
		if (rc != SQL_ROW && rc != SQL_DONE)
			goto retry;
		result = rc == SQL_ROW ? STORE_DUPLICATE : STORE_BADCASE;
		why[0] = '\0';
	}
	if (result != STORE_BADCASE && info && store_case_bucket_info(st, id, info, why, sizeof why))
		goto retry;
	if (result == STORE_BADCASE)
		sql_rollback(db);
	else if (sql_commit(db))
		goto retry;
	STORE_UNLOCK(st);
	if (result == STORE_BADCASE)
		snprintf(err, errlen, "report is not valid JSON");
	return result;
retry:
	snprintf(err, errlen, "store: %s", why[0] ? why : sql_errmsg(db));
	sql_finalize(s);
	sql_rollback(db);
	STORE_UNLOCK(st);
	if (info)
		memset(info, 0, sizeof *info);
	return STORE_RETRY;
}

int id_prefix(const char *prefix, size_t max, char *want)
{
	size_t n = strlen(prefix), i;

	if (n < STORE_ID_MIN || n > max || strspn(prefix, "0123456789abcdefABCDEF") != n)
		return -1;
	for (i = 0; i <= n; i++)
		want[i] = (char)(prefix[i] >= 'A' && prefix[i] <= 'F' ? prefix[i] - 'A' + 'a' : prefix[i]);
	return 0;
}

int store_find_case(struct store *st, const char *prefix, char id[2 * PS_FRAME_ID_LEN + 1], char *err,
		    size_t errlen)
{
	char want[2 * PS_FRAME_ID_LEN + 1];
	struct sql_stmt *s = NULL;
	size_t used;
	int rc, found = 0;

	if (id_prefix(prefix, 2 * PS_FRAME_ID_LEN, want)) {
		snprintf(err, errlen, "case id '%s': give %d to %u hex digits", prefix, STORE_ID_MIN,
			 2 * PS_FRAME_ID_LEN);
		return STORE_BADID;
	}
	STORE_LOCK(st);
	/* ids are lower-case hex: those that start with the prefix sort
	 * from the prefix up to, not including, the prefix followed by 'g' */
	if (sql_prepare(DB(st), "SELECT id FROM cases WHERE id >= ?1 AND id < ?1 || 'g' ORDER BY id LIMIT 6", &s))
		goto fail;
	sql_bind_text(s, 1, want);
	used = (size_t)snprintf(err, errlen, "case id '%s' matches several cases:", prefix);
	while ((rc = sql_step(s)) == SQL_ROW) {
		const char *t = sql_text(s, 0);

		if (!t)
			continue;
		if (found++ == 0)
			snprintf(id, 2 * PS_FRAME_ID_LEN + 1, "%s", t);
		if (used < errlen)
			used += (size_t)snprintf(err + used, errlen - used, "%s %s", found > 1 ? "," : "",
						 found < 6 ? t : "...");
	}
	if (rc != SQL_DONE)
		goto fail;
	sql_finalize(s);
	STORE_UNLOCK(st);
	if (found == 1)
		return STORE_FOUND;
	if (found == 0) {
		snprintf(err, errlen, "no case '%s' in the store", prefix);
		return STORE_UNKNOWN;
	}
	if (used < errlen)
		snprintf(err + used, errlen - used, " (give more digits)");
	return STORE_AMBIGUOUS;
fail:
	snprintf(err, errlen, "looking up case '%s': %s", prefix, sql_errmsg(DB(st)));
	sql_finalize(s);
	STORE_UNLOCK(st);
	return STORE_ERROR;
}

int store_find_exit(enum store_find r)
{
	switch (r) {
	case STORE_FOUND:
		return PS_EXIT_OK;
	case STORE_BADID:
		return PS_EXIT_USAGE;
	case STORE_UNKNOWN:
	case STORE_AMBIGUOUS:
		return PS_EXIT_INPUT;
	default:
		return PS_EXIT_IO;
	}
}
