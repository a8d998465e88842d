#include "tools/store.h"

#include <stdio.h>
#include <string.h>

#include "port/port.h"

static const char schema[] =
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

int store_open(sqlite3 **dbp, const char *path, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	char *e = NULL;
	int rc, version = -1;
	sqlite3_stmt *st;

	*dbp = NULL;
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			     SQLITE_OPEN_FULLMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return -1;
	}
	sqlite3_busy_timeout(db, 5000);
	rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", NULL, NULL, &e);
	if (rc == SQLITE_OK && sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			version = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	if (rc == SQLITE_OK && version > STORE_SCHEMA_VERSION) {
		snprintf(err, errlen, "%s: case store schema %d is newer than this panicsage (%d)",
			 path, version, STORE_SCHEMA_VERSION);
		sqlite3_close(db);
		return -1;
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, schema, NULL, NULL, &e);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "PRAGMA user_version=1", NULL, NULL, &e);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, e ? e : sqlite3_errmsg(db));
		sqlite3_free(e);
		sqlite3_close(db);
		return -1;
	}
	*dbp = db;
	return 0;
}

void store_close(sqlite3 *db)
{
	if (db) {
		sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
		sqlite3_close(db);
	}
}

int store_put_case(sqlite3 *db, const struct ps_case_meta *m, const char *peer, const char *client,
		   char *err, size_t errlen)
{
	static const char sql[] =
		"INSERT OR IGNORE INTO cases (id, received_us, capture_us, release, machine, label,"
		" confidence, report, peer, client) "
		"SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10 WHERE json_valid(?8)";
	char id[2 * PS_FRAME_ID_LEN + 1];
	sqlite3_stmt *st = NULL;
	int rc, changes, exists = 0;

	ps_id_hex(m->id, id);
	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto retry;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)port_wall_us());
	sqlite3_bind_int64(st, 3, (sqlite3_int64)(m->capture_us > INT64_MAX ? INT64_MAX : m->capture_us));
	sqlite3_bind_text(st, 4, m->release.p, (int)m->release.n, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, m->machine.p, (int)m->machine.n, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, m->label.n ? m->label.p : "", (int)m->label.n, SQLITE_STATIC);
	sqlite3_bind_double(st, 7, m->confidence_ppm / 1e6);
	sqlite3_bind_text(st, 8, m->report.p, (int)m->report.n, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, peer ? peer : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 10, client ? client : "", -1, SQLITE_TRANSIENT);
	/* The statement and the changes() check must not interleave with
	 * another thread's insert on this connection. */
	sqlite3_mutex_enter(sqlite3_db_mutex(db));
	rc = sqlite3_step(st);
	changes = sqlite3_changes(db);
	sqlite3_mutex_leave(sqlite3_db_mutex(db));
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE)
		goto retry;
	if (changes)
		return STORE_NEW;
	/* Not inserted: a duplicate, or a report that is not JSON. */
	rc = sqlite3_prepare_v2(db, "SELECT 1 FROM cases WHERE id = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto retry;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	exists = rc == SQLITE_ROW;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		st = NULL;
		goto retry;
	}
	if (exists)
		return STORE_DUPLICATE;
	snprintf(err, errlen, "report is not valid JSON");
	return STORE_BADCASE;
retry:
	snprintf(err, errlen, "store: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return STORE_RETRY;
}
