/* The SQLite backend of the store's SQL layer (sql.h): a file in WAL
 * mode, synchronous=FULL, a busy timeout for concurrent writers. */
#include "tools/store/sql.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

struct lite {
	struct sql base;
	sqlite3 *db;
};

struct lite_stmt {
	struct sql_stmt base;
	sqlite3_stmt *st;
	int64_t changes;
};

#define DB(d) (((struct lite *)(d))->db)
#define ST(s) (((struct lite_stmt *)(s))->st)

static int lite_prepare(struct sql *db, const char *text, struct sql_stmt **out)
{
	struct lite_stmt *s = calloc(1, sizeof *s);

	*out = NULL;
	if (!s)
		return SQL_ERROR;
	if (sqlite3_prepare_v2(DB(db), text, -1, &s->st, NULL) != SQLITE_OK) {
		free(s);
		return SQL_ERROR;
	}
	s->base.db = db;
	*out = &s->base;
	return SQL_OK;
}

static int lite_bind(struct sql_stmt *st, int i, int type, const char *s, size_t n, int64_t v, double d)
{
	int rc;

	switch (type) {
	case SQL_T_TEXT:
		rc = sqlite3_bind_text(ST(st), i, s, (int)n, SQLITE_STATIC);
		break;
	case SQL_T_INT:
		rc = sqlite3_bind_int64(ST(st), i, v);
		break;
	case SQL_T_DOUBLE:
		rc = sqlite3_bind_double(ST(st), i, d);
		break;
	default:
		rc = sqlite3_bind_null(ST(st), i);
	}
	return rc == SQLITE_OK ? SQL_OK : SQL_ERROR;
}

static int lite_step(struct sql_stmt *st)
{
	int rc = sqlite3_step(ST(st));

	if (rc == SQLITE_ROW)
		return SQL_ROW;
	if (rc == SQLITE_DONE) {
		((struct lite_stmt *)st)->changes = sqlite3_changes(DB(st->db));
		return SQL_DONE;
	}
	return SQL_ERROR;
}

static const char *lite_text(struct sql_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(ST(st), i);
}

static size_t lite_bytes(struct sql_stmt *st, int i)
{
	return (size_t)sqlite3_column_bytes(ST(st), i);
}

static int lite_is_null(struct sql_stmt *st, int i)
{
	return sqlite3_column_type(ST(st), i) == SQLITE_NULL;
}

static int64_t lite_int64(struct sql_stmt *st, int i)
{
	return sqlite3_column_int64(ST(st), i);
}

static double lite_double(struct sql_stmt *st, int i)
{
	return sqlite3_column_double(ST(st), i);
}

static int64_t lite_changes(struct sql_stmt *st)
{
	return ((struct lite_stmt *)st)->changes;
}

static void lite_finalize(struct sql_stmt *st)
{
	sqlite3_finalize(ST(st));
	free(st);
}

static int lite_exec(struct sql *db, const char *text)
{
	return sqlite3_exec(DB(db), text, NULL, NULL, NULL) == SQLITE_OK ? SQL_OK : SQL_ERROR;
}

static int lite_begin(struct sql *db)
{
	return lite_exec(db, "BEGIN IMMEDIATE");
}

static int lite_lock(struct sql *db, const char *key)
{
	(void)db;
	(void)key;
	return SQL_OK;   /* BEGIN IMMEDIATE excluded every other writer */
}

static int lite_get_version(struct sql *db, int *version)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(DB(db), "PRAGMA user_version", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return SQL_ERROR;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? SQL_OK : SQL_ERROR;
}

static int lite_set_version(struct sql *db, int version)
{
	char sql[64];

	snprintf(sql, sizeof sql, "PRAGMA user_version=%d", version);
	return lite_exec(db, sql);
}

static const char *lite_errmsg(struct sql *db)
{
	return sqlite3_errmsg(DB(db));
}

static void lite_close(struct sql *db)
{
	sqlite3_exec(DB(db), "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	sqlite3_close(DB(db));
	free(db);
}

static const struct sql_ops lite_ops = {
	"SQLite", lite_prepare, lite_bind, lite_step, lite_text, lite_bytes, lite_is_null, lite_int64, lite_double, lite_changes,
	lite_finalize, lite_exec, lite_begin, lite_lock, lite_get_version, lite_set_version, lite_errmsg,
	lite_close,
};

int sql_open_sqlite(struct sql **out, const char *path, int create, char *err, size_t errlen)
{
	struct lite *l;
	sqlite3 *db = NULL;
	char *e = NULL;
	int rc;

	*out = NULL;
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
	rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", NULL, NULL, &e);
	if (rc != SQLITE_OK || !(l = calloc(1, sizeof *l))) {
		snprintf(err, errlen, "%s: %s", path, e ? e : rc != SQLITE_OK ? sqlite3_errmsg(db) : "no memory");
		sqlite3_free(e);
		sqlite3_close(db);
		return -1;
	}
	l->base.ops = &lite_ops;
	l->db = db;
	*out = &l->base;
	return 0;
}

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

int sql_open_memory(struct sql **out)
{
	struct lite *l = calloc(1, sizeof *l);

	*out = NULL;
	if (!l)
		return -1;
	if (sqlite3_open_v2(":memory:", &l->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK ||
	    sqlite3_create_function(l->db, "ps_entropy", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, NULL,
				    entropy_step, entropy_final) != SQLITE_OK) {
		sqlite3_close(l->db);
		free(l);
		return -1;
	}
	l->base.ops = &lite_ops;
	*out = &l->base;
	return 0;
}
