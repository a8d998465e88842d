/* The parts of the SQL layer (sql.h) common to both backends. */
#include "tools/store/sql.h"

int sql_done(struct sql_stmt *st)
{
	int rc = st ? sql_step(st) : SQL_ERROR;

	sql_finalize(st);
	return rc == SQL_DONE ? SQL_OK : SQL_ERROR;
}
