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
 *   bucket                   the crash bucket the case belongs to (schema 3)
 *   signature                the case's own bucket signature id (schema 3)
 *   entropy                  Shannon entropy (natural log) of the report's
 *                            ranking, NULL without one (schema 3)
 *
 * Table `buckets` (schema 3), one row per crash bucket (core/bucket.h):
 *   id TEXT PRIMARY KEY      the signature id of its first case
 *   kind, title, module, frames   that signature (frames space-separated)
 *   cases, first_us, last_us      how many cases, first and last received
 *   human_label, labelled_us, labelled_by   a person's label for every
 *                            case of the bucket (panicsage label --set --bucket)
 *   cause, advice, url, resolved_us, resolved_by   a known problem's
 *                            resolution (panicsage label --resolve), sent
 *                            back to capture kernels in the version 2 ACK
 * Table `signatures` (schema 3): every signature seen, and the bucket its
 * cases went to (its own, or a similar one: the fallback of core/bucket.h):
 *   id TEXT PRIMARY KEY, bucket, kind, title, module, frames, first_us
 *
 * PRAGMA user_version = STORE_SCHEMA_VERSION; store_open migrates older
 * stores (1: the cases table without labelled_by; 2: without buckets; the
 * migration to 3 puts every stored case into its bucket). */
#ifndef PS_TOOLS_STORE_H
#define PS_TOOLS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/bucket.h"
#include "core/frame.h"

#define STORE_SCHEMA_VERSION 3

/* Opens (creating if needed) the store, migrating an older schema, with
 * a busy timeout for concurrent writers; prints nothing, fills err. */
int store_open(sqlite3 **db, const char *path, char *err, size_t errlen);
/* The same for a store that must exist already. */
int store_open_existing(sqlite3 **db, const char *path, char *err, size_t errlen);
void store_close(sqlite3 *db);

enum store_result { STORE_NEW, STORE_DUPLICATE, STORE_BADCASE, STORE_RETRY };

/* What the store knows of a case's bucket, for the collector's answer
 * (the version 2 ACK of core/frame.h).  Strings are NUL-terminated and
 * empty when unknown; cause is empty unless a person resolved the bucket. */
struct store_bucket_info {
	char bucket[PS_BUCKET_ID_LEN + 1];
	uint32_t cases, machines;
	char cause[PS_FRAME_MAX_CAUSE + 1];
	char advice[PS_FRAME_MAX_ADVICE + 1];
	char url[PS_FRAME_MAX_URL + 1];
};

/* Inserts a decoded case unless its id is already stored, and puts a new
 * case into its crash bucket (a new bucket, or an existing one by
 * signature or similarity; a bucket's human label is given to it), in
 * one transaction.  Durable (synchronous=FULL) when it returns STORE_NEW
 * or STORE_DUPLICATE; then `info` (may be NULL) describes the case's
 * bucket. */
int store_put_case(sqlite3 *db, const struct ps_case_meta *m, const char *peer, const char *client,
		   struct store_bucket_info *info, char *err, size_t errlen);

/* ---- buckets (tools/store/buckets.c) ---- */

/* The bucket signature of a log text, as the collector computes it
 * (core/pipeline.c's analysis, then core/bucket.c).  0, or -1 with a
 * message when there is no memory. */
int store_log_signature(const char *log, size_t len, struct ps_bucket_sig *sig, char *err, size_t errlen);

/* The fault-indicating segment of a JSON report as log text, one line
 * per entry (STORE_LOG_LINE_SQL), into *text (free with sqlite3_free;
 * NULL and *len 0 when the report has no segment).  0, or -1 with a
 * message. */
int store_report_log(sqlite3 *db, const char *report, size_t n, char **text, size_t *len, char *err,
		     size_t errlen);

/* Resolves a bucket id prefix (at least STORE_ID_MIN hex digits) as
 * store_find_case does for cases. */
int store_find_bucket(sqlite3 *db, const char *prefix, char id[PS_BUCKET_ID_LEN + 1], char *err,
		      size_t errlen);

/* A value and how many cases have it. */
struct store_count {
	const char *value;
	int64_t n;
};

/* A bucket as listed by store_buckets (strings valid until the next
 * row; NULL when not set). */
struct store_bucket {
	const char *id, *kind, *title, *module, *frames;
	int64_t cases, machines, releases, unlabelled;
	int64_t first_us, last_us;
	double uncertainty;          /* the queue's order: see STORE_QUEUE_ORDER */
	const struct store_count *labels;    /* predicted labels ("" none), most cases first */
	uint32_t nlabels;
	const struct store_count *kernels;   /* kernel releases, most cases first */
	uint32_t nkernels;
	const char *human_label, *labelled_by;
	int64_t labelled_us;
	const char *cause, *advice, *url, *resolved_by;
	int64_t resolved_us;
	const char *example;         /* the newest case's id */
	const char *crash;           /* its first culprit line */
};

/* The labelling queue's order of buckets: the buckets nobody labelled
 * that have cases nobody labelled, by the total uncertainty of those
 * cases (the sum of their entropies; a case without a ranking counts
 * ln 14, the entropy of not knowing among TAXONOMY.md's 14 labels), so
 * that a bucket is first when it is both uncertain and frequent; ties:
 * more cases, then the most recently seen, then the id. */
#define STORE_QUEUE_ORDER "total uncertainty of the unlabelled cases, then cases, then last seen"

enum store_bucket_list { STORE_BUCKETS_ALL, STORE_BUCKETS_QUEUE };

/* Calls fn for each bucket: all of them (most cases first, then the most
 * recently seen), or the labelling queue.  `only` (NULL: all) restricts
 * to one bucket id.  limit 0 = no limit.  Returns 0, fn's non-zero
 * value, or -1 with a message in err. */
int store_buckets(sqlite3 *db, enum store_bucket_list which, const char *only, uint32_t limit,
		  int (*fn)(const struct store_bucket *b, void *ctx), void *ctx, char *err, size_t errlen);

/* Calls fn for each case of bucket `id`, newest first: id, received_us,
 * machine, release, predicted label, confidence, human label. */
struct store_bucket_case {
	const char *id, *machine, *release, *label, *human_label;
	int64_t received_us;
	double confidence;
};
int store_bucket_cases(sqlite3 *db, const char *id, uint32_t limit,
		       int (*fn)(const struct store_bucket_case *c, void *ctx), void *ctx, char *err,
		       size_t errlen);

/* Sets the human label of bucket `id` and of every one of its cases
 * (and of the cases that join it later).  *cases gets how many cases
 * the label now covers, *old the bucket's previous label (sqlite3_free;
 * NULL if none).  0, or -1 with a message. */
int store_label_bucket(sqlite3 *db, const char *id, const char *label, const char *by, int64_t *cases,
		       char **old, char *err, size_t errlen);

/* Attaches a resolution to bucket `id` (cause non-empty), or removes it
 * (cause NULL).  0, or -1 with a message. */
int store_resolve_bucket(sqlite3 *db, const char *id, const char *cause, const char *advice,
			 const char *url, const char *by, char *err, size_t errlen);

/* What store_put_case reports of the bucket of stored case `case_id`. */
int store_case_bucket_info(sqlite3 *db, const char *case_id, struct store_bucket_info *info, char *err,
			   size_t errlen);

/* The bucket signature of a JSON report: store_report_log, then
 * store_log_signature.  0, or -1 with a message. */
int store_report_signature(sqlite3 *db, const char *report, size_t n, struct ps_bucket_sig *sig, char *err,
			   size_t errlen);

/* Puts stored case `id` (received at `when`) into the bucket of `sig`,
 * or of its JSON report's signature; store_put_case's step, inside the
 * caller's transaction.  0, or -1 with a message. */
int store_bucket_case(sqlite3 *db, const char *id, int64_t when, const struct ps_bucket_sig *sig, char *err,
		      size_t errlen);
int store_bucket_new_case(sqlite3 *db, const char *id, int64_t when, const char *report, size_t n, char *err,
			  size_t errlen);

/* Puts every case without a bucket into one (the migration to schema 3
 * does it for the cases stored before; also cases whose report was
 * stored by a collector without buckets).  *done gets how many.  Runs
 * inside the caller's transaction.  0, or -1 with a message. */
int store_bucket_missing(sqlite3 *db, int64_t *done, char *err, size_t errlen);

/* ---- the triage web page (tools/store/triage.c) ---- */

/* Days are whole UTC days since the epoch: received_us / 86400000000. */
#define STORE_DAY_US 86400000000LL

/* counts[i] = the cases received on day first + i (i < ndays): of bucket
 * `bucket`, or of all (NULL).  0, or -1 with a message. */
int store_cases_per_day(sqlite3 *db, const char *bucket, int64_t first, uint32_t ndays, uint32_t *counts,
			char *err, size_t errlen);
/* Calls fn for each day from `first` for ndays days and label (the human
 * label when a person set one, else the predicted one, "" for none) with
 * how many cases, by day then label.  0, fn's non-zero value, or -1. */
int store_daily_labels(sqlite3 *db, int64_t first, uint32_t ndays,
		       int (*fn)(int64_t day, const char *label, int64_t n, void *ctx), void *ctx, char *err,
		       size_t errlen);
/* The machines of bucket `id` with their cases, most first (limit 0: all). */
int store_bucket_machines(sqlite3 *db, const char *id, uint32_t limit,
			  int (*fn)(const struct store_count *c, void *ctx), void *ctx, char *err, size_t errlen);

/* A case as the web page shows it (strings NULL when not set). */
struct store_case_view {
	const char *id, *machine, *release, *label, *human_label;
	const char *summary_source, *summary, *summary_label, *reasoning;
	double confidence;
	int64_t received_us;
};
/* Calls fn once with the bucket's best case: the highest confidence,
 * then the newest; not at all for a bucket without cases. */
int store_best_case(sqlite3 *db, const char *bucket, int (*fn)(const struct store_case_view *c, void *ctx),
		    void *ctx, char *err, size_t errlen);

/* A line of a case's fault-indicating segment: its input line (-1 when
 * unknown), the log line (STORE_LOG_LINE_SQL), and whether it is a
 * culprit line (and its score). */
struct store_seg_line {
	int64_t line;
	const char *text;
	int culprit;
	double score;
};
int store_case_segment(sqlite3 *db, const char *case_id, int (*fn)(const struct store_seg_line *l, void *ctx),
		       void *ctx, char *err, size_t errlen);
/* The clues of a case's summary (panicsage summarize), in order. */
int store_case_clues(sqlite3 *db, const char *case_id, int (*fn)(const char *clue, void *ctx), void *ctx,
		     char *err, size_t errlen);

/* A bucket like another: the same kind or first frame, scored by the
 * Jaccard similarity of the frame sets in percent (core/bucket.h), a
 * shared header adding half of what is missing to 100. */
struct store_similar {
	const char *id, *title, *human_label;
	int64_t cases;
	unsigned similarity;
};
/* Calls fn for the buckets similar to `id`, most similar first (limit 0: all). */
int store_similar_buckets(sqlite3 *db, const char *id, uint32_t limit,
			  int (*fn)(const struct store_similar *s, void *ctx), void *ctx, char *err, size_t errlen);

/* store_label_bucket and store_resolve_bucket (cause NULL: remove), each
 * in its own IMMEDIATE transaction, as `panicsage label` runs them. */
int store_set_bucket_label(sqlite3 *db, const char *id, const char *label, const char *by, int64_t *cases,
			   char *err, size_t errlen);
int store_set_bucket_resolution(sqlite3 *db, const char *id, const char *cause, const char *advice,
				const char *url, const char *by, char *err, size_t errlen);

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
