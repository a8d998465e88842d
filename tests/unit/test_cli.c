/* tools/cli/cli.c: the terminal escaping every host command prints
 * crash and LLM text through, and the option parser every command uses.
 * Expected outputs are written out by hand from the rules in cli.h. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/exitcode.h"
#include "tests/unit/check.h"
#include "tools/cli/cli.h"

static void test_text(void)
{
	static const struct { const char *in, *out; } t[] = {
		{ "plain text 123 ~", "plain text 123 ~" },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x92\xa5", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x92\xa5" },
		{ "\x1b]0;title\x07", "\\x1b]0;title\\x07" },        /* OSC, BEL */
		{ "a\x1b[2Jb", "a\\x1b[2Jb" },                     /* CSI */
		{ "tab\there\nnl\r", "tab\\x09here\\x0anl\\x0d" },  /* every C0 */
		{ "del\x7f", "del\\x7f" },
		{ "c1 \xc2\x9b" "31m", "c1 \\xc2\\x9b31m" },         /* U+009B as UTF-8 */
		{ "nbsp \xc2\xa0.", "nbsp \xc2\xa0." },             /* U+00A0 is text */
		{ "raw \x9b", "raw \\x9b" },                        /* not UTF-8 */
		{ "overlong \xc0\xaf \xe0\x80\xaf", "overlong \\xc0\\xaf \\xe0\\x80\\xaf" },
		{ "surrogate \xed\xa0\x80", "surrogate \\xed\\xa0\\x80" },
		{ "too big \xf4\x90\x80\x80", "too big \\xf4\\x90\\x80\\x80" },
		{ "cut \xe2\x82", "cut \\xe2\\x82" },               /* truncated at the end */
	};
	char buf[128];
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		CHECK_EQ_STR(cli_text(buf, sizeof buf, t[i].in), t[i].out);
	CHECK_EQ_STR(cli_text(buf, sizeof buf, NULL), "");
	/* cut to fit, always terminated, never within an escape or a
	 * UTF-8 sequence */
	CHECK_EQ_STR(cli_text(buf, 8, "\x1b\x1b\x1b"), "\\x1b");
	CHECK_EQ_STR(cli_text(buf, 3, "abcdef"), "ab");
	CHECK_EQ_STR(cli_text(buf, 4, "ab\xc3\xa9"), "ab");
	CHECK_EQ_STR(cli_text(buf, 6, "ab\x1b" "cd"), "ab");
	CHECK_EQ_STR(cli_text(buf, 4, "\\abcd"), "\\ab");
}

static void usage(FILE *f)
{
	fputs("usage: test\n", f);
}

struct parsed {
	int flag, set, seen;
	const char *str, *two[2];
	uint32_t n;
	double d;
	float fl;
	int calls;
};

static int call(void *ctx, const char *opt, char **vals)
{
	struct parsed *p = ctx;

	p->calls++;
	return strcmp(vals[0], "bad") ? PS_EXIT_OK : (cli_error("%s: bad", opt), PS_EXIT_INPUT);
}

/* Parses the NULL-terminated words after "cmd"; returns cli_parse's code. */
static int parse(struct parsed *p, char **args, int *nargs, char *const *words)
{
	const struct cli_opt opts[] = {
		CLI_FLAG("--flag", &p->flag),
		CLI_SET("--off", &p->set, 7),
		CLI_STR("--str", &p->str),
		{ .name = "--two", .type = CLI_T_STR, .dst = p->two, .nvals = 2, .what = "A and B" },
		{ .name = "--n", .type = CLI_T_U32, .dst = &p->n, .lo = 2, .hi = 9, .seen = &p->seen },
		CLI_DOUBLE("--d", &p->d, -1, 1),
		CLI_FLOAT("--f", &p->fl, 0, 10),
		CLI_CALL("--call", call, p),
		CLI_END
	};
	const struct cli_spec spec = { "test", opts, usage, 1, 2 };
	char cmd[] = "cmd", *argv[32];
	int argc = 0;

	memset(p, 0, sizeof *p);
	argv[argc++] = cmd;
	while (*words && argc < 32)
		argv[argc++] = *words++;
	return cli_parse(&spec, argc, argv, args, nargs);
}

static void test_parse(void)
{
	struct parsed p;
	char *args[2];
	int n;

	{
		char *w[] = { "a", "--flag", "--off", "--str", "s", "--two", "x", "y", "--n", "3", "--n", "4",
				    "--d", "-0.5", "--f", "2.5", "--call", "ok", "--", "--b", NULL };
		CHECK_EQ_INT(parse(&p, args, &n, w), PS_EXIT_OK);
		CHECK_EQ_INT(p.flag, 1);
		CHECK_EQ_INT(p.set, 7);
		CHECK_EQ_STR(p.str, "s");
		CHECK_EQ_STR(p.two[0], "x");
		CHECK_EQ_STR(p.two[1], "y");
		CHECK_EQ_INT(p.n, 4);
		CHECK_EQ_INT(p.seen, 2);
		CHECK(p.d == -0.5);
		CHECK(p.fl == 2.5f);
		CHECK_EQ_INT(p.calls, 1);
		CHECK_EQ_INT(n, 2);
		CHECK_EQ_STR(args[0], "a");
		CHECK_EQ_STR(args[1], "--b");   /* after "--", an argument */
	}
	{
		char *w[] = { "-", NULL };   /* stdin is an argument */
		CHECK_EQ_INT(parse(&p, args, &n, w), PS_EXIT_OK);
		CHECK_EQ_INT(n, 1);
	}
	{
		char *w[] = { "a", "--help", "--bogus", NULL };
		CHECK_EQ_INT(parse(&p, args, &n, w), CLI_HELP);
	}
	{
		char *unknown[] = { "a", "--bogus", NULL }, *missing[] = { "a", "--str", NULL },
			   *half[] = { "a", "--two", "x", NULL }, *low[] = { "a", "--n", "1", NULL },
			   *word[] = { "a", "--n", "x", NULL }, *range[] = { "a", "--d", "2", NULL },
			   *many[] = { "a", "b", "c", NULL }, *none[] = { "--flag", NULL },
			   *cb[] = { "a", "--call", "bad", NULL };
		CHECK_EQ_INT(parse(&p, args, &n, unknown), PS_EXIT_USAGE);
		CHECK_EQ_INT(parse(&p, args, &n, missing), PS_EXIT_USAGE);
		CHECK_EQ_INT(parse(&p, args, &n, half), PS_EXIT_USAGE);
		CHECK_EQ_INT(parse(&p, args, &n, low), PS_EXIT_USAGE);
		CHECK_EQ_INT(parse(&p, args, &n, word), PS_EXIT_USAGE);
		CHECK_EQ_INT(parse(&p, args, &n, range), PS_EXIT_USAGE);
		CHECK_EQ_INT(parse(&p, args, &n, many), PS_EXIT_USAGE);
		CHECK_EQ_INT(parse(&p, args, &n, none), PS_EXIT_USAGE);
		CHECK_EQ_INT(parse(&p, args, &n, cb), PS_EXIT_INPUT);   /* the callback's own code */
	}
}

int main(void)
{
	test_text();
	test_parse();
	return check_summary("test_cli");
}
