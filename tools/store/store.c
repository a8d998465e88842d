#include "tools/store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/exitcode.h"
#include "port/port.h"

/* Version 1, the first schema; later versions are the migrations below. */
static const char schema_v1[] =
	"CREATE TABLE IF NOT EXISTS cases ("
	" id TEXT PRIMARY KEY,"
	" received_us INTEGER NOT NULL,"
	" capture_us INTEGER NOT NULL,"
	" release TEXT NOT NULL,"
	" machine TEXT NOT NULL,"
	" label TEXT NOT NULL,"
	" confidence REAL NOT NULL,"
	" report TEXT NOT NULL,"
	" peer TEXT,"
	" client TEXT,"
	" summary TEXT,"
	" summary_source TEXT,"
	" summary_us INTEGER,"
	" human_label TEXT,"
	" labelled_us INTEGER);"
	"CREATE INDEX IF NOT EXISTS cases_label ON cases(label);"
	"CREATE INDEX IF NOT EXISTS cases_received ON cases(received_us);"
	"CREATE INDEX IF NOT EXISTS cases_release ON cases(release);"
	"CREATE INDEX IF NOT EXISTS cases_confidence ON cases(confidence);";

/* Version 3: crash buckets (store.h); every stored case gets its bucket
 * (store_bucket_missing, after the statements). */
static const char schema_v3[] =
	"CREATE TABLE buckets ("
	" id TEXT PRIMARY KEY,"
	" kind TEXT NOT NULL,"
	" title TEXT NOT NULL,"
	" module TEXT NOT NULL,"
	" frames TEXT NOT NULL,"
	" cases INTEGER NOT NULL DEFAULT 0,"
	" first_us INTEGER,"
	" last_us INTEGER,"
	" human_label TEXT,"
	" labelled_us INTEGER,"
	" labelled_by TEXT,"
	" cause TEXT,"
	" advice TEXT,"
	" url TEXT,"
	" resolved_us INTEGER,"
	" resolved_by TEXT);"
	"CREATE INDEX buckets_class ON buckets(kind, title, module);"
	"CREATE TABLE signatures ("
	" id TEXT PRIMARY KEY,"
	" bucket TEXT NOT NULL REFERENCES buckets(id),"
	" kind TEXT NOT NULL,"
	" title TEXT NOT NULL,"
	" module TEXT NOT NULL,"
	" frames TEXT NOT NULL,"
	" first_us INTEGER);"
	"ALTER TABLE cases ADD COLUMN bucket TEXT REFERENCES buckets(id);"
	"ALTER TABLE cases ADD COLUMN signature TEXT;"
	"ALTER TABLE cases ADD COLUMN entropy REAL;"
	"CREATE INDEX cases_bucket ON cases(bucket, received_us);";

static int bucket_old_cases(sqlite3 *db, char *err, size_t errlen)
{
	int64_t done;

	return store_bucket_missing(db, &done, err, errlen);
}

/* migrations[v] takes a store from version v to v + 1: statements, then
 * a step in C (may be NULL), in the migration's transaction. */
static const struct {
	const char *sql;
	int (*after)(sqlite3 *db, char *err, size_t errlen);
} migrations[STORE_SCHEMA_VERSION] = {
	{ schema_v1, NULL },
	{ "ALTER TABLE cases ADD COLUMN labelled_by TEXT;", NULL },
	{ schema_v3, bucket_old_cases },
};

/* SQL aggregate ps_entropy(p) = -sum p ln p over the numeric p > 0; NULL
 * when there is no numeric p at all: the uncertainty of a ranking. */
static void entropy_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	double *h, p;
	int t = sqlite3_value_type(argv[0]);

	(void)argc;
	if (t != SQLITE_INTEGER && t != SQLITE_FLOAT)
		return;
	if (!(h = sqlite3_aggregate_context(ctx, sizeof *h))) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	p = sqlite3_value_double(argv[0]);
	if (p > 0)
		*h -= p * log(p);
}

static void entropy_final(sqlite3_context *ctx)
{
	double *h = sqlite3_aggregate_context(ctx, 0);

	if (h)
		sqlite3_result_double(ctx, *h);
	else
		sqlite3_result_null(ctx);
}

static int user_version(sqlite3 *db, int *version)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*version = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Brings the schema to STORE_SCHEMA_VERSION in one write transaction
 * (the version is read again inside it: another process may have
 * migrated the store meanwhile). */
static int migrate(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	char *e = NULL, sql[64], step[300] = "";
	int rc, version = 0, from = 0;

	if ((rc = user_version(db, &version)) == SQLITE_OK && version == STORE_SCHEMA_VERSION)
		return 0;
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &e);
	if (rc == SQLITE_OK)
		rc = user_version(db, &version);
	if (rc == SQLITE_OK && (version < 0 || version > STORE_SCHEMA_VERSION)) {
		snprintf(err, errlen, "%s: case store schema %d is %s this panicsage (%d)", path, version,
			 version < 0 ? "unknown to" : "newer than", STORE_SCHEMA_VERSION);
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	from = version;
	while (rc == SQLITE_OK && version < STORE_SCHEMA_VERSION) {
		rc = sqlite3_exec(db, migrations[version].sql, NULL, NULL, &e);
		if (rc == SQLITE_OK && migrations[version].after &&
		    migrations[version].after(db, step, sizeof step) != 0)
			rc = SQLITE_ERROR;
		if (rc == SQLITE_OK)
			version++;
	}
	snprintf(sql, sizeof sql, "PRAGMA user_version=%d; COMMIT", STORE_SCHEMA_VERSION);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sql, NULL, NULL, &e);
	if (rc != SQLITE_OK) {
		if (from > 0)
			snprintf(err, errlen, "%s: upgrading the case store from schema %d to %d: %s", path,
				 from, STORE_SCHEMA_VERSION, e ? e : step[0] ? step : sqlite3_errmsg(db));
		else
			snprintf(err, errlen, "%s: creating the case store: %s", path,
				 e ? e : step[0] ? step : sqlite3_errmsg(db));
		sqlite3_free(e);
		if (!sqlite3_get_autocommit(db))
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

static int open_store(sqlite3 **dbp, const char *path, int create, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	char *e = NULL;
	int rc;

	*dbp = NULL;
	/* A new store is the collector's alone (crash logs, machine ids,
	 * certificate subjects): created 0600 here, and SQLite gives its
	 * -wal and -shm files the database file's mode. */
	if (create) {
		int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

		if (fd >= 0)
			close(fd);
	}
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) |
			     SQLITE_OPEN_FULLMUTEX, NULL);
	if (rc != SQLITE_OK) {
		int e_no = db ? sqlite3_system_errno(db) : 0;

		if (!create && e_no == ENOENT)
			snprintf(err, errlen, "%s: no such case store (panicsage serve creates it)", path);
		else
			snprintf(err, errlen, "%s: %s%s%s%s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc),
				 e_no ? " (" : "", e_no ? strerror(e_no) : "", e_no ? ")" : "");
		sqlite3_close(db);
		return -1;
	}
	sqlite3_busy_timeout(db, 5000);
	rc = sqlite3_create_function(db, "ps_entropy", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, NULL,
				     entropy_step, entropy_final);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", NULL, NULL, &e);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, e ? e : sqlite3_errmsg(db));
		sqlite3_free(e);
		sqlite3_close(db);
		return -1;
	}
	if (migrate(db, path, err, errlen)) {
		sqlite3_close(db);
		return -1;
	}
	*dbp = db;
	return 0;
}

int store_open(sqlite3 **dbp, const char *path, char *err, size_t errlen)
{
	return open_store(dbp, path, 1, err, errlen);
}

int store_open_existing(sqlite3 **dbp, const char *path, char *err, size_t errlen)
{
	return open_store(dbp, path, 0, err, errlen);
}

void store_close(sqlite3 *db)
{
	if (db) {
		sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
		sqlite3_close(db);
	}
}

/* Runs `sql` (no parameters), 0 or -1. */
static int exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int store_put_case(sqlite3 *db, const struct ps_case_meta *m, const char *peer, const char *client,
		   struct store_bucket_info *info, char *err, size_t errlen)
{
	static const char sql[] =
		"INSERT INTO cases (id, received_us, capture_us, release, machine, label,"
		" confidence, report, peer, client) "
		"SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10 WHERE json_valid(?8) ON CONFLICT DO NOTHING";
	char id[2 * PS_FRAME_ID_LEN + 1], why[300] = "";
	sqlite3_stmt *st = NULL;
	sqlite3_mutex *mu = sqlite3_db_mutex(db);
	struct ps_bucket_sig sig;
	int64_t now = (int64_t)port_wall_us();
	int rc, changes, exists = 0, result, have_sig;

	if (info)
		memset(info, 0, sizeof *info);
	ps_id_hex(m->id, id);
	/* The signature first, outside the transaction: the analysis is
	 * the slow part, and other threads' cases need not wait for it. */
	have_sig = store_report_signature(db, m->report.p, m->report.n, &sig, why, sizeof why) == 0;
	/* One transaction for the case and its bucket.  Threads may share
	 * this connection: the transaction must not interleave with
	 * another's statements, so the connection's mutex is held for it. */
	sqlite3_mutex_enter(mu);
	if (exec(db, "BEGIN IMMEDIATE"))
		goto retry;
	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto retry;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)(m->capture_us > INT64_MAX ? INT64_MAX : m->capture_us));
	sqlite3_bind_text(st, 4, m->release.p, (int)m->release.n, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, m->machine.p, (int)m->machine.n, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, m->label.n ? m->label.p : "", (int)m->label.n, SQLITE_STATIC);
	sqlite3_bind_double(st, 7, m->confidence_ppm / 1e6);
	sqlite3_bind_text(st, 8, m->report.p, (int)m->report.n, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, peer ? peer : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 10, client ? client : "", -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	changes = sqlite3_changes(db);
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE)
		goto retry;
	if (changes) {
		if (!have_sig || store_bucket_case(db, id, now, &sig, why, sizeof why))
			goto retry;
		result = STORE_NEW;
	} else {
		/* Not inserted: a duplicate, or a report that is not JSON. */
		rc = sqlite3_prepare_v2(db, "SELECT 1 FROM cases WHERE id = ?1", -1, &st, NULL);
		if (rc != SQLITE_OK)
			goto retry;
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(st);
		exists = rc == SQLITE_ROW;
		sqlite3_finalize(st);
		st = NULL;
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			goto retry;
		result = exists ? STORE_DUPLICATE : STORE_BADCASE;
		why[0] = '\0';
	}
	if (result != STORE_BADCASE && info && store_case_bucket_info(db, id, info, why, sizeof why))
		goto retry;
	if (exec(db, result == STORE_BADCASE ? "ROLLBACK" : "COMMIT"))
		goto retry;
	sqlite3_mutex_leave(mu);
	if (result == STORE_BADCASE)
		snprintf(err, errlen, "report is not valid JSON");
	return result;
retry:
	snprintf(err, errlen, "store: %s", why[0] ? why : sqlite3_errmsg(db));
	sqlite3_finalize(st);
	if (!sqlite3_get_autocommit(db))
		exec(db, "ROLLBACK");
	sqlite3_mutex_leave(mu);
	if (info)
		memset(info, 0, sizeof *info);
	return STORE_RETRY;
}

int store_find_case(sqlite3 *db, const char *prefix, char id[2 * PS_FRAME_ID_LEN + 1], char *err,
		    size_t errlen)
{
	char want[2 * PS_FRAME_ID_LEN + 1];
	sqlite3_stmt *st = NULL;
	size_t n = strlen(prefix), i, used;
	int rc, found = 0;

	if (n < STORE_ID_MIN || n > 2 * PS_FRAME_ID_LEN || strspn(prefix, "0123456789abcdefABCDEF") != n) {
		snprintf(err, errlen, "case id '%s': give %d to %u hex digits", prefix, STORE_ID_MIN,
			 2 * PS_FRAME_ID_LEN);
		return STORE_BADID;
	}
	for (i = 0; i <= n; i++)
		want[i] = (char)(prefix[i] >= 'A' && prefix[i] <= 'F' ? prefix[i] - 'A' + 'a' : prefix[i]);
	/* ids are lower-case hex, so the prefix has no GLOB metacharacter */
	rc = sqlite3_prepare_v2(db, "SELECT id FROM cases WHERE id GLOB ?1 || '*' ORDER BY id LIMIT 6",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, want, -1, SQLITE_STATIC);
	used = (size_t)snprintf(err, errlen, "case id '%s' matches several cases:", prefix);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);

		if (!t)
			continue;
		if (found++ == 0)
			snprintf(id, 2 * PS_FRAME_ID_LEN + 1, "%s", t);
		if (used < errlen)
			used += (size_t)snprintf(err + used, errlen - used, "%s %s", found > 1 ? "," : "",
						 found < 6 ? t : "...");
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
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
	snprintf(err, errlen, "looking up case '%s': %s", prefix, sqlite3_errmsg(db));
	sqlite3_finalize(st);
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
