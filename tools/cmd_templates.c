/* panicsage templates: the Drain stage on its own. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/drain.h"
#include "core/log.h"
#include "core/mask.h"
#include "core/status.h"
#include "tools/cli.h"

#define MAX_MASKS 32

static const char templates_usage[] =
	"usage: panicsage templates [--st S] [--depth D] [--max-children N]\n"
	"                           [--mask ERE]... FILE\n\n"
	"Runs Drain over FILE ('-' for stdin) and prints, for every input line,\n"
	"the template of the cluster it ended up in (parameters as <*>).\n\n"
	"  --st S            similarity threshold, 0..1 (default 0.4)\n"
	"  --depth D         tree depth, 3..64 (default 4)\n"
	"  --max-children N  children per tree node (default 100)\n"
	"  --mask ERE        POSIX extended regular expression; every match is\n"
	"                    replaced by <*> before the line is split on\n"
	"                    whitespace.  Repeatable, applied in order.  With\n"
	"                    --mask only these masks apply: no kernel prefix\n"
	"                    parsing and no built-in masking, as in the\n"
	"                    reference Drain.  Without it, kernel log prefixes\n"
	"                    are removed and the built-in kernel masking applies.\n";

/* Replaces every match of each regex by "<*>", left to right and
 * non-overlapping, like Python's re.sub. */
static char *apply_masks(const regex_t *re, int nre, const char *line, size_t n)
{
	char *cur = strndup(line, n);
	int k;

	for (k = 0; cur && k < nre; k++) {
		size_t len = strlen(cur), pos = 0, olen = 0, ocap = 3 * len + 4;
		char *out = malloc(ocap);
		regmatch_t m;

		if (!out) {
			free(cur);
			return NULL;
		}
		while (pos <= len &&
		       regexec(&re[k], cur + pos, 1, &m, pos ? REG_NOTBOL : 0) == 0) {
			size_t so = pos + (size_t)m.rm_so, eo = pos + (size_t)m.rm_eo;

			if (olen + (so - pos) + 4 > ocap) {
				char *q = realloc(out, ocap = 2 * ocap + so - pos + 4);
				if (!q) {
					free(out);
					free(cur);
					return NULL;
				}
				out = q;
			}
			memcpy(out + olen, cur + pos, so - pos);
			olen += so - pos;
			memcpy(out + olen, "<*>", 3);
			olen += 3;
			if (eo == so) {          /* empty match: keep one char */
				if (so < len)
					out[olen++] = cur[so];
				eo = so + 1;
			}
			pos = eo;
		}
		if (pos < len) {
			if (olen + (len - pos) + 1 > ocap) {
				char *q = realloc(out, olen + (len - pos) + 1);
				if (!q) {
					free(out);
					free(cur);
					return NULL;
				}
				out = q;
			}
			memcpy(out + olen, cur + pos, len - pos);
			olen += len - pos;
		}
		out[olen] = '\0';
		free(cur);
		cur = out;
	}
	return cur;
}

int cmd_templates(int argc, char **argv)
{
	struct ps_drain_params p;
	regex_t re[MAX_MASKS];
	int nre = 0, i, rc = PS_EXIT_OK, st;
	const char *path = NULL;
	char *buf = NULL, *arena_mem = NULL, *masked = NULL;
	size_t len, pos, nlines = 0, arena_size, line;
	uint32_t *ids = NULL;
	struct ps_arena arena;
	struct ps_drain *d;
	struct ps_buf out;
	char tbuf[1 << 16];

	ps_drain_defaults(&p);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(templates_usage, stdout);
			rc = PS_EXIT_OK;
			goto out;
		} else if (i + 1 < argc && !strcmp(a, "--st")) {
			if ((rc = cli_parse_double(a, argv[++i], 0, 1, &p.st)))
				goto out;
		} else if (i + 1 < argc && !strcmp(a, "--depth")) {
			if ((rc = cli_parse_u32(a, argv[++i], 3, 64, &p.depth)))
				goto out;
		} else if (i + 1 < argc && !strcmp(a, "--max-children")) {
			if ((rc = cli_parse_u32(a, argv[++i], 1, 1u << 20, &p.max_children)))
				goto out;
		} else if (i + 1 < argc && !strcmp(a, "--mask")) {
			int err;

			if (nre == MAX_MASKS) {
				cli_error("--mask: at most %d masks", MAX_MASKS);
				rc = PS_EXIT_USAGE;
				goto out;
			}
			err = regcomp(&re[nre], argv[++i], REG_EXTENDED);
			if (err) {
				char msg[256];

				regerror(err, &re[nre], msg, sizeof msg);
				cli_error("--mask '%s': %s", argv[i], msg);
				rc = PS_EXIT_USAGE;
				goto out;
			}
			nre++;
		} else if (a[0] == '-' && a[1]) {
			cli_error("templates: unknown or incomplete option '%s'", a);
			fputs(templates_usage, stderr);
			rc = PS_EXIT_USAGE;
			goto out;
		} else if (!path) {
			path = a;
		} else {
			cli_error("templates: only one FILE");
			rc = PS_EXIT_USAGE;
			goto out;
		}
	}
	if (!path) {
		fputs(templates_usage, stderr);
		rc = PS_EXIT_USAGE;
		goto out;
	}
	if ((rc = cli_read_file(path, &buf, &len)))
		goto out;
	for (pos = 0; pos < len; nlines++) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		pos = nl ? (size_t)(nl - buf) + 1 : len;
	}
	/* Tables big enough that a log never overflows them. */
	p.max_clusters = (uint32_t)(nlines + 16);
	p.max_nodes = (uint32_t)(4 * nlines + 64);
	p.max_vocab = (uint32_t)(len / 2 + 64);
	p.vocab_bytes = 3 * len + 64;
	p.template_tokens = 3 * len / 2 + 64;
	p.max_tokens = (uint32_t)(len / 2 + 1 < 65536 ? len / 2 + 1 : 65536);
	arena_size = 64 * len + (1u << 20) + 64 * nlines;
	arena_mem = malloc(arena_size);
	ids = malloc((nlines + 1) * sizeof *ids);
	masked = malloc(ps_mask_bound(len) + 1);
	if (!arena_mem || !ids || !masked) {
		cli_error("out of memory");
		rc = PS_EXIT_NOMEM;
		goto out;
	}
	ps_arena_init(&arena, arena_mem, arena_size);
	if ((st = ps_drain_init(&d, &arena, &p)) != PS_OK) {
		cli_error("drain: %s", ps_status_str(st));
		rc = ps_exit_for_status(st);
		goto out;
	}
	for (pos = 0, line = 0; pos < len; line++) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;
		const char *s = buf + pos;
		size_t n = end - pos;

		if (nre) {
			char *m;

			/* the reference strips each line before masking */
			while (n && ps_is_space((unsigned char)s[0]))
				s++, n--;
			while (n && ps_is_space((unsigned char)s[n - 1]))
				n--;
			m = apply_masks(re, nre, s, n);
			if (!m) {
				cli_error("out of memory");
				rc = PS_EXIT_NOMEM;
				goto out;
			}
			ids[line] = ps_drain_add(d, m, strlen(m));
			free(m);
		} else {
			struct ps_record r;
			size_t mlen;

			ps_log_parse_line(&r, s, n);
			mlen = ps_mask_kernel(r.text, r.len, masked, ps_mask_bound(len) + 1);
			ids[line] = ps_drain_add(d, masked, mlen);
		}
		pos = end + 1;
	}
	if (ps_drain_overflows(d))
		cli_error("warning: %u lines overflowed the template tables", ps_drain_overflows(d));
	for (i = 0; (size_t)i < line; i++) {
		ps_buf_init(&out, tbuf, sizeof tbuf);
		ps_drain_template(d, ids[i], &out);
		fwrite(out.p, 1, out.len, stdout);
		fputc('\n', stdout);
	}
	if (fflush(stdout) != 0) {
		cli_error("writing output failed");
		rc = PS_EXIT_IO;
	}
out:
	while (nre > 0)
		regfree(&re[--nre]);
	free(masked);
	free(ids);
	free(arena_mem);
	free(buf);
	return rc;
}
