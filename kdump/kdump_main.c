/* panicsage-kdump: the capture-kernel program.
 *
 * Reads the crashed kernel's log (a vmcore, /proc/vmcore by default, or
 * a dmesg text file), extracts the fault-indicating lines, prints the
 * report on the console and exits.  Static musl binary: all working
 * memory is one fixed arena, mapped once at start-up; nothing here
 * calls malloc. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/catalogue.h"
#include "core/exitcode.h"
#include "core/log.h"
#include "core/pipeline.h"
#include "core/report.h"
#include "core/status.h"
#include "core/diagnose.h"
#include "core/default_model.h"
#include "core/model.h"
#include "kdump/upload.h"
#include "kdump/vmcore/vmcore.h"
#include "port/port.h"

/* Working memory: the log text, the parsed catalogue (0.45 MiB kept,
 * 0.8 MiB at the peak of parsing), the analysis and the report, in one
 * arena mapped at start-up (port_map_arena), so only the pages an input
 * needs become resident.  ARENA_SIZE is what an 8 MiB log needs; a
 * machine with less memory available gets half of its MemAvailable, but
 * not less than ARENA_MIN (the log buffer and a small log's analysis).
 * In .bss, 80 MiB would be charged to the overcommit limit when the
 * program starts, and Debian's crashkernel=384M-:128M capture kernel
 * (about 60 MiB usable) refuses to start it. */
#define ARENA_SIZE   (80u << 20)
#define ARENA_MIN    (16u << 20)
/* The newest part of a log that is analysed; a crash is at the end. */
#define MAX_LOG      (8u << 20)
/* Largest model file accepted (DESIGN target: at most 8 MiB int8). */
#define MAX_MODEL    (24u << 20)


static const char usage[] =
	"usage: panicsage-kdump [--json] [--dmesg] [--model MODEL] [--budget SECONDS]\n"
	"                       [--deliver | --no-deliver] [--config FILE] [--spool DIR]\n"
	"                       [--save DIR] [INPUT]\n"
	"       panicsage-kdump --flush [--budget SECONDS] [--config FILE] [--spool DIR]\n\n"
	"Diagnoses a kernel crash from inside the kdump capture kernel: reads the\n"
	"crashed kernel's log from INPUT (default /proc/vmcore; a dmesg text file\n"
	"works too), extracts the lines that explain the crash and prints the\n"
	"report on the console; a log in which no line is a fault message of the\n"
	"model's catalogue is reported as \"no crash found\", unlabelled.\n\n"
	"  --json            print the report as one JSON object\n"
	"  --dmesg           print the log read from INPUT and exit\n"
	"  --model MODEL     frozen model to label with (default: the one built in)\n"
	"  --budget SECONDS  give up after this long (default 30)\n"
	"  --deliver         spool the case and upload it (the default for a vmcore);\n"
	"                    only with a collector configured, within the spool's\n"
	"                    bound (spool_max_cases, spool_max_bytes: the oldest\n"
	"                    cases are dropped, each said on stderr)\n"
	"  --no-deliver      only print the report\n"
	"  --config FILE     upload settings (default /etc/panicsage/kdump.conf;\n"
	"                    panicsage.* options on the kernel command line win)\n"
	"  --spool DIR       spool directory, over the configured one\n"
	"  --save DIR        also write the report to DIR/panicsage.txt and\n"
	"                    DIR/panicsage.json (exit 3 if they cannot be written)\n"
	"  --flush           analyse nothing (no INPUT; only --budget, --config,\n"
	"                    --spool): move cases spooled on tmpfs (/run/panicsage)\n"
	"                    to the disk spool and upload the spool; exit 0 when\n"
	"                    it is empty, 8 when cases remain\n\n"
	"exit codes: 0 report printed, 2 usage, 3 input unreadable, 4 input\n"
	"unusable, 5 model unusable (the report is still printed, unlabelled),\n"
	"6 out of memory, 7 time budget exceeded, 8 upload failed (the case\n"
	"stays in the spool and goes with the next run).  When the model and\n"
	"the case's delivery both fail, the case's code wins (8 pending, or 3,\n"
	"6, 7 lost) and both are said on stderr.\n";

static void out(int fd, const char *s)
{
	port_write_all(fd, s, strlen(s));
}

/* Prints "panicsage: what: why" to stderr and returns code. */
static int fail(int code, const char *what, const char *why)
{
	char line[512];
	struct ps_buf b;

	ps_buf_init(&b, line, sizeof line);
	ps_buf_puts(&b, "panicsage: ");
	ps_buf_puts(&b, what);
	if (why) {
		ps_buf_puts(&b, ": ");
		ps_buf_puts(&b, why);
	}
	ps_buf_putc(&b, '\n');
	port_write_all(2, b.p, b.len);
	return code;
}

static int parse_seconds(const char *s, uint64_t *us)
{
	uint64_t v = 0;

	if (!*s)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 86400)
			return 0;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v == 0 || v > 86400)
		return 0;
	*us = v * 1000000u;
	return 1;
}

/* The arena's size: half of the memory available, within
 * ARENA_MIN..ARENA_SIZE; ARENA_SIZE when the machine does not say.
 * (--arena-size N, a hidden option of the fault tests, maps N bytes.) */
static size_t arena_budget(void)
{
	uint64_t half = port_mem_available_kib() / 2 * 1024u;

	if (half == 0 || half >= ARENA_SIZE)
		return ARENA_SIZE;
	return half < ARENA_MIN ? ARENA_MIN : (size_t)half & ~(size_t)0xfffff;
}

static int parse_arena_size(const char *s, size_t *n)
{
	uint64_t v = 0;

	if (!*s)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > ARENA_SIZE)
			return 0;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v == 0 || v > ARENA_SIZE)
		return 0;
	*n = (size_t)v;
	return 1;
}

/* The log to analyse and where it came from. */
struct input {
	char *text;
	size_t len;
	int vmcore;              /* read out of an ELF core file */
	char release[65];        /* crashed kernel's release, or "" */
};

/* Reads the log of `path` into the arena: a vmcore (recognised by its
 * content) through the printk ring reader, any other file as text.
 * Only the newest MAX_LOG bytes are kept; a crash is at the end. */
static int read_log(const char *path, struct ps_arena *a, struct input *in, uint64_t deadline)
{
	struct port_file f;
	struct vmcore_stats st;
	unsigned char head[64];
	uint64_t dropped = 0;
	size_t got = 0;
	/* a FIFO with no writer must not hold us before the budget applies */
	int err = port_open_nowait(&f, path);

	memset(in, 0, sizeof *in);
	if (err)
		return fail(PS_EXIT_IO, path, port_strerror(err));
	in->text = ps_arena_alloc(a, MAX_LOG, 16);
	if (!in->text) {
		port_close(&f);
		return fail(PS_EXIT_NOMEM, path, "no memory for the log");
	}
	/* pipes cannot be probed; they are always text */
	if (f.size && port_pread(&f, head, sizeof head, 0, &got) == 0 &&
	    vmcore_probe(head, got)) {
		size_t mark = ps_arena_mark(a);

		in->vmcore = 1;
		err = vmcore_dmesg_buf(&f, a, in->text, MAX_LOG, &in->len, &st);
		ps_arena_release(a, mark);
		port_close(&f);
		if (err == PS_ENOMEM)
			return fail(PS_EXIT_NOMEM, path, "no memory for the vmcore reader");
		if (err != PS_OK)
			return fail(PS_EXIT_INPUT, path, st.error[0] ? st.error : "not a usable vmcore");
		if (st.warning[0])
			fail(0, "warning", st.warning);
		dropped = st.dropped_bytes;
		memcpy(in->release, st.release, sizeof in->release);
		in->release[sizeof in->release - 1] = '\0';
	} else {
		err = port_read_tail(&f, (unsigned char *)in->text, MAX_LOG, &in->len, &dropped,
				     deadline);
		port_close(&f);
		if (err == ETIMEDOUT && !in->len && !dropped)
			return fail(PS_EXIT_TIMEOUT, path, "nothing to read within half the time budget "
				    "(a pipe or FIFO that nobody writes to?)");
		if (err == ETIMEDOUT)
			fail(0, "warning", "the input was still streaming at half the time budget; "
			     "analysing what arrived");
		else if (err)
			return fail(PS_EXIT_IO, path, port_strerror(err));
	}
	if (dropped)
		out(2, "panicsage: warning: log larger than 8 MiB, only its end is analysed\n");
	return PS_EXIT_OK;
}

/* The same warning as `panicsage classify`: the pipeline keeps the
 * newest ps_params.max_records lines. */
static void warn_lines(const char *path, uint32_t kept)
{
	char n[16];
	struct ps_buf b;

	ps_buf_init(&b, n, sizeof n);
	ps_buf_u64(&b, kept);
	out(2, "panicsage: warning: ");
	out(2, path);
	out(2, ": only the last ");
	port_write_all(2, b.p, b.len);
	out(2, " lines were analysed\n");
}

/* Loads the model at `path` (NULL: the built-in one) into *m; on
 * failure prints why and returns PS_EXIT_MODEL.  A missing built-in
 * model is not an error: *loaded stays 0. */
static int load_model(const char *path, struct ps_arena *a, struct ps_model *m, int *loaded)
{
	char err[256];
	const unsigned char *img;
	size_t len;

	*loaded = 0;
	if (!path) {
		img = ps_default_model(&len);
		if (!img)
			return PS_EXIT_OK;
	} else {
		struct port_file f;
		unsigned char *buf;
		size_t got;
		int e = port_open(&f, path);

		if (e)
			return fail(PS_EXIT_MODEL, path, port_strerror(e));
		if (f.size == 0 || f.size > MAX_MODEL) {
			port_close(&f);
			return fail(PS_EXIT_MODEL, path, "not a model file (size)");
		}
		buf = ps_arena_alloc(a, (size_t)f.size, 64);
		if (!buf) {
			port_close(&f);
			return fail(PS_EXIT_MODEL, path, "no memory for the model");
		}
		e = port_pread(&f, buf, (size_t)f.size, 0, &got);
		port_close(&f);
		if (e || got != f.size)
			return fail(PS_EXIT_MODEL, path, e ? port_strerror(e) : "short read");
		img = buf;
		len = got;
	}
	if (ps_model_load(m, img, len, err, sizeof err) != PS_OK)
		return fail(PS_EXIT_MODEL, path ? path : "built-in model", err);
	*loaded = 1;
	return PS_EXIT_OK;
}

/* The catalogue to match lines with: the model's own (or the built-in
 * one for a model without).  A model whose catalogue is malformed is
 * unusable: *have_model drops to 0, PS_EXIT_MODEL goes to *model_rc,
 * and the built-in catalogue is used.  Returns an exit code. */
static int load_catalogue(struct ps_catalogue *cat, const struct ps_model *m, int *have_model,
			  int *model_rc, struct ps_arena *a)
{
	struct ps_cat_error err;
	char why[160];
	struct ps_buf b;
	int st = ps_model_catalogue(cat, *have_model ? m : NULL, a, &err);

	if (st == PS_EFORMAT && *have_model) {
		ps_buf_init(&b, why, sizeof why);
		ps_buf_puts(&b, "line ");
		ps_buf_u64(&b, err.line);
		ps_buf_puts(&b, ": ");
		ps_buf_puts(&b, err.msg);
		*model_rc = fail(PS_EXIT_MODEL, "model catalogue", why);
		*have_model = 0;
		st = ps_model_catalogue(cat, NULL, a, &err);
	}
	if (st != PS_OK)
		return fail(ps_exit_for_status(st), "catalogue", err.msg ? err.msg : ps_status_str(st));
	return PS_EXIT_OK;
}

/* Writes the JSON report of `an` into the arena; NULL if it does not fit. */
static char *json_report(const struct ps_analysis *an, struct ps_arena *a, size_t *len)
{
	size_t cap = ps_report_bound(an);
	char *p = ps_arena_alloc(a, cap, 1);
	struct ps_buf b;

	if (!p)
		return NULL;
	ps_buf_init(&b, p, cap);
	ps_report_json(an, &b);
	*len = b.len;
	return p;
}

/* --save DIR: the report as printed, and in the other format, as
 * DIR/panicsage.txt and DIR/panicsage.json, each written durably. */
static int save_report(const struct ps_analysis *an, const struct ps_buf *printed, int json,
		       const char *dir, struct ps_arena *a)
{
	size_t cap = ps_report_bound(an);
	char *p = ps_arena_alloc(a, cap, 1);
	struct ps_buf other;
	int err;

	if (!p)
		return fail(PS_EXIT_NOMEM, "--save", "no memory left for the report");
	ps_buf_init(&other, p, cap);
	if (json)
		ps_report_console(an, &other);
	else
		ps_report_json(an, &other);
	err = port_write_durable(dir, json ? "panicsage.json" : "panicsage.txt", printed->p,
				 printed->len);
	if (!err)
		err = port_write_durable(dir, json ? "panicsage.txt" : "panicsage.json", other.p,
					 other.len);
	if (err)
		return fail(PS_EXIT_IO, dir, port_strerror(err));
	return PS_EXIT_OK;
}

static const char *spool_dir;   /* --spool */

/* The upload settings, with --spool over the configured spool.  A bad
 * setting is reported and skipped: the case is spooled regardless. */
static void load_config(struct kdump_config *cfg, const char *config)
{
	char msg[512];

	if (kdump_config_load(cfg, config, NULL, msg, sizeof msg) != PS_EXIT_OK)
		fail(0, "configuration", msg);
	if (spool_dir)   /* length checked when parsed */
		memcpy(cfg->spool, spool_dir, strlen(spool_dir) + 1);
}

/* "panicsage: MSG[SUFFIX]": stdout when rc is 0, else stderr. */
static int say(int rc, const char *msg, const char *suffix)
{
	out(rc ? 2 : 1, "panicsage: ");
	out(rc ? 2 : 1, msg);
	out(rc ? 2 : 1, suffix);
	out(rc ? 2 : 1, "\n");
	return rc;
}

/* "panicsage: TITLE TEXT" with TEXT escaped: it comes from the network
 * (printable ASCII passes, every other byte is \xNN, so no terminal
 * escape sequence reaches the console). */
static void say_escaped(int fd, const char *title, const char *text)
{
	static char line[64 + 4 * PS_FRAME_MAX_ADVICE + 2];
	struct ps_buf b;

	ps_buf_init(&b, line, sizeof line);
	ps_buf_puts(&b, "panicsage: ");
	ps_buf_puts(&b, title);
	ps_buf_printable(&b, text, ps_strlen(text));
	ps_buf_putc(&b, '\n');
	port_write_all(fd, b.p, b.len);
}

/* What the collector said of the case: a known problem's resolution,
 * and how often its crash was seen before. */
static void say_answer(int fd)
{
	struct kdump_answer a;
	char line[200];
	struct ps_buf b;

	kdump_last_answer(&a);
	if (!a.have)
		return;
	if (a.cases > 1) {
		ps_buf_init(&b, line, sizeof line);
		ps_buf_puts(&b, "panicsage: seen before: ");
		ps_buf_u64(&b, a.cases);
		ps_buf_puts(&b, " cases from ");
		ps_buf_u64(&b, a.machines);
		ps_buf_puts(&b, a.machines == 1 ? " machine (bucket " : " machines (bucket ");
		ps_buf_printable(&b, a.bucket, ps_strlen(a.bucket));
		ps_buf_puts(&b, ")\n");
		port_write_all(fd, b.p, b.len);
	}
	if (a.cause[0]) {
		say_escaped(fd, "known problem: ", a.cause);
		if (a.advice[0])
			say_escaped(fd, "advice: ", a.advice);
		if (a.url[0])
			say_escaped(fd, "see: ", a.url);
	}
}

/* Spools the case and uploads the spool before the deadline; prints one
 * line saying what happened, then what the collector knows of the
 * crash.  Returns an exit code. */
static int deliver(const struct ps_analysis *an, const struct input *in, const char *config,
		   uint64_t deadline, struct ps_arena *a)
{
	struct kdump_config cfg;
	struct kdump_case c;
	struct ps_str label = ps_report_label(an);
	char msg[512], name[64];
	size_t n = label.n < sizeof name - 1 ? label.n : sizeof name - 1;
	int rc;

	load_config(&cfg, config);
	memcpy(name, label.p, n);
	name[n] = '\0';
	memset(&c, 0, sizeof c);
	c.report = json_report(an, a, &c.report_len);
	if (!c.report)
		return fail(PS_EXIT_NOMEM, "case", "no memory left for the case");
	c.label = an->labelled ? name : NULL;
	c.confidence = an->labelled ? an->confidence : 0;
	c.release = in->release[0] ? in->release : NULL;
	rc = kdump_deliver(&cfg, &c, deadline, msg, sizeof msg);
	say(rc, msg, "");
	say_answer(rc ? 2 : 1);
	return rc;
}

/* The exit code when the case's delivery (`rc`) and the model
 * (`model_rc`) may both have failed: the case wins, since a script must
 * see that it is pending (8) or lost (3, 6, 7); the model's failure was
 * said when it was loaded and is said again here. */
static int exit_code(int rc, int model_rc)
{
	char line[128];
	struct ps_buf b;

	if (!rc)
		return model_rc;
	if (!model_rc)
		return rc;
	ps_buf_init(&b, line, sizeof line);
	ps_buf_puts(&b, "panicsage: two failures: the case (exit ");
	ps_buf_u64(&b, (uint64_t)rc);
	ps_buf_puts(&b, ") and the model (exit ");
	ps_buf_u64(&b, (uint64_t)model_rc);
	ps_buf_puts(&b, "); exiting ");
	ps_buf_u64(&b, (uint64_t)rc);
	ps_buf_putc(&b, '\n');
	port_write_all(2, b.p, b.len);
	return rc;
}

/* --flush: the spool alone, for the capture boot's later stage and the
 * next normal boot. */
static int flush(const char *config, uint64_t deadline)
{
	struct kdump_config cfg;
	struct kdump_stats st;
	char msg[512], moved[64] = "";
	int rc;

	load_config(&cfg, config);
	rc = kdump_deliver(&cfg, NULL, deadline, msg, sizeof msg);
	kdump_last_stats(&st);
	if (st.moved) {
		struct ps_buf b;

		ps_buf_init(&b, moved, sizeof moved);
		ps_buf_puts(&b, " (");
		ps_buf_u64(&b, st.moved);
		ps_buf_puts(&b, " moved from tmpfs to disk)");
	}
	return say(rc, msg, moved);
}

int main(int argc, char **argv)
{
	const char *path = "/proc/vmcore", *model_path = NULL, *config = NULL, *save_dir = NULL;
	int json = 0, dmesg = 0, do_flush = 0, have_input = 0, i, rc, st, model_rc, have_model;
	int want_deliver = -1, save_rc = PS_EXIT_OK;
	struct ps_model model;
	struct ps_catalogue cat;
	uint64_t budget = 30u * 1000000u, t_cat, start = port_now_us();
	struct ps_arena arena;
	struct ps_params params;
	struct ps_analysis an;
	struct ps_buf rep;
	struct input in;
	char *report;
	void *arena_mem;
	size_t hdr, report_size, arena_size = 0;
	uint32_t hdr_lines = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			out(1, usage);
			return PS_EXIT_OK;
		} else if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--dmesg")) {
			dmesg = 1;
		} else if (!strcmp(argv[i], "--deliver")) {
			want_deliver = 1;
		} else if (!strcmp(argv[i], "--no-deliver")) {
			want_deliver = 0;
		} else if (!strcmp(argv[i], "--flush")) {
			do_flush = 1;
		} else if (!strcmp(argv[i], "--config") && i + 1 < argc) {
			config = argv[++i];
		} else if (!strcmp(argv[i], "--spool") && i + 1 < argc) {
			spool_dir = argv[++i];
			if (!spool_dir[0] || strlen(spool_dir) >= KDUMP_PATH_LEN)
				return fail(PS_EXIT_USAGE, "--spool", "expected a directory path");
		} else if (!strcmp(argv[i], "--save") && i + 1 < argc) {
			save_dir = argv[++i];
			if (!save_dir[0])
				return fail(PS_EXIT_USAGE, "--save", "expected a directory");
		} else if (!strcmp(argv[i], "--model") && i + 1 < argc) {
			model_path = argv[++i];
		} else if (!strcmp(argv[i], "--budget") && i + 1 < argc) {
			if (!parse_seconds(argv[++i], &budget))
				return fail(PS_EXIT_USAGE, "--budget", "expected whole seconds, 1 to 86400");
		} else if (!strcmp(argv[i], "--arena-size") && i + 1 < argc) {
			/* hidden, for the fault tests (tests/t_kdump_faults.sh):
			 * an arena of N bytes */
			if (!parse_arena_size(argv[++i], &arena_size))
				return fail(PS_EXIT_USAGE, "--arena-size", "expected bytes, 1 to the built-in size");
		} else if (argv[i][0] == '-' && argv[i][1]) {
			out(2, usage);
			return fail(PS_EXIT_USAGE, "unknown or incomplete option", argv[i]);
		} else {
			path = argv[i];
			have_input = 1;
		}
	}

	if (do_flush && (have_input || json || dmesg || model_path || save_dir || want_deliver == 0))
		return fail(PS_EXIT_USAGE, "--flush", "takes only --budget, --config and --spool");
	if (do_flush)
		return flush(config, start + budget);
	if (arena_size) {
		arena_mem = port_map_arena(arena_size);
	} else {
		/* halved down to ARENA_MIN while the address space (ulimit -v)
		 * refuses it */
		arena_size = arena_budget();
		while (!(arena_mem = port_map_arena(arena_size)) && arena_size / 2 >= ARENA_MIN)
			arena_size /= 2;
	}
	if (!arena_mem)
		return fail(PS_EXIT_NOMEM, "working memory", "the arena cannot be mapped");
	ps_arena_init(&arena, arena_mem, arena_size);
	/* half the budget for reading a stream; the rest for the analysis
	 * and the delivery */
	rc = read_log(path, &arena, &in, start + budget / 2);
	if (rc)
		return rc;
	if (dmesg)
		return port_write_all(1, in.text, in.len) ? PS_EXIT_IO : PS_EXIT_OK;
	/* a bad model costs the label, not the report */
	model_rc = load_model(model_path, &arena, &model, &have_model);
	hdr = in.vmcore ? 0 : ps_casefile_header(in.text, in.len, &hdr_lines);
	ps_params_defaults(&params);
	t_cat = port_now_us();
	if ((rc = load_catalogue(&cat, &model, &have_model, &model_rc, &arena)))
		return rc;
	t_cat = port_now_us() - t_cat;
	params.catalogue = &cat;
	st = ps_diagnose(&an, &params, have_model ? &model : NULL, in.text + hdr, in.len - hdr,
			 hdr_lines + 1, &arena, port_now_us);
	if (st != PS_OK)
		return fail(ps_exit_for_status(st), path, ps_status_str(st));
	/* parsing the catalogue is part of the analysis' cost */
	an.timing_us[PS_STAGE_PARSE] += t_cat;
	an.timing_us[PS_STAGE_TOTAL] += t_cat;
	if (an.log.skipped_lines)
		warn_lines(path, an.log.n);
	/* the crashed kernel's release: VMCOREINFO's OSRELEASE, else what
	 * its own log says (never this kernel's uname) */
	if (!in.release[0])
		ps_log_release(&an.log, in.release, sizeof in.release);

	report_size = ps_report_bound(&an);
	report = ps_arena_alloc(&arena, report_size, 1);
	if (!report)
		return fail(PS_EXIT_NOMEM, "report", "no memory left for the report");
	ps_buf_init(&rep, report, report_size);
	if (json)
		ps_report_json(&an, &rep);
	else
		ps_report_console(&an, &rep);
	if (port_write_all(1, rep.p, rep.len))
		return PS_EXIT_IO;
	if (save_dir)
		save_rc = save_report(&an, &rep, json, save_dir, &arena);

	rc = PS_EXIT_OK;
	if (port_now_us() - start > budget)
		rc = fail(PS_EXIT_TIMEOUT, "time budget exceeded", "the case is not spooled");
	else if (want_deliver == 1 || (want_deliver == -1 && in.vmcore))
		rc = deliver(&an, &in, config, start + budget, &arena);
	/* a report that could not be saved (--save) counts like the case */
	return exit_code(rc ? rc : save_rc, model_rc);
}
