/* The case store of the collector: a SQLite file in WAL mode (the
 * default), or a PostgreSQL database shared by several collectors
 * (--db postgresql://...), with the same schema and behaviour.  Every
 * access goes through these functions on an opaque struct store; the
 * SQL lives in this folder (README.md).
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
 * The schema version is SQLite's PRAGMA user_version, or on PostgreSQL the
 * one row of table panicsage_schema; store_open migrates older stores (1: the cases table without labelled_by; 2: without buckets; the
 * migration to 3 puts every stored case into its bucket). */
#ifndef PS_TOOLS_STORE_H
#define PS_TOOLS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/bucket.h"
#include "core/frame.h"

#define STORE_SCHEMA_VERSION 3

struct store;

/* Opens (creating if needed) the store `where`: a file name (SQLite) or
 * a postgresql:// or postgres:// connection URI (PostgreSQL; the
 * database must exist, the tables are created).  Migrates an older
 * schema; prints nothing, fills err.  A store may be used by several
 * threads: every function below runs under the store's lock. */
int store_open(struct store **st, const char *where, char *err, size_t errlen);
/* The same for a store that must exist already. */
int store_open_existing(struct store **st, const char *where, char *err, size_t errlen);
void store_close(struct store *st);
/* Whether `where` names a PostgreSQL store (postgresql:// or postgres://). */
int store_is_url(const char *where);
/* "SQLite" or "PostgreSQL". */
const char *store_backend(const struct store *st);
/* `where` as it may be printed: a URL's password replaced by "***". */
const char *store_name(const struct store *st);

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
 * one transaction: of concurrent uploads of one case, to one collector
 * or to several sharing a PostgreSQL store, exactly one is STORE_NEW
 * (the case id is the primary key; INSERT ... ON CONFLICT DO NOTHING).
 * Durable when it returns STORE_NEW or STORE_DUPLICATE; then `info`
 * (may be NULL) describes the case's bucket. */
int store_put_case(struct store *st, const struct ps_case_meta *m, const char *peer, const char *client,
		   struct store_bucket_info *info, char *err, size_t errlen);

/* Resolves a case id prefix (at least 4 hex digits, either case) to the
 * one stored case it starts: STORE_FOUND with the full id in id[], or
 * STORE_BADID, STORE_UNKNOWN, STORE_AMBIGUOUS (err names the candidates)
 * or STORE_ERROR, each with a message in err. */
enum store_find { STORE_FOUND, STORE_BADID, STORE_UNKNOWN, STORE_AMBIGUOUS, STORE_ERROR };
#define STORE_ID_MIN 4
int store_find_case(struct store *st, const char *prefix, char id[2 * PS_FRAME_ID_LEN + 1], char *err,
		    size_t errlen);
/* The exit code (core/exitcode.h) of a store_find_case result: 0 found,
 * 2 malformed id, 4 no such case or ambiguous, 3 the store failed. */
int store_find_exit(enum store_find r);

/* ---- cases: the labelling queue, one case, labels, summaries, training
 * (tools/store/cases.c) ---- */

/* A case nobody labelled, as store_unlabelled lists it (strings valid
 * during the call; NULL when not set). */
struct store_case_brief {
	const char *short_id;        /* the first 12 hex digits */
	const char *received;        /* UTC, 2026-01-02T03:04:05Z */
	const char *machine, *release;
	const char *label;           /* "" without a model */
	double confidence;
	int has_entropy;             /* 0: the report has no ranking */
	double entropy;
	const char *crash;           /* the first culprit (else segment) line */
	const char *gist;            /* the summary's text */
	const char *json;            /* the whole entry as one JSON object */
	int64_t total;               /* how many cases nobody labelled */
};
/* The cases nobody labelled, most uncertain first (no ranking first,
 * then entropy, then older, then the smaller id); limit 0 = all.
 * Returns 0, fn's non-zero value, or -1 with a message. */
int store_unlabelled(struct store *st, uint32_t limit, int (*fn)(const struct store_case_brief *c, void *ctx),
		     void *ctx, char *err, size_t errlen);

/* One case in full (strings valid during the call; NULL when not set). */
struct store_case_full {
	const char *id, *received, *captured;   /* UTC times */
	const char *release, *machine, *label;
	double confidence;
	int has_entropy;
	double entropy;
	const char *peer, *client;
	const char *human_label, *labelled, *labelled_by;
	const char *summary_source;
	const char *report;          /* NULL when the stored report is not JSON */
	const char *summary;         /* NULL when none or not JSON */
	const char *json;            /* everything as one JSON object */
};
/* Calls fn with case `id`: STORE_FOUND (fn's value in *ret), STORE_UNKNOWN
 * or STORE_ERROR with a message. */
int store_case(struct store *st, const char *id, int (*fn)(const struct store_case_full *c, void *ctx), void *ctx,
	       int *ret, char *err, size_t errlen);

/* Sets the human label of the case with id prefix `prefix` (resolved as
 * store_find_case does, in the same transaction).  STORE_FOUND with the
 * full id, the previous label and who set it (*old, *old_by: free();
 * NULL when none), or another store_find result with a message. */
int store_label_case(struct store *st, const char *prefix, const char *label, const char *by,
		     char id[2 * PS_FRAME_ID_LEN + 1], char **old, char **old_by, char *err, size_t errlen);

/* The ids of the cases to summarise, oldest first: those without a
 * summary, or all; at most limit.  *ids (free()) gets *n ids. */
typedef char store_case_id[2 * PS_FRAME_ID_LEN + 1];
int store_summary_candidates(struct store *st, int all, uint32_t limit, store_case_id **ids, size_t *n, char *err,
			     size_t errlen);
/* What summarize reads of a case. */
struct store_case_text {
	char id[2 * PS_FRAME_ID_LEN + 1];
	char label[80];
	double confidence;
	char release[80];
	char *report;                /* free() */
};
/* 1 read, 0 no such case, -1 error with a message. */
int store_case_text(struct store *st, const char *id, struct store_case_text *c, char *err, size_t errlen);
/* Stores a summary (JSON) and its source with the case; 0 or -1. */
int store_set_summary(struct store *st, const char *id, const char *json, const char *source, char *err,
		      size_t errlen);
/* Up to 3 other cases with (human, else predicted) label `label`,
 * confirmed ones first, then the newest: short id, label, whether a
 * person confirmed it, and its summary's text or first culprit lines
 * (NULL if none).  0 or -1. */
int store_similar_cases(struct store *st, const char *id, const char *label,
			void (*fn)(const char *short_id, const char *label, int confirmed, const char *text, void *ctx),
			void *ctx, char *err, size_t errlen);
/* Every case with a human label, oldest first: id, label, whether its
 * report is JSON, and its segment as log text (lines joined by '\n').
 * Returns 0, fn's non-zero value, or -1 with a message. */
int store_labelled_cases(struct store *st,
			 int (*fn)(const char *id, const char *label, int is_json, const char *log, size_t len,
				   void *ctx),
			 void *ctx, char *err, size_t errlen);

/* ---- reports and summaries (tools/store/json.c): JSON read with SQLite's
 * JSON functions on a private in-memory database, whatever the store ---- */

/* The bucket signature of a log text, as the collector computes it
 * (core/pipeline.c's analysis, then core/bucket.c).  0, or -1 with a
 * message when there is no memory. */
int store_log_signature(const char *log, size_t len, struct ps_bucket_sig *sig, char *err, size_t errlen);

/* The fault-indicating segment of a JSON report as log text, one line
 * per entry ending in '\n', into *text (free(); NULL and *len 0 when
 * the report has no segment or is not JSON).  0, or -1 with a message. */
int store_report_log(const char *report, size_t n, char **text, size_t *len, char *err, size_t errlen);

/* The bucket signature of a JSON report: store_report_log, then
 * store_log_signature.  0, or -1 with a message. */
int store_report_signature(const char *report, size_t n, struct ps_bucket_sig *sig, char *err, size_t errlen);

/* Whether text is valid JSON (1), an object (2), or neither (0). */
int store_json_valid(const char *text);
/* json_extract(text, path) as text (free()); NULL when absent, null, or
 * text is not JSON. */
char *store_json_get(const char *text, const char *path);

/* Lines of a report or summary, for people and prompts. */
enum store_view {
	STORE_VIEW_RANKING,          /* "label              0.1234" */
	STORE_VIEW_SEGMENT,          /* "  line  [ts] text" */
	STORE_VIEW_CULPRITS,         /* "  line  score  text" */
	STORE_VIEW_NEIGHBOURS,       /* "case N label similarity S" */
	STORE_VIEW_SUMMARY,          /* a summary's text, suggested label, reasoning */
	STORE_VIEW_CLUES,            /* a summary's clues */
	STORE_VIEW_PROMPT_RANKING,   /* the LLM prompt's forms: the first 5 */
	STORE_VIEW_PROMPT_SEGMENT,
	STORE_VIEW_PROMPT_CULPRITS,
	STORE_VIEW_PROMPT_NEIGHBOURS,
};
/* Calls fn for each line; 0, fn's non-zero value, or -1 with a message. */
int store_json_lines(enum store_view v, const char *json, int (*fn)(const char *line, void *ctx), void *ctx,
		     char *err, size_t errlen);

/* The extractive summary of a report (JSON, free()), or NULL. */
char *store_summary_extractive(const char *report, const char *label, double confidence, const char *why,
			       const char *release);
/* The stored summary (JSON, free()) from an OpenAI-compatible chat
 * completion `body` of model `model`, or NULL with a message. */
char *store_summary_from_llm(const char *body, const char *model, char *err, size_t errlen);

/* ---- buckets (tools/store/buckets.c) ---- */

/* Resolves a bucket id prefix (at least STORE_ID_MIN hex digits) as
 * store_find_case does for cases. */
int store_find_bucket(struct store *st, const char *prefix, char id[PS_BUCKET_ID_LEN + 1], char *err,
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
int store_buckets(struct store *st, enum store_bucket_list which, const char *only, uint32_t limit,
		  int (*fn)(const struct store_bucket *b, void *ctx), void *ctx, char *err, size_t errlen);

/* Calls fn for each case of bucket `id`, newest first: id, received_us,
 * machine, release, predicted label, confidence, human label. */
struct store_bucket_case {
	const char *id, *machine, *release, *label, *human_label;
	int64_t received_us;
	double confidence;
};
int store_bucket_cases(struct store *st, const char *id, uint32_t limit,
		       int (*fn)(const struct store_bucket_case *c, void *ctx), void *ctx, char *err,
		       size_t errlen);

/* Sets the human label of the bucket with id prefix `prefix` (resolved
 * as store_find_bucket does, in the same transaction) and of every one
 * of its cases (and of the cases that join it later).  STORE_FOUND with
 * the full id, in *cases how many cases the label now covers, in *old
 * the bucket's previous label (free(); NULL if none); or another
 * store_find result with a message. */
int store_label_bucket(struct store *st, const char *prefix, const char *label, const char *by,
		       char id[PS_BUCKET_ID_LEN + 1], int64_t *cases, char **old, char *err, size_t errlen);

/* Attaches a resolution to the bucket with id prefix `prefix` (cause
 * non-empty), or removes it (cause NULL); a store_find result as
 * store_label_bucket. */
int store_resolve_bucket(struct store *st, const char *prefix, const char *cause, const char *advice,
			 const char *url, const char *by, char id[PS_BUCKET_ID_LEN + 1], char *err, size_t errlen);

/* What store_put_case reports of the bucket of stored case `case_id`. */
int store_case_bucket_info(struct store *st, const char *case_id, struct store_bucket_info *info, char *err,
			   size_t errlen);

/* ---- the triage web page (tools/store/triage.c) ---- */

/* Days are whole UTC days since the epoch: received_us / STORE_DAY_US. */
#define STORE_DAY_US 86400000000LL

/* counts[i] = the cases received on day first + i (i < ndays): of bucket
 * `bucket`, or of all (NULL).  0, or -1 with a message. */
int store_cases_per_day(struct store *st, const char *bucket, int64_t first, uint32_t ndays, uint32_t *counts,
			char *err, size_t errlen);
/* Calls fn for each day from `first` for ndays days and label (the human
 * label when a person set one, else the predicted one, "" for none) with
 * how many cases, by day then label.  0, fn's non-zero value, or -1. */
int store_daily_labels(struct store *st, int64_t first, uint32_t ndays,
		       int (*fn)(int64_t day, const char *label, int64_t n, void *ctx), void *ctx, char *err,
		       size_t errlen);
/* The machines of bucket `id` with their cases, most first (limit 0: all). */
int store_bucket_machines(struct store *st, const char *id, uint32_t limit,
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
int store_best_case(struct store *st, const char *bucket, int (*fn)(const struct store_case_view *c, void *ctx),
		    void *ctx, char *err, size_t errlen);

/* A line of a case's fault-indicating segment: its input line (-1 when
 * unknown), the log line (as store_report_log writes it), and whether
 * it is a culprit line (and its score). */
struct store_seg_line {
	int64_t line;
	const char *text;
	int culprit;
	double score;
};
int store_case_segment(struct store *st, const char *case_id, int (*fn)(const struct store_seg_line *l, void *ctx),
		       void *ctx, char *err, size_t errlen);
/* The clues of a case's summary (panicsage summarize), in order. */
int store_case_clues(struct store *st, const char *case_id, int (*fn)(const char *clue, void *ctx), void *ctx,
		     char *err, size_t errlen);

/* A bucket like another: the same kind or first frame, scored by the
 * Jaccard similarity of the frame sets in percent (core/bucket.h), a
 * shared header adding half of what is missing to 100.  Two buckets
 * without frames share none (0): listed at 50 with the same header, else
 * not at all. */
struct store_similar {
	const char *id, *title, *human_label;
	int64_t cases;
	unsigned similarity;
};
/* Calls fn for the buckets similar to `id`, most similar first (limit 0: all). */
int store_similar_buckets(struct store *st, const char *id, uint32_t limit,
			  int (*fn)(const struct store_similar *s, void *ctx), void *ctx, char *err, size_t errlen);

#endif
