/* The panicsage host command line: one function per subcommand, and
 * the helpers every host program shares (messages, files, numbers).
 *
 * The front end `panicsage` runs classify, dmesg, templates and model
 * itself and execs the programs beside it for the rest: panicsage-train
 * (train, eval: BLIS) and panicsage-collector (serve, pki, summarize,
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
/* The same into buf (cut to fit, NUL-terminated), for messages; returns buf. */
const char *cli_text(char *buf, size_t cap, const char *s);

/* Parses a number argument of option `opt`; prints an error on failure. */
int cli_parse_double(const char *opt, const char *s, double lo, double hi, double *out);
int cli_parse_u32(const char *opt, const char *s, uint32_t lo, uint32_t hi, uint32_t *out);

#endif
