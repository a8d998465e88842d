/* panicsage label: the people's side of active learning.
 *
 * Lists the stored cases nobody has labelled yet, most uncertain first
 * (the entropy of the classifier's ranking, the trainer's active-learning
 * criterion), shows one case in full, and records a person's label in
 * the case store (cases.human_label, labelled_us, labelled_by), from
 * where `panicsage train --db` learns it.  The store may be in use by
 * `panicsage serve`: every write is one IMMEDIATE transaction, and the
 * store's busy timeout covers the collector's commits. */
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/taxonomy.h"
#include "port/port.h"
#include "tools/cli/cli.h"
#include "tools/collector/commands.h"
#include "tools/store/store.h"

#define LIMIT_DEFAULT 20
#define BY_MAX 128

static const char label_usage[] =
	"usage: panicsage label --db STORE [--limit N] [--json]\n"
	"       panicsage label --db STORE --show ID [--json]\n"
	"       panicsage label --db STORE --set ID LABEL [--by NAME]\n\n"
	"The labelling queue of a collector's case store (panicsage serve).\n\n"
	"Without --show or --set, lists the cases that have no human label yet,\n"
	"most uncertain first: by the Shannon entropy (natural log) of the\n"
	"probabilities in the report's ranking, the criterion the trainer's\n"
	"active learning queries by (train --active-learning); a case without a\n"
	"ranking (classified with no model) counts as maximally uncertain and\n"
	"comes first; ties go to the older case, then the smaller id.  Each entry:\n"
	"the case id (its first 12 hex digits), received time (UTC), machine,\n"
	"kernel release, predicted label and confidence, entropy, the first\n"
	"culprit line and the summary's gist (panicsage summarize).\n"
	"  --limit N    at most N cases (default 20; 0 = all)\n"
	"  --json       one JSON array instead (with --show: one object)\n\n"
	"  --show ID    one case in full: metadata, segment, culprit lines,\n"
	"               neighbours, summary\n"
	"  --set ID LABEL   record a person's label for the case (relabelling\n"
	"               is allowed and says so); LABEL is one of TAXONOMY.md's:\n"
	"               %s\n"
	"  --by NAME    who labelled it (default: the login name)\n\n"
	"ID is a full case id or an unambiguous prefix of at least 4 hex digits.\n"
	"'panicsage train --db STORE' learns from the labelled cases.\n"
	"exit codes: 2 bad usage or label, 3 store missing or unreadable,\n"
	"            4 no such case, or an ambiguous prefix\n";

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

/* ---- the uncertainty: SQL aggregate ps_entropy(p) = -sum p ln p over
 * the numeric p > 0; NULL when there is no numeric p at all ---- */

static void entropy_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	double *h, p;
	int t = sqlite3_value_type(argv[0]);

	(void)argc;
	if (t != SQLITE_INTEGER && t != SQLITE_FLOAT)
		return;
	if (!(h = sqlite3_aggregate_context(ctx, sizeof *h))) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	p = sqlite3_value_double(argv[0]);
	if (p > 0)
		*h -= p * log(p);
}

static void entropy_final(sqlite3_context *ctx)
{
	double *h = sqlite3_aggregate_context(ctx, 0);

	if (h)
		sqlite3_result_double(ctx, *h);
	else
		sqlite3_result_null(ctx);
}

/* SQL: the entropy of the ranking of report `r` (valid JSON or NULL). */
#define ENTROPY_SQL(r) \
	"(SELECT ps_entropy(json_extract(value,'$.p')) FROM json_each(" r ",'$.ranking')" \
	" WHERE type = 'object')"

/* ---- output ---- */

/* Text from a report, a summary or a person for a terminal, escaped. */
static void put_text(const char *s)
{
	cli_put_text(stdout, s);
}

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static const char *col_or(sqlite3_stmt *st, int i, const char *none)
{
	return col(st, i) ? col(st, i) : none;
}

/* Columns i, i + 1, i + 2: predicted label ('' without a model),
 * confidence, entropy (NULL without a ranking). */
static void put_prediction(sqlite3_stmt *st, int i)
{
	if (col(st, i) && *col(st, i)) {
		put_text(col(st, i));
		printf(" %.4f", sqlite3_column_double(st, i + 1));
	} else {
		fputs("nothing (no model)", stdout);
	}
	if (sqlite3_column_type(st, i + 2) == SQLITE_NULL)
		fputs(", entropy max (no ranking)\n", stdout);
	else
		printf(", entropy %.4f\n", sqlite3_column_double(st, i + 2));
}

static int sql_fail(sqlite3 *db, const char *what)
{
	cli_error("label: %s: %s", what, sqlite3_errmsg(db));
	return PS_EXIT_IO;
}

/* ---- the queue ---- */

static int list_cases(sqlite3 *db, const char *dbpath, uint32_t limit, int as_json)
{
	static const char sql[] =
		"WITH q AS (SELECT *, " ENTROPY_SQL("r") " AS h FROM"
		"  (SELECT id, received_us, machine, release, label, confidence, summary_source,"
		"    CASE WHEN json_valid(report) THEN report END AS r,"
		"    CASE WHEN json_valid(summary) THEN json_extract(summary,'$.summary') END AS gist"
		"   FROM cases WHERE COALESCE(human_label, '') = '')),"
		" e AS (SELECT *, COALESCE(json_extract(r,'$.culprits[0].text'),"
		"  json_extract(r,'$.segment[0].text')) AS crash FROM q)"
		" SELECT substr(id,1,12), strftime('%Y-%m-%dT%H:%M:%SZ', received_us / 1000000, 'unixepoch'),"
		"  machine, release, label, confidence, h, crash, gist, count(*) OVER (),"
		"  json_object('id', id, 'short_id', substr(id,1,12),"
		"   'received', strftime('%Y-%m-%dT%H:%M:%SZ', received_us / 1000000, 'unixepoch'),"
		"   'received_us', received_us, 'machine', machine, 'release', release,"
		"   'label', NULLIF(label,''), 'confidence', CASE WHEN label != '' THEN confidence END,"
		"   'entropy', h, 'crash', crash, 'summary', gist, 'summary_source', summary_source)"
		" FROM e ORDER BY h IS NOT NULL, h DESC, received_us, id LIMIT ?1";
	sqlite3_stmt *st;
	int rc, n = 0, total = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return sql_fail(db, "listing the cases");
	sqlite3_bind_int64(st, 1, limit ? (sqlite3_int64)limit : -1);
	if (as_json)
		putchar('[');
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		total = sqlite3_column_int(st, 9);
		if (as_json) {
			printf("%s%s", n++ ? ",\n" : "\n", col(st, 10));
			continue;
		}
		if (n++ == 0)
			printf("%d unlabelled case%s in %s, most uncertain first:\n", total,
			       total == 1 ? "" : "s", dbpath);
		printf("\n%s  %s  machine ", col_or(st, 0, "?"), col_or(st, 1, "?"));
		put_text(col(st, 2));
		fputs("  kernel ", stdout);
		put_text(col(st, 3));
		fputs("\n    predicted ", stdout);
		put_prediction(st, 4);
		if (col(st, 7)) {
			fputs("    crash:   ", stdout);
			put_text(col(st, 7));
			putchar('\n');
		}
		if (col(st, 8)) {
			fputs("    summary: ", stdout);
			put_text(col(st, 8));
			putchar('\n');
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_fail(db, "listing the cases");
	if (as_json)
		fputs(n ? "\n]\n" : "]\n", stdout);
	else if (!n)
		printf("no unlabelled case in %s\n", dbpath);
	else
		printf("\n%d of %d shown%s; label one with: panicsage label --db %s --set ID LABEL\n",
		       n, total, n < total ? " (--limit N for more)" : "", dbpath);
	return PS_EXIT_OK;
}

/* ---- one case ---- */

static int resolve(sqlite3 *db, const char *prefix, char *id)
{
	char err[600];
	enum store_find r = store_find_case(db, prefix, id, err, sizeof err);

	if (r != STORE_FOUND)
		cli_error("label: %s", err);
	return store_find_exit(r);
}

/* Prints "title" then each row of sql (?1 = text) as "  col0"; returns
 * an exit code. */
static int print_rows(sqlite3 *db, const char *title, const char *sql, const char *text)
{
	sqlite3_stmt *st;
	int rc, n = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return sql_fail(db, title);
	sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++ == 0)
			printf("%s\n", title);
		fputs("  ", stdout);
		put_text(col(st, 0));
		putchar('\n');
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? PS_EXIT_OK : sql_fail(db, title);
}

static int show_case(sqlite3 *db, const char *prefix, int as_json)
{
	static const char sql[] =
		"WITH c AS (SELECT *, CASE WHEN json_valid(report) THEN report END AS r,"
		"  CASE WHEN json_valid(summary) THEN summary END AS s FROM cases WHERE id = ?1)"
		" SELECT id, strftime('%Y-%m-%dT%H:%M:%SZ', received_us / 1000000, 'unixepoch'),"
		"  strftime('%Y-%m-%dT%H:%M:%SZ', capture_us / 1000000, 'unixepoch'), release, machine,"
		"  label, confidence, " ENTROPY_SQL("r") ", peer, client, human_label,"
		"  strftime('%Y-%m-%dT%H:%M:%SZ', labelled_us / 1000000, 'unixepoch'), labelled_by,"
		"  summary_source, r, s,"
		"  json_object('id', id, 'received_us', received_us, 'capture_us', capture_us,"
		"   'release', release, 'machine', machine, 'label', NULLIF(label,''),"
		"   'confidence', CASE WHEN label != '' THEN confidence END, 'entropy', " ENTROPY_SQL("r") ","
		"   'peer', peer, 'client', client, 'human_label', human_label,"
		"   'labelled_us', labelled_us, 'labelled_by', labelled_by,"
		"   'summary_source', summary_source, 'summary', json(s), 'report', json(r))"
		" FROM c";
	char id[2 * PS_FRAME_ID_LEN + 1];
	sqlite3_stmt *st;
	const char *r, *s;
	int rc;

	if ((rc = resolve(db, prefix, id)) != PS_EXIT_OK)
		return rc;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return sql_fail(db, "reading the case");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE) {
			cli_error("label: case %s is gone from the store", id);
			return PS_EXIT_INPUT;
		}
		return sql_fail(db, "reading the case");
	}
	if (as_json) {
		printf("%s\n", col(st, 16));
		sqlite3_finalize(st);
		return PS_EXIT_OK;
	}
	printf("case %s\n  received   %s (capture kernel's clock: %s)\n  machine    ", id,
	       col_or(st, 1, "?"), col_or(st, 2, "?"));
	put_text(col(st, 4));
	fputs("\n  kernel     ", stdout);
	put_text(col(st, 3));
	fputs("\n  uploader   ", stdout);
	put_text(col(st, 9));
	fputs(" from ", stdout);
	put_text(col(st, 8));
	fputs("\n  predicted  ", stdout);
	put_prediction(st, 5);
	fputs("  human      ", stdout);
	if (col(st, 10) && *col(st, 10)) {
		put_text(col(st, 10));
		printf(", %s", col_or(st, 11, "at an unknown time"));
		if (col(st, 12)) {
			fputs(" by ", stdout);
			put_text(col(st, 12));
		}
		putchar('\n');
	} else {
		fputs("not labelled yet\n", stdout);
	}
	r = col(st, 14);
	s = col(st, 15);
	rc = PS_EXIT_OK;
	if (!r)
		fputs("  (the stored report is not JSON)\n", stdout);
	if (r && rc == PS_EXIT_OK)
		rc = print_rows(db, "ranking:",
				"SELECT printf('%-18s %.4f', json_extract(value,'$.label'), json_extract(value,'$.p'))"
				" FROM json_each(?1,'$.ranking') WHERE type = 'object' ORDER BY key", r);
	if (r && rc == PS_EXIT_OK)
		rc = print_rows(db, "segment (input line, log line):",
				"SELECT printf('%6s  %s', COALESCE(json_extract(value,'$.line'),'-'), "
				STORE_LOG_LINE_SQL("value") ") FROM json_each(?1,'$.segment')"
				" WHERE type = 'object' ORDER BY key", r);
	if (r && rc == PS_EXIT_OK)
		rc = print_rows(db, "culprit lines, best first (input line, score, text):",
				"SELECT printf('%6s  %.4f  %s', COALESCE(json_extract(value,'$.line'),'-'),"
				" json_extract(value,'$.score'), json_extract(value,'$.text'))"
				" FROM json_each(?1,'$.culprits') WHERE type = 'object' ORDER BY key", r);
	if (r && rc == PS_EXIT_OK)
		rc = print_rows(db, "neighbours, the most similar cases the model stores:",
				"SELECT printf('case %-6s %-18s similarity %.4f', json_extract(value,'$.case'),"
				" json_extract(value,'$.label'), json_extract(value,'$.similarity'))"
				" FROM json_each(?1,'$.neighbors') WHERE type = 'object' ORDER BY key", r);
	if (s && rc == PS_EXIT_OK) {
		char title[400];

		snprintf(title, sizeof title, "summary (%s):", col_or(st, 13, "unknown source"));
		rc = print_rows(db, title,
				"SELECT COALESCE(json_extract(?1,'$.summary'),'')"
				" UNION ALL SELECT 'suggested label: ' || json_extract(?1,'$.label')"
				"  WHERE length(json_extract(?1,'$.label')) > 0"
				" UNION ALL SELECT 'reasoning: ' || json_extract(?1,'$.reasoning')"
				"  WHERE length(json_extract(?1,'$.reasoning')) > 0", s);
		if (rc == PS_EXIT_OK)
			rc = print_rows(db, "  clues:",
					"SELECT '  - ' || value FROM json_each(?1,'$.clues') ORDER BY key", s);
	} else if (rc == PS_EXIT_OK) {
		fputs("summary: none yet (panicsage summarize)\n", stdout);
	}
	sqlite3_finalize(st);
	return rc;
}

/* ---- recording a label ---- */

static int set_label(sqlite3 *db, const char *prefix, const char *label, const char *by)
{
	char id[2 * PS_FRAME_ID_LEN + 1], *old = NULL, *old_by = NULL;
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return sql_fail(db, "starting the write transaction");
	if ((rc = resolve(db, prefix, id)) != PS_EXIT_OK)
		goto out;
	rc = PS_EXIT_IO;
	if (sqlite3_prepare_v2(db, "SELECT human_label, labelled_by FROM cases WHERE id = ?1", -1, &st,
			       NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		goto fail;
	if (col(st, 0) && *col(st, 0) && !(old = sqlite3_mprintf("%s", col(st, 0))))
		goto fail;
	if (col(st, 1) && !(old_by = sqlite3_mprintf("%s", col(st, 1))))
		goto fail;
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db, "UPDATE cases SET human_label = ?2, labelled_us = ?3, labelled_by = ?4"
			       " WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, label, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)port_wall_us());
	if (by)
		sqlite3_bind_text(st, 4, by, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 4);
	if (sqlite3_step(st) != SQLITE_DONE || sqlite3_changes(db) != 1)
		goto fail;
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
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
	rc = PS_EXIT_OK;
	goto out;
fail:
	rc = sql_fail(db, "recording the label");
out:
	sqlite3_finalize(st);
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_free(old);
	sqlite3_free(old_by);
	return rc;
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

int cmd_label(int argc, char **argv)
{
	const char *dbpath = NULL, *show = NULL, *set = NULL, *label = NULL, *by = NULL;
	const char *set_args[2] = { NULL, NULL };
	uint32_t limit = LIMIT_DEFAULT;
	int nargs, as_json = 0, have_limit = 0, rc;
	sqlite3 *db;
	char err[400];
	const struct cli_opt opts[] = {
		CLI_STR("--db", &dbpath),
		{ .name = "--limit", .type = CLI_T_U32, .dst = &limit, .lo = 0, .hi = UINT32_MAX,
		  .seen = &have_limit },
		CLI_STR("--show", &show),
		{ .name = "--set", .type = CLI_T_STR, .dst = set_args, .nvals = 2, .what = "ID and LABEL" },
		CLI_STR("--by", &by),
		CLI_FLAG("--json", &as_json),
		CLI_END
	};
	const struct cli_spec spec = { "label", opts, usage, 0, 0 };

	if ((rc = cli_parse(&spec, argc, argv, NULL, &nargs)) != PS_EXIT_OK)
		return rc == CLI_HELP ? PS_EXIT_OK : rc;
	set = set_args[0];
	label = set_args[1];
	if (!dbpath) {
		cli_error("label: --db STORE is required");
		usage(stderr);
		return PS_EXIT_USAGE;
	}
	if ((show && set) || ((show || set) && have_limit) || (set && as_json) || (by && !set)) {
		cli_error("label: one of the list, --show or --set at a time; --limit goes with the list,"
			  " --json not with --set, --by only with --set");
		return PS_EXIT_USAGE;
	}
	if (set) {
		if (ps_taxonomy_index(label, strlen(label)) < 0) {
			cli_error("label: '%s' is not a root-cause label; the labels are: %s", label,
				  label_names(0, NULL));
			return PS_EXIT_USAGE;
		}
		if (!by)
			by = login_name();
		else if ((rc = check_by(by)) != PS_EXIT_OK)
			return rc;
	}
	if (store_open_existing(&db, dbpath, err, sizeof err)) {
		cli_error("label: %s", err);
		return PS_EXIT_IO;
	}
	if (sqlite3_create_function(db, "ps_entropy", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, NULL,
				    entropy_step, entropy_final) != SQLITE_OK) {
		rc = sql_fail(db, "registering ps_entropy");
	} else if (set) {
		rc = set_label(db, set, label, by);
	} else if (show) {
		rc = show_case(db, show, as_json);
	} else {
		rc = list_cases(db, dbpath, limit, as_json);
	}
	if (fflush(stdout) != 0 && rc == PS_EXIT_OK) {
		cli_error("label: writing the output failed");
		rc = PS_EXIT_IO;
	}
	store_close(db);
	return rc;
}
