/* The panicsage host command line: one function per subcommand, and
 * the helpers every host program shares (messages, files, numbers).
 *
 * The front end `panicsage` runs classify, dmesg, templates and model
 * itself and execs the programs beside it for the rest: panicsage-train
 * (train, eval, logform: BLIS) and panicsage-collector (serve, pki, summarize,
 * label: SQLite, mbedTLS), so that the light commands load none of
 * those libraries. */
#ifndef PS_TOOLS_CLI_H
#define PS_TOOLS_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/exitcode.h"

struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);   /* argv[0] is the subcommand */
	const char *prog;                    /* run == NULL: the program beside
						this one that runs it */
	const char *summary;
};

/* The whole of a host program's main(): runs the command argv[1] of
 * `cmds` (executing its program when it has one), or prints the usage
 * and the exit codes for --help / no command. */
int cli_main(const struct cli_command *cmds, size_t n, int argc, char **argv);

/* The commands of the front end (tools/cli). */
int cmd_classify(int argc, char **argv);
int cmd_dmesg(int argc, char **argv);
int cmd_templates(int argc, char **argv);
int cmd_model(int argc, char **argv);

/* Prints "panicsage: <msg>\n" to stderr (printf-style). */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* calloc for the offline tools (train, eval): never NULL; out of memory
 * prints "panicsage: out of memory" and exits with PS_EXIT_NOMEM.  A
 * zero count or size still gives a unique block. */
void *cli_calloc(size_t n, size_t size);

/* Reads a whole file ("-" for stdin) into a malloc'ed buffer with a NUL
 * after the data; prints an error and returns an exit code on failure. */
int cli_read_file(const char *path, char **buf, size_t *len);

/* Like cli_read_file, but a vmcore (recognised by its content) yields
 * the crashed kernel's log in vmcore-dmesg's format; *vmcore says which.
 * Warnings about a damaged ring are printed. */
int cli_read_log(const char *path, char **buf, size_t *len, int *vmcore);

/* Text from a crashed machine, a case store or an LLM, for a terminal:
 * valid UTF-8 passes as is; control characters (C0 including tab and
 * newline, DEL, C1) and bytes that are not UTF-8 become \xNN, so no
 * escape sequence reaches the terminal.  Every host command prints such
 * text through these. */
void cli_put_textn(FILE *f, const char *s, size_t n);
void cli_put_text(FILE *f, const char *s);             /* NULL prints nothing */
/* The same into buf, for messages: cut to fit (never within an escape or
 * a UTF-8 sequence), NUL-terminated; returns buf. */
const char *cli_text(char *buf, size_t cap, const char *s);

/* ---- the option parser every command uses ----
 *
 * A command describes its options in a table ended by CLI_END:
 *
 *	const struct cli_opt opts[] = {
 *		CLI_FLAG("--json", &json),
 *		CLI_STR("--db", &dbpath),
 *		CLI_U32("--limit", &limit, 1, 1000000),
 *		CLI_END
 *	};
 *
 * and cli_parse() does the rest: options anywhere among the arguments,
 * "--" ends them, "-" is an argument (stdin); --help/-h prints the usage
 * on stdout; an unknown option ("CMD: unknown option 'X'" and the
 * usage), an option without its value ("CMD: X needs a value") and a
 * bad number (cli_parse_u32's message) are exit 2. */
enum cli_opt_type {
	CLI_T_FLAG,     /* no value: *(int *)dst = (int)lo */
	CLI_T_STR,      /* nvals values (default 1): ((const char **)dst)[0..nvals) */
	CLI_T_U32,      /* *(uint32_t *)dst, an integer from lo to hi */
	CLI_T_DOUBLE,   /* *(double *)dst, a number from lo to hi */
	CLI_T_FLOAT,    /* *(float *)dst, likewise */
	CLI_T_CALL      /* fn(dst, name, values): an exit code, its own message */
};

struct cli_opt {
	const char *name;
	enum cli_opt_type type;
	void *dst;
	double lo, hi;
	int nvals;                  /* CLI_T_STR and CLI_T_CALL: values taken (0 = 1) */
	const char *what;           /* its values, for "X needs WHAT" (default "a value") */
	int (*fn)(void *dst, const char *name, char **vals);
	int *seen;                  /* counted up each time the option is given */
};

#define CLI_FLAG(n, p)          { .name = (n), .type = CLI_T_FLAG, .dst = (p), .lo = 1 }
#define CLI_SET(n, p, v)        { .name = (n), .type = CLI_T_FLAG, .dst = (p), .lo = (v) }
#define CLI_STR(n, p)           { .name = (n), .type = CLI_T_STR, .dst = (p) }
#define CLI_U32(n, p, l, h)     { .name = (n), .type = CLI_T_U32, .dst = (p), .lo = (l), .hi = (h) }
#define CLI_DOUBLE(n, p, l, h)  { .name = (n), .type = CLI_T_DOUBLE, .dst = (p), .lo = (l), .hi = (h) }
#define CLI_FLOAT(n, p, l, h)   { .name = (n), .type = CLI_T_FLOAT, .dst = (p), .lo = (l), .hi = (h) }
#define CLI_CALL(n, f, ctx)     { .name = (n), .type = CLI_T_CALL, .dst = (ctx), .fn = (f) }
#define CLI_END                 { .name = NULL }

struct cli_spec {
	const char *cmd;                 /* "summarize": messages say "summarize: ..." */
	const struct cli_opt *opts;
	void (*usage)(FILE *f);
	int min_args, max_args;          /* arguments that are not options */
};

/* What cli_parse returns for --help, after printing the usage on stdout:
 * the command returns PS_EXIT_OK. */
#define CLI_HELP (-1)

/* Parses argv[1..argc) (argv[0] is the command) into the options' places
 * and the other arguments into args[0..*nargs) (at most max_args; fewer
 * than min_args prints the usage on stderr).  PS_EXIT_OK, CLI_HELP, or
 * an exit code after a message. */
int cli_parse(const struct cli_spec *spec, int argc, char **argv, char **args, int *nargs);

/* Parses a number argument of option `opt`; prints an error on failure. */
int cli_parse_double(const char *opt, const char *s, double lo, double hi, double *out);
int cli_parse_u32(const char *opt, const char *s, uint32_t lo, uint32_t hi, uint32_t *out);

#endif
