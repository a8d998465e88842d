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
 *   human_label, labelled_us     set by `panicsage label`
 * PRAGMA user_version = STORE_SCHEMA_VERSION. */
#ifndef PS_TOOLS_STORE_H
#define PS_TOOLS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/frame.h"

#define STORE_SCHEMA_VERSION 1

/* Opens (creating if needed) the store; prints nothing, fills err. */
int store_open(sqlite3 **db, const char *path, char *err, size_t errlen);
void store_close(sqlite3 *db);

enum store_result { STORE_NEW, STORE_DUPLICATE, STORE_BADCASE, STORE_RETRY };

/* Inserts a decoded case unless its id is already stored.  Durable
 * (synchronous=FULL) when it returns STORE_NEW or STORE_DUPLICATE. */
int store_put_case(sqlite3 *db, const struct ps_case_meta *m, const char *peer, const char *client,
		   char *err, size_t errlen);

#endif
