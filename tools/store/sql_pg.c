/* The PostgreSQL backend of the store's SQL layer (sql.h): not yet. */
#include "tools/store/sql.h"

#include <stdio.h>

int sql_open_pg(struct sql **db, const char *url, char *err, size_t errlen)
{
	(void)url;
	*db = NULL;
	snprintf(err, errlen, "PostgreSQL stores are not built in yet");
	return -1;
}
