#include "tools/train/corpus.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/drain.h"
#include "core/log.h"
#include "core/mask.h"
#include "core/pipeline.h"
#include "core/status.h"
#include "core/taxonomy.h"
#include "core/catalogue.h"
#include "core/diagnose.h"
#include "tools/cli/cli.h"
#include "tools/store/store.h"

struct pathlist {
	char **p;
	size_t n, cap;
};

static int add_path(struct pathlist *l, const char *dir, const char *name)
{
	char *s;

	if (l->n == l->cap) {
		char **q = realloc(l->p, (l->cap = l->cap ? 2 * l->cap : 256) * sizeof *q);
		if (!q)
			return -1;
		l->p = q;
	}
	s = malloc(strlen(dir) + strlen(name) + 2);
	if (!s)
		return -1;
	sprintf(s, "%s%s%s", dir, *dir && *name ? "/" : "", name);
	l->p[l->n++] = s;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int label_index(struct corpus *cp, const char *s, size_t n)
{
	uint32_t i;

	for (i = 0; i < cp->nlabels; i++)
		if (strlen(cp->labels[i]) == n && !memcmp(cp->labels[i], s, n))
			return (int)i;
	if (cp->nlabels == PS_MODEL_MAX_LABELS)
		return -2;
	cp->labels[cp->nlabels] = strndup(s, n);
	return (int)cp->nlabels++;
}

/* The case files of paths[], sorted by path. */
static int load_files(struct corpus *cp, char **paths, int npaths)
{
	struct pathlist l = { 0 };
	size_t i;
	int k, rc = PS_EXIT_OK;

	for (k = 0; k < npaths && rc == PS_EXIT_OK; k++) {
		struct stat st;
		DIR *d;
		struct dirent *e;

		if (stat(paths[k], &st) != 0) {
			cli_error("%s: cannot read", paths[k]);
			rc = PS_EXIT_IO;
			break;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (add_path(&l, paths[k], ""))
				rc = PS_EXIT_NOMEM;
			continue;
		}
		if (!(d = opendir(paths[k]))) {
			cli_error("%s: cannot open the directory", paths[k]);
			rc = PS_EXIT_IO;
			break;
		}
		while ((e = readdir(d))) {
			char full[4096];

			if (e->d_name[0] == '.')
				continue;
			snprintf(full, sizeof full, "%s/%s", paths[k], e->d_name);
			size_t nl = strlen(e->d_name);

			/* case files in a directory are *.log (README, SEEDS,
			 * licences and the like are not cases) */
			if (nl > 4 && !strcmp(e->d_name + nl - 4, ".log") &&
			    stat(full, &st) == 0 && S_ISREG(st.st_mode))
				if (add_path(&l, paths[k], e->d_name)) {
					rc = PS_EXIT_NOMEM;
					break;
				}
		}
		closedir(d);
	}
	if (rc == PS_EXIT_OK && l.n) {
		qsort(l.p, l.n, sizeof *l.p, cmp_str);
		if (!(cp->c = calloc(l.n, sizeof *cp->c)))
			rc = PS_EXIT_NOMEM;
	}
	for (i = 0; i < l.n && rc == PS_EXIT_OK; i++) {
		struct case_rec *c = &cp->c[cp->n];
		size_t len, hl, vn;
		uint32_t lines;
		const char *v;

		if ((rc = cli_read_file(l.p[i], &c->text, &len)) != PS_EXIT_OK)
			break;
		c->path = l.p[i];
		l.p[i] = NULL;
		c->name = strrchr(c->path, '/') ? strrchr(c->path, '/') + 1 : c->path;
		hl = ps_casefile_header(c->text, len, &lines);
		c->log = c->text + hl;
		c->loglen = len - hl;
		c->first_line = lines + 1;
		c->label = -1;
		cp->n++;
		if (hl && (vn = ps_casefile_get(c->text, hl, "LABEL", &v)) > 0) {
			c->label = label_index(cp, v, vn);
			if (c->label == -2) {
				cli_error("%s: more than %u labels", c->path, PS_MODEL_MAX_LABELS);
				rc = PS_EXIT_INPUT;
				break;
			}
		}
		if (hl && (vn = ps_casefile_get(c->text, hl, "TITLE", &v)) > 0)
			c->title = strndup(v, vn);
		if (hl && (vn = ps_casefile_get(c->text, hl, "SOURCE", &v)) > 0)
			c->source = strndup(v, vn);
		if (hl && (vn = ps_casefile_get(c->text, hl, "ARCH", &v)) > 0)
			c->arch = strndup(v, vn);
		if (hl && (vn = ps_casefile_get(c->text, hl, "FORM", &v)) > 0)
			c->form = strndup(v, vn);
		if (hl && (vn = ps_casefile_get(c->text, hl, "ERA", &v)) > 0)
			c->era = strndup(v, vn);
	}
	for (i = 0; i < l.n; i++)
		free(l.p[i]);
	free(l.p);
	return rc;
}

struct from_store {
	struct corpus *cp;
	const char *store;
	size_t cap;
	int rc;
};

static int add_store_case(const char *id, const char *label, int is_json, const char *log, size_t loglen, void *ctx)
{
	struct from_store *f = ctx;
	struct corpus *cp = f->cp;
	struct case_rec *c, *q;

	if (!is_json) {
		cli_error("warning: %s: case %.12s: the report is not JSON; not used", f->store, id);
		return 0;
	}
	if (cp->n == f->cap) {
		if (!(q = realloc(cp->c, (f->cap = f->cap ? 2 * f->cap : 64) * sizeof *q)))
			return f->rc = PS_EXIT_NOMEM;
		cp->c = q;
	}
	c = memset(&cp->c[cp->n], 0, sizeof *c);
	c->path = malloc(strlen(f->store) + strlen(id) + 2);
	c->text = malloc(loglen + 1);
	if (!c->path || !c->text) {
		free(c->path);
		free(c->text);
		return f->rc = PS_EXIT_NOMEM;
	}
	sprintf(c->path, "%s:%s", f->store, id);
	c->name = c->path + strlen(f->store) + 1;
	memcpy(c->text, log, loglen);
	c->text[loglen] = '\0';
	c->log = c->text;
	c->loglen = loglen;
	c->first_line = 1;
	cp->n++;
	cp->nstore++;
	c->label = label_index(cp, label, strlen(label));
	if (c->label == -2) {
		cli_error("%s: case %.12s: more than %u labels", f->store, id, PS_MODEL_MAX_LABELS);
		return f->rc = PS_EXIT_INPUT;
	}
	return 0;
}

/* Every case of the store that has a human label, oldest first, as a
 * case whose log is its stored segment. */
static int load_store(struct corpus *cp, const char *store)
{
	struct from_store f = { cp, store, cp->n, PS_EXIT_OK };
	struct store *st;
	char err[400];
	int r;

	if (store_open_existing(&st, store, err, sizeof err)) {
		cli_error("%s", err);
		return PS_EXIT_IO;
	}
	f.store = store_name(st);   /* a URL without its password */
	r = store_labelled_cases(st, add_store_case, &f, err, sizeof err);
	if (r < 0)
		cli_error("%s: %s", store_name(st), err);
	else if (f.rc == PS_EXIT_NOMEM)
		cli_error("%s: reading the labelled cases: out of memory", store_name(st));
	store_close(st);
	return r < 0 ? PS_EXIT_IO : f.rc;
}

int corpus_load(struct corpus *cp, char **paths, int npaths, const char *store)
{
	int rc;

	memset(cp, 0, sizeof *cp);
	for (cp->nlabels = 0; cp->nlabels < PS_TAXONOMY_NLABELS; cp->nlabels++)
		if (!(cp->labels[cp->nlabels] = strdup(ps_taxonomy[cp->nlabels].label))) {
			corpus_free(cp);
			return PS_EXIT_NOMEM;
		}
	rc = load_files(cp, paths, npaths);
	if (rc == PS_EXIT_OK && store)
		rc = load_store(cp, store);
	if (rc == PS_EXIT_OK && cp->n == 0) {
		if (store && !npaths)
			cli_error("%s: no case has a human label yet (set one with 'panicsage label --set')",
				  store);
		else
			cli_error("no case files found");
		rc = PS_EXIT_INPUT;
	}
	if (rc != PS_EXIT_OK)
		corpus_free(cp);
	return rc;
}

void corpus_free(struct corpus *cp)
{
	uint32_t i;

	for (i = 0; i < cp->n; i++) {
		free(cp->c[i].path);
		free(cp->c[i].text);
		free(cp->c[i].title);
		free(cp->c[i].source);
		free(cp->c[i].arch);
		free(cp->c[i].form);
		free(cp->c[i].era);
	}
	for (i = 0; i < cp->nlabels; i++)
		free(cp->labels[i]);
	free(cp->c);
	memset(cp, 0, sizeof *cp);
}

/* ---- analysis: the capture-side pipeline (core/pipeline.h) with a
 * Drain seeded from the model's templates ---- */

size_t analyze_arena_size(size_t len)
{
	return 24 * len + (40u << 20);
}

int analyze_case(const struct ps_model *m, const struct ps_catalogue *cat, const char *log,
		 size_t len, uint32_t first_line, struct ps_arena *a, struct ps_analysis *an)
{
	struct ps_params p;

	ps_params_defaults(&p);
	p.catalogue = cat;
	return ps_analyze_seeded(an, &p, m, log, len, first_line, a, NULL);
}

int catalogue_load(struct ps_catalogue *cat, unsigned char **mem, const char *text, size_t len,
		   const char *what)
{
	size_t size = ((size_t)8 << 20) + 8 * len;
	struct ps_cat_error err;
	struct ps_arena a;
	int st;

	*mem = malloc(size);
	if (!*mem) {
		cli_error("out of memory");
		return PS_ENOMEM;
	}
	ps_arena_init(&a, *mem, size);
	st = text ? ps_catalogue_parse(cat, text, len, &a, &err) : ps_catalogue_builtin(cat, &a, &err);
	if (st != PS_OK) {
		cli_error("%s: line %u: %s", what, err.line, err.msg ? err.msg : ps_status_str(st));
		free(*mem);
		*mem = NULL;
		return st;
	}
	return PS_OK;
}

static int contains(const char *s, size_t n, const char *key, size_t k)
{
	size_t i;

	for (i = 0; i + k <= n; i++)
		if (s[i] == key[0] && !memcmp(s + i, key, k))
			return 1;
	return 0;
}

/* First line containing key (or starting with it, when `at_start`). */
static uint32_t find_line(const struct ps_analysis *an, const char *key, int at_start)
{
	size_t n = strlen(key);
	uint32_t li;

	if (n < 4)
		return PS_NONE;
	for (li = 0; li < an->nlines; li++) {
		const struct ps_record *r = an->lines[li].rec;
		const char *s = r->text;
		size_t len = r->len;

		while (len && *s == ' ')
			s++, len--;
		if (at_start ? len >= n && !memcmp(s, key, n) : contains(s, len, key, n))
			return li;
	}
	return PS_NONE;
}

/* What a syzkaller title's leading words look like in the log itself. */
static const char *const title_synonyms[][3] = {
	{ "INFO: rcu detected stall", "rcu_", "detected stall" },
	{ "INFO: task hung", "blocked for more than", NULL },
	{ "possible deadlock", "possible circular locking", "possible recursive locking" },
	{ "BUG: soft lockup", "soft lockup", NULL },
	{ "memory leak", "unreferenced object", NULL },
	{ "WARNING: locking bug", "WARNING: CPU:", NULL },
	{ "WARNING: refcount bug", "refcount_t:", NULL },
	{ "WARNING: ODEBUG bug", "ODEBUG:", NULL },
	{ "WARNING: kmalloc bug", "WARNING: CPU:", NULL },
	{ "WARNING", "WARNING: CPU:", "WARNING:" },
	{ "kernel BUG", "kernel BUG at", NULL },
	{ "PANIC: double fault", "double fault", NULL },
	{ "kernel panic: corrupted stack end", "corrupted stack end", NULL },
	{ "kernel panic: stack is corrupted", "stack-protector", NULL },
	{ "UBSAN: undefined-behaviour", "UBSAN:", NULL },
	{ "KASAN: slab-use-after-free", "KASAN: slab-use-after-free", "KASAN: use-after-free" },
	{ "BUG: stack guard page was hit", "stack guard page was hit", NULL },
	{ "Internal error", "Internal error:", NULL },
};

uint32_t title_header_line(const struct case_rec *c, const struct ps_analysis *an)
{
	char key[160];
	const char *t = c->title;
	size_t n, i, k;
	uint32_t li;

	if (!t)
		return PS_NONE;
	if (!strncmp(t, "kernel panic: ", 14) && strncmp(t + 14, "corrupted", 9) && strncmp(t + 14, "stack", 5))
		t += 14;
	/* the title up to " in " and before any NUM/LINE/ADDR placeholder */
	for (n = 0; t[n] && n + 1 < sizeof key; n++) {
		if (!strncmp(t + n, " in ", 4) || !strncmp(t + n, "NUM", 3) || !strncmp(t + n, "LINE", 4) ||
		    !strncmp(t + n, "ADDR", 4))
			break;
		key[n] = t[n];
	}
	while (n && key[n - 1] == ' ')
		n--;
	key[n] = '\0';
	for (i = 0; i < sizeof title_synonyms / sizeof title_synonyms[0]; i++)
		if (!strncmp(key, title_synonyms[i][0], strlen(title_synonyms[i][0])) &&
		    strlen(key) <= strlen(title_synonyms[i][0]) + 6)
			for (k = 1; k < 3 && title_synonyms[i][k]; k++)
				if ((li = find_line(an, title_synonyms[i][k], 0)) != PS_NONE)
					return li;
	/* the key, then shorter and shorter word prefixes of it ("KASAN:
	 * use-after-free Read" is logged as "BUG: KASAN: use-after-free in") */
	while (n >= 6) {
		if ((li = find_line(an, key, 0)) != PS_NONE)
			return li;
		while (n && key[n - 1] != ' ')
			n--;
		while (n && key[n - 1] == ' ')
			n--;
		key[n] = '\0';
		if (!strchr(key, ' ') && n < 10)
			break;
	}
	return PS_NONE;
}
