/* The store's own SQL layer: one portable SQL text per query, run on
 * SQLite (sql_sqlite.c) or PostgreSQL (sql_pg.c).  Internal to
 * tools/store: nothing outside this folder includes it.
 *
 * Parameters are written ?1, ?2, ... (or ?, numbered in order); the
 * PostgreSQL backend rewrites them to $1, $2, ... and sends every value
 * as text of unknown type, so the server infers the types from the SQL.
 * Columns are read as text, int64 or double.  What differs between the
 * two databases lives in the backends: opening, the schema version,
 * the write transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: BEGIN) and
 * sql_lock (PostgreSQL: a transaction-scoped advisory lock; SQLite's
 * write transaction excludes every other writer already). */
#ifndef PS_TOOLS_STORE_SQL_H
#define PS_TOOLS_STORE_SQL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum { SQL_OK = 0, SQL_ROW = 1, SQL_DONE = 2, SQL_ERROR = -1 };

struct sql;
struct sql_stmt;

struct sql_ops {
	const char *name;        /* "SQLite", "PostgreSQL" */
	int (*prepare)(struct sql *db, const char *text, struct sql_stmt **st);
	int (*bind)(struct sql_stmt *st, int i, int type, const char *s, size_t n, int64_t v, double d);
	int (*step)(struct sql_stmt *st);
	const char *(*text)(struct sql_stmt *st, int i);
	size_t (*bytes)(struct sql_stmt *st, int i);
	int (*is_null)(struct sql_stmt *st, int i);
	int64_t (*int64)(struct sql_stmt *st, int i);
	double (*dbl)(struct sql_stmt *st, int i);
	int64_t (*changes)(struct sql_stmt *st);
	void (*finalize)(struct sql_stmt *st);
	int (*exec)(struct sql *db, const char *text);
	int (*begin)(struct sql *db);
	int (*lock)(struct sql *db, const char *key);
	int (*get_version)(struct sql *db, int *version);
	int (*set_version)(struct sql *db, int version);
	const char *(*errmsg)(struct sql *db);
	void (*close)(struct sql *db);
};

/* What every backend's connection and statement start with. */
struct sql {
	const struct sql_ops *ops;
};
struct sql_stmt {
	struct sql *db;
};

enum { SQL_T_NULL, SQL_T_TEXT, SQL_T_INT, SQL_T_DOUBLE };

/* Opens a backend: a file (SQLite; create: may create it) or a
 * postgresql:// or postgres:// URL.  0, or -1 with a message. */
int sql_open_sqlite(struct sql **db, const char *path, int create, char *err, size_t errlen);
int sql_open_pg(struct sql **db, const char *url, char *err, size_t errlen);
/* A private in-memory SQLite database: SQLite's JSON functions and the
 * aggregate ps_entropy(p) (-sum p ln p over the numeric p > 0, NULL
 * without any), for reading reports whatever the store's backend. */
int sql_open_memory(struct sql **db);

static inline int sql_prepare(struct sql *db, const char *text, struct sql_stmt **st)
{
	return db->ops->prepare(db, text, st);
}
static inline void sql_bind_text(struct sql_stmt *st, int i, const char *s)
{
	st->db->ops->bind(st, i, s ? SQL_T_TEXT : SQL_T_NULL, s, s ? strlen(s) : 0, 0, 0);
}
static inline void sql_bind_textn(struct sql_stmt *st, int i, const char *s, size_t n)
{
	st->db->ops->bind(st, i, SQL_T_TEXT, s ? s : "", s ? n : 0, 0, 0);
}
static inline void sql_bind_int64(struct sql_stmt *st, int i, int64_t v)
{
	st->db->ops->bind(st, i, SQL_T_INT, NULL, 0, v, 0);
}
static inline void sql_bind_double(struct sql_stmt *st, int i, double d)
{
	st->db->ops->bind(st, i, SQL_T_DOUBLE, NULL, 0, 0, d);
}
static inline void sql_bind_null(struct sql_stmt *st, int i)
{
	st->db->ops->bind(st, i, SQL_T_NULL, NULL, 0, 0, 0);
}
/* SQL_ROW, SQL_DONE or SQL_ERROR (sql_errmsg says why). */
static inline int sql_step(struct sql_stmt *st)
{
	return st->db->ops->step(st);
}
/* Column i of the current row: NULL for SQL NULL. */
static inline const char *sql_text(struct sql_stmt *st, int i)
{
	return st->db->ops->text(st, i);
}
static inline size_t sql_bytes(struct sql_stmt *st, int i)
{
	return st->db->ops->bytes(st, i);
}
static inline int sql_is_null(struct sql_stmt *st, int i)
{
	return st->db->ops->is_null(st, i);
}
/* NULL reads 0. */
static inline int64_t sql_int64(struct sql_stmt *st, int i)
{
	return st->db->ops->int64(st, i);
}
static inline double sql_double(struct sql_stmt *st, int i)
{
	return st->db->ops->dbl(st, i);
}
/* Rows written by the statement, once it is done. */
static inline int64_t sql_changes(struct sql_stmt *st)
{
	return st->db->ops->changes(st);
}
static inline void sql_finalize(struct sql_stmt *st)
{
	if (st)
		st->db->ops->finalize(st);
}
/* Statements without parameters or rows; SQL_OK or SQL_ERROR. */
static inline int sql_exec(struct sql *db, const char *text)
{
	return db->ops->exec(db, text);
}
/* A write transaction; SQL_OK or SQL_ERROR. */
static inline int sql_begin(struct sql *db)
{
	return db->ops->begin(db);
}
static inline int sql_commit(struct sql *db)
{
	return sql_exec(db, "COMMIT");
}
static inline void sql_rollback(struct sql *db)
{
	sql_exec(db, "ROLLBACK");
}
/* Inside a write transaction: waits until no other transaction holds
 * the lock named `key`, and holds it until this one ends. */
static inline int sql_lock(struct sql *db, const char *key)
{
	return db->ops->lock(db, key);
}
static inline const char *sql_errmsg(struct sql *db)
{
	return db->ops->errmsg(db);
}
static inline void sql_close(struct sql *db)
{
	if (db)
		db->ops->close(db);
}

/* Runs a statement that returns no rows: SQL_OK or SQL_ERROR (and
 * finalizes it). */
int sql_done(struct sql_stmt *st);

/* A statement's parameters, bound to ?1, ?2, ... in order:
 *   sql_run(db, NULL, "UPDATE t SET a = ?2 WHERE id = ?1",
 *           SQL_ARGS(SQL_TEXT(id), SQL_INT(now)));
 * SQL_TEXT(NULL) binds NULL, as sql_bind_text does.  The same on both
 * backends: built on the backend's bind. */
struct sql_arg {
	int type;                /* SQL_T_* */
	const char *s;
	int64_t i;
	double d;
};
#define SQL_TEXT(v)   ((struct sql_arg){ SQL_T_TEXT, (v), 0, 0 })
#define SQL_INT(v)    ((struct sql_arg){ SQL_T_INT, NULL, (int64_t)(v), 0 })
#define SQL_DOUBLE(v) ((struct sql_arg){ SQL_T_DOUBLE, NULL, 0, (double)(v) })
#define SQL_NULL      ((struct sql_arg){ SQL_T_NULL, NULL, 0, 0 })
#define SQL_ARGS(...) (const struct sql_arg[]){ __VA_ARGS__ }, \
	sizeof((const struct sql_arg[]){ __VA_ARGS__ }) / sizeof(struct sql_arg)

/* Prepares text and binds args[0..n) to ?1..?n: SQL_OK, or SQL_ERROR
 * with *st NULL and nothing left open (a parameter that cannot be bound
 * is an error, not a NULL). */
int sql_prepare_args(struct sql *db, const char *text, const struct sql_arg *args, size_t n,
		     struct sql_stmt **st);

/* Prepares, binds and runs a statement that returns no rows, and
 * finalizes it: SQL_OK or SQL_ERROR.  *changes (when not NULL) is the
 * rows it wrote. */
int sql_run(struct sql *db, int64_t *changes, const char *text, const struct sql_arg *args, size_t n);

/* Prepares and binds a query and steps to its first row: SQL_ROW with
 * *st on that row (the caller finalizes it), else SQL_DONE (no row) or
 * SQL_ERROR, with *st finalized and NULL. */
int sql_first(struct sql *db, const char *text, const struct sql_arg *args, size_t n, struct sql_stmt **st);

#endif
