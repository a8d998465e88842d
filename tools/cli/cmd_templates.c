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
#include "port/port.h"
#include "tools/cli/cli.h"

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
	"                    are removed and the built-in kernel masking applies.\n"
	"  --stats           print lines, templates and the time spent in the\n"
	"                    masking and Drain stages and in total (reading to\n"
	"                    writing, without process start-up) to stderr\n";

/* Two buffers the masks ping-pong between, reused for every line. */
struct mask_bufs {
	char *a, *b;
	size_t cap;
};

/* Makes both buffers hold at least `need` bytes, keeping their text. */
static int mask_room(struct mask_bufs *mb, size_t need)
{
	char *p;

	if (need <= mb->cap)
		return 1;
	if (!(p = realloc(mb->a, need)))
		return 0;
	mb->a = p;
	if (!(p = realloc(mb->b, need)))
		return 0;
	mb->b = p;
	mb->cap = need;
	return 1;
}

/* Replaces every match of each regex by "<*>", left to right and
 * non-overlapping, like Python's re.sub.  Returns the masked line (in
 * one of the buffers), or NULL when out of memory. */
static const char *apply_masks(const regex_t *re, int nre, const char *line, size_t n,
			       struct mask_bufs *mb)
{
	size_t len = n;
	int k, in_a = 1;

	if (!mask_room(mb, n + 1))
		return NULL;
	memcpy(mb->a, line, n);
	mb->a[n] = '\0';
	for (k = 0; k < nre; k++) {
		size_t pos = 0, olen = 0;
		const char *cur;
		char *out;
		regmatch_t m;

		/* at worst every byte becomes "<*>" plus itself (empty matches) */
		if (len > (SIZE_MAX - 8) / 4 || !mask_room(mb, 4 * len + 8))
			return NULL;
		cur = in_a ? mb->a : mb->b;
		out = in_a ? mb->b : mb->a;
		while (pos <= len && regexec(&re[k], cur + pos, 1, &m, pos ? REG_NOTBOL : 0) == 0) {
			size_t so = pos + (size_t)m.rm_so, eo = pos + (size_t)m.rm_eo;

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
			memcpy(out + olen, cur + pos, len - pos);
			olen += len - pos;
		}
		out[olen] = '\0';
		len = olen;
		in_a = !in_a;
	}
	return in_a ? mb->a : mb->b;
}

static int grow_text(char **p, size_t *cap, size_t need)
{
	char *q;
	size_t c = *cap ? *cap : 1 << 16;

	if (need <= *cap)
		return 1;
	while (c < need)
		c *= 2;
	if (!(q = realloc(*p, c)))
		return 0;
	*p = q;
	*cap = c;
	return 1;
}

static void usage(FILE *f)
{
	fputs(templates_usage, f);
}

/* The --mask expressions, compiled as they come. */
struct masks {
	regex_t re[MAX_MASKS];
	int n;
};

static int add_mask(void *ctx, const char *opt, char **vals)
{
	struct masks *mk = ctx;
	char msg[256];
	int err;

	if (mk->n == MAX_MASKS) {
		cli_error("%s: at most %d masks", opt, MAX_MASKS);
		return PS_EXIT_USAGE;
	}
	if ((err = regcomp(&mk->re[mk->n], vals[0], REG_EXTENDED)) != 0) {
		regerror(err, &mk->re[mk->n], msg, sizeof msg);
		cli_error("%s '%s': %s", opt, vals[0], msg);
		return PS_EXIT_USAGE;
	}
	mk->n++;
	return PS_EXIT_OK;
}

int cmd_templates(int argc, char **argv)
{
	struct ps_drain_params p;
	struct masks mk = { .n = 0 };
	int i, nargs, rc = PS_EXIT_OK, st, stats = 0;
	uint64_t t_mask = 0, t_drain = 0, t0, t_start = 0;
	char *path = NULL;
	char *buf = NULL, *arena_mem = NULL, *masked = NULL, *all = NULL, *tbuf = NULL;
	struct mask_bufs mb = { NULL, NULL, 0 };
	size_t *offs = NULL, all_len = 0, all_cap = 0, longest = 0;
	size_t len, pos, nlines = 0, arena_size, line;
	uint32_t *ids = NULL;
	struct ps_arena arena;
	struct ps_drain *d;
	struct ps_buf out;
	const struct cli_opt opts[] = {
		CLI_DOUBLE("--st", &p.st, 0, 1),
		CLI_U32("--depth", &p.depth, 3, 64),
		CLI_U32("--max-children", &p.max_children, 1, 1u << 20),
		CLI_CALL("--mask", add_mask, &mk),
		CLI_FLAG("--stats", &stats),
		CLI_END
	};
	const struct cli_spec spec = { "templates", opts, usage, 1, 1 };

	ps_drain_defaults(&p);
	if ((rc = cli_parse(&spec, argc, argv, &path, &nargs)) != PS_EXIT_OK) {
		rc = rc == CLI_HELP ? PS_EXIT_OK : rc;
		goto out;
	}
	t_start = port_now_us();
	if ((rc = cli_read_file(path, &buf, &len)))
		goto out;
	for (pos = 0; pos < len; nlines++) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		pos = nl ? (size_t)(nl - buf) + 1 : len;
	}
	ids = malloc((nlines + 1) * sizeof *ids);
	offs = malloc((nlines + 1) * sizeof *offs);
	masked = malloc(ps_mask_bound(len) + 1);
	if (!ids || !offs || !masked) {
		cli_error("out of memory");
		rc = PS_EXIT_NOMEM;
		goto out;
	}

	/* Pass 1: mask every line into one text, '\n'-separated. */
	t0 = port_now_us();
	for (pos = 0, line = 0; pos < len; line++) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len, n = end - pos, mlen;
		const char *s = buf + pos, *m;

		if (mk.n) {
			/* the reference strips each line before masking */
			while (n && ps_is_space((unsigned char)s[0]))
				s++, n--;
			while (n && ps_is_space((unsigned char)s[n - 1]))
				n--;
			m = apply_masks(mk.re, mk.n, s, n, &mb);
			mlen = m ? strlen(m) : 0;
		} else {
			struct ps_record r;

			ps_log_parse_line(&r, s, n);
			mlen = ps_mask_kernel(r.text, r.len, masked, ps_mask_bound(len) + 1);
			m = masked;
		}
		if (!m || !grow_text(&all, &all_cap, all_len + mlen + 1)) {
			cli_error("out of memory");
			rc = PS_EXIT_NOMEM;
			goto out;
		}
		offs[line] = all_len;
		memcpy(all + all_len, m, mlen);
		all_len += mlen;
		all[all_len++] = '\n';
		longest = mlen > longest ? mlen : longest;
		pos = end + 1;
	}
	offs[line] = all_len;
	t_mask = port_now_us() - t0;

	/* Pass 2: Drain, with tables big enough that this input never
	 * overflows them. */
	p.max_clusters = (uint32_t)(nlines + 16);
	p.max_nodes = (uint32_t)(4 * nlines + 64);
	p.max_vocab = (uint32_t)(all_len / 2 + 64 < (1u << 28) ? all_len / 2 + 64 : 1u << 28);
	p.vocab_bytes = all_len + 64;
	p.template_tokens = all_len / 2 + 64;
	p.max_tokens = (uint32_t)(longest / 2 + 1 < 65536 ? longest / 2 + 1 : 65536);
	arena_size = 24 * all_len + (1u << 20) + 64 * nlines;
	arena_mem = malloc(arena_size);
	tbuf = malloc(2 * longest + 16);
	if (!arena_mem || !tbuf) {
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
	t0 = port_now_us();
	for (i = 0; (size_t)i < line; i++)
		ids[i] = ps_drain_add(d, all + offs[i], offs[i + 1] - offs[i] - 1);
	t_drain = port_now_us() - t0;

	if (ps_drain_overflows(d))
		cli_error("warning: %u lines overflowed the template tables", ps_drain_overflows(d));
	for (i = 0; (size_t)i < line; i++) {
		ps_buf_init(&out, tbuf, 2 * longest + 16);
		ps_drain_template(d, ids[i], &out);
		cli_put_textn(stdout, out.p, out.len);   /* the log's text: escaped */
		fputc('\n', stdout);
	}
	if (fflush(stdout) != 0) {
		cli_error("writing output failed");
		rc = PS_EXIT_IO;
	}
	/* total: reading, masking, Drain and writing, as the reference's
	 * figure counts them (process start-up is not in either) */
	if (stats)
		fprintf(stderr, "panicsage: %zu lines, %u templates; masking %llu us, "
			"drain %llu us (%.0f lines/s), total %llu us\n", line, ps_drain_count(d),
			(unsigned long long)t_mask, (unsigned long long)t_drain,
			t_drain ? (double)line * 1e6 / (double)t_drain : 0.0,
			(unsigned long long)(port_now_us() - t_start));
out:
	while (mk.n > 0)
		regfree(&mk.re[--mk.n]);
	free(mb.a);
	free(mb.b);
	free(all);
	free(offs);
	free(tbuf);
	free(masked);
	free(ids);
	free(arena_mem);
	free(buf);
	return rc;
}
