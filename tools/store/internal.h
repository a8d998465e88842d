/* What the files of tools/store share; nothing outside includes it. */
#ifndef PS_TOOLS_STORE_INTERNAL_H
#define PS_TOOLS_STORE_INTERNAL_H

#include <pthread.h>

#include "tools/store/sql.h"
#include "tools/store/store.h"

struct store {
	struct sql *db;          /* the store: SQLite or PostgreSQL */
	struct sql *js;          /* in-memory SQLite: the JSON of stored reports */
	pthread_mutex_t lock;    /* recursive: every public function holds it */
	char *name;              /* store_name */
};

#define STORE_LOCK(st) pthread_mutex_lock(&(st)->lock)
#define STORE_UNLOCK(st) pthread_mutex_unlock(&(st)->lock)

/* "what: the database's message" into err; -1. */
int store_fail(struct sql *db, const char *what, char *err, size_t errlen);

/* A report's facts the collector stores with it: whether it is JSON, its
 * bucket signature, the entropy of its ranking (*has_h 0 without one).
 * 0, or -1 with a message (no memory). */
int report_facts(const char *report, size_t n, int *valid, struct ps_bucket_sig *sig, int *has_h, double *h,
		 char *err, size_t errlen);

/* Puts stored case `id` (received at `when`) into the bucket of `sig`,
 * with its entropy; inside the caller's write transaction.  0 or -1. */
int bucket_case(struct store *st, const char *id, int64_t when, const struct ps_bucket_sig *sig, int has_h,
		double h, char *err, size_t errlen);
/* Puts every case without a bucket into one, oldest first; inside the
 * caller's transaction.  *done gets how many.  0 or -1. */
int bucket_missing(struct store *st, int64_t *done, char *err, size_t errlen);

/* A lower-case copy of a hex id prefix of STORE_ID_MIN..max digits into
 * want (max + 1 bytes); 0, or -1 when it is not one. */
int id_prefix(const char *prefix, size_t max, char *want);
/* The segment of a JSON report as log text (store_report_log) on the
 * in-memory database m. */
int report_log(struct sql *m, const char *report, size_t n, char **text, size_t *len, char *err, size_t errlen);

#endif
