/* The parts of the SQL layer (sql.h) common to both backends. */
#include "tools/store/sql.h"

int sql_done(struct sql_stmt *st)
{
	int rc = st ? sql_step(st) : SQL_ERROR;

	sql_finalize(st);
	return rc == SQL_DONE ? SQL_OK : SQL_ERROR;
}

int sql_prepare_args(struct sql *db, const char *text, const struct sql_arg *args, size_t n,
		     struct sql_stmt **st)
{
	size_t i;

	if (sql_prepare(db, text, st))
		return SQL_ERROR;
	for (i = 0; i < n; i++) {
		const struct sql_arg *a = &args[i];
		int type = a->type == SQL_T_TEXT && !a->s ? SQL_T_NULL : a->type;

		if (db->ops->bind(*st, (int)i + 1, type, a->s, a->s ? strlen(a->s) : 0, a->i, a->d)) {
			sql_finalize(*st);
			*st = NULL;
			return SQL_ERROR;
		}
	}
	return SQL_OK;
}

int sql_run(struct sql *db, int64_t *changes, const char *text, const struct sql_arg *args, size_t n)
{
	struct sql_stmt *st;
	int rc;

	if (changes)
		*changes = 0;
	if (sql_prepare_args(db, text, args, n, &st))
		return SQL_ERROR;
	rc = sql_step(st);
	if (rc == SQL_DONE && changes)
		*changes = sql_changes(st);
	sql_finalize(st);
	return rc == SQL_DONE ? SQL_OK : SQL_ERROR;
}

int sql_first(struct sql *db, const char *text, const struct sql_arg *args, size_t n, struct sql_stmt **st)
{
	int rc;

	if (sql_prepare_args(db, text, args, n, st))
		return SQL_ERROR;
	rc = sql_step(*st);
	if (rc != SQL_ROW) {
		sql_finalize(*st);
		*st = NULL;
	}
	return rc == SQL_ROW || rc == SQL_DONE ? rc : SQL_ERROR;
}
