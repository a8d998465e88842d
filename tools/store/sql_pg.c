/* The PostgreSQL backend of the store's SQL layer (sql.h), over libpq.
 *
 * A statement is its text with ?N rewritten to $N; sql_step runs it
 * with PQexecParams on the first call (every value sent as text of
 * unknown type: the server infers the types from the SQL) and then
 * walks the result's rows.  The schema version is the one row of table
 * panicsage_schema.  sql_lock takes a transaction-scoped advisory lock
 * on a 64-bit FNV-1a hash of its key.  A connection lost between
 * transactions is reset before the next statement. */
#include "tools/store/sql.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

struct pg {
	struct sql base;
	PGconn *c;
	char err[512];
};

struct pg_stmt {
	struct sql_stmt base;
	char *text;
	int nparams;
	char **vals;             /* malloc'ed text, NULL for SQL NULL */
	PGresult *res;
	int row, nrows;
	int64_t changes;
};

#define PG(d) ((struct pg *)(d))
#define PST(s) ((struct pg_stmt *)(s))

static void set_err(struct pg *p, const char *msg)
{
	size_t n;

	char *q;

	snprintf(p->err, sizeof p->err, "%s", msg && *msg ? msg : "PostgreSQL failed");
	n = strlen(p->err);
	while (n && (p->err[n - 1] == '\n' || p->err[n - 1] == ' '))
		p->err[--n] = '\0';
	/* one line: libpq continues its messages on tab-indented lines */
	for (q = p->err; *q; q++)
		if (*q == '\n' || *q == '\t')
			*q = ' ';
}

/* A connection that broke (the server restarted) is reset when no
 * transaction was open on it: the next statement runs on a new one. */
static void revive(struct pg *p)
{
	if (PQstatus(p->c) == CONNECTION_BAD)
		PQreset(p->c);
}

/* ?N -> $N, ? -> $k (k counting), outside '...' literals; the number
 * of parameters in *n.  NULL without memory. */
static char *rewrite(const char *text, int *n)
{
	size_t len = strlen(text);
	char *out = malloc(2 * len + 1), *o = out;
	int quoted = 0, next = 0, max = 0;

	if (!out)
		return NULL;
	for (const char *p = text; *p; p++) {
		if (*p == '\'')
			quoted = !quoted;
		if (quoted || *p != '?') {
			*o++ = *p;
			continue;
		}
		if (p[1] >= '0' && p[1] <= '9') {
			int k = (int)strtol(p + 1, NULL, 10);

			*o++ = '$';
			while (p[1] >= '0' && p[1] <= '9')
				*o++ = *++p;
			if (k > max)
				max = k;
		} else {
			o += sprintf(o, "$%d", ++next);
			if (next > max)
				max = next;
		}
	}
	*o = '\0';
	*n = max;
	return out;
}

static int pg_prepare(struct sql *db, const char *text, struct sql_stmt **out)
{
	struct pg_stmt *s = calloc(1, sizeof *s);

	*out = NULL;
	if (!s || !(s->text = rewrite(text, &s->nparams)) ||
	    !(s->vals = calloc((size_t)s->nparams + 1, sizeof *s->vals))) {
		if (s)
			free(s->text);
		free(s);
		set_err(PG(db), "out of memory");
		return SQL_ERROR;
	}
	s->base.db = db;
	*out = &s->base;
	return SQL_OK;
}

static int pg_bind(struct sql_stmt *st, int i, int type, const char *str, size_t n, int64_t v, double d)
{
	struct pg_stmt *s = PST(st);
	char num[40], *val = NULL;

	if (i < 1 || i > s->nparams)
		return SQL_ERROR;
	switch (type) {
	case SQL_T_TEXT:
		if ((val = malloc(n + 1))) {
			memcpy(val, str, n);
			val[n] = '\0';
		}
		break;
	case SQL_T_INT:
		snprintf(num, sizeof num, "%" PRId64, v);
		val = strdup(num);
		break;
	case SQL_T_DOUBLE:
		snprintf(num, sizeof num, "%.17g", d);
		val = strdup(num);
		break;
	default:
		break;
	}
	free(s->vals[i - 1]);
	s->vals[i - 1] = val;
	return type == SQL_T_NULL || val ? SQL_OK : SQL_ERROR;
}

static int pg_step(struct sql_stmt *st)
{
	struct pg_stmt *s = PST(st);
	struct pg *p = PG(st->db);

	if (!s->res) {
		ExecStatusType t;

		if (PQtransactionStatus(p->c) == PQTRANS_IDLE || PQtransactionStatus(p->c) == PQTRANS_UNKNOWN)
			revive(p);
		s->res = PQexecParams(p->c, s->text, s->nparams, NULL, (const char *const *)s->vals, NULL, NULL, 0);
		t = PQresultStatus(s->res);
		if (t == PGRES_TUPLES_OK) {
			s->nrows = PQntuples(s->res);
		} else if (t == PGRES_COMMAND_OK) {
			s->changes = strtoll(PQcmdTuples(s->res), NULL, 10);
		} else {
			set_err(p, s->res ? PQresultErrorMessage(s->res) : PQerrorMessage(p->c));
			PQclear(s->res);
			s->res = NULL;
			return SQL_ERROR;
		}
		s->row = -1;
	}
	if (++s->row < s->nrows)
		return SQL_ROW;
	s->row = s->nrows;
	return SQL_DONE;
}

static int has_row(struct pg_stmt *s, int i)
{
	return s->res && s->row >= 0 && s->row < s->nrows && i >= 0 && i < PQnfields(s->res);
}

static const char *pg_text(struct sql_stmt *st, int i)
{
	struct pg_stmt *s = PST(st);

	if (!has_row(s, i) || PQgetisnull(s->res, s->row, i))
		return NULL;
	return PQgetvalue(s->res, s->row, i);
}

static size_t pg_bytes(struct sql_stmt *st, int i)
{
	struct pg_stmt *s = PST(st);

	return has_row(s, i) ? (size_t)PQgetlength(s->res, s->row, i) : 0;
}

static int pg_is_null(struct sql_stmt *st, int i)
{
	return pg_text(st, i) == NULL;
}

static int64_t pg_col_int64(struct sql_stmt *st, int i)
{
	const char *t = pg_text(st, i);

	return t ? strtoll(t, NULL, 10) : 0;
}

static double pg_col_double(struct sql_stmt *st, int i)
{
	const char *t = pg_text(st, i);

	return t ? strtod(t, NULL) : 0;
}

static int64_t pg_changes(struct sql_stmt *st)
{
	return PST(st)->changes;
}

static void pg_finalize(struct sql_stmt *st)
{
	struct pg_stmt *s = PST(st);
	int i;

	for (i = 0; i < s->nparams; i++)
		free(s->vals[i]);
	free(s->vals);
	free(s->text);
	PQclear(s->res);
	free(s);
}

static int pg_exec(struct sql *db, const char *text)
{
	struct pg *p = PG(db);
	PGresult *r;
	ExecStatusType t;

	if (PQtransactionStatus(p->c) == PQTRANS_IDLE || PQtransactionStatus(p->c) == PQTRANS_UNKNOWN) {
		/* ROLLBACK outside a transaction has nothing to do */
		if (!strcmp(text, "ROLLBACK"))
			return SQL_OK;
		revive(p);
	}
	r = PQexec(p->c, text);
	t = PQresultStatus(r);
	if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK) {
		set_err(p, r ? PQresultErrorMessage(r) : PQerrorMessage(p->c));
		PQclear(r);
		return SQL_ERROR;
	}
	PQclear(r);
	return SQL_OK;
}

static int pg_begin(struct sql *db)
{
	return pg_exec(db, "BEGIN");
}

static int pg_lock(struct sql *db, const char *key)
{
	uint64_t h = 14695981039346656037u;
	struct sql_stmt *s;

	for (const unsigned char *k = (const unsigned char *)key; *k; k++)
		h = (h ^ *k) * 1099511628211u;
	if (pg_prepare(db, "SELECT pg_advisory_xact_lock(?1)", &s))
		return SQL_ERROR;
	pg_bind(s, 1, SQL_T_INT, NULL, 0, (int64_t)h, 0);
	if (pg_step(s) != SQL_ROW) {
		pg_finalize(s);
		return SQL_ERROR;
	}
	pg_finalize(s);
	return SQL_OK;
}

static int pg_get_version(struct sql *db, int *version)
{
	struct sql_stmt *s;
	int rc;

	*version = 0;
	if (pg_prepare(db, "SELECT to_regclass('panicsage_schema') IS NOT NULL", &s))
		return SQL_ERROR;
	rc = pg_step(s);
	if (rc == SQL_ROW && !strcmp(pg_text(s, 0) ? pg_text(s, 0) : "", "f")) {
		pg_finalize(s);
		return SQL_OK;
	}
	pg_finalize(s);
	if (rc != SQL_ROW || pg_prepare(db, "SELECT max(version) FROM panicsage_schema", &s))
		return SQL_ERROR;
	rc = pg_step(s);
	if (rc == SQL_ROW)
		*version = (int)pg_col_int64(s, 0);
	pg_finalize(s);
	return rc == SQL_ROW ? SQL_OK : SQL_ERROR;
}

static int pg_set_version(struct sql *db, int version)
{
	char sql[200];

	snprintf(sql, sizeof sql, "CREATE TABLE IF NOT EXISTS panicsage_schema (version INTEGER NOT NULL);"
		 " DELETE FROM panicsage_schema; INSERT INTO panicsage_schema VALUES (%d)", version);
	return pg_exec(db, sql);
}

static const char *pg_errmsg(struct sql *db)
{
	return PG(db)->err;
}

static void pg_close(struct sql *db)
{
	PQfinish(PG(db)->c);
	free(db);
}

static const struct sql_ops pg_ops = {
	"PostgreSQL", pg_prepare, pg_bind, pg_step, pg_text, pg_bytes, pg_is_null, pg_col_int64, pg_col_double,
	pg_changes, pg_finalize, pg_exec, pg_begin, pg_lock, pg_get_version, pg_set_version, pg_errmsg,
	pg_close,
};

/* Notices ("relation already exists, skipping") are not for people. */
static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

int sql_open_pg(struct sql **out, const char *url, char *err, size_t errlen)
{
	struct pg *p = calloc(1, sizeof *p);

	*out = NULL;
	if (!p) {
		snprintf(err, errlen, "PostgreSQL store: no memory");
		return -1;
	}
	p->c = PQconnectdb(url);
	if (!p->c || PQstatus(p->c) != CONNECTION_OK) {
		set_err(p, p->c ? PQerrorMessage(p->c) : "no memory");
		/* the message of libpq names the host and database, never the password */
		snprintf(err, errlen, "PostgreSQL store: %s", p->err);
		PQfinish(p->c);
		free(p);
		return -1;
	}
	PQsetNoticeProcessor(p->c, quiet, NULL);
	p->base.ops = &pg_ops;
	*out = &p->base;
	return 0;
}
