#include "tools/cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/status.h"
#include "kdump/vmcore/vmcore.h"
#include "port/port.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("panicsage: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *out, const char *prog, const struct cli_command *cmds, size_t n)
{
	size_t i;

	fprintf(out, "usage: %s COMMAND [OPTIONS] [ARGS]\n\n"
		"panicsage reads a crashed kernel's log and explains the crash.\n\n"
		"commands:\n", prog);
	for (i = 0; i < n; i++)
		fprintf(out, "  %-10s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(out, "\n'%s COMMAND --help' describes a command.\n"
		"exit codes: 0 ok, 1 other failure, 2 usage, 3 I/O, 4 unusable input,\n"
		"            5 model, 6 out of memory, 7 time budget, 8 upload failed\n", prog);
}

/* Executes `prog` from the directory of this program's own executable
 * (build/ or wherever the programs were installed together), with
 * argv unchanged; $PATH only when /proc/self/exe cannot be read.
 * Returns only on failure. */
static int exec_beside(const char *prog, char **argv)
{
	char path[4096];
	ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
	char *slash;

	if (n > 0) {
		path[n] = '\0';
		slash = strrchr(path, '/');
		if (slash && (size_t)(slash + 1 - path) + strlen(prog) < sizeof path) {
			strcpy(slash + 1, prog);
			execv(path, argv);
			cli_error("'%s' is run by %s: %s", argv[1], path, strerror(errno));
			return PS_EXIT_FAILURE;
		}
	}
	execvp(prog, argv);
	cli_error("'%s' is run by %s: %s", argv[1], prog, strerror(errno));
	return PS_EXIT_FAILURE;
}

int cli_main(const struct cli_command *cmds, size_t n, int argc, char **argv)
{
	const char *prog = argc > 0 && argv[0] ? argv[0] : "panicsage";
	const char *slash = strrchr(prog, '/');
	size_t i;

	if (slash)
		prog = slash + 1;
	if (argc < 2) {
		usage(stderr, prog, cmds, n);
		return PS_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout, prog, cmds, n);
		return PS_EXIT_OK;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(argv[1], cmds[i].name))
			continue;
		if (!cmds[i].run)
			return exec_beside(cmds[i].prog, argv);
		return cmds[i].run(argc - 1, argv + 1);
	}
	cli_error("unknown command '%s' (see '%s --help')", argv[1], prog);
	return PS_EXIT_USAGE;
}

void *cli_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p) {
		cli_error("out of memory");
		exit(PS_EXIT_NOMEM);
	}
	return p;
}

int cli_read_file(const char *path, char **buf, size_t *len)
{
	struct port_file f;
	size_t cap, used = 0, got;
	char *p, *q;
	int err = port_open(&f, path);

	*buf = NULL;
	*len = 0;
	if (err) {
		cli_error("%s: %s", path, port_strerror(err));
		return PS_EXIT_IO;
	}
	cap = f.size && f.size < SIZE_MAX / 2 ? (size_t)f.size + 1 : 1 << 16;
	p = malloc(cap);
	while (p) {
		if (used + 1 >= cap) {
			q = cap > SIZE_MAX / 4 ? NULL : realloc(p, cap * 2);
			if (!q)
				break;
			p = q;
			cap *= 2;
		}
		err = port_read(&f, p + used, cap - 1 - used, &got);
		if (err || got == 0)
			break;
		used += got;
	}
	port_close(&f);
	if (!p || used + 1 >= cap) {
		free(p);
		cli_error("%s: out of memory reading the file", path);
		return PS_EXIT_NOMEM;
	}
	if (err) {
		free(p);
		cli_error("%s: %s", path, port_strerror(err));
		return PS_EXIT_IO;
	}
	p[used] = '\0';
	*buf = p;
	*len = used;
	return PS_EXIT_OK;
}

struct growbuf {
	char *p;
	size_t len, cap;
};

static int grow_sink(void *ctx, const char *s, size_t n)
{
	struct growbuf *g = ctx;

	if (g->len + n + 1 > g->cap) {
		size_t c = g->cap ? g->cap : 1 << 20;
		char *q;

		while (c < g->len + n + 1)
			c *= 2;
		if (!(q = realloc(g->p, c)))
			return PS_ENOMEM;
		g->p = q;
		g->cap = c;
	}
	memcpy(g->p + g->len, s, n);
	g->len += n;
	g->p[g->len] = '\0';
	return 0;
}

int cli_read_log(const char *path, char **buf, size_t *len, int *vmcore)
{
	struct port_file f;
	struct vmcore_stats st;
	struct ps_arena a;
	struct growbuf g = { NULL, 0, 0 };
	unsigned char head[64];
	size_t got = 0;
	void *scratch;
	int err;

	*vmcore = 0;
	if ((err = port_open(&f, path)) != 0) {
		cli_error("%s: %s", path, port_strerror(err));
		return PS_EXIT_IO;
	}
	if (!f.size || port_pread(&f, head, sizeof head, 0, &got) != 0 || !vmcore_probe(head, got)) {
		port_close(&f);
		return cli_read_file(path, buf, len);
	}
	*vmcore = 1;
	scratch = malloc(VMCORE_SCRATCH_SIZE);
	if (!scratch || grow_sink(&g, "", 0)) {
		free(scratch);
		port_close(&f);
		cli_error("%s: out of memory", path);
		return PS_EXIT_NOMEM;
	}
	ps_arena_init(&a, scratch, VMCORE_SCRATCH_SIZE);
	err = vmcore_dmesg_stream(&f, &a, grow_sink, &g, &st);
	port_close(&f);
	free(scratch);
	if (err != PS_OK) {
		free(g.p);
		cli_error("%s: %s", path, err == PS_ENOMEM ? "out of memory" :
			  st.error[0] ? st.error : "not a usable vmcore");
		return err == PS_ENOMEM ? PS_EXIT_NOMEM : PS_EXIT_INPUT;
	}
	if (st.warning[0])
		cli_error("warning: %s: %s", path, st.warning);
	*buf = g.p;
	*len = g.len;
	return PS_EXIT_OK;
}

/* Bytes of the character at p that a terminal shows as text (1-4), or
 * 0 when p[0] is to be escaped: a control character or not UTF-8. */
static size_t shown(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t len, i;

	if (c >= 0x20 && c < 0x7f)
		return 1;
	if (c < 0xc2 || c > 0xf4)   /* C0, DEL, continuation, overlong lead */
		return 0;
	len = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((c == 0xc2 && p[1] < 0xa0) ||   /* C1: U+0080-U+009F */
	    (c == 0xe0 && p[1] < 0xa0) ||   /* overlong */
	    (c == 0xed && p[1] > 0x9f) ||   /* surrogates */
	    (c == 0xf0 && p[1] < 0x90) ||   /* overlong */
	    (c == 0xf4 && p[1] > 0x8f))     /* beyond U+10FFFF */
		return 0;
	return len;
}

/* Calls put(ctx, run, len, is_escape) for s[0..n) escaped as
 * cli_put_text says. */
static void escape_text(const char *s, size_t n, void (*put)(void *, const char *, size_t, int),
			void *ctx)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0, k;

	while (i < n) {
		char esc[4];

		if ((k = shown(p + i, n - i)) != 0) {
			i += k;
			continue;
		}
		put(ctx, s + run, i - run, 0);
		esc[0] = '\\';
		esc[1] = 'x';
		esc[2] = hex[p[i] >> 4];
		esc[3] = hex[p[i] & 15];
		put(ctx, esc, 4, 1);
		run = ++i;
	}
	put(ctx, s + run, n - run, 0);
}

static void put_file(void *ctx, const char *s, size_t n, int escape)
{
	(void)escape;
	if (n)
		fwrite(s, 1, n, ctx);
}

void cli_put_textn(FILE *f, const char *s, size_t n)
{
	escape_text(s, n, put_file, f);
}

void cli_put_text(FILE *f, const char *s)
{
	if (s)
		escape_text(s, strlen(s), put_file, f);
}

struct textbuf {
	char *p;
	size_t cap, len;
	int full;
};

/* Appends what fits; once something did not, nothing more: an escape
 * goes whole or not at all, text is cut before a UTF-8 sequence. */
static void put_buf(void *ctx, const char *s, size_t n, int escape)
{
	struct textbuf *b = ctx;
	size_t room = b->cap - 1 - b->len;

	if (b->full)
		return;
	if (n > room) {
		b->full = 1;
		if (escape)
			return;
		n = room;
		while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

const char *cli_text(char *buf, size_t cap, const char *s)
{
	struct textbuf b = { buf, cap, 0, 0 };

	if (!cap)
		return buf;
	buf[0] = '\0';
	if (s)
		escape_text(s, strlen(s), put_buf, &b);
	return buf;
}

int cli_parse_double(const char *opt, const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo && v <= hi)) {
		cli_error("%s: expected a number from %g to %g, got '%s'", opt, lo, hi, s);
		return PS_EXIT_USAGE;
	}
	*out = v;
	return PS_EXIT_OK;
}

int cli_parse_u32(const char *opt, const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < lo || v > hi) {
		cli_error("%s: expected an integer from %u to %u, got '%s'", opt, lo, hi, s);
		return PS_EXIT_USAGE;
	}
	*out = (uint32_t)v;
	return PS_EXIT_OK;
}

static int set_option(const struct cli_opt *o, char **vals)
{
	double d;
	int rc, k;

	switch (o->type) {
	case CLI_T_FLAG:
		*(int *)o->dst = (int)o->lo;
		return PS_EXIT_OK;
	case CLI_T_STR:
		for (k = 0; k < (o->nvals ? o->nvals : 1); k++)
			((const char **)o->dst)[k] = vals[k];
		return PS_EXIT_OK;
	case CLI_T_U32:
		return cli_parse_u32(o->name, vals[0], (uint32_t)o->lo, (uint32_t)o->hi, o->dst);
	case CLI_T_DOUBLE:
		return cli_parse_double(o->name, vals[0], o->lo, o->hi, o->dst);
	case CLI_T_FLOAT:
		if ((rc = cli_parse_double(o->name, vals[0], o->lo, o->hi, &d)) == PS_EXIT_OK)
			*(float *)o->dst = (float)d;
		return rc;
	case CLI_T_CALL:
		return o->fn(o->dst, o->name, vals);
	}
	return PS_EXIT_FAILURE;
}

int cli_parse(const struct cli_spec *sp, int argc, char **argv, char **args, int *nargs)
{
	const struct cli_opt *o;
	int i, k, rc, only_args = 0;

	*nargs = 0;
	for (i = 1; i < argc; i++) {
		char *a = argv[i];

		if (only_args || a[0] != '-' || !a[1]) {
			if (*nargs >= sp->max_args) {
				cli_error("%s: unexpected argument '%s'", sp->cmd, a);
				return PS_EXIT_USAGE;
			}
			args[(*nargs)++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_args = 1;
			continue;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			sp->usage(stdout);
			return CLI_HELP;
		}
		for (o = sp->opts; o && o->name && strcmp(o->name, a); o++)
			;
		if (!o || !o->name) {
			cli_error("%s: unknown option '%s'", sp->cmd, a);
			sp->usage(stderr);
			return PS_EXIT_USAGE;
		}
		k = o->type == CLI_T_FLAG ? 0 : o->nvals ? o->nvals : 1;
		if (argc - 1 - i < k) {
			cli_error("%s: %s needs %s", sp->cmd, a, o->what ? o->what : "a value");
			return PS_EXIT_USAGE;
		}
		if ((rc = set_option(o, argv + i + 1)) != PS_EXIT_OK)
			return rc;
		if (o->seen)
			(*o->seen)++;
		i += k;
	}
	if (*nargs < sp->min_args) {
		sp->usage(stderr);
		return PS_EXIT_USAGE;
	}
	return PS_EXIT_OK;
}
