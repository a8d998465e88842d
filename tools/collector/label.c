/* panicsage label: the people's side of active learning.
 *
 * The queue is per crash bucket (tools/store, core/bucket.h): the
 * buckets nobody has labelled, most uncertain and most frequent first
 * (STORE_QUEUE_ORDER), since one label given to a bucket labels all its
 * cases.  The per-case queue (--cases) lists the cases nobody labelled,
 * most uncertain first (the entropy of the classifier's ranking, the
 * trainer's active-learning criterion).  It shows one case in full,
 * records a person's label for a case or a bucket in the case store
 * (human_label, labelled_us, labelled_by), from where `panicsage train
 * --db` learns it, and attaches a known problem's resolution to a bucket,
 * which the collector sends back to the capture kernels of its later
 * cases.  The store may be in use by `panicsage serve`: every write is
 * one IMMEDIATE transaction, and the store's busy timeout covers the
 * collector's commits. */
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/taxonomy.h"
#include "port/port.h"
#include "tools/cli/cli.h"
#include "tools/collector/commands.h"
#include "tools/collector/texts.h"
#include "tools/store/store.h"

#define LIMIT_DEFAULT 20
#define BY_MAX 128

static const char label_usage[] =
	"usage: panicsage label --db STORE [--limit N] [--json]\n"
	"       panicsage label --db STORE --cases [--limit N] [--json]\n"
	"       panicsage label --db STORE --show ID [--json]\n"
	"       panicsage label --db STORE --set ID LABEL [--by NAME]\n"
	"       panicsage label --db STORE --set --bucket BUCKET LABEL [--by NAME]\n"
	"       panicsage label --db STORE --resolve BUCKET --cause TEXT [--advice TEXT]\n"
	"                       [--url URL] [--by NAME]\n"
	"       panicsage label --db STORE --resolve BUCKET --clear\n\n"
	"The labelling queue of a collector's case store (panicsage serve).\n\n"
	"Without other options, lists the crash buckets (panicsage buckets) that\n"
	"nobody has labelled and that have unlabelled cases, most uncertain and\n"
	"most frequent first: by the total uncertainty of their unlabelled cases,\n"
	"the sum of the entropies below (a case without a ranking counts ln 14,\n"
	"not knowing among the 14 labels), so a bucket of many uncertain cases\n"
	"comes first, since its label labels them all; ties go to the bucket with\n"
	"more cases, then the most recently seen.\n\n"
	"--cases lists the cases that have no human label yet instead,\n"
	"most uncertain first: by the Shannon entropy (natural log) of the\n"
	"probabilities in the report's ranking, the criterion the trainer's\n"
	"active learning queries by (train --active-learning); a case without a\n"
	"ranking (classified with no model) counts as maximally uncertain and\n"
	"comes first; ties go to the older case, then the smaller id.  Each entry:\n"
	"the case id (its first 12 hex digits), received time (UTC), machine,\n"
	"kernel release, predicted label and confidence, entropy, the first\n"
	"culprit line and the summary's gist (panicsage summarize).\n"
	"  --limit N    at most N buckets or cases (default 20; 0 = all)\n"
	"  --json       one JSON array instead (with --show: one object)\n\n"
	"  --show ID    one case in full: metadata, its bucket and the bucket's\n"
	"               resolution, segment, culprit lines, neighbours, summary\n"
	"  --set ID LABEL   record a person's label for the case (relabelling\n"
	"               is allowed and says so); LABEL is one of TAXONOMY.md's:\n"
	"               %s\n"
	"  --set --bucket BUCKET LABEL   the label of every case of the bucket,\n"
	"               and of the cases that join it later\n"
	"  --resolve BUCKET   attach a known problem's resolution to the bucket:\n"
	"               --cause TEXT (required, at most 256 bytes), --advice TEXT\n"
	"               (at most 512), --url URL (http:// or https://, at most\n"
	"               256, no spaces); texts are UTF-8 without control\n"
	"               characters.  The collector sends it to every capture kernel\n"
	"               that uploads a case of the bucket afterwards, which prints\n"
	"               it on the console.  --clear removes it.\n"
	"  --by NAME    who labelled or resolved it (default: the login name)\n\n"
	"STORE is the SQLite file of panicsage serve or a postgresql://... URL of a\n"
	"PostgreSQL store shared by several collectors (kdump/UPLOAD.md).\n"
	"ID is a full case id or an unambiguous prefix of at least 4 hex digits;\n"
	"BUCKET the same for a bucket id (panicsage buckets).\n"
	"'panicsage train --db STORE' learns from the labelled cases.\n"
	"exit codes: 2 bad usage, label or text, 3 store missing or unreadable,\n"
	"            4 no such case or bucket, or an ambiguous prefix\n";

/* "manual, hardware, ...", lines broken before `width` columns and
 * continued with `indent` when width is not 0 */
static const char *label_names(size_t width, const char *indent)
{
	static char names[600];
	size_t used = 0, col0 = 0;
	int i;

	for (i = 0; i < PS_TAXONOMY_NLABELS && used < sizeof names; i++) {
		const char *sep = i ? ", " : "";

		if (width && i && used - col0 + strlen(ps_taxonomy[i].label) + 2 > width) {
			used += (size_t)snprintf(names + used, sizeof names - used, ",\n%s", indent);
			col0 = used;
			sep = "";
		}
		if (used < sizeof names)
			used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", sep,
						 ps_taxonomy[i].label);
	}
	return names;
}

static void usage(FILE *f)
{
	fprintf(f, label_usage, label_names(58, "               "));
}

/* ---- output ---- */

/* Text from a report, a summary or a person for a terminal, escaped. */
static void put_text(const char *s)
{
	cli_put_text(stdout, s);
}

/* A predicted label ('' without a model), its confidence, and the
 * entropy of the ranking (has_h 0 without one). */
static void put_prediction(const char *label, double confidence, int has_h, double h)
{
	if (label && *label) {
		put_text(label);
		printf(" %.4f", confidence);
	} else {
		fputs("nothing (no model)", stdout);
	}
	if (!has_h)
		fputs(", entropy max (no ranking)\n", stdout);
	else
		printf(", entropy %.4f\n", h);
}

static const char *or(const char *s, const char *none)
{
	return s ? s : none;
}

/* ---- the queue ---- */

struct case_list {
	const char *dbpath;
	int json, n;
	int64_t total;
};

static int list_case(const struct store_case_brief *c, void *ctx)
{
	struct case_list *l = ctx;

	l->total = c->total;
	if (l->json) {
		printf("%s%s", l->n++ ? ",\n" : "\n", c->json);
		return 0;
	}
	if (l->n++ == 0)
		printf("%lld unlabelled case%s in %s, most uncertain first:\n", (long long)c->total,
		       c->total == 1 ? "" : "s", l->dbpath);
	printf("\n%s  %s  machine ", or(c->short_id, "?"), or(c->received, "?"));
	put_text(c->machine);
	fputs("  kernel ", stdout);
	put_text(c->release);
	fputs("\n    predicted ", stdout);
	put_prediction(c->label, c->confidence, c->has_entropy, c->entropy);
	if (c->crash) {
		fputs("    crash:   ", stdout);
		put_text(c->crash);
		putchar('\n');
	}
	if (c->gist) {
		fputs("    summary: ", stdout);
		put_text(c->gist);
		putchar('\n');
	}
	return 0;
}

static int list_cases(struct store *db, const char *dbpath, uint32_t limit, int as_json)
{
	struct case_list l = { dbpath, as_json, 0, 0 };
	char err[400];

	if (as_json)
		putchar('[');
	if (store_unlabelled(db, limit, list_case, &l, err, sizeof err)) {
		cli_error("label: %s", err);
		return PS_EXIT_IO;
	}
	if (as_json)
		fputs(l.n ? "\n]\n" : "]\n", stdout);
	else if (!l.n)
		printf("no unlabelled case in %s\n", dbpath);
	else
		printf("\n%d of %lld shown%s; label one with: panicsage label --db %s --set ID LABEL\n",
		       l.n, (long long)l.total, l.n < l.total ? " (--limit N for more)" : "", dbpath);
	return PS_EXIT_OK;
}

/* ---- one case ---- */

/* Prints "title" then each line of the view of json as "  line". */
struct rows {
	const char *title, *prefix;
	int n;
};

static int print_row(const char *line, void *ctx)
{
	struct rows *r = ctx;

	if (r->n++ == 0)
		printf("%s\n", r->title);
	fputs("  ", stdout);
	fputs(r->prefix, stdout);
	put_text(line);
	putchar('\n');
	return 0;
}

/* An exit code. */
static int print_rows(enum store_view v, const char *title, const char *prefix, const char *json)
{
	struct rows r = { title, prefix, 0 };
	char err[400];

	if (store_json_lines(v, json, print_row, &r, err, sizeof err)) {
		cli_error("label: %s: %s", title, err);
		return PS_EXIT_IO;
	}
	return PS_EXIT_OK;
}

/* "  bucket ..." and a known problem's resolution, for --show. */
static int show_bucket_of(struct store *db, const char *id)
{
	struct store_bucket_info info;
	char err[400];

	if (store_case_bucket_info(db, id, &info, err, sizeof err)) {
		cli_error("label: %s", err);
		return PS_EXIT_IO;
	}
	if (!info.bucket[0]) {
		fputs("  bucket     none\n", stdout);
		return PS_EXIT_OK;
	}
	printf("  bucket     %s, %u case%s from %u machine%s (panicsage buckets --show %.12s)\n", info.bucket,
	       info.cases, info.cases == 1 ? "" : "s", info.machines, info.machines == 1 ? "" : "s", info.bucket);
	if (info.cause[0]) {
		fputs("  known problem: ", stdout);
		put_text(info.cause);
		if (info.advice[0]) {
			fputs("\n  advice:    ", stdout);
			put_text(info.advice);
		}
		if (info.url[0]) {
			fputs("\n  see:       ", stdout);
			put_text(info.url);
		}
		putchar('\n');
	}
	return PS_EXIT_OK;
}

struct show {
	struct store *db;
	int json;
};

static int show_one(const struct store_case_full *c, void *ctx)
{
	struct show *sh = ctx;
	int rc;

	if (sh->json) {
		printf("%s\n", c->json);
		return PS_EXIT_OK;
	}
	printf("case %s\n  received   %s (capture kernel's clock: %s)\n  machine    ", c->id,
	       or(c->received, "?"), or(c->captured, "?"));
	put_text(c->machine);
	fputs("\n  kernel     ", stdout);
	put_text(c->release);
	fputs("\n  uploader   ", stdout);
	put_text(c->client);
	fputs(" from ", stdout);
	put_text(c->peer);
	fputs("\n  predicted  ", stdout);
	put_prediction(c->label, c->confidence, c->has_entropy, c->entropy);
	fputs("  human      ", stdout);
	if (c->human_label && *c->human_label) {
		put_text(c->human_label);
		printf(", %s", or(c->labelled, "at an unknown time"));
		if (c->labelled_by) {
			fputs(" by ", stdout);
			put_text(c->labelled_by);
		}
		putchar('\n');
	} else {
		fputs("not labelled yet\n", stdout);
	}
	if ((rc = show_bucket_of(sh->db, c->id)) != PS_EXIT_OK)
		return rc;
	if (!c->report)
		fputs("  (the stored report is not JSON)\n", stdout);
	if (c->report && rc == PS_EXIT_OK)
		rc = print_rows(STORE_VIEW_RANKING, "ranking:", "", c->report);
	if (c->report && rc == PS_EXIT_OK)
		rc = print_rows(STORE_VIEW_SEGMENT, "segment (input line, log line):", "", c->report);
	if (c->report && rc == PS_EXIT_OK)
		rc = print_rows(STORE_VIEW_CULPRITS, "culprit lines, best first (input line, score, text):", "",
				c->report);
	if (c->report && rc == PS_EXIT_OK)
		rc = print_rows(STORE_VIEW_NEIGHBOURS, "neighbours, the most similar cases the model stores:", "",
				c->report);
	if (c->summary && rc == PS_EXIT_OK) {
		char title[400];

		snprintf(title, sizeof title, "summary (%s):", or(c->summary_source, "unknown source"));
		rc = print_rows(STORE_VIEW_SUMMARY, title, "", c->summary);
		if (rc == PS_EXIT_OK)
			rc = print_rows(STORE_VIEW_CLUES, "  clues:", "  - ", c->summary);
	} else if (rc == PS_EXIT_OK) {
		fputs("summary: none yet (panicsage summarize)\n", stdout);
	}
	return rc;
}

static int show_case(struct store *db, const char *prefix, int as_json)
{
	char id[2 * PS_FRAME_ID_LEN + 1], err[600];
	struct show sh = { db, as_json };
	enum store_find r = store_find_case(db, prefix, id, err, sizeof err);
	int rc = PS_EXIT_OK;

	if (r == STORE_FOUND)
		r = store_case(db, id, show_one, &sh, &rc, err, sizeof err);
	if (r != STORE_FOUND) {
		cli_error("label: %s", err);
		return store_find_exit(r);
	}
	return rc;
}

/* ---- recording a label ---- */

static int set_label(struct store *db, const char *prefix, const char *label, const char *by)
{
	char id[2 * PS_FRAME_ID_LEN + 1], *old = NULL, *old_by = NULL, err[600];
	enum store_find r = store_label_case(db, prefix, label, by, id, &old, &old_by, err, sizeof err);

	if (r != STORE_FOUND) {
		cli_error("label: %s", err);
		return store_find_exit(r);
	}
	printf("case %.12s: ", id);
	if (old) {
		fputs("relabelled ", stdout);
		put_text(old);
		printf(" -> %s%s", label, strcmp(old, label) ? "" : " (unchanged)");
		if (old_by) {
			fputs(" (was set by ", stdout);
			put_text(old_by);
			putchar(')');
		}
	} else {
		printf("labelled %s", label);
	}
	if (by) {
		fputs(" by ", stdout);
		put_text(by);
	}
	putchar('\n');
	free(old);
	free(old_by);
	return PS_EXIT_OK;
}

/* ---- the bucket queue ---- */

struct queue {
	int json, n;
};

static int queue_one(const struct store_bucket *b, void *ctx)
{
	struct queue *q = ctx;

	if (q->json) {
		fputs(q->n++ ? ",\n" : "\n", stdout);
		bucket_print_json(b);
	} else {
		if (q->n++ == 0)
			fputs("buckets nobody labelled, by the total uncertainty of their unlabelled cases,\n"
			      "then cases, then last seen:\n", stdout);
		bucket_print_text(b);
		printf("    uncertainty %.4f (%lld unlabelled case%s)\n", b->uncertainty, (long long)b->unlabelled,
		       b->unlabelled == 1 ? "" : "s");
	}
	return 0;
}

static int list_buckets(struct store *db, const char *dbpath, uint32_t limit, int as_json)
{
	struct queue q = { as_json, 0 };
	char err[400];

	if (as_json)
		putchar('[');
	if (store_buckets(db, STORE_BUCKETS_QUEUE, NULL, limit, queue_one, &q, err, sizeof err)) {
		cli_error("label: %s", err);
		return PS_EXIT_IO;
	}
	if (as_json)
		fputs(q.n ? "\n]\n" : "]\n", stdout);
	else if (!q.n)
		printf("no bucket to label in %s\n", dbpath);
	else
		printf("\n%d bucket%s shown%s; label all of a bucket's cases with:\n"
		       "  panicsage label --db %s --set --bucket BUCKET LABEL\n"
		       "(--cases lists the cases one by one)\n", q.n, q.n == 1 ? "" : "s",
		       limit && (uint32_t)q.n == limit ? " (--limit N for more)" : "", dbpath);
	return PS_EXIT_OK;
}

static int set_bucket_label(struct store *db, const char *prefix, const char *label, const char *by)
{
	char id[PS_BUCKET_ID_LEN + 1], err[400], *old = NULL;
	int64_t n = 0;
	enum store_find r = store_label_bucket(db, prefix, label, by, id, &n, &old, err, sizeof err);

	if (r != STORE_FOUND) {
		cli_error("label: %s", err);
		return store_find_exit(r);
	}
	printf("bucket %.12s: ", id);
	if (old) {
		fputs("relabelled ", stdout);
		put_text(old);
		printf(" -> %s%s", label, strcmp(old, label) ? "" : " (unchanged)");
	} else {
		printf("labelled %s", label);
	}
	printf(", %lld case%s", (long long)n, n == 1 ? "" : "s");
	if (by) {
		fputs(" by ", stdout);
		put_text(by);
	}
	putchar('\n');
	free(old);
	return PS_EXIT_OK;
}

static int resolve_bucket(struct store *db, const char *prefix, const char *cause, const char *advice,
			  const char *url, const char *by)
{
	char id[PS_BUCKET_ID_LEN + 1], err[400] = "";
	enum store_find r = store_resolve_bucket(db, prefix, cause, advice, url, by, id, err, sizeof err);

	if (r != STORE_FOUND) {
		cli_error("label: %s", err);
		return store_find_exit(r);
	}
	if (cause) {
		printf("bucket %.12s: known problem: ", id);
		put_text(cause);
		fputs("\n(sent to the capture kernels of its next cases)\n", stdout);
	} else {
		printf("bucket %.12s: resolution removed\n", id);
	}
	return PS_EXIT_OK;
}

static const char *login_name(void)
{
	const struct passwd *pw = getpwuid(getuid());

	return pw && pw->pw_name[0] ? pw->pw_name : NULL;
}

static int check_by(const char *by)
{
	size_t n = strlen(by), i;

	for (i = 0; i < n; i++)
		if ((unsigned char)by[i] < 0x20 || by[i] == 0x7f)
			break;
	if (n == 0 || n > BY_MAX || i < n) {
		cli_error("label: --by: a name of 1 to %d characters without control characters", BY_MAX);
		return PS_EXIT_USAGE;
	}
	return PS_EXIT_OK;
}

/* Resolution texts: UTF-8 (checked by the frame encoder too) without
 * control characters, at most `max` bytes; a URL is printable ASCII
 * without spaces, http:// or https:// (texts.h, as the web page checks). */
static int check_text(const char *opt, const char *s, size_t max, int url)
{
	const char *why = text_check(s, max, url);

	if (why && !strcmp(why, "not UTF-8")) {
		cli_error("label: %s: not UTF-8", opt);
		return PS_EXIT_USAGE;
	}
	if (why) {
		cli_error("label: %s: %s of at most %zu bytes%s", opt, url ? "an http:// or https:// URL" : "a text",
			  max, url ? " without spaces or control characters" : " without control characters");
		return PS_EXIT_USAGE;
	}
	return PS_EXIT_OK;
}

int cmd_label(int argc, char **argv)
{
	const char *dbpath = NULL, *show = NULL, *set = NULL, *label = NULL, *by = NULL;
	const char *resolve = NULL, *cause = NULL, *advice = NULL, *url = NULL;
	const char *set_args[2] = { NULL, NULL };
	uint32_t limit = LIMIT_DEFAULT;
	int i, nargs, as_json = 0, have_limit = 0, rc, bucket = 0, cases = 0, clear = 0;
	char **args;
	struct store *db;
	char err[400];
	const struct cli_opt opts[] = {
		CLI_STR("--db", &dbpath),
		{ .name = "--limit", .type = CLI_T_U32, .dst = &limit, .lo = 0, .hi = UINT32_MAX,
		  .seen = &have_limit },
		CLI_STR("--show", &show),
		{ .name = "--set", .type = CLI_T_STR, .dst = set_args, .nvals = 2, .what = "ID and LABEL" },
		CLI_FLAG("--bucket", &bucket),
		CLI_STR("--by", &by),
		CLI_FLAG("--json", &as_json),
		CLI_FLAG("--cases", &cases),
		CLI_STR("--resolve", &resolve),
		CLI_STR("--cause", &cause),
		CLI_STR("--advice", &advice),
		CLI_STR("--url", &url),
		CLI_FLAG("--clear", &clear),
		CLI_END
	};
	const struct cli_spec spec = { "label", opts, usage, 0, 0 };

	/* "--set --bucket BUCKET LABEL": --bucket is a flag saying that
	 * --set's ID is a bucket; moved before --set for the parser */
	args = cli_calloc((size_t)argc + 1, sizeof *args);
	for (i = 0; i < argc; i++)
		args[i] = argv[i];
	for (i = 1; i + 1 < argc; i++)
		if (!strcmp(args[i], "--set") && !strcmp(args[i + 1], "--bucket")) {
			args[i] = argv[i + 1];
			args[i + 1] = argv[i];
		}
	rc = cli_parse(&spec, argc, args, NULL, &nargs);
	free(args);
	if (rc != PS_EXIT_OK)
		return rc == CLI_HELP ? PS_EXIT_OK : rc;
	set = set_args[0];
	label = set_args[1];
	if (!dbpath) {
		cli_error("label: --db STORE is required");
		usage(stderr);
		return PS_EXIT_USAGE;
	}
	if ((!!show + !!set + !!resolve + cases > 1) || ((show || set || resolve) && have_limit) ||
	    ((set || resolve) && as_json) || (by && !set && !(resolve && !clear))) {
		cli_error("label: one of the list, --cases, --show, --set or --resolve at a time; --limit goes"
			  " with the lists, --json not with --set or --resolve, --by only with --set or --resolve");
		return PS_EXIT_USAGE;
	}
	if (bucket && !set) {
		cli_error("label: --bucket goes with --set: --set --bucket BUCKET LABEL");
		return PS_EXIT_USAGE;
	}
	if ((cause || advice || url || clear) && !resolve) {
		cli_error("label: --cause, --advice, --url and --clear go with --resolve BUCKET");
		return PS_EXIT_USAGE;
	}
	if (resolve && (clear ? cause || advice || url : !cause)) {
		cli_error("label: --resolve BUCKET needs --cause TEXT (and maybe --advice, --url), or --clear alone");
		return PS_EXIT_USAGE;
	}
	if (resolve && !clear) {
		if (!*cause) {
			cli_error("label: --cause: the cause may not be empty");
			return PS_EXIT_USAGE;
		}
		if ((rc = check_text("--cause", cause, PS_FRAME_MAX_CAUSE, 0)) ||
		    (advice && (rc = check_text("--advice", advice, PS_FRAME_MAX_ADVICE, 0))) ||
		    (url && *url && (rc = check_text("--url", url, PS_FRAME_MAX_URL, 1))))
			return rc;
	}
	if (set && ps_taxonomy_index(label, strlen(label)) < 0) {
		cli_error("label: '%s' is not a root-cause label; the labels are: %s", label, label_names(0, NULL));
		return PS_EXIT_USAGE;
	}
	if (set || (resolve && !clear)) {
		if (!by)
			by = login_name();
		else if ((rc = check_by(by)) != PS_EXIT_OK)
			return rc;
	}
	if (store_open_existing(&db, dbpath, err, sizeof err)) {
		cli_error("label: %s", err);
		return PS_EXIT_IO;
	}
	if (resolve) {
		rc = resolve_bucket(db, resolve, clear ? NULL : cause, advice, url, by);
	} else if (set && bucket) {
		rc = set_bucket_label(db, set, label, by);
	} else if (set) {
		rc = set_label(db, set, label, by);
	} else if (show) {
		rc = show_case(db, show, as_json);
	} else if (cases) {
		rc = list_cases(db, store_name(db), limit, as_json);
	} else {
		rc = list_buckets(db, store_name(db), limit, as_json);
	}
	if (fflush(stdout) != 0 && rc == PS_EXIT_OK) {
		cli_error("label: writing the output failed");
		rc = PS_EXIT_IO;
	}
	store_close(db);
	return rc;
}
