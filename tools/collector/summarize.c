/* panicsage summarize: an LLM summary for each stored case.
 *
 * The project's three-step prompt (fault clues -> reasoning -> summary)
 * goes to any OpenAI-compatible /v1/chat/completions endpoint
 * (llama.cpp's llama-server, vLLM, Ollama, hosted APIs) together with
 * the fault-indicating segment, the culprit lines, the classifier's
 * label and ranking, and similar historical cases with their labels.
 * The answer must be one JSON object {clues, reasoning, summary, label};
 * it is stored with the case (cases.summary).  When no endpoint is
 * configured, or the endpoint fails after its retries, an extractive
 * summary built from the report itself is stored instead, so every case
 * gets a summary.  JSON is read and written by tools/store (json.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "port/port.h"
#include "tools/cli/cli.h"
#include "tools/collector/commands.h"
#include "tools/collector/http.h"
#include "tools/store/store.h"

#define PROMPT_MAX (256u << 10)

struct llm_config {
	char endpoint[1024];
	char model[256];
	char key[512];
	char ca[1024];
	uint32_t timeout_s;
	uint32_t retries;
	int no_llm;
	int json_mode;
};

struct summary {
	char *json;          /* the stored JSON object (malloc'ed) */
	char source[300];    /* "llm:MODEL" or "extractive" */
	char why[400];       /* why the fallback was used, if it was */
};

static const char system_prompt[] =
	"You are a Linux kernel crash analyst. You get the lines that panicsage extracted from a "
	"crashed kernel's log as the ones that explain the crash, the root-cause label its classifier "
	"predicted with its confidence, and similar past crashes with the labels people confirmed.\n"
	"Work in three steps.\n"
	"Step 1, fault clues: list the lines or facts that point at the root cause (the oops or BUG "
	"header, the faulting instruction and function, call-trace frames, the panic reason, tainting "
	"modules, hardware errors). Quote log text exactly.\n"
	"Step 2, reasoning: from those clues, explain what most likely happened and why; say whether "
	"the predicted label and the similar past cases agree with the clues, and how sure you are.\n"
	"Step 3, summary: two or three sentences for the on-call engineer: what crashed, the most "
	"likely root cause, and the next thing to check.\n"
	"Answer with one JSON object and nothing else, in this form: "
	"{\"clues\": [\"...\"], \"reasoning\": \"...\", \"summary\": \"...\", \"label\": \"...\"} "
	"where label is the root-cause label you find most likely (prefer the labels you were shown).";

/* ---- the prompt ---- */

/* Lines for the prompt, under a title when there is any. */
struct lines {
	struct ps_buf *b;
	const char *title;
	int n;
};

static int put_line(const char *line, void *ctx)
{
	struct lines *l = ctx;

	if (l->n++ == 0)
		ps_buf_puts(l->b, l->title);
	ps_buf_puts(l->b, line);
	ps_buf_putc(l->b, '\n');
	return 0;
}

static void put_lines(struct ps_buf *b, const char *report, enum store_view v, const char *title)
{
	struct lines l = { b, title, 0 };
	char err[200];

	store_json_lines(v, report, put_line, &l, err, sizeof err);
}

static void put_similar(const char *short_id, const char *label, int confirmed, const char *text, void *ctx)
{
	struct lines *l = ctx;

	if (l->n++ == 0)
		ps_buf_puts(l->b, l->title);
	ps_buf_puts(l->b, "  case ");
	ps_buf_puts(l->b, short_id);
	ps_buf_puts(l->b, ": label ");
	ps_buf_puts(l->b, label ? label : "?");
	ps_buf_puts(l->b, confirmed ? " (confirmed by a person)" : " (predicted)");
	if (text) {
		ps_buf_puts(l->b, ": ");
		ps_buf_puts(l->b, text);
	}
	ps_buf_putc(l->b, '\n');
}

static void build_user_prompt(struct store *store, const struct store_case_text *c, struct ps_buf *b)
{
	char conf[32], err[200];

	snprintf(conf, sizeof conf, "%.2f", c->confidence);
	ps_buf_puts(b, "Kernel release: ");
	ps_buf_puts(b, c->release[0] ? c->release : "unknown");
	ps_buf_puts(b, "\nPredicted label: ");
	ps_buf_puts(b, c->label[0] ? c->label : "(none: no model loaded)");
	if (c->label[0]) {
		ps_buf_puts(b, " (confidence ");
		ps_buf_puts(b, conf);
		ps_buf_puts(b, ")");
	}
	ps_buf_putc(b, '\n');
	put_lines(b, c->report, STORE_VIEW_PROMPT_RANKING, "Other labels the classifier considered:\n");
	put_lines(b, c->report, STORE_VIEW_PROMPT_SEGMENT,
		  "\nFault-indicating lines extracted from the log, in time order:\n");
	put_lines(b, c->report, STORE_VIEW_PROMPT_CULPRITS, "\nLines that explain the label best, best first:\n");
	put_lines(b, c->report, STORE_VIEW_PROMPT_NEIGHBOURS, "\nMost similar cases the model was trained on:\n");
	/* Similar historical cases from the store: the same label,
	 * confirmed ones first, with their summaries or key lines. */
	if (store && c->label[0]) {
		struct lines l = { b, "\nSimilar past crashes from the case store:\n", 0 };

		store_similar_cases(store, c->id, c->label, put_similar, &l, err, sizeof err);
	}
	ps_buf_puts(b, "\nFollow the three steps and answer with the JSON object only.\n");
}

/* ---- the LLM call ---- */

static int chat_url(const struct llm_config *cfg, struct http_url *u, char *err, size_t errlen)
{
	char url[1100];
	size_t n = strlen(cfg->endpoint);
	const char *suffix = "/chat/completions";

	while (n && cfg->endpoint[n - 1] == '/')
		n--;
	if (n >= strlen(suffix) && !strncmp(cfg->endpoint + n - strlen(suffix), suffix, strlen(suffix)))
		suffix = "";
	snprintf(url, sizeof url, "%.*s%s", (int)n, cfg->endpoint, suffix);
	return http_parse_url(url, u, err, errlen);
}

static char *ask_llm(const struct llm_config *cfg, const char *user_prompt, char *err, size_t errlen)
{
	struct http_url u;
	struct http_response r;
	struct ps_buf b;
	char *req, auth[600];
	uint32_t attempt;
	char *out = NULL;

	if (chat_url(cfg, &u, err, errlen))
		return NULL;
	req = malloc(PROMPT_MAX + 8192);
	if (!req) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ps_buf_init(&b, req, PROMPT_MAX + 8192);
	ps_buf_puts(&b, "{\"model\":");
	ps_buf_json_str(&b, cfg->model, strlen(cfg->model));
	ps_buf_puts(&b, ",\"temperature\":0.2,\"max_tokens\":1024,\"stream\":false,");
	if (cfg->json_mode)
		ps_buf_puts(&b, "\"response_format\":{\"type\":\"json_object\"},");
	ps_buf_puts(&b, "\"messages\":[{\"role\":\"system\",\"content\":");
	ps_buf_json_str(&b, system_prompt, strlen(system_prompt));
	ps_buf_puts(&b, "},{\"role\":\"user\",\"content\":");
	ps_buf_json_str(&b, user_prompt, strlen(user_prompt));
	ps_buf_puts(&b, "}]}");
	if (b.overflow) {
		snprintf(err, errlen, "prompt too large");
		free(req);
		return NULL;
	}
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", cfg->key);
	for (attempt = 0; attempt <= cfg->retries && !out; attempt++) {
		if (attempt)
			port_sleep_us((uint64_t)500000u << (attempt - 1 < 4 ? attempt - 1 : 4));
		if (http_post(&u, cfg->key[0] ? auth : NULL, req, b.len, cfg->timeout_s * 1000u,
			      cfg->ca, &r, err, errlen))
			continue;   /* network error or timeout: retry */
		if (r.status == 200) {
			out = store_summary_from_llm(r.body, cfg->model, err, errlen);
		} else {
			char *msg = store_json_get(r.body, "$.error.message");
			snprintf(err, errlen, "endpoint answered HTTP %d%s%.200s", r.status, msg ? ": " : "",
				 msg ? msg : "");
			free(msg);
			/* Client errors other than rate limits will not change. */
			if (r.status >= 400 && r.status < 500 && r.status != 408 && r.status != 429) {
				http_response_free(&r);
				break;
			}
		}
		http_response_free(&r);
	}
	free(req);
	return out;
}

/* Summarises one case: the LLM if configured, else or on failure the
 * extractive summary.  0 on success (either way). */
static int summarize_case(struct store *store, const struct llm_config *cfg,
			  const struct store_case_text *c, struct summary *s)
{
	char err[400] = "";
	char *prompt, *out = NULL;
	struct ps_buf b;

	memset(s, 0, sizeof *s);
	if (!cfg->no_llm && cfg->endpoint[0]) {
		prompt = malloc(PROMPT_MAX);
		if (!prompt)
			return -1;
		ps_buf_init(&b, prompt, PROMPT_MAX);
		build_user_prompt(store, c, &b);
		out = ask_llm(cfg, prompt, err, sizeof err);
		free(prompt);
		if (out)
			snprintf(s->source, sizeof s->source, "llm:%s", cfg->model);
	} else {
		snprintf(err, sizeof err, "%s", cfg->no_llm ? "--no-llm" : "no LLM endpoint configured");
	}
	if (!out) {
		snprintf(s->why, sizeof s->why, "%s", err);
		out = store_summary_extractive(c->report, c->label, c->confidence, err, c->release);
		snprintf(s->source, sizeof s->source, "extractive");
	}
	if (!out)
		return -1;
	s->json = out;
	return 0;
}

/* Prints a summary: the stored text (the crashed machine's lines, the
 * LLM's words) escaped for the terminal. */
struct clues {
	int n;
};

static int print_clue(const char *clue, void *ctx)
{
	struct clues *c = ctx;

	fputs(c->n++ ? "    - " : "  clues:\n    - ", stdout);
	cli_put_text(stdout, clue);
	putchar('\n');
	return 0;
}

static void print_summary(const struct store_case_text *c, const struct summary *s, int as_json)
{
	struct clues cl = { 0 };
	char *summary, err[200];

	if (as_json) {
		printf("{\"case\":\"%s\",\"summary\":%s}\n", c->id, s->json);
		return;
	}
	summary = store_json_get(s->json, "$.summary");
	printf("case %.16s  ", c->id[0] ? c->id : "(report)");
	cli_put_text(stdout, c->label[0] ? c->label : "unlabelled");
	fputs("  [", stdout);
	cli_put_text(stdout, s->source);
	fputs("]\n  summary: ", stdout);
	cli_put_text(stdout, summary);
	putchar('\n');
	free(summary);
	store_json_lines(STORE_VIEW_CLUES, s->json, print_clue, &cl, err, sizeof err);
}

/* ---- configuration ---- */

static void set_str(char *dst, size_t cap, const char *v)
{
	snprintf(dst, cap, "%s", v);
}

static int load_config_file(struct llm_config *cfg, const char *path, int required)
{
	FILE *f = fopen(path, "r");
	char line[2048];
	unsigned n = 0;

	if (!f) {
		if (!required && errno == ENOENT)
			return 0;
		cli_error("summarize: %s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		char *k = line, *v, *e;
		n++;
		while (*k == ' ' || *k == '\t')
			k++;
		if (*k == '#' || *k == '\n' || !*k)
			continue;
		v = strchr(k, '=');
		if (!v) {
			cli_error("summarize: %s:%u: expected 'key = value'", path, n);
			fclose(f);
			return -1;
		}
		for (e = v; e > k && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		*e = '\0';
		v++;
		while (*v == ' ' || *v == '\t')
			v++;
		for (e = v + strlen(v); e > v && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' '); e--)
			;
		*e = '\0';
		if (!strcmp(k, "endpoint")) set_str(cfg->endpoint, sizeof cfg->endpoint, v);
		else if (!strcmp(k, "model")) set_str(cfg->model, sizeof cfg->model, v);
		else if (!strcmp(k, "key")) set_str(cfg->key, sizeof cfg->key, v);
		else if (!strcmp(k, "ca")) set_str(cfg->ca, sizeof cfg->ca, v);
		else if (!strcmp(k, "timeout")) { if (cli_parse_u32("timeout", v, 1, 3600, &cfg->timeout_s)) { fclose(f); return -1; } }
		else if (!strcmp(k, "retries")) { if (cli_parse_u32("retries", v, 0, 10, &cfg->retries)) { fclose(f); return -1; } }
		else {
			cli_error("summarize: %s:%u: unknown setting '%s'", path, n, k);
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

/* ---- the store: candidates first, then one LLM call and one short
 * write per case.  No statement stays open across an LLM call: an open
 * read would pin the connection to an old snapshot, and every write
 * after another connection's commit (serve storing an upload, label
 * --set) would fail with "database is locked" however long it waited. */

/* Summarises the cases named by --case (each an id prefix), or the
 * pending ones (--all: every one), at most `limit`; an exit code. */
static int summarize_store(struct store *store, const char *dbpath, const struct llm_config *cfg,
			   const char *const *cases, int ncases, int all, uint32_t limit, int as_json)
{
	store_case_id *ids = NULL;
	size_t n = 0, k;
	int rc = PS_EXIT_OK, done = 0, fallbacks = 0;
	char err[600];

	if (ncases) {
		ids = malloc((size_t)ncases * sizeof *ids);
		for (k = 0; ids && k < (size_t)ncases; k++) {
			enum store_find r = store_find_case(store, cases[k], ids[n], err, sizeof err);

			if (r == STORE_FOUND) {
				n++;
				continue;
			}
			cli_error("summarize: %s", err);
			rc = store_find_exit(r);
		}
	} else if (store_summary_candidates(store, all, limit, &ids, &n, err, sizeof err)) {
		cli_error("summarize: %s: %s", dbpath, err);
		free(ids);
		return PS_EXIT_IO;
	}
	if (ncases && !ids) {
		cli_error("summarize: out of memory");
		return PS_EXIT_NOMEM;
	}
	for (k = 0; k < n; k++) {
		struct store_case_text c;
		struct summary s;
		int r = store_case_text(store, ids[k], &c, err, sizeof err);

		if (r <= 0) {
			if (r == 0)
				cli_error("summarize: case %s is gone from %s", ids[k], dbpath);
			else
				cli_error("summarize: case %.16s: %s", ids[k], err);
			rc = r == 0 ? PS_EXIT_INPUT : PS_EXIT_IO;
			free(c.report);
			continue;
		}
		if (summarize_case(store, cfg, &c, &s) != 0) {
			cli_error("summarize: case %.16s: cannot build a summary", c.id);
			free(c.report);
			rc = PS_EXIT_FAILURE;
			continue;
		}
		if (s.why[0] && cfg->endpoint[0] && !cfg->no_llm) {
			cli_error("summarize: case %.16s: LLM failed (%s); extractive summary stored", c.id,
				  cli_text(err, sizeof err, s.why));
			fallbacks++;
		}
		if (store_set_summary(store, c.id, s.json, s.source, err, sizeof err) != 0) {
			cli_error("summarize: case %.16s: %s", c.id, err);
			rc = PS_EXIT_IO;
		} else {
			done++;
			print_summary(&c, &s, as_json);
		}
		free(s.json);
		free(c.report);
	}
	free(ids);
	if (!as_json)
		fprintf(stderr, "summarize: %d case(s) summarised%s", done, fallbacks ? "" : "\n");
	if (fallbacks && !as_json)
		fprintf(stderr, ", %d with the extractive fallback\n", fallbacks);
	return rc;
}

static void usage(FILE *f)
{
	fputs("usage: panicsage summarize --db STORE [--case ID]... [--pending] [--all] [--limit N]\n"
	      "       panicsage summarize --report REPORT.json\n"
	      "options: [--endpoint URL] [--model NAME] [--key KEY] [--ca FILE] [--timeout SEC]\n"
	      "         [--retries N] [--config FILE] [--no-llm] [--no-json-mode] [--json]\n\n"
	      "Summarises crash cases with an LLM behind an OpenAI-compatible endpoint\n"
	      "(POST URL/chat/completions; e.g. llama.cpp's llama-server or vLLM:\n"
	      "--endpoint http://127.0.0.1:8080/v1).  --case takes a case id or a unique\n"
	      "prefix of at least 4 hex digits.  Without --case it does the cases that\n"
	      "have no summary yet (--pending, default) or --all.  The summary is stored with\n"
	      "the case.  With no endpoint, or when it fails after --retries (default 2),\n"
	      "an extractive summary built from the report is stored instead.\n\n"
	      "STORE is the SQLite file of panicsage serve or a postgresql://... URL of a\n"
	      "PostgreSQL store shared by several collectors (kdump/UPLOAD.md).\n\n"
	      "Settings: options, then PANICSAGE_LLM_ENDPOINT, PANICSAGE_LLM_MODEL,\n"
	      "PANICSAGE_LLM_KEY (or OPENAI_API_KEY), PANICSAGE_LLM_CA, then the file\n"
	      "--config or /etc/panicsage/llm.conf (endpoint, model, key, ca, timeout, retries).\n"
	      "--timeout is per request (default 120 s).\n\n"
	      "exit codes: 2 bad usage, 3 the store is missing (panicsage serve creates it)\n"
	      "            or cannot be read or written, 4 no such case or an ambiguous prefix\n", f);
}

/* --case ID, repeatable. */
struct case_args {
	const char *v[64];
	int n;
};

static int add_case(void *ctx, const char *opt, char **vals)
{
	struct case_args *c = ctx;

	if (c->n == (int)(sizeof c->v / sizeof c->v[0])) {
		cli_error("summarize: at most %d %s", (int)(sizeof c->v / sizeof c->v[0]), opt);
		return PS_EXIT_USAGE;
	}
	c->v[c->n++] = vals[0];
	return PS_EXIT_OK;
}

int cmd_summarize(int argc, char **argv)
{
	struct llm_config cfg, opt;
	const char *dbpath = NULL, *report_path = NULL, *config = NULL;
	const char *endpoint = NULL, *model = NULL, *key = NULL, *ca = NULL;
	struct case_args cases = { .n = 0 };
	int all = 0, as_json = 0, nargs, rc = PS_EXIT_OK, have_timeout = 0, have_retries = 0;
	uint32_t limit = 20;
	struct store *store = NULL;
	char err[600];
	const char *env;
	const struct cli_opt opts[] = {
		CLI_STR("--db", &dbpath),
		CLI_STR("--report", &report_path),
		CLI_STR("--config", &config),
		CLI_STR("--endpoint", &endpoint),
		CLI_STR("--model", &model),
		CLI_STR("--key", &key),
		CLI_STR("--ca", &ca),
		CLI_CALL("--case", add_case, &cases),
		CLI_SET("--pending", &all, 0),
		CLI_SET("--all", &all, 1),
		CLI_U32("--limit", &limit, 1, 1000000),
		{ .name = "--timeout", .type = CLI_T_U32, .dst = &opt.timeout_s, .lo = 1, .hi = 3600,
		  .seen = &have_timeout },
		{ .name = "--retries", .type = CLI_T_U32, .dst = &opt.retries, .lo = 0, .hi = 10,
		  .seen = &have_retries },
		CLI_FLAG("--no-llm", &opt.no_llm),
		CLI_SET("--no-json-mode", &opt.json_mode, 0),
		CLI_FLAG("--json", &as_json),
		CLI_END
	};
	const struct cli_spec spec = { "summarize", opts, usage, 0, 0 };

	memset(&cfg, 0, sizeof cfg);
	memset(&opt, 0, sizeof opt);
	cfg.timeout_s = 120;
	cfg.retries = 2;
	cfg.json_mode = 1;
	opt.json_mode = 1;
	if ((rc = cli_parse(&spec, argc, argv, NULL, &nargs)) != PS_EXIT_OK)
		return rc == CLI_HELP ? PS_EXIT_OK : rc;
	if (!!dbpath == !!report_path) {
		usage(stderr);
		return PS_EXIT_USAGE;
	}
	/* file < environment < options */
	if (load_config_file(&cfg, config ? config : "/etc/panicsage/llm.conf", config != NULL))
		return PS_EXIT_USAGE;
	if ((env = getenv("PANICSAGE_LLM_ENDPOINT")) && *env) set_str(cfg.endpoint, sizeof cfg.endpoint, env);
	if ((env = getenv("PANICSAGE_LLM_MODEL")) && *env) set_str(cfg.model, sizeof cfg.model, env);
	if ((env = getenv("OPENAI_API_KEY")) && *env) set_str(cfg.key, sizeof cfg.key, env);
	if ((env = getenv("PANICSAGE_LLM_KEY")) && *env) set_str(cfg.key, sizeof cfg.key, env);
	if ((env = getenv("PANICSAGE_LLM_CA")) && *env) set_str(cfg.ca, sizeof cfg.ca, env);
	if (endpoint && *endpoint) set_str(cfg.endpoint, sizeof cfg.endpoint, endpoint);
	if (model && *model) set_str(cfg.model, sizeof cfg.model, model);
	if (key && *key) set_str(cfg.key, sizeof cfg.key, key);
	if (ca && *ca) set_str(cfg.ca, sizeof cfg.ca, ca);
	if (have_timeout) cfg.timeout_s = opt.timeout_s;
	if (have_retries) cfg.retries = opt.retries;
	cfg.no_llm = opt.no_llm;
	cfg.json_mode = opt.json_mode;
	if (!cfg.model[0])
		set_str(cfg.model, sizeof cfg.model, "default");
	if (cfg.endpoint[0] && !cfg.no_llm) {
		struct http_url u;
		if (chat_url(&cfg, &u, err, sizeof err)) {
			cli_error("summarize: %s", err);
			return PS_EXIT_USAGE;
		}
	}
	if (report_path) {
		struct store_case_text c;
		struct summary s;
		size_t len;
		char *text;
		char *lab;

		memset(&c, 0, sizeof c);
		rc = cli_read_file(report_path, &text, &len);
		if (rc)
			goto out;
		if (!store_json_valid(text)) {
			cli_error("summarize: %s: not a JSON report", report_path);
			free(text);
			rc = PS_EXIT_INPUT;
			goto out;
		}
		lab = store_json_get(text, "$.label");
		set_str(c.label, sizeof c.label, lab ? lab : "");
		free(lab);
		lab = store_json_get(text, "$.confidence");
		c.confidence = lab ? strtod(lab, NULL) : 0;
		free(lab);
		c.report = text;
		if (summarize_case(NULL, &cfg, &c, &s) == 0) {
			if (s.why[0] && cfg.endpoint[0] && !cfg.no_llm)
				cli_error("summarize: LLM failed (%s); extractive summary instead",
					  cli_text(err, sizeof err, s.why));
			print_summary(&c, &s, as_json);
			free(s.json);
		} else {
			rc = PS_EXIT_FAILURE;
		}
		free(text);
		goto out;
	}

	if (store_open_existing(&store, dbpath, err, sizeof err)) {
		cli_error("summarize: %s", err);
		rc = PS_EXIT_IO;
		goto out;
	}
	rc = summarize_store(store, store_name(store), &cfg, cases.v, cases.n, all, limit, as_json);
out:
	store_close(store);
	return rc;
}
