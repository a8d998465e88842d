/* The panicsage host command line: one function per subcommand. */
#ifndef PS_TOOLS_CLI_H
#define PS_TOOLS_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "core/exitcode.h"

struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);   /* argv[0] is the subcommand */
	const char *summary;
};

int cmd_classify(int argc, char **argv);
int cmd_dmesg(int argc, char **argv);
int cmd_templates(int argc, char **argv);
int cmd_model(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_pki(int argc, char **argv);
int cmd_summarize(int argc, char **argv);
int cmd_label(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);

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

/* Parses a number argument of option `opt`; prints an error on failure. */
int cli_parse_double(const char *opt, const char *s, double lo, double hi, double *out);
int cli_parse_u32(const char *opt, const char *s, uint32_t lo, uint32_t hi, uint32_t *out);

#endif
