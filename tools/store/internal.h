/* What the files of tools/store share; nothing outside includes it. */
#ifndef PS_TOOLS_STORE_INTERNAL_H
#define PS_TOOLS_STORE_INTERNAL_H

#include <pthread.h>

#include "tools/store/sql.h"
#include "tools/store/store.h"

/* One connection to the store and its in-memory JSON database, held by
 * one thread at a time. */
struct store_conn {
	struct sql *db;          /* the store: SQLite or PostgreSQL */
	struct sql *js;          /* in-memory SQLite: the JSON of stored reports */
	int depth;               /* how many STORE_LOCKs its thread holds; 0 free */
};

/* At most this many connections to a PostgreSQL store per process, so
 * that the collector's threads store cases in parallel; a SQLite store
 * has one (its writers take turns anyway). */
#define STORE_POOL 8

struct store {
	char *where;             /* as given, to open more connections */
	char *name;              /* store_name */
	int max;                 /* connections at most: 1 or STORE_POOL */
	int n;                   /* connections open; conn[0] always */
	int opening;             /* connections being opened */
	struct store_conn conn[STORE_POOL];
	pthread_mutex_t mu;
	pthread_cond_t freed;
};

/* The connection the calling thread holds (between STORE_LOCK and
 * STORE_UNLOCK; a thread holds one store's at a time).  STORE_LOCK is
 * recursive: a store function may call another. */
extern __thread struct store_conn *store_cur;
void store_lock(struct store *st);
void store_unlock(struct store *st);
#define STORE_LOCK(st) store_lock(st)
#define STORE_UNLOCK(st) store_unlock(st)
#define DB(st) ((void)(st), store_cur->db)
#define JS(st) ((void)(st), store_cur->js)

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
