#include "tools/corpus.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/drain.h"
#include "core/log.h"
#include "core/mask.h"
#include "core/status.h"
#include "tools/cli.h"

static const char *const taxonomy[] = {
	"manual", "hardware", "null-deref", "stack-corruption", "memory-corruption",
	"out-of-memory", "cpu-lockup", "hung-task", "locking", "boot-failure",
	"filesystem", "driver", "bad-access", "kernel-bug",
};

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

int corpus_load(struct corpus *cp, char **paths, int npaths)
{
	struct pathlist l = { 0 };
	size_t i;
	int k, rc = PS_EXIT_OK;

	memset(cp, 0, sizeof *cp);
	for (i = 0; i < sizeof taxonomy / sizeof taxonomy[0]; i++)
		cp->labels[cp->nlabels++] = strdup(taxonomy[i]);
	for (k = 0; k < npaths; k++) {
		struct stat st;
		DIR *d;
		struct dirent *e;

		if (stat(paths[k], &st) != 0) {
			cli_error("%s: cannot read", paths[k]);
			return PS_EXIT_IO;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (add_path(&l, paths[k], ""))
				return PS_EXIT_NOMEM;
			continue;
		}
		if (!(d = opendir(paths[k]))) {
			cli_error("%s: cannot open the directory", paths[k]);
			return PS_EXIT_IO;
		}
		while ((e = readdir(d))) {
			char full[4096];

			if (e->d_name[0] == '.')
				continue;
			snprintf(full, sizeof full, "%s/%s", paths[k], e->d_name);
			if (stat(full, &st) == 0 && S_ISREG(st.st_mode) &&
			    !strstr(e->d_name, "LICENSE") && strcmp(e->d_name, "README.md"))
				if (add_path(&l, paths[k], e->d_name))
					return PS_EXIT_NOMEM;
		}
		closedir(d);
	}
	qsort(l.p, l.n, sizeof *l.p, cmp_str);
	cp->c = calloc(l.n ? l.n : 1, sizeof *cp->c);
	if (!cp->c)
		return PS_EXIT_NOMEM;
	for (i = 0; i < l.n; i++) {
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
		cp->n++;
	}
	for (i = 0; i < l.n; i++)
		free(l.p[i]);
	free(l.p);
	if (rc == PS_EXIT_OK && cp->n == 0) {
		cli_error("no case files found");
		rc = PS_EXIT_INPUT;
	}
	return rc;
}

void corpus_free(struct corpus *cp)
{
	uint32_t i;

	for (i = 0; i < cp->n; i++) {
		free(cp->c[i].path);
		free(cp->c[i].text);
		free(cp->c[i].title);
	}
	for (i = 0; i < cp->nlabels; i++)
		free(cp->labels[i]);
	free(cp->c);
	memset(cp, 0, sizeof *cp);
}

/* ---- the analysis stand-in ----
 * Until core/extract.c (DBSCAN FILE) and core/oops.c land, a simple
 * extraction: the oops header is the first line that opens a kernel
 * report, the segment runs from it for at most 64 lines (plus the panic
 * line), or is the last 64 lines when there is no header. */

static const char *const header_prefixes[] = {
	"BUG:", "WARNING:", "general protection fault", "kernel BUG at", "Unable to handle kernel",
	"unable to handle kernel", "Oops:", "UBSAN:", "divide error:", "invalid opcode:",
	"INFO: task", "INFO: rcu", "rcu: INFO:", "INFO: trying to register", "watchdog: BUG:",
	"Watchdog detected hard LOCKUP", "KASAN:", "KFENCE:", "KMSAN:", "KCSAN:",
	"kernel stack overflow", "double fault", "stack-protector:", "list_add corruption",
	"list_del corruption", "refcount_t:", "Bad page state", "usercopy:", "sysrq: Trigger a crash",
	"VFS: Unable to mount root", "No working init found", "Attempted to kill init",
	"mce: [Hardware Error]", "EXT4-fs error", "NETDEV WATCHDOG", "Out of memory",
	"unreferenced object", "page allocation failure", "possible circular locking",
	"inconsistent lock state", "possible recursive locking", "suspicious RCU usage",
	"BUG kmalloc", "BUG skbuff", "INFO: possible", "INFO: inconsistent", "INFO: suspicious",
	"Internal error:", "XFS (", "JBD2:", "nvme nvme", "AER:",
};

static int starts_with(const char *s, size_t n, const char *p)
{
	size_t k = strlen(p);

	return n >= k && !memcmp(s, p, k);
}

static int is_header(const char *s, size_t n)
{
	size_t i;

	while (n && *s == ' ')
		s++, n--;
	for (i = 0; i < sizeof header_prefixes / sizeof header_prefixes[0]; i++)
		if (starts_with(s, n, header_prefixes[i]))
			return 1;
	return 0;
}

#define SEG_CAP 64u

size_t analyze_arena_size(size_t len)
{
	return 16 * len + (24u << 20);
}

int analyze_case(const struct ps_model *m, const char *log, size_t len, uint32_t first_line,
		 struct ps_arena *a, struct ps_analysis *an)
{
	struct ps_drain_params dp;
	struct ps_drain *d;
	uint32_t i, first_hdr = PS_NONE, panic = PS_NONE;
	int rc;

	memset(an, 0, sizeof *an);
	an->header = an->panic = PS_NONE;
	if ((rc = ps_log_parse(&an->log, a, log, len, first_line, 200000)) != PS_OK)
		return rc;
	ps_drain_defaults(&dp);
	dp.depth = m->p.drain_depth ? m->p.drain_depth : dp.depth;
	dp.st = m->p.drain_st;
	dp.max_children = m->p.drain_max_children ? m->p.drain_max_children : dp.max_children;
	if (m->templates.count + 1024 > dp.max_clusters)
		dp.max_clusters = m->templates.count + 1024;
	if ((rc = ps_drain_init(&d, a, &dp)) != PS_OK)
		return rc;
	if ((rc = ps_model_seed_drain(m, d)) != PS_OK)
		return rc;
	an->nlines = an->log.n;
	an->lines = PS_ALLOC(a, struct ps_line, an->nlines);
	if (!an->lines)
		return PS_ENOMEM;
	for (i = 0; i < an->nlines; i++) {
		const struct ps_record *r = &an->log.rec[i];
		struct ps_line *ln = &an->lines[i];
		size_t cap = ps_mask_bound(r->len);
		char *mk = ps_arena_alloc(a, cap, 1);
		const char *sym;
		size_t sl;

		if (!mk)
			return PS_ENOMEM;
		ln->rec = r;
		ln->masked = mk;
		ln->mlen = (uint32_t)ps_mask_kernel(r->text, r->len, mk, cap);
		ln->tpl = ps_drain_add(d, mk, ln->mlen);
		if ((sl = ps_frame_symbol(r->text, r->len, &sym)) > 0) {
			ln->flags |= PS_LINE_FRAME;
			ln->sym = sym;
			ln->symlen = (uint32_t)sl;
		}
		if (starts_with(r->text, r->len, "Kernel panic - not syncing")) {
			ln->flags |= PS_LINE_PANIC;
			if (panic == PS_NONE)
				panic = i;
		} else if (is_header(r->text, r->len)) {
			ln->flags |= PS_LINE_HEADER;
			if (first_hdr == PS_NONE) {
				first_hdr = i;
				ln->flags |= PS_LINE_PRIMARY;
			}
		}
		if (starts_with(r->text, r->len, "Call Trace:"))
			ln->flags |= PS_LINE_TRACE;
	}
	an->drain_overflows = ps_drain_overflows(d);
	an->header = first_hdr;
	an->panic = panic;
	an->segment = PS_ALLOC(a, uint32_t, SEG_CAP + 1);
	if (!an->segment)
		return PS_ENOMEM;
	{
		uint32_t start = first_hdr != PS_NONE ? first_hdr
				 : an->nlines > SEG_CAP ? an->nlines - SEG_CAP : 0;
		uint32_t end = start + SEG_CAP < an->nlines ? start + SEG_CAP : an->nlines;

		for (i = start; i < end; i++)
			an->segment[an->nsegment++] = i;
		if (panic != PS_NONE && panic >= end)
			an->segment[an->nsegment++] = panic;
		an->cluster_size = end - start;
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

uint32_t title_header_line(const struct case_rec *c, const struct ps_analysis *an)
{
	char key[128];
	size_t n = 0, words = 0, i;
	const char *t = c->title;
	uint32_t li;

	if (!t)
		return PS_NONE;
	/* the title's first words up to " in " or 4 words, e.g.
	 * "KASAN: use-after-free Read" → "KASAN: use-after-free" */
	for (i = 0; t[i] && n + 1 < sizeof key; i++) {
		if (t[i] == ' ') {
			if (++words == 3 || !strncmp(t + i, " in ", 4))
				break;
		}
		key[n++] = t[i];
	}
	key[n] = '\0';
	if (n < 4)
		return PS_NONE;
	for (li = 0; li < an->nlines; li++) {
		const struct ps_record *r = an->lines[li].rec;
		const char *s = r->text;
		size_t len = r->len;

		while (len && *s == ' ')
			s++, len--;
		if (len >= n && !memcmp(s, key, n))
			return li;
	}
	/* "BUG: KASAN: ..." logs titled "KASAN: ..." */
	for (li = 0; li < an->nlines; li++) {
		const struct ps_record *r = an->lines[li].rec;

		if (contains(r->text, r->len, key, n))
			return li;
	}
	return PS_NONE;
}
