/* The case store of the collector: SQLite in WAL mode.
 *
 * Table `cases`, one row per case id (idempotent uploads):
 *   id TEXT PRIMARY KEY      hex SHA-256 of the case (frame.h)
 *   received_us, capture_us  collector and capture-kernel clocks
 *   release, machine         kernel release, machine id
 *   label, confidence        predicted label and its probability
 *   report TEXT              the JSON report (validated with json_valid)
 *   peer, client             address and certificate subject of the uploader
 *   summary TEXT             JSON from `panicsage summarize` (NULL until then)
 *   summary_source, summary_us   "llm:MODEL" or "extractive", when
 *   human_label, labelled_us     set by `panicsage label --set`
 *   labelled_by              who set it (schema 2)
 * PRAGMA user_version = STORE_SCHEMA_VERSION; store_open migrates older
 * stores (1: the table above without labelled_by). */
#ifndef PS_TOOLS_STORE_H
#define PS_TOOLS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/frame.h"

#define STORE_SCHEMA_VERSION 2

/* Opens (creating if needed) the store, migrating an older schema, with
 * a busy timeout for concurrent writers; prints nothing, fills err. */
int store_open(sqlite3 **db, const char *path, char *err, size_t errlen);
/* The same for a store that must exist already. */
int store_open_existing(sqlite3 **db, const char *path, char *err, size_t errlen);
void store_close(sqlite3 *db);

enum store_result { STORE_NEW, STORE_DUPLICATE, STORE_BADCASE, STORE_RETRY };

/* Inserts a decoded case unless its id is already stored.  Durable
 * (synchronous=FULL) when it returns STORE_NEW or STORE_DUPLICATE. */
int store_put_case(sqlite3 *db, const struct ps_case_meta *m, const char *peer, const char *client,
		   char *err, size_t errlen);

/* SQL expression: a segment entry of a report (a json_each value `v` of
 * type 'object') as the log line it came from, "[%5lu.%06lu] text" when
 * its ts is a number, else the text alone. */
#define STORE_LOG_LINE_SQL(v) \
	"CASE WHEN json_type(" v ",'$.ts') IN ('integer','real') AND json_extract(" v ",'$.ts') >= 0" \
	" THEN printf('[%5d.%06d] ', CAST(round(json_extract(" v ",'$.ts') * 1e6) AS INTEGER) / 1000000," \
	"  CAST(round(json_extract(" v ",'$.ts') * 1e6) AS INTEGER) % 1000000) ELSE '' END" \
	" || COALESCE(json_extract(" v ",'$.text'), '')"

/* Resolves a case id prefix (at least 4 hex digits, either case) to the
 * one stored case it starts: STORE_FOUND with the full id in id[], or
 * STORE_BADID, STORE_UNKNOWN, STORE_AMBIGUOUS (err names the candidates)
 * or STORE_ERROR, each with a message in err. */
enum store_find { STORE_FOUND, STORE_BADID, STORE_UNKNOWN, STORE_AMBIGUOUS, STORE_ERROR };
#define STORE_ID_MIN 4
int store_find_case(sqlite3 *db, const char *prefix, char id[2 * PS_FRAME_ID_LEN + 1], char *err,
		    size_t errlen);
/* The exit code (core/exitcode.h) of a store_find_case result: 0 found,
 * 2 malformed id, 4 no such case or ambiguous, 3 the store failed. */
int store_find_exit(enum store_find r);

#endif
