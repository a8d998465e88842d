/* panicsage buckets: the crash buckets of a collector's store (the cases
 * of one bug seen as one problem, core/bucket.h), one bucket in full,
 * or the signature a log would get. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/default_model.h"
#include "core/diagnose.h"
#include "core/report.h"
#include "core/status.h"
#include "port/port.h"
#include "tools/cli/cli.h"
#include "tools/cli/modelfile.h"
#include "tools/collector/commands.h"
#include "tools/store/store.h"

#define LIMIT_DEFAULT 50

static const char buckets_usage[] =
	"usage: panicsage buckets --db STORE [--limit N] [--json]\n"
	"       panicsage buckets --db STORE --show BUCKET [--limit N] [--json]\n"
	"       panicsage buckets --signature [--model MODEL] [--json] FILE...\n\n"
	"The crash buckets of a collector's case store (panicsage serve): the cases\n"
	"of one bug, from any machine and kernel build, seen as one problem.\n\n"
	"Without --show, lists the buckets, most cases first (then the most recently\n"
	"seen): id, cases, machines, kernel releases, first and last seen (UTC),\n"
	"the report's header as a template, the first meaningful frames of its\n"
	"call trace and the module, the predicted labels and kernels with their\n"
	"counts, the human label and a known problem's resolution.\n"
	"  --limit N    at most N buckets (default 50; 0 = all); with --show, at\n"
	"               most N of its cases (default 50)\n"
	"  --json       one JSON array instead (with --show: one object with\n"
	"               its \"cases\")\n"
	"  --show BUCKET  one bucket and its cases, newest first\n\n"
	"--signature prints the bucket signature each log FILE would get, as the\n"
	"collector computes it: the log is diagnosed as panicsage-kdump does\n"
	"(the built-in model, or --model), then its fault-indicating segment is\n"
	"analysed again.  FILE may be a case file, a log or a vmcore.\n\n"
	"STORE is the SQLite file of panicsage serve or a postgresql://... URL of a\n"
	"PostgreSQL store shared by several collectors (kdump/UPLOAD.md).\n"
	"BUCKET is a bucket id or an unambiguous prefix of at least 4 hex digits.\n"
	"How signatures are made and when similar ones share a bucket: README,\n"
	"\"Crash buckets and known problems\".  Label a bucket: panicsage label --set\n"
	"--bucket BUCKET LABEL; a resolution: panicsage label --resolve BUCKET ...\n"
	"exit codes: 2 bad usage, 3 store or FILE missing or unreadable,\n"
	"            4 no such bucket, an ambiguous prefix, or an unusable FILE\n";

/* ---- output helpers ---- */

/* Text for a terminal, escaped (cli.h). */
static void put_text(const char *s)
{
	cli_put_text(stdout, s);
}

static void put_json(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	char *mem;
	struct ps_buf b;

	if (!s) {
		fputs("null", stdout);
		return;
	}
	mem = cli_calloc(6 * n + 3, 1);
	ps_buf_init(&b, mem, 6 * n + 3);
	ps_buf_json_str(&b, s, n);
	fwrite(b.p, 1, b.len, stdout);
	free(mem);
}

static const char *utc(int64_t us, char out[32])
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;

	if (us <= 0 || !gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "?");
	return out;
}

static void json_counts(const char *key, const char *name, const struct store_count *v, uint32_t n)
{
	uint32_t i;

	printf("\"%s\":[", key);
	for (i = 0; i < n; i++) {
		printf("%s{\"%s\":", i ? "," : "", name);
		if (*v[i].value)
			put_json(v[i].value);
		else
			fputs("null", stdout);
		printf(",\"cases\":%lld}", (long long)v[i].n);
	}
	putchar(']');
}

static void json_frames(const char *frames)
{
	const char *p = frames ? frames : "";
	int n = 0;

	putchar('[');
	while (*p) {
		size_t k = strcspn(p, " ");
		char f[256];

		if (k && k < sizeof f) {
			memcpy(f, p, k);
			f[k] = '\0';
			if (n++)
				putchar(',');
			put_json(f);
		}
		p += k;
		while (*p == ' ')
			p++;
	}
	putchar(']');
}

void bucket_print_json(const struct store_bucket *b)
{
	char t[32];

	fputs("{\"id\":", stdout);
	put_json(b->id);
	fputs(",\"kind\":", stdout);
	put_json(b->kind);
	fputs(",\"title\":", stdout);
	put_json(b->title);
	fputs(",\"module\":", stdout);
	put_json(b->module && *b->module ? b->module : NULL);
	fputs(",\"frames\":", stdout);
	json_frames(b->frames);
	printf(",\"cases\":%lld,\"machines\":%lld,\"releases\":%lld,\"unlabelled\":%lld,\"uncertainty\":%.6f",
	       (long long)b->cases, (long long)b->machines, (long long)b->releases, (long long)b->unlabelled,
	       b->uncertainty);
	printf(",\"first_seen\":\"%s\",\"first_us\":%lld", utc(b->first_us, t), (long long)b->first_us);
	printf(",\"last_seen\":\"%s\",\"last_us\":%lld,", utc(b->last_us, t), (long long)b->last_us);
	json_counts("labels", "label", b->labels, b->nlabels);
	putchar(',');
	json_counts("kernels", "release", b->kernels, b->nkernels);
	fputs(",\"human_label\":", stdout);
	put_json(b->human_label);
	fputs(",\"labelled_by\":", stdout);
	put_json(b->human_label ? b->labelled_by : NULL);
	if (b->human_label)
		printf(",\"labelled_us\":%lld", (long long)b->labelled_us);
	else
		fputs(",\"labelled_us\":null", stdout);
	fputs(",\"resolution\":", stdout);
	if (b->cause) {
		fputs("{\"cause\":", stdout);
		put_json(b->cause);
		fputs(",\"advice\":", stdout);
		put_json(b->advice && *b->advice ? b->advice : NULL);
		fputs(",\"url\":", stdout);
		put_json(b->url && *b->url ? b->url : NULL);
		fputs(",\"by\":", stdout);
		put_json(b->resolved_by);
		printf(",\"resolved_us\":%lld}", (long long)b->resolved_us);
	} else {
		fputs("null", stdout);
	}
	fputs(",\"example_case\":", stdout);
	put_json(b->example);
	fputs(",\"crash\":", stdout);
	put_json(b->crash);
	putchar('}');
}

static void put_counts(const char *title, const struct store_count *v, uint32_t n)
{
	uint32_t i;

	printf("    %-10s ", title);
	for (i = 0; i < n; i++) {
		fputs(i ? ", " : "", stdout);
		put_text(*v[i].value ? v[i].value : "(none)");
		printf(" x%lld", (long long)v[i].n);
	}
	putchar('\n');
}

void bucket_print_text(const struct store_bucket *b)
{
	char t1[32], t2[32];

	printf("\n%.12s  %lld case%s, %lld machine%s, %lld kernel%s, first %s, last %s\n", b->id,
	       (long long)b->cases, b->cases == 1 ? "" : "s", (long long)b->machines, b->machines == 1 ? "" : "s",
	       (long long)b->releases, b->releases == 1 ? "" : "s", utc(b->first_us, t1), utc(b->last_us, t2));
	fputs("    header     ", stdout);
	put_text(b->title && *b->title ? b->title : "(no report header)");
	fputs("\n    frames     ", stdout);
	put_text(b->frames && *b->frames ? b->frames : "(none)");
	if (b->module && *b->module) {
		fputs(" [", stdout);
		put_text(b->module);
		putchar(']');
	}
	putchar('\n');
	put_counts("predicted", b->labels, b->nlabels);
	put_counts("kernels", b->kernels, b->nkernels);
	fputs("    label      ", stdout);
	if (b->human_label) {
		put_text(b->human_label);
		printf(", %s", utc(b->labelled_us, t1));
		if (b->labelled_by) {
			fputs(" by ", stdout);
			put_text(b->labelled_by);
		}
		putchar('\n');
	} else {
		printf("none yet (%lld case%s unlabelled)\n", (long long)b->unlabelled, b->unlabelled == 1 ? "" : "s");
	}
	if (b->cause) {
		fputs("    known problem: ", stdout);
		put_text(b->cause);
		if (b->advice && *b->advice) {
			fputs("\n    advice:    ", stdout);
			put_text(b->advice);
		}
		if (b->url && *b->url) {
			fputs("\n    see:       ", stdout);
			put_text(b->url);
		}
		printf("\n    (resolved %s", utc(b->resolved_us, t1));
		if (b->resolved_by) {
			fputs(" by ", stdout);
			put_text(b->resolved_by);
		}
		fputs(")\n", stdout);
	}
	if (b->crash) {
		printf("    newest     case %.12s: ", b->example ? b->example : "?");
		put_text(b->crash);
		putchar('\n');
	}
}

/* ---- the list and one bucket ---- */

struct listing {
	int json, n;
};

static int list_one(const struct store_bucket *b, void *ctx)
{
	struct listing *l = ctx;

	if (l->json) {
		fputs(l->n++ ? ",\n" : "\n", stdout);
		bucket_print_json(b);
	} else {
		l->n++;
		bucket_print_text(b);
	}
	return 0;
}

static int case_one(const struct store_bucket_case *c, void *ctx)
{
	struct listing *l = ctx;
	char t[32];

	if (l->json) {
		fputs(l->n++ ? ",\n  {\"id\":" : "\n  {\"id\":", stdout);
		put_json(c->id);
		printf(",\"received\":\"%s\",\"received_us\":%lld,\"machine\":", utc(c->received_us, t),
		       (long long)c->received_us);
		put_json(c->machine);
		fputs(",\"release\":", stdout);
		put_json(c->release);
		fputs(",\"label\":", stdout);
		put_json(c->label && *c->label ? c->label : NULL);
		if (c->label && *c->label)
			printf(",\"confidence\":%.6f", c->confidence);
		else
			fputs(",\"confidence\":null", stdout);
		fputs(",\"human_label\":", stdout);
		put_json(c->human_label);
		putchar('}');
		return 0;
	}
	if (l->n++ == 0)
		fputs("  cases, newest first:\n", stdout);
	printf("    %.12s  %s  machine ", c->id, utc(c->received_us, t));
	put_text(c->machine);
	fputs("  kernel ", stdout);
	put_text(c->release);
	fputs("  predicted ", stdout);
	if (c->label && *c->label) {
		put_text(c->label);
		printf(" %.4f", c->confidence);
	} else {
		fputs("nothing", stdout);
	}
	if (c->human_label) {
		fputs("  label ", stdout);
		put_text(c->human_label);
	}
	putchar('\n');
	return 0;
}

static int list_buckets(struct store *db, const char *dbpath, uint32_t limit, int json)
{
	struct listing l = { json, 0 };
	char err[400];

	if (json)
		putchar('[');
	else
		printf("crash buckets in %s, most cases first:\n", dbpath);
	if (store_buckets(db, STORE_BUCKETS_ALL, NULL, limit, list_one, &l, err, sizeof err)) {
		cli_error("buckets: %s", err);
		return PS_EXIT_IO;
	}
	if (json)
		fputs(l.n ? "\n]\n" : "]\n", stdout);
	else if (!l.n)
		printf("no bucket: the store has no case\n");
	else
		printf("\n%d bucket%s shown%s\n", l.n, l.n == 1 ? "" : "s",
		       limit && (uint32_t)l.n == limit ? " (--limit N for more)" : "");
	return PS_EXIT_OK;
}

static int show_one(const struct store_bucket *b, void *ctx)
{
	struct listing *l = ctx;

	l->n++;
	if (l->json)
		bucket_print_json(b);
	else
		bucket_print_text(b);
	return 0;
}

/* {"bucket": {...}, "cases": [...]} with --json */
static int show_bucket(struct store *db, const char *prefix, uint32_t limit, int json)
{
	char id[PS_BUCKET_ID_LEN + 1], err[400];
	struct listing l = { json, 0 }, c = { json, 0 };
	enum store_find r = store_find_bucket(db, prefix, id, err, sizeof err);

	if (r != STORE_FOUND) {
		cli_error("buckets: %s", err);
		return store_find_exit(r);
	}
	if (json)
		fputs("{\"bucket\":", stdout);
	if (store_buckets(db, STORE_BUCKETS_ALL, id, 1, show_one, &l, err, sizeof err) ||
	    (json && fputs(",\"cases\":[", stdout) < 0) ||
	    store_bucket_cases(db, id, limit, case_one, &c, err, sizeof err)) {
		cli_error("buckets: %s", err);
		return PS_EXIT_IO;
	}
	if (json)
		fputs(c.n ? "\n]}\n" : "]}\n", stdout);
	return PS_EXIT_OK;
}

/* ---- signatures of log files ---- */

static int signature_of(const char *path, const struct ps_model *m, int json, int first)
{
	struct ps_params params;
	struct ps_analysis an;
	struct ps_arena arena;
	struct ps_bucket_sig sig;
	struct ps_buf out;
	char *buf = NULL, *arena_mem = NULL, *report = NULL, *seg = NULL, err[300], frames[400];
	size_t len, hdr, size, seglen;
	uint32_t hdr_lines = 0;
	int vmcore = 0, rc, st;

	if ((rc = cli_read_log(path, &buf, &len, &vmcore)))
		return rc;
	hdr = vmcore ? 0 : ps_casefile_header(buf, len, &hdr_lines);
	size = (32u << 20) + 8 * len;
	arena_mem = cli_calloc(size, 1);
	ps_arena_init(&arena, arena_mem, size);
	ps_params_defaults(&params);
	st = ps_diagnose(&an, &params, m, buf + hdr, len - hdr, hdr_lines + 1, &arena, NULL);
	if (st != PS_OK) {
		cli_error("buckets: %s: %s", path, ps_status_str(st));
		rc = ps_exit_for_status(st);
		goto out;
	}
	size = ps_report_bound(&an);
	report = cli_calloc(size, 1);
	ps_buf_init(&out, report, size);
	ps_report_json(&an, &out);
	if (store_report_log(out.p, out.len, &seg, &seglen, err, sizeof err) ||
	    store_log_signature(seg ? seg : "", seglen, &sig, err, sizeof err)) {
		cli_error("buckets: %s: %s", path, err);
		rc = PS_EXIT_FAILURE;
		goto out;
	}
	ps_bucket_frames_str(&sig, frames, sizeof frames);
	if (json) {
		fputs(first ? "\n{\"file\":" : ",\n{\"file\":", stdout);
		put_json(path);
		fputs(",\"id\":", stdout);
		put_json(sig.id);
		fputs(",\"kind\":", stdout);
		put_json(sig.kind);
		fputs(",\"title\":", stdout);
		put_json(sig.title);
		fputs(",\"module\":", stdout);
		put_json(sig.module[0] ? sig.module : NULL);
		fputs(",\"frames\":", stdout);
		json_frames(frames);
		putchar('}');
	} else {
		printf("%s  ", sig.id);
		put_text(path);
		fputs("\n    kind       ", stdout);
		put_text(sig.kind[0] ? sig.kind : "(none)");
		fputs("\n    header     ", stdout);
		put_text(sig.title[0] ? sig.title : "(no report header)");
		fputs("\n    frames     ", stdout);
		put_text(frames[0] ? frames : "(none)");
		if (sig.module[0]) {
			fputs(" [", stdout);
			put_text(sig.module);
			putchar(']');
		}
		putchar('\n');
	}
	rc = PS_EXIT_OK;
out:
	free(seg);
	free(report);
	free(arena_mem);
	free(buf);
	return rc;
}

static int signatures(char **files, int n, const char *model_path, int json)
{
	struct model_file mf;
	size_t len;
	int have_model = 0, i, rc = PS_EXIT_OK, printed = 0;

	if (model_path || ps_default_model(&len)) {
		if ((rc = model_file_open(&mf, model_path)))
			return rc;
		have_model = 1;
	}
	if (json)
		putchar('[');
	for (i = 0; i < n; i++) {
		int r = signature_of(files[i], have_model ? &mf.m : NULL, json, printed == 0);

		if (r == PS_EXIT_OK)
			printed++;
		else if (rc == PS_EXIT_OK)
			rc = r;
	}
	if (json)
		fputs(printed ? "\n]\n" : "]\n", stdout);
	if (have_model)
		model_file_close(&mf);
	return rc;
}

static void usage(FILE *f)
{
	fputs(buckets_usage, f);
}

int cmd_buckets(int argc, char **argv)
{
	const char *dbpath = NULL, *show = NULL, *model_path = NULL;
	uint32_t limit = LIMIT_DEFAULT;
	int json = 0, sig = 0, nfiles = 0, rc;
	char **files = cli_calloc((size_t)argc + 1, sizeof *files), err[400];
	struct store *db;
	const struct cli_opt opts[] = {
		CLI_STR("--db", &dbpath),
		CLI_STR("--show", &show),
		CLI_U32("--limit", &limit, 0, UINT32_MAX),
		CLI_STR("--model", &model_path),
		CLI_FLAG("--json", &json),
		CLI_FLAG("--signature", &sig),
		CLI_END
	};
	const struct cli_spec spec = { "buckets", opts, usage, 0, argc };

	rc = cli_parse(&spec, argc, argv, files, &nfiles);
	if (rc != PS_EXIT_OK) {
		free(files);
		return rc == CLI_HELP ? PS_EXIT_OK : rc;
	}
	if (sig) {
		if (dbpath || show || !nfiles) {
			cli_error("buckets: --signature takes FILEs (and --model, --json), no --db or --show");
			free(files);
			return PS_EXIT_USAGE;
		}
		rc = signatures(files, nfiles, model_path, json);
		free(files);
		return fflush(stdout) != 0 && rc == PS_EXIT_OK ? PS_EXIT_IO : rc;
	}
	free(files);
	if (nfiles || model_path) {
		cli_error("buckets: FILEs and --model go with --signature");
		return PS_EXIT_USAGE;
	}
	if (!dbpath) {
		cli_error("buckets: --db STORE is required");
		fputs(buckets_usage, stderr);
		return PS_EXIT_USAGE;
	}
	if (store_open_existing(&db, dbpath, err, sizeof err)) {
		cli_error("buckets: %s", err);
		return PS_EXIT_IO;
	}
	rc = show ? show_bucket(db, show, limit, json) : list_buckets(db, store_name(db), limit, json);
	if (fflush(stdout) != 0 && rc == PS_EXIT_OK) {
		cli_error("buckets: writing the output failed");
		rc = PS_EXIT_IO;
	}
	store_close(db);
	return rc;
}
