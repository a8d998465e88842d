/* Reports and summaries: JSON read and written with SQLite's JSON
 * functions on a private in-memory database (sql_open_memory), whatever
 * the store's backend, so that every query on the store itself is
 * portable SQL and the JSON is read the same way for both. */
#include "tools/store/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/pipeline.h"
#include "core/status.h"

/* SQL expression: a segment entry of a report (a json_each value `v` of
 * type 'object') as the log line it came from, "[%5lu.%06lu] text" when
 * its ts is a number, else the text alone. */
#define LOG_LINE_SQL(v) \
	"CASE WHEN json_type(" v ",'$.ts') IN ('integer','real') AND json_extract(" v ",'$.ts') >= 0" \
	" THEN printf('[%5d.%06d] ', CAST(round(json_extract(" v ",'$.ts') * 1e6) AS INTEGER) / 1000000," \
	"  CAST(round(json_extract(" v ",'$.ts') * 1e6) AS INTEGER) % 1000000) ELSE '' END" \
	" || COALESCE(json_extract(" v ",'$.text'), '')"

/* Column 0 of the first row of `sql` with text parameters, malloc'ed
 * (NULL when no row, NULL, or an error). */
static char *one_text(struct sql *m, const char *sql, int n, const char *const *params)
{
	struct sql_stmt *s;
	char *out = NULL;
	int i;

	if (sql_prepare(m, sql, &s))
		return NULL;
	for (i = 0; i < n; i++)
		sql_bind_text(s, i + 1, params[i] ? params[i] : "");
	if (sql_step(s) == SQL_ROW && sql_text(s, 0))
		out = strdup(sql_text(s, 0));
	sql_finalize(s);
	return out;
}

static char *one_text_fresh(const char *sql, int n, const char *const *params)
{
	struct sql *m;
	char *out;

	if (sql_open_memory(&m))
		return NULL;
	out = one_text(m, sql, n, params);
	sql_close(m);
	return out;
}

int store_json_valid(const char *text)
{
	const char *p[1] = { text };
	char *v = one_text_fresh("SELECT CASE WHEN NOT json_valid(?1) THEN 0 WHEN json_type(?1) = 'object'"
				 " THEN 2 ELSE 1 END", 1, p);
	int r = v ? atoi(v) : 0;

	free(v);
	return r;
}

char *store_json_get(const char *text, const char *path)
{
	const char *p[2] = { text, path };

	return one_text_fresh("SELECT CASE WHEN json_valid(?1) THEN json_extract(?1, ?2) END", 2, p);
}

/* ---- signatures ---- */

int store_log_signature(const char *log, size_t len, struct ps_bucket_sig *sig, char *err, size_t errlen)
{
	struct ps_params p;
	size_t size = (1u << 20) + 64 * len;

	ps_params_defaults(&p);
	for (;;) {
		struct ps_arena a;
		struct ps_analysis an;
		void *mem = malloc(size);
		int st;

		if (!mem) {
			snprintf(err, errlen, "no memory for the analysis (%zu bytes)", size);
			return -1;
		}
		ps_arena_init(&a, mem, size);
		st = ps_analyze(&an, &p, NULL, log, len, 1, &a, NULL);
		if (st == PS_OK)
			ps_bucket_compute(&an, sig);
		free(mem);
		if (st == PS_ENOMEM && size < (512u << 20)) {
			size *= 2;
			continue;
		}
		if (st != PS_OK && st != PS_EINPUT) {
			snprintf(err, errlen, "analysing the segment: %s", ps_status_str(st));
			return -1;
		}
		if (st == PS_EINPUT) {          /* nothing in it: the empty signature */
			memset(sig, 0, sizeof *sig);
			ps_bucket_rekey(sig);
		}
		return 0;
	}
}

int report_log(struct sql *m, const char *report, size_t n, char **text, size_t *len, char *err, size_t errlen)
{
	static const char sql[] =
		"SELECT " LOG_LINE_SQL("value") " FROM json_each(?1, '$.segment')"
		" WHERE type = 'object' AND json_valid(?1) ORDER BY key";
	struct sql_stmt *s;
	char *out = NULL;
	size_t used = 0, cap = 0;
	int rc;

	*text = NULL;
	*len = 0;
	if (sql_prepare(m, sql, &s))
		return store_fail(m, "reading the segment", err, errlen);
	sql_bind_textn(s, 1, report, n);
	while ((rc = sql_step(s)) == SQL_ROW) {
		const char *line = sql_text(s, 0) ? sql_text(s, 0) : "";
		size_t k = strlen(line);

		if (used + k + 2 > cap) {
			char *q = realloc(out, cap = 2 * cap + k + 256);

			if (!q) {
				free(out);
				sql_finalize(s);
				snprintf(err, errlen, "no memory for the segment");
				return -1;
			}
			out = q;
		}
		memcpy(out + used, line, k);
		used += k;
		out[used++] = '\n';
		out[used] = '\0';
	}
	sql_finalize(s);
	if (rc != SQL_DONE) {
		/* json_each on a report that is not JSON: no segment */
		free(out);
		return 0;
	}
	*text = out;
	*len = used;
	return 0;
}

int store_report_log(const char *report, size_t n, char **text, size_t *len, char *err, size_t errlen)
{
	struct sql *m;
	int rc;

	if (sql_open_memory(&m)) {
		snprintf(err, errlen, "cannot open an in-memory SQLite database");
		return -1;
	}
	rc = report_log(m, report, n, text, len, err, errlen);
	sql_close(m);
	return rc;
}

int store_report_signature(const char *report, size_t n, struct ps_bucket_sig *sig, char *err, size_t errlen)
{
	char *text;
	size_t len;
	int rc;

	if (store_report_log(report, n, &text, &len, err, errlen))
		return -1;
	rc = store_log_signature(text ? text : "", len, sig, err, errlen);
	free(text);
	return rc;
}

int report_facts(const char *report, size_t n, int *valid, struct ps_bucket_sig *sig, int *has_h, double *h,
		 char *err, size_t errlen)
{
	struct sql *m;
	struct sql_stmt *s = NULL;
	char *text = NULL;
	size_t len = 0;
	int rc;

	*valid = 0;
	*has_h = 0;
	*h = 0;
	if (sql_open_memory(&m)) {
		snprintf(err, errlen, "cannot open an in-memory SQLite database");
		return -1;
	}
	/* the entropy of the ranking: NULL without one */
	if (sql_prepare(m, "SELECT json_valid(?1), CASE WHEN json_valid(?1) THEN (SELECT"
			" ps_entropy(json_extract(value, '$.p')) FROM json_each(?1, '$.ranking')"
			" WHERE type = 'object') END", &s) == SQL_OK) {
		sql_bind_textn(s, 1, report, n);
		if (sql_step(s) == SQL_ROW) {
			*valid = (int)sql_int64(s, 0);
			*has_h = !sql_is_null(s, 1);
			*h = sql_double(s, 1);
		}
	}
	sql_finalize(s);
	rc = report_log(m, report, n, &text, &len, err, errlen);
	sql_close(m);
	if (rc == 0)
		rc = store_log_signature(text ? text : "", len, sig, err, errlen);
	free(text);
	return rc;
}

/* ---- lines for people and prompts ---- */

static const char *const views[] = {
	[STORE_VIEW_RANKING] =
		"SELECT printf('%-18s %.4f', json_extract(value,'$.label'), json_extract(value,'$.p'))"
		" FROM json_each(?1,'$.ranking') WHERE type = 'object' ORDER BY key",
	[STORE_VIEW_SEGMENT] =
		"SELECT printf('%6s  %s', COALESCE(json_extract(value,'$.line'),'-'), " LOG_LINE_SQL("value") ")"
		" FROM json_each(?1,'$.segment') WHERE type = 'object' ORDER BY key",
	[STORE_VIEW_CULPRITS] =
		"SELECT printf('%6s  %.4f  %s', COALESCE(json_extract(value,'$.line'),'-'),"
		" json_extract(value,'$.score'), json_extract(value,'$.text'))"
		" FROM json_each(?1,'$.culprits') WHERE type = 'object' ORDER BY key",
	[STORE_VIEW_NEIGHBOURS] =
		"SELECT printf('case %-6s %-18s similarity %.4f', json_extract(value,'$.case'),"
		" json_extract(value,'$.label'), json_extract(value,'$.similarity'))"
		" FROM json_each(?1,'$.neighbors') WHERE type = 'object' ORDER BY key",
	[STORE_VIEW_SUMMARY] =
		"SELECT COALESCE(json_extract(?1,'$.summary'),'')"
		" UNION ALL SELECT 'suggested label: ' || json_extract(?1,'$.label')"
		"  WHERE length(json_extract(?1,'$.label')) > 0"
		" UNION ALL SELECT 'reasoning: ' || json_extract(?1,'$.reasoning')"
		"  WHERE length(json_extract(?1,'$.reasoning')) > 0",
	[STORE_VIEW_CLUES] = "SELECT value FROM json_each(?1,'$.clues') ORDER BY key",
	[STORE_VIEW_PROMPT_RANKING] =
		"SELECT printf('  %s %.2f', json_extract(value,'$.label'), json_extract(value,'$.p'))"
		" FROM json_each(?1,'$.ranking') LIMIT 5",
	[STORE_VIEW_PROMPT_SEGMENT] =
		"SELECT printf('[%12.6f] %s', json_extract(value,'$.ts'), json_extract(value,'$.text'))"
		" FROM json_each(?1,'$.segment')",
	[STORE_VIEW_PROMPT_CULPRITS] =
		"SELECT printf('  %s', json_extract(value,'$.text')) FROM json_each(?1,'$.culprits') LIMIT 5",
	[STORE_VIEW_PROMPT_NEIGHBOURS] =
		"SELECT printf('  model case %s: %s (similarity %.2f)', json_extract(value,'$.case'),"
		" json_extract(value,'$.label'), json_extract(value,'$.similarity'))"
		" FROM json_each(?1,'$.neighbors') LIMIT 5",
};

int store_json_lines(enum store_view v, const char *json, int (*fn)(const char *line, void *ctx), void *ctx,
		     char *err, size_t errlen)
{
	struct sql *m;
	struct sql_stmt *s;
	int rc, ret = 0;

	if ((unsigned)v >= sizeof views / sizeof views[0] || !views[v]) {
		snprintf(err, errlen, "no such view");
		return -1;
	}
	if (sql_open_memory(&m)) {
		snprintf(err, errlen, "cannot open an in-memory SQLite database");
		return -1;
	}
	if (sql_prepare(m, views[v], &s)) {
		store_fail(m, "reading the JSON", err, errlen);
		sql_close(m);
		return -1;
	}
	sql_bind_text(s, 1, json);
	while (!ret && (rc = sql_step(s)) == SQL_ROW)
		if (sql_text(s, 0))
			ret = fn(sql_text(s, 0), ctx);
	if (!ret && rc != SQL_DONE)
		ret = store_fail(m, "reading the JSON", err, errlen);
	sql_finalize(s);
	sql_close(m);
	return ret;
}

/* ---- summaries ---- */

char *store_summary_extractive(const char *report, const char *label, double confidence, const char *why,
			       const char *release)
{
	static const char sql[] =
		"WITH clues AS ("
		"  SELECT json_extract(value,'$.text') AS t, key AS ord FROM json_each(?1,'$.culprits')"
		"  UNION ALL SELECT json_extract(value,'$.text'), 100000 + key FROM json_each(?1,'$.segment')"
		"   WHERE json_extract(value,'$.text') GLOB '*BUG:*' OR json_extract(value,'$.text') GLOB '*Kernel panic*'"
		"      OR json_extract(value,'$.text') GLOB '*RIP:*' OR json_extract(value,'$.text') GLOB '*Oops*'"
		"      OR json_extract(value,'$.text') GLOB '*WARNING:*' OR json_extract(value,'$.text') GLOB '*general protection*'),"
		" uniq AS (SELECT t FROM clues WHERE t IS NOT NULL GROUP BY t ORDER BY min(ord) LIMIT 6),"
		" first AS (SELECT COALESCE((SELECT t FROM uniq LIMIT 1),"
		"   (SELECT json_extract(value,'$.text') FROM json_each(?1,'$.segment') LIMIT 1), 'no fault lines found') AS t)"
		" SELECT json_object("
		"  'source','extractive',"
		"  'clues', COALESCE((SELECT json_group_array(t) FROM uniq), json_array()),"
		"  'reasoning', printf('No LLM answer (%s): this summary is assembled from the extracted lines. '"
		"    || 'The classifier labelled the crash %s%s; the segment has %d lines.', ?4,"
		"    CASE WHEN ?2 = '' THEN 'with no label (no model)' ELSE ?2 END,"
		"    CASE WHEN ?2 = '' THEN '' ELSE printf(' with confidence %.2f', ?3) END,"
		"    json_array_length(?1,'$.segment')),"
		"  'summary', printf('%s%s: %s', CASE WHEN ?2 = '' THEN 'Kernel crash' ELSE ?2 END,"
		"    CASE WHEN ?5 = '' THEN '' ELSE ' on kernel ' || ?5 END, (SELECT t FROM first)),"
		"  'label', ?2)";
	struct sql *m;
	struct sql_stmt *s;
	char *out = NULL;

	if (sql_open_memory(&m))
		return NULL;
	if (sql_prepare(m, sql, &s) == SQL_OK) {
		sql_bind_text(s, 1, report);
		sql_bind_text(s, 2, label);
		sql_bind_double(s, 3, confidence);
		sql_bind_text(s, 4, why);
		sql_bind_text(s, 5, release);
		if (sql_step(s) == SQL_ROW && sql_text(s, 0))
			out = strdup(sql_text(s, 0));
		sql_finalize(s);
	}
	sql_close(m);
	return out;
}

char *store_summary_from_llm(const char *body, const char *model, char *err, size_t errlen)
{
	static const char is_object[] = "SELECT CASE WHEN json_valid(?1) AND json_type(?1)='object' THEN ?1 END";
	const char *p1[1] = { body };
	char *content, *obj, *out = NULL;
	struct sql *m;

	if (sql_open_memory(&m)) {
		snprintf(err, errlen, "cannot open an in-memory SQLite database");
		return NULL;
	}
	content = one_text(m, "SELECT json_extract(?1,'$.choices[0].message.content')", 1, p1);
	if (!content) {
		char *msg = one_text(m, "SELECT json_extract(?1,'$.error.message')", 1, p1);

		snprintf(err, errlen, "the endpoint's answer has no choices[0].message.content%s%s",
			 msg ? ": " : "", msg ? msg : "");
		free(msg);
		sql_close(m);
		return NULL;
	}
	{
		/* The object itself, or the outermost {...} inside prose or a
		 * code fence. */
		const char *p2[1] = { content };

		obj = one_text(m, is_object, 1, p2);
		if (!obj) {
			char *a = strchr(content, '{'), *b = strrchr(content, '}');

			if (a && b && b > a) {
				const char *p3[1] = { a };

				b[1] = '\0';
				obj = one_text(m, is_object, 1, p3);
			}
		}
	}
	if (!obj) {
		snprintf(err, errlen, "the model did not answer with a JSON object");
		free(content);
		sql_close(m);
		return NULL;
	}
	{
		const char *p[3] = { obj, model, body };

		out = one_text(m,
			"SELECT CASE WHEN length(trim(COALESCE(json_extract(?1,'$.summary'),''))) > 0 THEN json_object("
			" 'source','llm', 'model', ?2,"
			" 'clues', CASE json_type(?1,'$.clues') WHEN 'array' THEN json_extract(?1,'$.clues')"
			"   WHEN 'text' THEN json_array(json_extract(?1,'$.clues')) ELSE json_array() END,"
			" 'reasoning', COALESCE(json_extract(?1,'$.reasoning'),''),"
			" 'summary', json_extract(?1,'$.summary'),"
			" 'label', COALESCE(json_extract(?1,'$.label'),''),"
			" 'usage', json_extract(?3,'$.usage')) END", 3, p);
	}
	if (!out)
		snprintf(err, errlen, "the model's JSON has no summary");
	free(obj);
	free(content);
	sql_close(m);
	return out;
}
